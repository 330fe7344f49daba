"""The challenge operations' trail and edges: every change names who made it and what it was, the jobs a step
queues, the dates each change checks, and the texts an update keeps. Written against the mutation run of
challenges/operations.py (each test fails when the rule it names is dropped or bent)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from govchallenge.challenges import operations
from govchallenge.challenges.models import (
    ARCHIVED, CHANGES_REQUESTED, COHOST, DRAFT, IN_EVALUATION, IN_REVIEW, RESULTS_PUBLISHED,
)
from govchallenge.core.audit import events_for
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from tests.support.factories import make_challenge, make_public_body, make_user


def trail(challenge):
    """(action, actor id, detail) of each event about the challenge, oldest first."""
    return [(e.action, e.actor_id, e.detail) for e in reversed(events_for("challenge", challenge.id))]


def last(challenge):
    return trail(challenge)[-1]


def queued():
    db.session.flush()
    return [(f, a) for f, a in db.session.execute(sa.select(OutboxJob.function, OutboxJob.args).order_by(OutboxJob.id))]


def refusal(call, *args, **kwargs):
    with pytest.raises(operations.ChallengeError) as error:
        call(*args, **kwargs)
    return error.value.code, error.value.detail


def draft(**fields):
    return make_challenge(status=DRAFT, **fields)


# --- who changed what ---------------------------------------------------------------------------------------

def test_an_update_names_its_author_and_each_update_moves_the_version_on(app):
    challenge, author = draft(), make_user()
    start = challenge.version
    operations.update(author, challenge, {"title": "One"})
    operations.update(author, challenge, {"title": "Two"})
    assert challenge.version == start + 2 == 3
    assert last(challenge)[:2] == ("challenge.edited", author.id)


def test_a_new_stage_is_recorded_with_its_author_id_and_moments(app):
    challenge, author = draft(stages=1), make_user()
    opens = challenge.stages[0].closes_at
    closes = opens + timedelta(days=10)
    stage = operations.add_stage(author, challenge, "Pilot", "", opens, closes)
    assert stage.name == {"en": "Pilot"}
    assert last(challenge) == ("challenge.edited", author.id, {
        "what": "stage_added", "stage_id": stage.id, "opens_at": opens.isoformat(), "closes_at": closes.isoformat()})


def test_a_new_criterion_is_recorded_with_its_author_and_takes_its_name_and_the_first_round(app):
    challenge, author = draft(criteria=0), make_user()
    criterion = operations.add_criterion(author, challenge, "Impact", "", 2, 0, 10)
    assert (criterion.name, criterion.round_number, criterion.position) == ({"en": "Impact"}, 1, 1)
    assert last(challenge) == ("challenge.edited", author.id, {"what": "criterion_added", "criterion_id": criterion.id, "weight": 2.0})
    assert operations.add_criterion(author, challenge, "Reach", "", 1, 0, 10, round_number=None).round_number == 1


def test_a_material_change_names_its_author(app):
    challenge, author = make_challenge(opens_in_days=2, closes_in_days=30), make_user()
    operations.update(author, challenge, {"title": "Clearer"})
    assert last(challenge) == ("challenge.changed", author.id, {"what": "details", "fields": ["title", "summary", "description", "expected_outcome", "terms"]})


def test_sending_for_review_is_recorded_and_tells_the_administrators(app):
    challenge, author = draft(), make_user()
    operations.submit_for_review(author, challenge)
    assert last(challenge) == ("challenge.submitted_for_review", author.id, {})
    assert queued() == [("govchallenge.challenges.jobs.email_admins_review_waiting", [challenge.id])]


@pytest.mark.parametrize("step, action", [
    (operations.approve, "challenge.approved"), (operations.request_changes, "challenge.changes_requested"),
])
@pytest.mark.parametrize("comment", [None, ""])
def test_a_review_without_a_comment_records_an_empty_one_and_its_reviewer(app, step, action, comment):
    challenge, reviewer = make_challenge(status=IN_REVIEW), make_user()
    step(reviewer, challenge, comment)
    recorded_action, actor_id, detail = last(challenge)
    assert (recorded_action, actor_id, detail["comment"]) == (action, reviewer.id, "")


@pytest.mark.parametrize("step", [operations.approve, operations.request_changes])
def test_a_review_left_at_its_default_comment_records_an_empty_one(app, step):
    challenge = make_challenge(status=IN_REVIEW)
    step(make_user(), challenge)
    assert last(challenge)[2]["comment"] == ""


def test_withdrawing_from_review_is_recorded_with_its_author(app):
    challenge, author = make_challenge(status=IN_REVIEW), make_user()
    operations.withdraw_from_review(author, challenge)
    assert last(challenge) == ("challenge.withdrawn_from_review", author.id, {})


def test_inviting_answering_and_removing_a_co_host_each_name_their_author(app):
    challenge, body = draft(), make_public_body(country="DE")
    inviter, answerer, remover = make_user(), make_user(), make_user()
    host = operations.invite_cohost(inviter, challenge, body)
    assert host.role == COHOST and host.challenge is challenge
    operations.respond_invitation(answerer, host, True)
    operations.remove_cohost(remover, host)
    assert trail(challenge) == [
        ("challenge.cohost_invited", inviter.id, {"organisation_id": body.id}),
        ("challenge.cohost_accepted", answerer.id, {"organisation_id": body.id}),
        ("challenge.cohost_removed", remover.id, {"organisation_id": body.id}),
    ]


@pytest.mark.parametrize("before, after", [(IN_EVALUATION, RESULTS_PUBLISHED), (RESULTS_PUBLISHED, ARCHIVED)])
def test_a_workflow_step_names_its_author(app, before, after):
    challenge, author = make_challenge(status=before, opens_in_days=-20, closes_in_days=-1), make_user()
    operations.set_status(challenge, after, author)
    assert last(challenge) == ("challenge.status_changed", author.id, {"previous": before, "status": after})


# --- the dates each change checks ------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [DRAFT, CHANGES_REQUESTED])
def test_a_draft_whose_stage_has_already_closed_is_not_sent_for_review(app, status):
    challenge = make_challenge(status=status, opens_in_days=-20, closes_in_days=-1)
    assert refusal(operations.submit_for_review, make_user(), challenge) == ("stage_past", {"stage": "Stage 1", "other": ""})
    assert challenge.status == status and trail(challenge) == [] and queued() == []


def test_a_refused_stage_is_named_in_the_refusal(app):
    challenge = draft(stages=1)
    first = challenge.stages[0]
    code, detail = refusal(operations.add_stage, make_user(), challenge, "Clash", "", first.opens_at + timedelta(hours=1),
                           first.closes_at + timedelta(days=1))
    assert (code, detail) == ("overlap", {"stage": "Clash", "other": "Stage 1"})
    assert len(challenge.stages) == 1


def test_results_dated_before_the_last_stage_closes_are_refused(app):
    challenge = draft(stages=1)
    closes = challenge.stages[0].closes_at
    assert refusal(operations.update, make_user(), challenge, {"title": "T"}, results_at=closes) == (
        "results_before_close", {"stage": "Stage 1", "other": ""})
    assert challenge.results_at is None
    operations.update(make_user(), challenge, {"title": "T"}, results_at=closes + timedelta(seconds=1))
    assert challenge.results_at == closes + timedelta(seconds=1)


def test_publication_dated_after_the_first_stage_opens_is_refused(app):
    challenge = make_challenge(status=DRAFT, opens_in_days=5, closes_in_days=30)
    opens = challenge.stages[0].opens_at
    assert refusal(operations.update, make_user(), challenge, {"title": "T"}, publish_at=opens)[0] == "publish_after_opening"
    assert challenge.publish_at is None
    operations.update(make_user(), challenge, {"title": "T"}, publish_at=opens - timedelta(seconds=1))
    assert challenge.publish_at == opens - timedelta(seconds=1)


def test_a_text_edit_never_trips_over_the_dates_it_leaves_alone(app):
    challenge = make_challenge(status=DRAFT, opens_in_days=5, closes_in_days=30)
    challenge.publish_at = challenge.stages[0].opens_at + timedelta(days=1)    # both already inconsistent
    challenge.results_at = challenge.stages[0].closes_at - timedelta(days=1)
    operations.update(make_user(), challenge, {"title": "Only the title"})
    assert challenge.title["en"] == "Only the title"


# --- the texts an update keeps -------------------------------------------------------------------------------------

def test_an_update_lists_only_the_fields_whose_text_changed(app):
    challenge = draft(expected_outcome={}, terms={})
    texts = {"title": "New", "summary": challenge.summary["en"], "description": challenge.description["en"]}
    operations.update(make_user(), challenge, texts)
    assert last(challenge)[2]["fields"] == ["title"]


def test_an_update_keeps_the_other_languages(app):
    challenge = draft()
    operations.update(make_user(), challenge, {"title": "New", "expected_outcome": "A pilot", "terms": "Terms"})
    assert challenge.expected_outcome == {"en": "A pilot", "el": "Ένα πιλοτικό έργο"}
    assert challenge.terms == {"en": "Terms", "pl": "**Regulamin** wyzwania."}
