"""The edges of the final rounds' rules that mutation testing found undefended (tools/mutation.toml, finals.py):
what fixes a round's kind and what does not, what closing a final round records, which votes and ballots count
once entries or jurors have left, and what a ballot is read as."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jury import finals
from govchallenge.jury import operations as ops
from govchallenge.jury.closing import entry_of
from govchallenge.jury.guards import JuryError
from govchallenge.jury.models import (
    CLOSED, CURRENT, PAIRWISE, PREVIOUS, RANKED, RUBRIC, PairwiseShowing, RankedBallot, RoundJuror,
)
from tests.jury.test_finals import declare_conflict, final_setup, refused
from tests.support.jury_factories import make_jury_setup


def events(action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).scalars().all()


def exclude(rnd, submission, chair):
    ops.exclude_entry(entry_of(rnd, submission.id), "Found ineligible after the vote", chair)
    db.session.commit()


def drop_from_round(rnd, juror):
    for rj in list(rnd.round_jurors):
        if rj.juror_id == juror.id:
            db.session.delete(rj)
    db.session.commit()
    db.session.expire(rnd, ["round_jurors"])


# --- the round's kind ------------------------------------------------------------------------------------------

def test_asking_for_the_kind_a_round_has_is_no_change_even_after_votes(app):
    setup = final_setup(PAIRWISE)
    rnd, juror, user = setup["round"], setup["jurors"][1], setup["users"][1]
    finals.show_next(rnd, juror, user)
    second = finals.show_next(rnd, juror, user)
    finals.cast_pairwise_vote(rnd, juror, second.public_id, CURRENT, user)
    db.session.commit()
    kinds_before = len(events("jury.round_kind"))
    assert finals.set_round_kind(rnd, PAIRWISE, setup["chair"]) is rnd
    db.session.commit()
    assert rnd.kind == PAIRWISE and len(finals.showings(rnd)) == 3
    assert len(events("jury.round_kind")) == kinds_before


def test_a_finalist_shown_but_not_answered_leaves_the_kind_open_and_goes_with_it(app):
    setup = final_setup(PAIRWISE)
    rnd, juror, user = setup["round"], setup["jurors"][1], setup["users"][1]
    finals.show_next(rnd, juror, user)
    finals.show_next(rnd, juror, user)  # position 2, not answered: nothing judged yet
    db.session.commit()
    assert not finals.judged_anything(rnd)
    finals.set_round_kind(rnd, RANKED, setup["chair"])
    db.session.commit()
    assert rnd.kind == RANKED
    assert db.session.execute(sa.select(PairwiseShowing).where(PairwiseShowing.round_id == rnd.id)).first() is None
    event = events("jury.round_kind")[-1]
    assert event.detail["before"] == PAIRWISE and event.detail["after"] == RANKED
    assert event.actor_id == setup["chair"].id and (event.object_type, event.object_id) == ("round", str(rnd.id))


def test_a_review_begun_fixes_a_rubric_rounds_kind(app):
    setup = make_jury_setup(n_entries=4, n_jurors=4)
    rnd = setup["round"]
    assert not finals.judged_anything(rnd)
    a = ops.active_assignments(rnd)[0]
    ops.save_review(a, a.juror.user, {}, {"overall": "A first thought"}, 0)  # a draft: begun, not submitted
    db.session.commit()
    assert finals.judged_anything(rnd)
    refused("round_started", finals.set_round_kind, rnd, PAIRWISE, setup["chair"])
    assert rnd.kind == RUBRIC


def test_a_ballot_filed_fixes_a_ranked_rounds_kind(app):
    setup = final_setup(RANKED, n_entries=3)
    rnd = setup["round"]
    assert not finals.judged_anything(rnd)
    finals.submit_ballot(rnd, setup["jurors"][1], [[setup["submissions"][0].id]], setup["users"][1])
    db.session.commit()
    assert finals.judged_anything(rnd)
    refused("round_started", finals.set_round_kind, rnd, PAIRWISE, setup["chair"])


def test_judged_anything_reads_only_its_own_round(app):
    judged = final_setup(RANKED, n_entries=3)
    finals.submit_ballot(judged["round"], judged["jurors"][1], [[judged["submissions"][0].id]], judged["users"][1])
    db.session.commit()
    other = final_setup(PAIRWISE)
    voted = make_jury_setup(n_entries=3, n_jurors=3)
    a = ops.active_assignments(voted["round"])[0]
    ops.save_review(a, a.juror.user, {}, {"overall": "Begun elsewhere"}, 0)
    db.session.commit()
    assert not finals.judged_anything(other["round"])
    finals.set_round_kind(other["round"], RANKED, other["chair"])
    db.session.commit()
    assert other["round"].kind == RANKED


# --- closing a final round -------------------------------------------------------------------------------------

def test_closing_a_final_round_records_who_when_and_why(app):
    setup = final_setup(RANKED)
    rnd, chair = setup["round"], setup["chair"]
    before = utcnow()
    finals.close_final_round(rnd, chair, reason="The demo day is over")
    db.session.commit()
    assert rnd.state == CLOSED
    assert before - timedelta(seconds=1) <= rnd.closed_at <= utcnow() + timedelta(seconds=1)
    assert rnd.closed_by_id == chair.id and rnd.closed_reason == "The demo day is over"
    event = events("jury.round_close")[-1]
    assert event.actor_id == chair.id and event.detail["kind"] == RANKED and event.detail["number"] == rnd.number
    assert (event.object_type, event.object_id) == ("round", str(rnd.id))
    refused("round_closed", finals.close_final_round, rnd, chair)


def test_a_rubric_round_is_not_closed_as_a_final_round(app):
    setup = make_jury_setup(n_entries=3, n_jurors=3)
    refused("wrong_round_kind", finals.close_final_round, setup["round"], setup["chair"])
    assert setup["round"].state != CLOSED


# --- jurors and conflicts --------------------------------------------------------------------------------------

def test_no_juror_is_not_a_juror_of_the_round(app):
    setup = final_setup(PAIRWISE)
    refused("not_in_round", finals.show_next, setup["round"], None, setup["users"][1])


def test_a_jurors_conflicted_finalists_are_read_from_the_round_when_not_given(app):
    setup = final_setup(RANKED, n_entries=3)
    rnd, juror = setup["round"], setup["jurors"][1]
    declare_conflict(juror, setup["submissions"][1])
    db.session.commit()
    assert finals.conflicted_finalists(rnd, juror) == {setup["submissions"][1].id}
    assert finals.conflicted_finalists(rnd, setup["jurors"][2]) == set()


# --- pairwise --------------------------------------------------------------------------------------------------

def test_the_votes_are_read_in_the_order_they_were_taken(app):
    setup = final_setup(PAIRWISE)
    rnd = setup["round"]
    (j1, u1), (j2, u2) = zip(setup["jurors"][1:3], setup["users"][1:3])
    finals.show_next(rnd, j1, u1)
    first_shown = finals.show_next(rnd, j1, u1)  # shown before the other juror's, answered after
    finals.show_next(rnd, j2, u2)
    other_shown = finals.show_next(rnd, j2, u2)
    db.session.commit()
    finals.cast_pairwise_vote(rnd, j2, other_shown.public_id, PREVIOUS, u2)
    db.session.commit()
    finals.cast_pairwise_vote(rnd, j1, first_shown.public_id, CURRENT, u1)
    db.session.commit()
    stream = finals.vote_stream(rnd)
    assert [j for j, _w, _l in stream] == [j2.id, j1.id]
    mine = finals.showings(rnd, j2)
    assert stream[0] == (j2.id, mine[0].submission_id, mine[1].submission_id)  # "previous" won


def test_votes_on_an_entry_excluded_since_no_longer_count(app):
    setup = final_setup(PAIRWISE)
    rnd, juror, user = setup["round"], setup["jurors"][1], setup["users"][1]
    first = finals.show_next(rnd, juror, user)
    second = finals.show_next(rnd, juror, user)
    third = finals.cast_pairwise_vote(rnd, juror, second.public_id, PREVIOUS, user)  # the one excluded later won
    finals.cast_pairwise_vote(rnd, juror, third.public_id, CURRENT, user)
    db.session.commit()
    gone = next(s for s in setup["submissions"] if s.id == first.submission_id)
    exclude(rnd, gone, setup["chair"])
    assert len(finals.vote_stream(rnd)) == 2
    assert finals.counted_votes(rnd) == [(juror.id, third.submission_id, second.submission_id)]
    assert gone.id not in {s.item for s in finals.estimates(rnd).standings()}
    # a vote the excluded entry won does not count either
    assert all(gone.id not in (w, l) for _j, w, l in finals.counted_votes(rnd))


def test_showing_a_finalist_is_audited_with_its_place_in_the_jurors_list(app):
    setup = final_setup(PAIRWISE)
    rnd, juror, user = setup["round"], setup["jurors"][1], setup["users"][1]
    finals.show_next(rnd, juror, user)
    second = finals.show_next(rnd, juror, user)
    db.session.commit()
    assert second.position == 2
    shown = events("jury.pairwise_show")
    assert [e.detail["position"] for e in shown] == [1, 2] and shown[-1].actor_id == user.id
    assert shown[-1].detail["round_id"] == rnd.id
    assert (shown[-1].object_type, shown[-1].object_id) == ("pairwiseshowing", str(second.id))


def test_a_vote_is_audited_with_its_choice(app):
    setup = final_setup(PAIRWISE)
    rnd, juror, user = setup["round"], setup["jurors"][1], setup["users"][1]
    finals.show_next(rnd, juror, user)
    second = finals.show_next(rnd, juror, user)
    finals.cast_pairwise_vote(rnd, juror, second.public_id, PREVIOUS, user)
    db.session.commit()
    vote = events("jury.pairwise_vote")[-1]
    assert vote.actor_id == user.id
    assert vote.detail["choice"] == PREVIOUS and vote.detail["position"] == 2 and vote.detail["round_id"] == rnd.id
    assert second.choice == PREVIOUS and second.voted_at is not None
    assert (vote.object_type, vote.object_id) == ("pairwiseshowing", str(second.id))
    assert events("jury.pairwise_show")[-1].actor_id == user.id  # the next finalist shown, by the same hand


def test_a_juror_who_has_seen_every_finalist_is_shown_none(app):
    setup = final_setup(PAIRWISE, n_entries=2)
    rnd, juror, user = setup["round"], setup["jurors"][1], setup["users"][1]
    finals.show_next(rnd, juror, user)
    second = finals.show_next(rnd, juror, user)
    assert finals.cast_pairwise_vote(rnd, juror, second.public_id, CURRENT, user) is None
    db.session.commit()
    assert finals.show_next(rnd, juror, user) is None
    assert len(finals.showings(rnd, juror)) == 2


# --- ranked ----------------------------------------------------------------------------------------------------

def test_a_ballot_from_a_form_is_read_as_numbers_without_empty_groups(app):
    setup = final_setup(RANKED, n_entries=3)
    rnd, juror, user = setup["round"], setup["jurors"][1], setup["users"][1]
    a, b, c = (s.id for s in setup["submissions"])
    ballot = finals.submit_ballot(rnd, juror, [[str(a)], [], [str(b), str(c)]], user)
    db.session.commit()
    assert ballot.ranking == [[a], [b, c]]
    event = events("jury.ballot")[-1]
    assert event.detail["ranked"] == 3 and event.actor_id == user.id and event.detail["round_id"] == rnd.id
    assert (event.object_type, event.object_id) == ("rankedballot", str(ballot.id))
    assert finals.ballot_of(rnd, juror).ranking == [[a], [b, c]]


def test_a_replaced_ballot_is_dated_anew(app):
    setup = final_setup(RANKED, n_entries=3)
    rnd, juror, user = setup["round"], setup["jurors"][1], setup["users"][1]
    a, b, _c = (s.id for s in setup["submissions"])
    ballot = finals.submit_ballot(rnd, juror, [[a], [b]], user)
    db.session.commit()
    first = ballot.updated_at
    assert first is not None
    again = finals.submit_ballot(rnd, juror, [[b], [a]], user)
    db.session.commit()
    assert again.id == ballot.id and again.ranking == [[b], [a]] and again.updated_at >= first
    assert finals.ranked_result(rnd)[0].d[b][a] == 1


def test_the_ballot_of_a_juror_no_longer_in_the_round_does_not_count(app):
    setup = final_setup(RANKED, n_entries=3)
    rnd = setup["round"]
    a, b, _c = (s.id for s in setup["submissions"])
    finals.submit_ballot(rnd, setup["jurors"][1], [[a], [b]], setup["users"][1])
    finals.submit_ballot(rnd, setup["jurors"][2], [[b], [a]], setup["users"][2])
    db.session.commit()
    assert finals.ranked_result(rnd)[1] == 2
    drop_from_round(rnd, setup["jurors"][1])  # the first ballot filed: the ones after it still count
    result, counted = finals.ranked_result(rnd)
    assert counted == 1 and result.d[b][a] == 1 and result.d[a][b] == 0
    assert [j for j, _r, _a in finals.counted_ballots(rnd)] == [setup["jurors"][2].id]


def test_a_ballot_counts_without_an_entry_excluded_since(app):
    setup = final_setup(RANKED, n_entries=3)
    rnd = setup["round"]
    a, b, c = (s.id for s in setup["submissions"])
    finals.submit_ballot(rnd, setup["jurors"][1], [[c], [a], [b]], setup["users"][1])
    db.session.commit()
    exclude(rnd, setup["submissions"][2], setup["chair"])
    (juror_id, ranking, abstain), = finals.counted_ballots(rnd)
    assert juror_id == setup["jurors"][1].id and ranking == [[a], [b]] and abstain == set()
    result, counted = finals.ranked_result(rnd)
    assert counted == 1 and result.order == [[a], [b]]


def test_a_ballot_abstains_on_a_conflict_declared_after_it_was_filed(app):
    setup = final_setup(RANKED, n_entries=3)
    rnd, juror = setup["round"], setup["jurors"][1]
    a, b, c = (s.id for s in setup["submissions"])
    finals.submit_ballot(rnd, juror, [[c], [a], [b]], setup["users"][1])
    db.session.commit()
    declare_conflict(juror, setup["submissions"][2])
    db.session.commit()
    (_j, ranking, abstain), = finals.counted_ballots(rnd)
    assert ranking == [[a], [b]] and abstain == {c}
    result, _counted = finals.ranked_result(rnd)
    assert result.d[c][a] == 0 and result.d[a][c] == 0 and result.d[a][b] == 1


def test_a_ballot_left_with_an_empty_group_drops_it(app):
    setup = final_setup(RANKED, n_entries=3)
    rnd = setup["round"]
    a, b, c = (s.id for s in setup["submissions"])
    finals.submit_ballot(rnd, setup["jurors"][1], [[a], [c], [b]], setup["users"][1])
    db.session.commit()
    exclude(rnd, setup["submissions"][2], setup["chair"])
    (_j, ranking, _abstain), = finals.counted_ballots(rnd)
    assert ranking == [[a], [b]]


@pytest.mark.parametrize("kind", [PAIRWISE, RANKED])
def test_a_final_round_leaves_no_assignment_behind(app, kind):
    setup = make_jury_setup(n_entries=3, n_jurors=3)
    rnd = setup["round"]
    finals.set_round_kind(rnd, kind, setup["chair"])
    db.session.commit()
    assert not ops.active_assignments(rnd) and not rnd.assignments
    assert [rj.juror_id for rj in db.session.execute(sa.select(RoundJuror).where(RoundJuror.round_id == rnd.id)).scalars()]
    assert db.session.execute(sa.select(RankedBallot)).first() is None


def test_the_ballots_count_in_the_order_they_were_first_filed(app):
    """A ballot replaced keeps its place among the others: the published document lists the ballots in this order.
    (Both databases here return these rows in that order even without the ORDER BY: that mutant stays unseen.)"""
    setup = final_setup(RANKED, n_entries=3)
    rnd = setup["round"]
    a, b, _c = (s.id for s in setup["submissions"])
    (j1, u1), (j2, u2) = zip(setup["jurors"][1:3], setup["users"][1:3])
    finals.submit_ballot(rnd, j1, [[a], [b]], u1)
    db.session.commit()
    finals.submit_ballot(rnd, j2, [[b], [a]], u2)
    db.session.commit()
    finals.submit_ballot(rnd, j1, [[b]], u1)
    db.session.commit()
    assert [(j, ranking) for j, ranking, _abstain in finals.counted_ballots(rnd)] == [(j1.id, [[b]]), (j2.id, [[b], [a]])]


def test_a_ballot_in_a_round_with_no_finalist_left_is_refused_as_naming_none(app):
    setup = final_setup(RANKED, n_entries=2)
    rnd = setup["round"]
    for submission in setup["submissions"]:
        exclude(rnd, submission, setup["chair"])
    assert finals.finalists(rnd) == []
    refused("ballot_unknown", finals.submit_ballot, rnd, setup["jurors"][1], [[setup["submissions"][0].id]],
            setup["users"][1])
    assert db.session.execute(sa.select(RankedBallot)).first() is None


def test_a_jurors_ballot_in_one_round_is_not_their_ballot_in_the_next(app):
    from govchallenge.jury.models import OPEN, Round, RoundEntry

    setup = final_setup(RANKED, n_entries=3)
    first, juror, user = setup["round"], setup["jurors"][1], setup["users"][1]
    a, b, c = (s.id for s in setup["submissions"])
    finals.submit_ballot(first, juror, [[a], [b], [c]], user)
    finals.close_final_round(first, setup["chair"])
    db.session.commit()
    second = Round(challenge_id=first.challenge_id, number=2, name={}, stage_id=first.stage_id, state=OPEN, kind=RANKED)
    db.session.add(second)
    db.session.flush()
    db.session.add_all([RoundEntry(round_id=second.id, submission_id=a), RoundEntry(round_id=second.id, submission_id=b)])
    db.session.add(RoundJuror(round_id=second.id, juror_id=juror.id))
    db.session.commit()
    again = finals.submit_ballot(second, juror, [[b], [a]], user)
    db.session.commit()
    assert again.round_id == second.id and finals.ballot_of(second, juror).ranking == [[b], [a]]
    assert finals.ballot_of(first, juror).ranking == [[a], [b], [c]]  # the closed round's ballot stays as filed
    assert finals.ranked_result(first)[0].d[a][b] == 1


def test_a_showing_of_another_round_is_not_voted_on_in_this_one(app):
    from govchallenge.jury.models import OPEN, Round, RoundEntry

    setup = final_setup(PAIRWISE, n_entries=3)
    first, juror, user = setup["round"], setup["jurors"][1], setup["users"][1]
    finals.show_next(first, juror, user)
    old = finals.show_next(first, juror, user)  # shown in round 1, never answered
    finals.close_final_round(first, setup["chair"])
    db.session.commit()
    second = Round(challenge_id=first.challenge_id, number=2, name={}, stage_id=first.stage_id, state=OPEN, kind=PAIRWISE)
    db.session.add(second)
    db.session.flush()
    db.session.add_all([RoundEntry(round_id=second.id, submission_id=s.id) for s in setup["submissions"]])
    db.session.add(RoundJuror(round_id=second.id, juror_id=juror.id))
    db.session.commit()
    refused("not_shown", finals.cast_pairwise_vote, second, juror, old.public_id, CURRENT, user)
    assert db.session.get(PairwiseShowing, old.id).voted_at is None
