"""What `shortlist` writes, checked on the operation itself (found by `make mutation`: the page tests that
cover it are too slow to run per mutant): the next round takes the chair's rule, jurors, closing moment and
number of reviews, and keeps the stage and a name of its own."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jury import operations as ops
from tests.support.jury_factories import make_jury_setup, submit_all_reviews


@pytest.fixture
def closed(app):
    setup = make_jury_setup(n_entries=4, n_jurors=4)
    submit_all_reviews(setup["round"])
    ops.close_round(setup["round"], setup["chair"])
    db.session.commit()
    return setup


def test_the_next_round_takes_the_chairs_jurors_closing_moment_and_reviews(closed):
    rnd = closed["round"]
    closes_at = (utcnow() + timedelta(days=9)).replace(microsecond=0)
    sitting = [j.id for j in closed["jurors"][:3]]
    nxt, _result = ops.shortlist(rnd, closed["chair"], top_n=2, reviews_per_entry=2, closes_at=closes_at,
                                 juror_ids=sitting)
    db.session.commit()
    assert nxt.number == rnd.number + 1 and nxt.state == "open"
    assert nxt.reviews_per_entry == 2 and nxt.closes_at == closes_at
    assert nxt.stage_id == rnd.stage_id and nxt.stage_id is not None
    assert nxt.name == {}
    assert sorted(j.juror_id for j in nxt.round_jurors) == sorted(sitting)


def test_three_reviews_per_entry_unless_the_chair_says_otherwise(closed):
    nxt, _result = ops.shortlist(closed["round"], closed["chair"], top_n=2)
    assert nxt.reviews_per_entry == 3 and nxt.closes_at is None


def test_the_threshold_rule_is_applied_not_the_top_n(closed):
    rnd = closed["round"]
    rnd.criteria[0].threshold = 100.0  # nobody reaches it
    db.session.commit()
    with pytest.raises(ops.JuryError) as error:
        ops.shortlist(rnd, closed["chair"], top_n=2, use_thresholds=True)
    assert error.value.code == "no_entries"


def test_a_closing_moment_in_the_past_is_refused(closed):
    with pytest.raises(ops.JuryError):
        ops.shortlist(closed["round"], closed["chair"], top_n=2, closes_at=utcnow() - timedelta(days=1))


def test_the_shortlist_is_audited_on_the_new_round_with_its_rule(closed):
    rnd = closed["round"]
    sitting = [j.id for j in closed["jurors"][:3]]
    nxt, _result = ops.shortlist(rnd, closed["chair"], top_n=2, juror_ids=sitting)
    db.session.commit()
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "jury.shortlist")).scalar_one()
    assert (event.object_type, event.object_id, event.actor_id) == ("round", str(nxt.id), closed["chair"].id)
    detail = event.detail
    assert detail["from_round"] == rnd.number and detail["rule"] == "top 2"
    assert sorted(detail["entries"]) == sorted(e.submission_id for e in nxt.entries) and len(detail["entries"]) >= 2
    assert sorted(detail["jurors"]) == sorted(sitting)
    assert detail["aggregation"] and detail["calibration"]


def test_a_shortlist_by_thresholds_is_audited_as_such(closed):
    rnd = closed["round"]
    rnd.criteria[0].threshold = 0.0  # every entry reaches it
    db.session.commit()
    nxt, _result = ops.shortlist(rnd, closed["chair"], use_thresholds=True)
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "jury.shortlist")).scalar_one()
    assert event.detail["rule"] == "thresholds" and len(nxt.entries) == 4
