"""Final rounds judged in pairs (demo day) or by a ranked vote: the operations, their refusals, and what they add up to."""
import pytest
import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.jury import finals
from govchallenge.jury import operations as ops
from govchallenge.jury.guards import JuryError
from govchallenge.jury.models import (
    CURRENT, PAIRWISE, PREVIOUS, RANKED, RUBRIC, Assignment, ConflictDeclaration, PairwiseShowing, RankedBallot,
)
from tests.support.jury_factories import make_jury_setup


def final_setup(kind, n_entries=5, n_jurors=4):
    setup = make_jury_setup(n_entries=n_entries, n_jurors=n_jurors)
    finals.set_round_kind(setup["round"], kind, setup["chair"])
    db.session.commit()
    return setup


def refused(code, run, *args):
    with pytest.raises(JuryError) as error:
        run(*args)
    db.session.rollback()
    assert error.value.code == code


def declare_conflict(juror, submission):
    db.session.add(ConflictDeclaration(juror_id=juror.id, person=submission.team.members[0].user.email, kind="personal"))
    db.session.flush()


# --- the kind of round -----------------------------------------------------------------------------------------

def test_the_chair_turns_an_unjudged_round_pairwise_and_back(app):
    setup = make_jury_setup(n_entries=4, n_jurors=4)
    rnd, chair = setup["round"], setup["chair"]
    assert rnd.kind == RUBRIC and ops.active_assignments(rnd)
    finals.set_round_kind(rnd, PAIRWISE, chair)
    db.session.commit()
    assert rnd.kind == PAIRWISE
    assert db.session.execute(sa.select(Assignment).where(Assignment.round_id == rnd.id)).first() is None
    finals.set_round_kind(rnd, RUBRIC, chair)
    db.session.commit()
    assert ops.active_assignments(rnd)
    refused("bad_round_kind", finals.set_round_kind, rnd, "lottery", chair)


def test_the_kind_no_longer_changes_once_something_was_judged(app):
    setup = final_setup(PAIRWISE)
    rnd, juror = setup["round"], setup["jurors"][1]
    first = finals.show_next(rnd, juror, setup["users"][1])
    second = finals.show_next(rnd, juror, setup["users"][1])
    finals.cast_pairwise_vote(rnd, juror, second.public_id, CURRENT, setup["users"][1])
    db.session.commit()
    assert first.submission_id != second.submission_id
    refused("round_started", finals.set_round_kind, rnd, RANKED, setup["chair"])


# --- pairwise --------------------------------------------------------------------------------------------------

def test_a_juror_sees_every_finalist_once_and_never_a_conflicted_one(app):
    setup = final_setup(PAIRWISE, n_entries=6)
    rnd, juror, user = setup["round"], setup["jurors"][2], setup["users"][2]
    conflicted = setup["submissions"][3]
    declare_conflict(juror, conflicted)
    db.session.commit()
    showing = finals.show_next(rnd, juror, user)
    shown = [showing.submission_id]
    choice = PREVIOUS
    while True:
        showing = (finals.show_next(rnd, juror, user) if len(shown) == 1
                   else finals.cast_pairwise_vote(rnd, juror, showing.public_id, choice, user))
        db.session.commit()
        if showing is None:
            break
        shown.append(showing.submission_id)
        choice = CURRENT if choice == PREVIOUS else PREVIOUS
    assert sorted(shown) == sorted(s.id for s in setup["submissions"] if s.id != conflicted.id)
    stream = finals.vote_stream(rnd)
    assert len(stream) == len(shown) - 1 and all(j == juror.id for j, _w, _l in stream)
    # the answers alternate "current", "previous", ...: the second finalist beat the first, the second the third
    assert stream[0][1:] == (shown[1], shown[0]) and stream[1][1:] == (shown[1], shown[2])
    standings = finals.estimates(rnd).standings()
    assert {s.item for s in standings} == {s.id for s in setup["submissions"]}


def test_a_vote_is_counted_once_and_only_for_what_was_shown(app):
    setup = final_setup(PAIRWISE)
    rnd, juror, user = setup["round"], setup["jurors"][1], setup["users"][1]
    other, other_user = setup["jurors"][2], setup["users"][2]
    first = finals.show_next(rnd, juror, user)
    db.session.commit()
    refused("not_shown", finals.cast_pairwise_vote, rnd, juror, first.public_id, CURRENT, user)  # nothing to compare
    second = finals.show_next(rnd, juror, user)
    db.session.commit()
    refused("answer_first", finals.show_next, rnd, juror, user)
    refused("bad_choice", finals.cast_pairwise_vote, rnd, juror, second.public_id, "both", user)
    finals.show_next(rnd, other, other_user)
    theirs = finals.show_next(rnd, other, other_user)
    db.session.commit()
    refused("not_shown", finals.cast_pairwise_vote, rnd, juror, theirs.public_id, CURRENT, user)  # another juror's
    refused("not_shown", finals.cast_pairwise_vote, rnd, juror, "no-such-showing", CURRENT, user)
    finals.cast_pairwise_vote(rnd, juror, second.public_id, CURRENT, user)
    db.session.commit()
    refused("vote_counted", finals.cast_pairwise_vote, rnd, juror, second.public_id, PREVIOUS, user)  # replayed
    assert finals.vote_stream(rnd) == [(juror.id, second.submission_id, first.submission_id)]
    votes = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "jury.pairwise_vote")).scalars().all()
    assert len(votes) == 1


def test_no_vote_after_the_round_closed_and_only_jurors_of_the_round(app):
    setup = final_setup(PAIRWISE)
    rnd, juror, user = setup["round"], setup["jurors"][1], setup["users"][1]
    finals.show_next(rnd, juror, user)
    second = finals.show_next(rnd, juror, user)
    db.session.commit()
    refused("wrong_round_kind", finals.submit_ballot, rnd, juror, [[second.submission_id]], user)
    finals.close_final_round(rnd, setup["chair"])
    db.session.commit()
    refused("round_closed", finals.cast_pairwise_vote, rnd, juror, second.public_id, CURRENT, user)
    assert finals.vote_stream(rnd) == []
    outsider = make_jury_setup(n_entries=2, n_jurors=2)["jurors"][1]
    other = final_setup(PAIRWISE)
    refused("not_in_round", finals.show_next, other["round"], outsider, user)


def test_the_same_votes_give_the_same_standings(app):
    setup = final_setup(PAIRWISE, n_entries=6, n_jurors=4)
    rnd = setup["round"]
    for juror, user in zip(setup["jurors"], setup["users"]):
        showing = finals.show_next(rnd, juror, user)
        showing = finals.show_next(rnd, juror, user)
        for _ in range(3):
            better = CURRENT if showing.submission_id > finals.showings(rnd, juror)[-2].submission_id else PREVIOUS
            showing = finals.cast_pairwise_vote(rnd, juror, showing.public_id, better, user)
        db.session.commit()
    first = [(s.item, s.mu, s.sigma) for s in finals.estimates(rnd).standings()]
    again = [(s.item, s.mu, s.sigma) for s in finals.estimates(rnd).standings()]
    assert first == again
    reliabilities = finals.estimates(rnd).reliabilities()
    assert set(reliabilities) == {j.id for j in setup["jurors"]}


# --- ranked ----------------------------------------------------------------------------------------------------

def test_ballots_give_the_schulze_order(app):
    setup = final_setup(RANKED, n_entries=3, n_jurors=4)
    rnd = setup["round"]
    a, b, c = (s.id for s in setup["submissions"])
    ballots = [[[a], [b], [c]], [[b], [a]], [[a, c]], [[c], [b]]]
    for juror, user, ranking in zip(setup["jurors"], setup["users"], ballots):
        finals.submit_ballot(rnd, juror, ranking, user)
    db.session.commit()
    result, counted = finals.ranked_result(rnd)
    assert counted == 4
    # by hand: a over b on ballots 1 and 3 (b unranked), b over a on 2 and 4: tied, as b and c are
    assert result.d[a][b] == 2 and result.d[b][a] == 2
    assert result.d[a][c] == 2 and result.d[c][a] == 1  # ballots 1, 2 / ballot 4
    assert result.d[c][b] == 2 and result.d[b][c] == 2
    # the one link is a→c (2 to 1): a beats c; a and b, b and c stay tied, and the tie is reported
    assert result.order == [[a, b], [c]]
    assert (a, b) in result.ties and (b, c) in result.ties and (a, c) not in result.ties
    # a second ballot replaces the first
    finals.submit_ballot(rnd, setup["jurors"][3], [[b], [c]], setup["users"][3])
    db.session.commit()
    assert db.session.execute(sa.select(sa.func.count()).select_from(RankedBallot)).scalar() == 4


def test_bad_ballots_are_refused_and_nothing_is_saved(app):
    setup = final_setup(RANKED, n_entries=3)
    rnd, juror, user = setup["round"], setup["jurors"][1], setup["users"][1]
    a, b, c = (s.id for s in setup["submissions"])
    refused("ballot_duplicate", finals.submit_ballot, rnd, juror, [[a], [b, a]], user)
    refused("ballot_unknown", finals.submit_ballot, rnd, juror, [[a], [999999]], user)
    declare_conflict(juror, setup["submissions"][2])
    db.session.commit()
    refused("ballot_conflict", finals.submit_ballot, rnd, juror, [[c], [a]], user)
    assert db.session.execute(sa.select(RankedBallot)).first() is None
    # a conflicted juror's ballot abstains on the entry rather than putting it last
    finals.submit_ballot(rnd, juror, [[a], [b]], user)
    db.session.commit()
    result, _ = finals.ranked_result(rnd)
    assert result.d[a][c] == 0 and result.d[b][c] == 0 and result.d[a][b] == 1
    finals.close_final_round(rnd, setup["chair"])
    db.session.commit()
    refused("round_closed", finals.submit_ballot, rnd, juror, [[b], [a]], user)
    assert db.session.execute(sa.select(PairwiseShowing)).first() is None


def test_the_results_refuse_a_final_round_without_a_vote_plainly(app):
    from govchallenge.results import documents
    from govchallenge.results.operations import ResultsError, propose

    setup = final_setup(PAIRWISE)
    finals.close_final_round(setup["round"], setup["chair"])
    db.session.commit()
    assert documents.gather(setup["challenge"]).problems == [("no_votes", {"kind": PAIRWISE})]
    with pytest.raises(ResultsError) as error:
        propose(setup["challenge"], setup["chair"])
    assert error.value.code == "no_votes"


def test_a_final_round_is_not_assigned_or_closed_as_a_rubric_round(app):
    setup = final_setup(RANKED)
    rnd, chair = setup["round"], setup["chair"]
    refused("final_round", ops.close_round, rnd, chair, {})
    refused("final_round", ops.run_assignment, rnd, chair)
    refused("final_round", ops.add_assignment, rnd, setup["jurors"][1], setup["submissions"][0].id, chair)
    assert db.session.execute(sa.select(Assignment).where(Assignment.round_id == rnd.id)).first() is None


def test_two_taps_showing_the_same_next_finalist_are_refused_not_failed(app):
    setup = final_setup(PAIRWISE)
    rnd, juror, user = setup["round"], setup["jurors"][1], setup["users"][1]
    first = finals.show_next(rnd, juror, user)
    db.session.commit()
    # a request that raced ahead showed position 2 already, unseen by this one's read of the list
    other = next(sub.id for sub in setup["submissions"] if sub.id != first.submission_id)
    db.session.add(PairwiseShowing(round_id=rnd.id, juror_id=juror.id, submission_id=other, position=2))
    db.session.commit()
    original = finals.showings
    finals.showings = lambda r, j=None: [s for s in original(r, j) if s.position < 2]
    try:
        refused("answer_first", finals.show_next, rnd, juror, user)
    finally:
        finals.showings = original
