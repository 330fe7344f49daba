"""The final rounds that are not scored on the rubric: pairwise comparison on a demo day (Crowd-BT, crowd_bt.py)
and a ranked vote (Schulze method, schulze.py). State changes and the reads of their outcome; flush, never commit.

A round becomes pairwise or ranked by the chair's choice (`set_round_kind`) while nothing has been judged in
it yet: no review begun, no vote, no ballot. Its finalists are the round's entries not excluded; its jurors the
round's active jurors. A juror never sees, compares or ranks a finalist they are conflicted with.

Pairwise. The juror is shown one finalist at a time (`PairwiseShowing`, in order); from the second on they
answer on each whether the previous one or this one was better. The answer names the showing (its opaque id)
and is taken once: a vote for a finalist not shown to that juror, a second vote on the same showing (a replay
or a double click), or a vote after the round closed is refused and changes nothing. Each answer chooses the
next finalist at once (`CrowdBT.choose_next`, seeded by the round's seed): the estimates are rebuilt by
replaying every vote of the round in the order taken, so the same votes always give the same standings.

Ranked. Each juror files one ballot (changeable while the round is open): the finalists in groups of equals,
best first; a finalist left out ranks below every one named; a juror's conflicted finalists are neither ranked
nor pushed down (the ballot abstains on them). The result is the Schulze order with the d and p tables.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db

from . import crowd_bt, schulze
from .conflicts import conflict_pairs
from .guards import JuryError, require_changeable
from .models import (
    CLOSED, CURRENT, FINAL_KINDS, PAIRWISE, PREVIOUS, RANKED, ROUND_KINDS, RUBRIC, Assignment, PairwiseShowing,
    RankedBallot, Review,
)
from .progress import round_entries
from .rounds import round_jurors, run_assignment


# --- the round's kind -------------------------------------------------------------------------------------------

def judged_anything(rnd):
    """A review begun, a pairwise vote or a ranked ballot: after that the round's kind may not change."""
    review = sa.select(Review.id).join(Assignment).where(Assignment.round_id == rnd.id)
    vote = sa.select(PairwiseShowing.id).where(PairwiseShowing.round_id == rnd.id, PairwiseShowing.voted_at.is_not(None))
    ballot = sa.select(RankedBallot.id).where(RankedBallot.round_id == rnd.id)
    return any(db.session.execute(q.limit(1)).first() for q in (review, vote, ballot))


def set_round_kind(rnd, kind, actor):
    """The chair makes an open round rubric-scored, pairwise or ranked, before anything is judged in it. Leaving
    the rubric removes the round's assignments (none begun); coming back assigns the round again."""
    require_changeable(rnd)
    if kind not in ROUND_KINDS:
        raise JuryError("bad_round_kind")
    if kind == rnd.kind:
        return rnd
    if judged_anything(rnd):
        raise JuryError("round_started")
    before = rnd.kind
    db.session.execute(sa.delete(PairwiseShowing).where(PairwiseShowing.round_id == rnd.id))
    if kind in FINAL_KINDS:
        db.session.execute(sa.delete(Assignment).where(Assignment.round_id == rnd.id))
    rnd.kind = kind
    db.session.flush()
    db.session.expire(rnd, ["assignments"])
    audit.record("jury.round_kind", rnd, actor=actor, before=before, after=kind)
    if kind == RUBRIC:
        run_assignment(rnd, actor, seed=rnd.seed)
    return rnd


def require_kind(rnd, kind):
    if rnd.kind != kind:
        raise JuryError("wrong_round_kind")


def close_final_round(rnd, actor, reason=None):
    """The chair closes a pairwise or ranked round: the votes and ballots are final from then on."""
    require_changeable(rnd)
    if rnd.kind not in FINAL_KINDS:
        raise JuryError("wrong_round_kind")
    rnd.state, rnd.closed_at, rnd.closed_by_id, rnd.closed_reason = CLOSED, utcnow(), actor.id, reason
    db.session.flush()
    audit.record("jury.round_close", rnd, actor=actor, kind=rnd.kind, number=rnd.number)
    return rnd


def finalists(rnd):
    """The round's entries that are not excluded: their submission ids, in the round's order."""
    return [e.submission_id for e in round_entries(rnd)]


def conflicted_finalists(rnd, juror, entry_ids=None):
    entry_ids = finalists(rnd) if entry_ids is None else entry_ids
    pairs = conflict_pairs(rnd.challenge_id, entry_ids)
    return {sid for sid in entry_ids if (juror.id, sid) in pairs}


def require_round_juror(rnd, juror):
    if juror is None or juror.id not in {j.id for j in round_jurors(rnd)}:
        raise JuryError("not_in_round")


# --- pairwise ---------------------------------------------------------------------------------------------------

def showings(rnd, juror=None):
    query = sa.select(PairwiseShowing).where(PairwiseShowing.round_id == rnd.id)
    if juror is not None:
        query = query.where(PairwiseShowing.juror_id == juror.id)
    return db.session.execute(query.order_by(PairwiseShowing.position, PairwiseShowing.id)).scalars().all()


def vote_stream(rnd, rows=None):
    """Every answer of the round in the order taken, as Crowd-BT reads it: [(juror id, winner, loser)]."""
    rows = showings(rnd) if rows is None else rows
    by_position = {(s.juror_id, s.position): s for s in rows}
    answered = sorted((s for s in rows if s.voted_at is not None), key=lambda s: (s.voted_at, s.id))
    stream = []
    for s in answered:
        before = by_position[(s.juror_id, s.position - 1)]
        if s.choice == CURRENT:
            stream.append((s.juror_id, s.submission_id, before.submission_id))
        else:
            stream.append((s.juror_id, before.submission_id, s.submission_id))
    return stream


def counted_votes(rnd, rows=None):
    """The votes that count: the vote stream without those naming an entry excluded from the round since."""
    present = set(finalists(rnd))
    return [v for v in vote_stream(rnd, rows) if v[1] in present and v[2] in present]


def estimates(rnd, rows=None):
    """Crowd-BT replayed over the round's votes: a crowd_bt.CrowdBT with standings and reliabilities."""
    rows = showings(rnd) if rows is None else rows
    return crowd_bt.estimate(finalists(rnd), counted_votes(rnd, rows), seed=rnd.seed or 0)


def current_showing(rnd, juror):
    mine = showings(rnd, juror)
    return mine[-1] if mine else None


def show_next(rnd, juror, actor):
    """Show the juror their next finalist, or None when none is left. The finalist they see now must have been
    answered first (except the first one, which has nothing to be compared with)."""
    require_changeable(rnd)
    require_kind(rnd, PAIRWISE)
    require_round_juror(rnd, juror)
    rows = showings(rnd)
    mine = [s for s in rows if s.juror_id == juror.id]
    if mine and mine[-1].position > 1 and mine[-1].voted_at is None:
        raise JuryError("answer_first")
    entry_ids = finalists(rnd)
    counts = {sid: 0 for sid in entry_ids}
    for s in rows:
        counts[s.submission_id] = counts.get(s.submission_id, 0) + 1
    model = estimates(rnd, rows)
    previous = mine[-1].submission_id if mine else None
    nxt = model.choose_next(juror.id, previous, [s.submission_id for s in mine],
                            conflicted_finalists(rnd, juror, entry_ids), shown_counts=counts)
    if nxt is None:
        return None
    showing = PairwiseShowing(round_id=rnd.id, juror_id=juror.id, submission_id=nxt, position=len(mine) + 1)
    db.session.add(showing)
    try:
        db.session.flush()
    except IntegrityError:  # a second tap on the same button, a request ahead: that one showed the next finalist
        raise JuryError("answer_first") from None
    audit.record("jury.pairwise_show", showing, actor=actor, round_id=rnd.id, position=showing.position)
    return showing


def cast_pairwise_vote(rnd, juror, showing_public_id, choice, actor):
    """The juror answers on the finalist shown to them: `choice` PREVIOUS or CURRENT was better. Taken once;
    then the next finalist is shown (returned; None when the juror has seen every finalist they may)."""
    require_changeable(rnd)
    require_kind(rnd, PAIRWISE)
    require_round_juror(rnd, juror)
    if choice not in (PREVIOUS, CURRENT):
        raise JuryError("bad_choice")
    showing = db.session.execute(
        sa.select(PairwiseShowing).where(PairwiseShowing.public_id == str(showing_public_id or ""),
                                         PairwiseShowing.round_id == rnd.id, PairwiseShowing.juror_id == juror.id)
        .with_for_update()
    ).scalar_one_or_none()
    if showing is None or showing.position < 2:
        raise JuryError("not_shown")
    if showing.voted_at is not None:
        raise JuryError("vote_counted")
    showing.choice, showing.voted_at = choice, utcnow()
    db.session.flush()
    audit.record("jury.pairwise_vote", showing, actor=actor, round_id=rnd.id, position=showing.position, choice=choice)
    return show_next(rnd, juror, actor)


# --- ranked -----------------------------------------------------------------------------------------------------

BALLOT_ERRORS = {schulze.UNKNOWN: "ballot_unknown", schulze.DUPLICATE: "ballot_duplicate"}


def submit_ballot(rnd, juror, ranking, actor):
    """File or replace the juror's ballot: `ranking` a list of groups of submission ids, best first."""
    require_changeable(rnd)
    require_kind(rnd, RANKED)
    require_round_juror(rnd, juror)
    ranking = [[int(sid) for sid in tier] for tier in ranking if tier]
    entry_ids = finalists(rnd)
    try:
        schulze.pairwise_preferences(entry_ids, [(1, ranking)])
    except schulze.BallotError as error:
        raise JuryError(BALLOT_ERRORS.get(error.code, "ballot_unknown")) from None
    if {sid for tier in ranking for sid in tier} & conflicted_finalists(rnd, juror, entry_ids):
        raise JuryError("ballot_conflict")
    ballot = db.session.execute(
        sa.select(RankedBallot).where(RankedBallot.round_id == rnd.id, RankedBallot.juror_id == juror.id)
    ).scalar_one_or_none()
    if ballot is None:
        ballot = RankedBallot(round_id=rnd.id, juror_id=juror.id)
        db.session.add(ballot)
    ballot.ranking, ballot.updated_at = ranking, utcnow()
    db.session.flush()
    audit.record("jury.ballot", ballot, actor=actor, round_id=rnd.id, ranked=sum(len(t) for t in ranking))
    return ballot


def ballot_of(rnd, juror):
    return db.session.execute(
        sa.select(RankedBallot).where(RankedBallot.round_id == rnd.id, RankedBallot.juror_id == juror.id)
    ).scalar_one_or_none()


def counted_ballots(rnd):
    """[(juror id, ranking, abstain)]: the ballots of the round's jurors as they count — each abstaining on the
    juror's conflicts, without the entries excluded since it was filed."""
    entry_ids = finalists(rnd)
    present = set(entry_ids)
    pairs = conflict_pairs(rnd.challenge_id, entry_ids)
    jurors = {j.id for j in round_jurors(rnd)}
    rows = db.session.execute(sa.select(RankedBallot).where(RankedBallot.round_id == rnd.id)
                              .order_by(RankedBallot.id)).scalars().all()
    ballots = []
    for row in rows:
        if row.juror_id not in jurors:
            continue
        abstain = {sid for sid in entry_ids if (row.juror_id, sid) in pairs}
        ranking = [[sid for sid in tier if sid in present and sid not in abstain] for tier in row.ranking]
        ballots.append((row.juror_id, [tier for tier in ranking if tier], abstain))
    return ballots


def ranked_result(rnd):
    """The Schulze result over the ballots of the round's jurors (each abstaining on their conflicts), and how
    many ballots it counted. Ballots naming an entry excluded since then count without it."""
    ballots = counted_ballots(rnd)
    return schulze.schulze(finalists(rnd), [(1, ranking, abstain) for _j, ranking, abstain in ballots]), len(ballots)
