"""The expensive part of a results document — the ranking with its bootstrap intervals (1,000 draws) and the
agreement statistics — computed once for its inputs and stored, so the preview, the proposal and every later
visit read it instead of drawing again.

Exact invalidation by construction: the stored row's key is the SHA-256 of the canonical JSON of everything
the computation reads (each submitted review's scores, the criteria with weights, scales and thresholds, the
aggregation and calibration chosen, the tie-break criterion, the chair's decisions, the bootstrap seed and
size, the reviews asked, and VERSION). A review submitted or changed, a round closed (entries excluded, reviews
no longer counted), a calibration changed: the key changes and the next reader computes anew. Nothing else
(a visit, a name edited) does: names and titles are put in by documents.full_document on every call, cheaply.

Where it is stored: a page that only reads (GET) writes the row on its own connection, committed at once, so
the row stays although the request's session is rolled back. A caller whose session has already written in
this transaction (a proposal) adds the row to that session instead: it commits with the caller's work (and a
second connection could not write beside it on SQLite)."""
import dataclasses
import hashlib
import json
import logging

import sqlalchemy as sa

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db

from . import scoring
from .models import StoredComputation

log = logging.getLogger(__name__)
VERSION = 1  # raise when the computation changes: every stored result is then computed again
KEEP_PER_CHALLENGE = 4


def inputs(reviews, criteria, aggregation, calibration, priority, decisions, bootstrap, seed, reviews_asked):
    """The computation's inputs as plain JSON (reviews in a fixed order: the order they came in is not an input)."""
    return {
        "version": VERSION,
        "reviews": sorted([str(r.entry_id), str(r.juror_id), {str(k): v for k, v in sorted(r.scores.items())}]
                          for r in reviews),
        "criteria": [dataclasses.asdict(c) for c in criteria],
        "aggregation": aggregation, "calibration": calibration, "priority": priority,
        "decisions": [[list(d.order), d.reason] for d in decisions],
        "bootstrap": bootstrap, "seed": seed, "reviews_asked": reviews_asked,
    }


def key_of(values):
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def encode(ranking, agreement):
    return {
        "entries": [dataclasses.asdict(e) for e in ranking.entries],
        "ties": [dataclasses.asdict(t) for t in ranking.ties],
        "aggregation": ranking.aggregation, "calibration": ranking.calibration,
        "calibrated": [[e, j, v] for (e, j), v in ranking.calibrated.items()],
        "juror_effects": [[j, v] for j, v in ranking.juror_effects.items()],
        "warnings": ranking.warnings,
        "agreement": list(agreement),
    }


def decode(stored):
    entries = []
    for values in stored["entries"]:
        values = dict(values)
        values["interval"] = tuple(values["interval"]) if values.get("interval") is not None else None
        entries.append(scoring.RankedEntry(**values))
    ranking = scoring.Ranking(
        entries=entries, ties=[scoring.Tie(**t) for t in stored["ties"]], aggregation=stored["aggregation"],
        calibration=stored["calibration"], calibrated={(e, j): v for e, j, v in stored["calibrated"]},
        juror_effects={j: v for j, v in stored["juror_effects"]}, warnings=stored["warnings"],
    )
    return ranking, tuple(stored["agreement"])


def computed(challenge_id, values, compute):
    """compute() -> (Ranking, agreement), run only when no stored result has the key of `values`."""
    key = key_of(values)
    row = db.session.get(StoredComputation, key)
    if row is not None:
        return decode(row.result)
    ranking, agreement = compute()
    result = encode(ranking, agreement)
    _store(challenge_id, key, result)
    # What is returned is what a later reader decodes, so the first page equals every later one.
    return decode(json.loads(json.dumps(result)))


_WROTE = "results_computation_session_wrote"


def _note_flush(session, _context):
    session.info[_WROTE] = True


def _forget_flush(session, *_args):
    session.info.pop(_WROTE, None)


SESSION_LISTENERS = (("after_flush", _note_flush), ("after_commit", _forget_flush), ("after_rollback", _forget_flush))


def listen_to_sessions():
    """Called by the app factory (results.init_app): notes which sessions wrote in their current transaction.
    Idempotent."""
    for event, listener in SESSION_LISTENERS:
        if not sa.event.contains(sa.orm.Session, event, listener):
            sa.event.listen(sa.orm.Session, event, listener)


def _session_writes():
    session = db.session()
    return bool(session.new or session.dirty or session.deleted or session.info.get(_WROTE))


def _insert(dialect, **values):
    """INSERT … ON CONFLICT (key) DO NOTHING: two requests that computed the same result at once both succeed."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(StoredComputation.__table__).values(**values).on_conflict_do_nothing(index_elements=["key"])


def _store(challenge_id, key, result):
    values = dict(key=key, challenge_id=challenge_id, result=result, computed_at=utcnow())
    dialect = db.engine.dialect.name
    if _session_writes():
        db.session.execute(_insert(dialect, **values))
        return
    try:
        with db.engine.begin() as connection:
            connection.execute(_insert(dialect, **values))
            old = connection.execute(
                sa.select(StoredComputation.key).where(StoredComputation.challenge_id == challenge_id)
                .order_by(StoredComputation.computed_at.desc(), StoredComputation.key).offset(KEEP_PER_CHALLENGE)
            ).scalars().all()
            if old:
                connection.execute(sa.delete(StoredComputation).where(StoredComputation.key.in_(old)))
    except sa.exc.SQLAlchemyError:  # the database refused: computed again next time, nothing else lost
        log.warning("the results computation of challenge %s was not stored", challenge_id, exc_info=True)
