"""A jury round read by the results' rule (registered for the jury through core/registry.RoundScoring): the
shortlist ranks and thresholds a closed round exactly as the published results would (documents.rank_reviews:
the challenge's calibration, thresholds on calibrated criterion means), and the chair is warned of a weak
review design while the round is still open, when it can be fixed."""
from dataclasses import replace

import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.jury.guards import JuryError
from govchallenge.jury.shortlisting import RoundRanking

from . import documents, scoring
from .shared import texts_of_warnings


def rank_round(rnd, reviews, use_thresholds=True):
    """The round's ranking from its counting reviews [(submission id, juror id, scores)]. Without
    `use_thresholds` (the chair's top N) no threshold takes an entry out of the order."""
    criteria = documents.scoring_criteria(rnd.criteria)
    if not use_thresholds:
        criteria = [replace(c, threshold=None) for c in criteria]
    try:
        ranking = documents.rank_reviews(
            rnd.challenge, [scoring.Review(entry, juror, scores) for entry, juror, scores in reviews], criteria,
            reviews_asked=rnd.reviews_per_entry)
    except scoring.ScoringError as error:
        raise JuryError("ranking_refused", reason=error.code) from error
    aggregation, calibration = documents.method_of(rnd.challenge)
    return RoundRanking(
        places={e.entry_id: e.place for e in ranking.ranked},
        scores={e.entry_id: e.score for e in ranking.entries},
        failed=[e.entry_id for e in ranking.entries if not e.passed_thresholds],
        aggregation=aggregation, calibration=calibration,
        warnings=texts_of_warnings(ranking.warnings, entry_labels(rnd)),
    )


def entry_labels(rnd):
    """{submission id: title} of the round's entries, in one query (a round may hold thousands)."""
    from govchallenge.jury.models import RoundEntry
    from govchallenge.submissions.models import Submission

    rows = db.session.execute(
        sa.select(Submission.id, Submission.title).join(RoundEntry, RoundEntry.submission_id == Submission.id)
        .where(RoundEntry.round_id == rnd.id)
    )
    return {submission_id: title or str(submission_id) for submission_id, title in rows}


def design_warnings(rnd, pairs, totals):
    """The review design's warnings of an open round (scoring.design_warnings), translated: read from the
    assignments (`pairs` of the entries not excluded), so that the chair sees them before any review is in, an
    entry with no assignment at all counted as short; "no variation" only once every assigned review is
    submitted (`totals` {pair: total} cover every pair), as it would then be ranked. The entries not excluded
    and their titles come as plain rows in one query (a round may hold thousands)."""
    labels = included_entry_labels(rnd)
    design = {pair: 0.0 for pair in pairs}
    warnings = [w for w in scoring.design_warnings(design, rnd.reviews_per_entry, list(labels))
                if w["code"] != "no_variation"]
    if totals and set(totals) >= set(pairs):
        warnings += [w for w in scoring.design_warnings(totals) if w["code"] == "no_variation"]
    return texts_of_warnings(warnings, labels)


def included_entry_labels(rnd):
    """{submission id: title} of the round's entries not excluded, in the round's order, in one query."""
    from govchallenge.jury.models import RoundEntry
    from govchallenge.submissions.models import Submission

    rows = db.session.execute(
        sa.select(Submission.id, Submission.title).join(RoundEntry, RoundEntry.submission_id == Submission.id)
        .where(RoundEntry.round_id == rnd.id, RoundEntry.excluded_at.is_(None)).order_by(RoundEntry.id)
    )
    return {submission_id: title or str(submission_id) for submission_id, title in rows}
