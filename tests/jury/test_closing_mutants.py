"""The edges of closing a rubric round that mutation testing found undefended (tools/mutation.toml, closing.py):
what a closing records, the round's closing moment when entries are extended, the reassignment run only when
asked for, and every decision checked before any is applied."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jury import operations as ops
from govchallenge.jury.models import CLOSED, OPEN
from tests.jury.test_closing import _all_but, _submit
from tests.support.jury_factories import make_jury_setup


def events(action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).scalars().all()


def two_short(setup):
    """Every review submitted except those of the first two entries: both are short."""
    rnd = setup["round"]
    late = {setup["submissions"][0].id, setup["submissions"][1].id}
    for a in ops.active_assignments(rnd):
        if a.submission_id not in late:
            _submit(a)
    db.session.commit()
    return [next(e for e in rnd.entries if e.submission_id == s.id) for s in setup["submissions"][:2]]


def refused(code, *args, **kwargs):
    with pytest.raises(ops.JuryError) as error:
        ops.close_round(*args, **kwargs)
    db.session.rollback()
    assert error.value.code == code
    return error.value


def test_a_closing_records_who_when_and_no_reason(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    rnd, chair = setup["round"], setup["chair"]
    short = _all_but(setup, 1)
    before = utcnow()
    outcome = ops.close_round(rnd, chair, {short.id: ops.EntryDecision(ops.EXCLUDE, kind="reviews_late", reason="Late")})
    db.session.commit()
    assert outcome.closed and outcome.excluded == [short] and outcome.extended == []
    assert rnd.state == CLOSED and rnd.closed_reason is None and rnd.closed_by_id == chair.id
    assert before <= rnd.closed_at <= utcnow() and short.excluded_at == rnd.closed_at  # one moment for both
    event = events("jury.round_close")[-1]
    assert event.actor_id == chair.id and event.detail == {"excluded": [short.submission_id]}
    assert (event.object_type, event.object_id) == ("round", str(rnd.id))


def test_a_round_with_every_review_closes_without_a_decision(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    rnd = setup["round"]
    for a in ops.active_assignments(rnd):
        _submit(a)
    db.session.commit()
    outcome = ops.close_round(rnd, setup["chair"])
    assert outcome.closed and outcome.excluded == [] and outcome.extended == []
    assert events("jury.round_close")[-1].detail == {"excluded": []}


def test_every_missing_decision_is_named_and_counted(app):
    setup = make_jury_setup(n_entries=4, n_jurors=6)
    first, second = two_short(setup)
    error = refused("decision_missing", setup["round"], setup["chair"], {})
    assert sorted(error.detail["entries"]) == sorted([first.id, second.id]) and error.detail["count"] == 2
    error = refused("decision_missing", setup["round"], setup["chair"],
                    {first.id: ops.EntryDecision(ops.EXCLUDE, kind="reviews_late", reason="Late")})
    assert error.detail["entries"] == [second.id] and error.detail["count"] == 1
    assert first.excluded_at is None and setup["round"].state == OPEN


def test_one_bad_decision_among_good_ones_applies_none(app):
    setup = make_jury_setup(n_entries=4, n_jurors=6)
    first, second = two_short(setup)
    good = ops.EntryDecision(ops.EXCLUDE, kind="reviews_late", reason="Late")
    bad = ops.EntryDecision(ops.EXCLUDE, kind="reviews_late", reason="  ")
    refused("exclusion_reason", setup["round"], setup["chair"], {first.id: good, second.id: bad})
    assert first.excluded_at is None and second.excluded_at is None and not events("jury.exclude")


def test_an_extension_locks_the_other_entries_now_and_records_it(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4, closes_in_days=None)  # no closing moment set yet
    rnd = setup["round"]
    short = _all_but(setup, 2)
    until = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    before = utcnow()
    outcome = ops.close_round(rnd, setup["chair"], {short.id: ops.EntryDecision(ops.EXTEND, until)})
    db.session.commit()
    assert not outcome.closed and outcome.excluded == [] and rnd.state == OPEN
    assert rnd.closes_at is not None and before <= rnd.closes_at <= utcnow()
    event = events("jury.round_close_deferred")[-1]
    assert event.actor_id == setup["chair"].id and (event.object_type, event.object_id) == ("round", str(rnd.id))
    assert event.detail == {"closes_at": rnd.closes_at.isoformat(), "entries": {str(short.submission_id): until.isoformat()}}
    assert not events("jury.round_close")


def test_an_extension_keeps_a_closing_moment_already_past(app, monkeypatch):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    rnd = setup["round"]
    short = _all_but(setup, 0)
    passed = (utcnow() - timedelta(hours=2)).replace(microsecond=0)
    rnd.closes_at = passed
    db.session.commit()
    ops.close_round(rnd, setup["chair"], {short.id: ops.EntryDecision(ops.EXTEND, utcnow() + timedelta(days=1))})
    db.session.commit()
    assert rnd.closes_at == passed and rnd.state == OPEN


def test_excluding_one_entry_and_reassigning_another_reassigns_that_one(app):
    setup = make_jury_setup(n_entries=4, n_jurors=6)
    rnd = setup["round"]
    moved, dropped = two_short(setup)
    late = {a.id for a in ops.active_assignments(rnd) if a.submission_id == moved.submission_id}
    until = utcnow() + timedelta(days=4)
    outcome = ops.close_round(rnd, setup["chair"], {
        dropped.id: ops.EntryDecision(ops.EXCLUDE, kind="reviews_late", reason="Late"),
        moved.id: ops.EntryDecision(ops.REASSIGN, until)})
    db.session.commit()
    assert not outcome.closed and outcome.excluded == [dropped] and outcome.extended == [(moved, until)]
    now_on = {a.id for a in ops.active_assignments(rnd) if a.submission_id == moved.submission_id}
    assert len(now_on) == 3 and not now_on & late


def test_an_extension_alone_runs_no_assignment(app):
    setup = make_jury_setup(n_entries=3, n_jurors=6)
    rnd = setup["round"]
    short = _all_but(setup, 1)
    late = {a.id for a in ops.active_assignments(rnd) if a.submission_id == short.submission_id}
    runs = len(events("jury.assign"))
    ops.close_round(rnd, setup["chair"], {short.id: ops.EntryDecision(ops.EXTEND, utcnow() + timedelta(days=2))})
    db.session.commit()
    assert {a.id for a in ops.active_assignments(rnd) if a.submission_id == short.submission_id} == late
    assert len(events("jury.assign")) == runs


def test_a_closed_round_or_a_final_round_is_not_closed_again_this_way(app):
    from govchallenge.jury import finals

    setup = make_jury_setup(n_entries=3, n_jurors=4)
    rnd = setup["round"]
    for a in ops.active_assignments(rnd):
        _submit(a)
    db.session.commit()
    assert ops.close_round(rnd, setup["chair"]).closed
    db.session.commit()
    refused("round_closed", rnd, setup["chair"])
    final = make_jury_setup(n_entries=3, n_jurors=3)
    finals.set_round_kind(final["round"], finals.RANKED, final["chair"])
    db.session.commit()
    refused("final_round", final["round"], final["chair"])
    assert final["round"].state == OPEN


def test_the_reassignment_a_closing_runs_is_the_chairs_in_the_trail(app):
    setup = make_jury_setup(n_entries=3, n_jurors=6)
    rnd, chair = setup["round"], setup["chair"]
    short = _all_but(setup, 1)
    runs = len(events("jury.assign"))
    ops.close_round(rnd, chair, {short.id: ops.EntryDecision(ops.REASSIGN, utcnow() + timedelta(days=3))})
    db.session.commit()
    assert [e.actor_id for e in events("jury.assign")[runs:]] == [chair.id]


def test_reviews_lock_at_the_deadline_itself(app):
    setup = make_jury_setup(n_entries=2, n_jurors=3)
    rnd, entry = setup["round"], setup["submissions"][0]
    deadline = utcnow() + timedelta(hours=1)
    assert ops.reviews_open(rnd, entry.id, now=deadline - timedelta(microseconds=1), deadline=deadline)
    assert not ops.reviews_open(rnd, entry.id, now=deadline, deadline=deadline)
    assert ops.reviews_open(rnd, entry.id, now=deadline + timedelta(days=9), deadline=None)
