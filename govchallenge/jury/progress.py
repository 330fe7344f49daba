"""What a round's reviews add up to: its entries, the assignments in force, the reviews the scores read, and the
progress per juror and per entry (with the entries whose totals disagree strongly). Reads only: the other round
modules (rounds, closing, shortlisting, reminders) and the chair's dashboard build on it."""
from collections import defaultdict

import sqlalchemy as sa

from govchallenge.challenges import rubric
from govchallenge.core.registry import hook
from govchallenge.extensions import db

from . import agreement
from .models import ACTIVE, SUBMITTED, Assignment, Juror, Review, RoundEntry


def round_entries(rnd, include_excluded=False):
    entries = [e for e in rnd.entries if include_excluded or e.excluded_at is None]
    return entries



def active_assignments(rnd):
    return db.session.execute(
        sa.select(Assignment).where(Assignment.round_id == rnd.id, Assignment.state == ACTIVE)
        .options(sa.orm.joinedload(Assignment.review), sa.orm.joinedload(Assignment.juror).joinedload(Juror.user))
    ).unique().scalars().all()


def counting(assignment):
    """A review the scores read: submitted, not excluded (a conflict declared after it), of an active assignment."""
    return assignment.state == ACTIVE and assignment.review is not None and assignment.review.counts


def counting_reviews(rnd, assignments=None, excluded=None):
    """[(submission id, juror id, scores)] of each counting review of the round's entries that are not excluded
    (`excluded`: their submission ids, when the caller has them)."""
    if excluded is None:
        excluded = {e.submission_id for e in rnd.entries if e.excluded_at is not None}
    return [(a.submission_id, a.juror_id, a.review.scores)
            for a in (assignments if assignments is not None else active_assignments(rnd))
            if a.submission_id not in excluded and counting(a)]


def complete_reviews(rnd, assignments=None):
    """The counting reviews complete on the round's rubric: one scored before a criterion was added has no
    total, and is left out rather than read as zero."""
    criteria = rnd.criteria
    return [row for row in counting_reviews(rnd, assignments) if rubric.complete_totals([row[2]], criteria)]


def submitted_scores(rnd, assignments=None, excluded=None):
    """{submission_id: [scores of each counting review]} of the round's entries that are not excluded."""
    out = defaultdict(list)
    for submission_id, _juror, scores in counting_reviews(rnd, assignments, excluded):
        out[submission_id].append(scores)
    return dict(out)


def entry_totals(rnd, assignments=None, excluded=None):
    """{submission_id: [total 0–100 of each submitted review complete on the round's criteria]}."""
    criteria = rnd.criteria
    totals = {sid: rubric.complete_totals(sets, criteria)
              for sid, sets in submitted_scores(rnd, assignments, excluded).items()}
    return {sid: values for sid, values in totals.items() if values}


def design_warnings(rnd, pairs=None, all_counted=None):
    """What the results' rule warns of in the round's review design (a disconnected design, a single juror,
    entries with fewer or a single review, all totals equal), translated: read from the assignments of the whole
    round, so that the chair sees it while the round is open and the design can still be fixed
    (core/registry.RoundScoring). `pairs` [(submission id, juror id)] of the active assignments of entries not
    excluded, and `all_counted` (whether every one has a counting review), when the caller has read them already
    (page_progress); else they are read here as plain rows. The review totals are read only when all are in,
    the one case the "all totals equal" warning needs them, and only while they are equal (totals_while_equal)."""
    if pairs is None:
        excluded = set(db.session.execute(
            sa.select(RoundEntry.submission_id).where(RoundEntry.round_id == rnd.id, RoundEntry.excluded_at.is_not(None))
        ).scalars())
        done = [(sid, juror_id, counts) for juror_id, sid, counts in assignment_rows(rnd) if sid not in excluded]
        pairs = [(sid, juror_id) for sid, juror_id, _counts in done]
        all_counted = all(counts for _sid, _juror, counts in done)
    totals = {}
    if pairs and all_counted:
        totals = totals_while_equal(_counting_scores(rnd), rnd.criteria)
    return round_scoring().design_warnings(rnd, pairs, totals)


def totals_while_equal(reviews, criteria):
    """{(submission id, juror id): total} of the reviews [(submission id, juror id, scores)], read only while
    every total is the same and complete on the rubric: the first that differs (or has no total) ends the
    reading. The "all totals equal" warning is given only when the totals cover every assigned pair and are all
    equal; a reading that stopped early covers fewer pairs and warns of nothing, as the whole reading would
    (two different totals), at the cost of two totals instead of every review's of a 2,000-entry round."""
    totals, first = {}, None
    for submission_id, juror_id, scores in reviews:
        try:
            total = rubric.review_total(scores, criteria)
        except rubric.RubricError:
            break
        if first is None:
            first = rubric.same_score(total)
        elif rubric.same_score(total) != first:
            break
        totals[(submission_id, juror_id)] = total
    return totals


def _counting_scores(rnd):
    """(submission id, juror id, scores) of each counting review of the round's entries not excluded (in no
    particular order), fetched a few at a time: a reader that stops early reads no more."""
    included = sa.and_(RoundEntry.round_id == Assignment.round_id, RoundEntry.submission_id == Assignment.submission_id,
                       RoundEntry.excluded_at.is_(None))
    result = db.session.execute(
        sa.select(Assignment.submission_id, Assignment.juror_id, Review.scores)
        .join(Review, Review.assignment_id == Assignment.id).join(RoundEntry, included)
        .where(Assignment.round_id == rnd.id, Assignment.state == ACTIVE, Review.state == SUBMITTED,
               Review.excluded_at.is_(None))
        .execution_options(yield_per=50)
    )
    try:
        yield from result
    finally:
        result.close()


def assignment_rows(rnd):
    """(juror id, submission id, counting) of each active assignment of the round as plain rows in one query
    (counting: as counting(), a submitted review not excluded)."""
    counts = sa.case((sa.and_(Review.state == SUBMITTED, Review.excluded_at.is_(None)), 1), else_=0)
    return [(juror_id, submission_id, bool(done)) for juror_id, submission_id, done in db.session.execute(
        sa.select(Assignment.juror_id, Assignment.submission_id, counts)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.round_id == rnd.id, Assignment.state == ACTIVE)
    )]


def round_scoring():
    """The results' rule for ranking a round and judging its design, lent through the registry."""
    return hook("round_scoring")[0]


def progress(rnd):
    """Per juror and per entry: (submitted, assigned); flagged entries whose totals disagree strongly."""
    assignments = active_assignments(rnd)
    excluded = {e.submission_id for e in rnd.entries if e.excluded_at is not None}
    per_juror = defaultdict(lambda: [0, 0])
    per_entry = {e.submission_id: [0, 0] for e in round_entries(rnd)}
    for a in assignments:
        if a.submission_id in excluded:
            continue
        done = counting(a)
        per_juror[a.juror_id][1] += 1
        per_juror[a.juror_id][0] += done
        row = per_entry.setdefault(a.submission_id, [0, 0])
        row[1] += 1
        row[0] += done
    totals = entry_totals(rnd, assignments)
    flagged = set(agreement.strongly_disagreeing(totals))
    return {"jurors": dict(per_juror), "entries": per_entry, "flagged": flagged, "totals": totals,
            "assignments": assignments}


def page_progress(rnd, submission_ids, entries):
    """progress(rnd) for a page of the dashboard: the counts per juror and per entry of the whole round, read
    as plain rows in one query; the assignments, totals and disagreement flags of the entries in
    `submission_ids` only (the rows shown). `entries`: (submission id, excluded) of every entry of the round.
    Its cost grows with the round, never with its square."""
    excluded = {sid for sid, is_excluded in entries if is_excluded}
    per_juror = defaultdict(lambda: [0, 0])
    per_entry = {sid: [0, 0] for sid, is_excluded in entries if not is_excluded}
    pairs, all_counted = [], True
    for juror_id, submission_id, done in assignment_rows(rnd):
        if submission_id in excluded:
            continue
        pairs.append((submission_id, juror_id))
        all_counted = all_counted and done
        per_juror[juror_id][1] += 1
        per_juror[juror_id][0] += done
        row = per_entry.setdefault(submission_id, [0, 0])
        row[1] += 1
        row[0] += done
    assignments = db.session.execute(
        sa.select(Assignment).where(Assignment.round_id == rnd.id, Assignment.state == ACTIVE,
                                    Assignment.submission_id.in_(list(submission_ids)))
        .options(sa.orm.joinedload(Assignment.review), sa.orm.joinedload(Assignment.juror).joinedload(Juror.user))
        .order_by(Assignment.id)
    ).unique().scalars().all() if submission_ids else []
    totals = entry_totals(rnd, assignments, excluded)
    return {"jurors": dict(per_juror), "entries": per_entry, "flagged": set(agreement.strongly_disagreeing(totals)),
            "totals": totals, "assignments": assignments, "pairs": pairs, "all_counted": all_counted}
