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


def _reminders(rnd):
    from govchallenge.jobs.models import OutboxJob

    jobs = db.session.execute(sa.select(OutboxJob).where(OutboxJob.function == "govchallenge.jury.jobs.remind_round")).scalars()
    return [job for job in jobs if job.args[0] == rnd.id]


def test_the_next_round_is_reminded_of_only_when_it_has_a_closing_moment(closed):
    rnd = closed["round"]
    closes_at = (utcnow() + timedelta(days=9)).replace(microsecond=0)
    nxt, _result = ops.shortlist(rnd, closed["chair"], top_n=2, closes_at=closes_at)
    db.session.commit()
    (job,) = _reminders(nxt)
    assert job.args[1] == closes_at.isoformat()


def test_a_next_round_without_a_closing_moment_schedules_no_reminder(closed):
    nxt, _result = ops.shortlist(closed["round"], closed["chair"], top_n=2)
    db.session.commit()
    assert _reminders(nxt) == []


def test_the_next_round_is_assigned_by_the_chair_with_the_seed_given(closed):
    nxt, _result = ops.shortlist(closed["round"], closed["chair"], top_n=2, seed=4242)
    db.session.commit()
    assert nxt.seed == 4242
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "jury.assign",
                                                           AuditEvent.object_id == str(nxt.id))).scalar_one()
    assert event.actor_id == closed["chair"].id and event.detail["seed"] == 4242


@pytest.mark.parametrize("places", [{3: 1, 20: 1, 7: 2}, {20: 1, 3: 1, 7: 2}, {7: 2, 20: 1, 3: 1}])
def test_entries_sharing_a_place_are_listed_in_one_order_however_they_were_found(places):
    from govchallenge.jury.shortlisting import RoundRanking

    ranking = RoundRanking(places=places, scores={}, failed=[], aggregation="mean", calibration="none")
    assert ranking.ordered() == [20, 3, 7]  # by place, then by id as text


def _refused(code, *args, **kwargs):
    with pytest.raises(ops.JuryError) as error:
        ops.shortlist(*args, **kwargs)
    db.session.rollback()
    assert error.value.code == code


def test_a_shortlist_needs_a_rule_a_closed_round_and_results_not_final(closed):
    rnd, chair = closed["round"], closed["chair"]
    _refused("shortlist_rule", rnd, chair)
    _refused("shortlist_rule", rnd, chair, top_n=0)
    open_round = make_jury_setup(n_entries=3, n_jurors=3)
    _refused("round_open", open_round["round"], open_round["chair"], top_n=2)
    from govchallenge.jury.guards import FROZEN_STATUSES

    closed["challenge"].status = sorted(FROZEN_STATUSES)[0]
    db.session.commit()
    _refused("results_published", rnd, chair, top_n=2)
    from govchallenge.jury.shortlisting import shortlist_plan

    with pytest.raises(ops.JuryError) as error:  # the plan the confirmation page shows is refused already
        shortlist_plan(rnd, top_n=2)
    assert error.value.code == "results_published"
