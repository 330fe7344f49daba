"""The challenge operations' rules, called directly: what may change in which state, the workflow's
transitions, material changes announced to followers, the rubric's bounds, co-host invitations."""
import math
from datetime import timedelta

import pytest
import sqlalchemy as sa

from govchallenge.challenges import operations
from govchallenge.challenges.models import (
    ACCEPTED, APPROVED, ARCHIVED, CHANGES_REQUESTED, COHOST, DECLINED, DRAFT, IN_EVALUATION, IN_REVIEW, INVITED,
    RESULTS_PUBLISHED, Clarification, Follow,
)
from govchallenge.core.audit import events_for
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from tests.support.factories import make_challenge, make_organisation, make_public_body, make_user


def refused(code, call, *args, **kwargs):
    with pytest.raises(operations.ChallengeError) as error:
        call(*args, **kwargs)
    assert error.value.code == code


def last_event(challenge):
    event = events_for("challenge", challenge.id, limit=1)[0]
    return event.action, event.detail


def queued():
    db.session.flush()
    return [(f, a) for f, a in db.session.execute(sa.select(OutboxJob.function, OutboxJob.args).order_by(OutboxJob.id))]


def followed(challenge, count=2):
    users = [make_user() for _ in range(count)]
    for user in reversed(users):
        db.session.add(Follow(challenge_id=challenge.id, user_id=user.id))
    db.session.flush()
    return [u.id for u in users]


def draft(**fields):
    return make_challenge(status=DRAFT, **fields)


def published(**fields):
    return make_challenge(opens_in_days=2, closes_in_days=30, **fields)  # approved, first stage not open yet


def closed(**fields):
    return make_challenge(opens_in_days=-20, closes_in_days=-1, **fields)


# --- creating ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("title", ["New", "Mine", "Review", "Feed.atom"])
def test_a_challenge_never_takes_a_slug_its_pages_use(app, title):
    challenge = operations.create(make_user(), make_public_body(), "en", {"title": title})
    assert challenge.slug.startswith(title.lower().replace(".", "-")) and challenge.slug != title.lower()


def test_a_title_like_no_page_keeps_its_slug(app):
    assert operations.create(make_user(), make_public_body(), "en", {"title": "Newcomers"}).slug == "newcomers"


def test_settings_are_stored_cleaned(app):
    challenge = operations.create(make_user(), make_public_body(), "en", {"title": "T"}, team_min=2, team_max=4,
                                  countries=["pl", "DE", "pl"], tags=("a", "b"), entrant_kinds=("sme",), domain="health")
    assert (challenge.team_min, challenge.team_max, challenge.domain) == (2, 4, "health")
    assert (challenge.countries, challenge.tags, challenge.entrant_kinds) == (["DE", "PL"], ["a", "b"], ["sme"])


# --- what may change when --------------------------------------------------------------------------------

def test_texts_are_updated_in_the_main_language_and_the_changed_fields_named(app):
    challenge = draft()
    version = challenge.version or 1
    operations.update(make_user(), challenge, {"title": "New title", "summary": challenge.summary["en"],
                                               "description": "", "terms": challenge.terms["en"]})
    assert challenge.title["en"] == "New title" and "en" not in challenge.description
    assert challenge.version == version + 1
    action, detail = last_event(challenge)
    assert action == "challenge.edited"
    assert detail == {"what": "details", "fields": ["title", "description", "expected_outcome"]}


def test_a_stale_form_is_refused(app):
    challenge = draft()
    operations.update(make_user(), challenge, {"title": "A"}, version=str(challenge.version or 1))
    refused("stale", operations.update, make_user(), challenge, {"title": "B"}, version=1)
    operations.update(make_user(), challenge, {"title": "C"}, version="")
    assert challenge.title["en"] == "C"


def test_the_main_language_moves_with_the_texts(app):
    challenge = draft()
    operations.update(make_user(), challenge, {"title": "Tytuł"}, main_language="pl")
    assert challenge.main_language == "pl" and challenge.title["pl"] == "Tytuł"
    operations.update(make_user(), challenge, {"title": "Τίτλος"}, main_language="")
    assert challenge.main_language == "pl" and challenge.title["pl"] == "Τίτλος"


def test_after_publication_only_texts_tags_domain_and_results_date_change_and_followers_hear_of_it(app):
    challenge = published(team_max=5)
    fans = followed(challenge)
    results_at = utcnow() + timedelta(days=90)
    operations.update(make_user(), challenge, {"title": "Better title"}, team_max=9, tags=["x"],
                      results_at=results_at, domain="health", countries=["DE"])
    assert (challenge.team_max, challenge.tags, challenge.results_at, challenge.domain) == (5, ["x"], results_at, "health")
    assert challenge.countries != ["DE"]
    assert last_event(challenge)[0] == "challenge.changed"
    assert queued() == [("govchallenge.challenges.jobs.email_follower", [u, challenge.id, "update", "details"])
                        for u in sorted(fans)]


def test_a_draft_changes_its_rules_and_nobody_is_told(app):
    challenge = draft(team_max=5)
    followed(challenge)
    operations.update(make_user(), challenge, {"title": "T"}, team_max=9)
    assert challenge.team_max == 9 and queued() == []


@pytest.mark.parametrize("status", [IN_REVIEW, IN_EVALUATION, RESULTS_PUBLISHED, ARCHIVED])
def test_nothing_changes_in_review_or_after_the_entries(app, status):
    challenge = make_challenge(status=status)
    refused("locked", operations.update, make_user(), challenge, {"title": "x"})
    refused("locked", operations.add_stage, make_user(), challenge, "S", "", utcnow(), utcnow() + timedelta(days=1))


def test_an_open_challenge_changes_texts_but_not_its_structure(app):
    challenge = make_challenge()  # open
    operations.update(make_user(), challenge, {"title": "Still open"})
    refused("locked", operations.add_criterion, make_user(), challenge, "C", "", 1, 0, 10)
    refused("locked", operations.remove_stage, make_user(), challenge, challenge.stages[0])


# --- the timeline --------------------------------------------------------------------------------------------

def test_stages_are_ordered_by_their_dates_and_the_challenge_spans_them(app):
    challenge = draft(stages=1)
    first_opens, first_closes = challenge.stages[0].opens_at, challenge.stages[0].closes_at
    late = operations.add_stage(make_user(), challenge, "Late", "Text", first_closes, first_closes + timedelta(days=100))
    early = operations.add_stage(make_user(), challenge, "Early", "", first_opens - timedelta(days=5), first_opens)
    assert [s.position for s in (early, challenge.stages[0], late)] == [1, 2, 3]
    assert challenge.opens_at == first_opens - timedelta(days=5)
    assert challenge.closes_at == first_closes + timedelta(days=100)
    assert late.description == {"en": "Text"} and early.description == {}
    operations.remove_stage(make_user(), challenge, late)
    assert challenge.opens_at == first_opens - timedelta(days=5) and challenge.closes_at == first_closes


def test_removing_the_last_stage_leaves_no_dates(app):
    challenge = draft(stages=1)
    operations.remove_stage(make_user(), challenge, challenge.stages[0])
    assert challenge.opens_at is None and challenge.closes_at is None


def test_a_stage_closes_after_it_opens(app):
    challenge, moment = draft(stages=0), utcnow() + timedelta(days=3)
    refused("stage_order", operations.add_stage, make_user(), challenge, "S", "", moment, moment)
    refused("stage_order", operations.add_stage, make_user(), challenge, "S", "", moment, moment - timedelta(seconds=1))
    assert operations.add_stage(make_user(), challenge, "S", "", moment, moment + timedelta(seconds=1)).id is not None


# --- the rubric ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("weight", [0, -1, math.nan, math.inf, None])
def test_a_criterion_needs_a_positive_finite_weight(app, weight):
    refused("weight", operations.add_criterion, make_user(), draft(), "C", "", weight, 0, 10)


@pytest.mark.parametrize("low, high", [(5, 5), (6, 5)])
def test_a_criterion_needs_a_scale_with_a_span(app, low, high):
    refused("scale", operations.add_criterion, make_user(), draft(), "C", "", 1, low, high)


def test_a_criterion_is_stored_as_given_after_the_others(app):
    challenge = draft(criteria=2)
    criterion = operations.add_criterion(make_user(), challenge, "Impact", "What", 0.5, 1, 5, anchors={"1": "Weak"},
                                         threshold=3, informational=1, round_number=0)
    assert (criterion.weight, criterion.scale_min, criterion.scale_max, criterion.threshold) == (0.5, 1, 5, 3)
    assert (criterion.informational, criterion.round_number, criterion.position) == (True, 1, 3)
    assert criterion.anchors == {"1": {"en": "Weak"}} and criterion.description == {"en": "What"}
    assert last_event(challenge) == ("challenge.edited", {"what": "criterion_added", "criterion_id": criterion.id, "weight": 0.5})
    second_round = operations.add_criterion(make_user(), challenge, "R2", "", 1, 0, 10, round_number=2)
    assert (second_round.round_number, second_round.informational, second_round.description) == (2, False, {})


def test_removing_a_criterion_renumbers_the_rest(app):
    challenge = draft(criteria=3)
    operations.remove_criterion(make_user(), challenge, challenge.criteria[0])
    assert [c.position for c in challenge.criteria] == [1, 2]


# --- co-hosts ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, verified", [("public_body", False), ("startup", True)])
def test_only_verified_public_bodies_are_invited_to_co_host(app, kind, verified):
    organisation = make_organisation(kind=kind, verified=verified)
    refused("not_public_body", operations.invite_cohost, make_user(), draft(), organisation)


def test_a_co_host_is_invited_once_and_again_after_declining(app):
    challenge, body, actor = draft(), make_public_body(country="DE"), make_user()
    host = operations.invite_cohost(actor, challenge, body)
    assert (host.role, host.state, host.invited_by_id, host.responded_at) == (COHOST, INVITED, actor.id, None)
    assert queued() == [("govchallenge.challenges.jobs.email_cohost_invitation", [host.id])]
    refused("already_host", operations.invite_cohost, actor, challenge, body)
    refused("already_host", operations.invite_cohost, actor, challenge, challenge.hosts[0].organisation)
    operations.respond_invitation(make_user(), host, False)
    assert (host.state, host.responded_at is not None) == (DECLINED, True)
    assert last_event(challenge)[0] == "challenge.cohost_declined"
    again = operations.invite_cohost(actor, challenge, body)
    assert again is host and (host.state, host.responded_at) == (INVITED, None)
    operations.respond_invitation(make_user(), host, True)
    assert host.state == ACCEPTED and last_event(challenge) == ("challenge.cohost_accepted", {"organisation_id": body.id})
    refused("answered", operations.respond_invitation, make_user(), host, False)
    refused("already_host", operations.invite_cohost, actor, challenge, body)


def test_the_lead_host_is_never_removed_and_a_co_host_is(app):
    challenge, body = draft(), make_public_body()
    host = operations.invite_cohost(make_user(), challenge, body)
    refused("lead", operations.remove_cohost, make_user(), challenge.hosts[0])
    operations.remove_cohost(make_user(), host)
    assert host not in challenge.hosts


# --- the review workflow -------------------------------------------------------------------------------------

def test_what_a_challenge_lacks_before_review(app):
    challenge = draft(stages=1, criteria=1)
    assert operations.missing_for_review(challenge) == []
    challenge.title = {"pl": "Only in Polish"}
    challenge.stages.clear()
    challenge.criteria.clear()
    assert operations.missing_for_review(challenge) == ["title", "stages", "criteria"]


@pytest.mark.parametrize("status", [DRAFT, CHANGES_REQUESTED])
def test_a_complete_draft_goes_to_review(app, status):
    challenge = make_challenge(status=status)
    operations.submit_for_review(make_user(), challenge)
    assert challenge.status == IN_REVIEW


def test_an_incomplete_draft_does_not_go_to_review(app):
    challenge = draft(criteria=0)
    refused("incomplete", operations.submit_for_review, make_user(), challenge)
    assert challenge.status == DRAFT


@pytest.mark.parametrize("status", [IN_REVIEW, APPROVED, IN_EVALUATION])
def test_only_a_draft_goes_to_review(app, status):
    refused("transition", operations.submit_for_review, make_user(), make_challenge(status=status))


@pytest.mark.parametrize("step, after", [
    (operations.approve, APPROVED), (operations.request_changes, CHANGES_REQUESTED), (operations.withdraw_from_review, DRAFT),
])
def test_a_challenge_in_review_is_approved_sent_back_or_withdrawn(app, step, after):
    challenge = make_challenge(status=IN_REVIEW)
    step(make_user(), challenge)
    assert challenge.status == after
    for status in (DRAFT, CHANGES_REQUESTED, APPROVED):
        refused("transition", step, make_user(), make_challenge(status=status))


def test_an_approval_records_the_comment_and_when_it_is_published(app):
    challenge = make_challenge(status=IN_REVIEW)
    operations.approve(make_user(), challenge, "Fine")
    assert last_event(challenge) == ("challenge.approved", {"comment": "Fine", "publish_at": "now"})
    later = make_challenge(status=IN_REVIEW, publish_at=utcnow() + timedelta(days=1))
    operations.approve(make_user(), later)
    assert last_event(later)[1] == {"comment": "", "publish_at": later.publish_at.isoformat()}
    sent_back = make_challenge(status=IN_REVIEW)
    operations.request_changes(make_user(), sent_back, "More detail")
    assert last_event(sent_back) == ("challenge.changes_requested", {"comment": "More detail"})


# --- the workflow after the entries --------------------------------------------------------------------------

@pytest.mark.parametrize("before, after", [
    (IN_EVALUATION, RESULTS_PUBLISHED), (IN_EVALUATION, ARCHIVED), (RESULTS_PUBLISHED, ARCHIVED),
    (APPROVED, RESULTS_PUBLISHED),
])
def test_the_workflow_moves_on(app, before, after):
    challenge = closed(status=before)
    operations.set_status(challenge, after, make_user())
    assert challenge.status == after
    assert last_event(challenge) == ("challenge.status_changed", {"previous": before, "status": after})


@pytest.mark.parametrize("before, after", [
    (DRAFT, IN_EVALUATION), (IN_REVIEW, RESULTS_PUBLISHED), (RESULTS_PUBLISHED, IN_EVALUATION),
    (ARCHIVED, RESULTS_PUBLISHED), (IN_EVALUATION, APPROVED), (APPROVED, DRAFT),
])
def test_the_workflow_never_moves_back_or_skips_review(app, before, after):
    challenge = closed(status=before)
    refused("transition", operations.set_status, challenge, after, make_user())
    assert challenge.status == before


@pytest.mark.parametrize("after", [IN_EVALUATION, ARCHIVED])
def test_evaluation_and_archiving_wait_for_the_last_deadline(app, after):
    challenge = make_challenge()  # approved and open
    refused("not_closed", operations.set_status, challenge, after, make_user())
    operations.set_status(closed(), after, make_user())


def test_the_same_status_again_changes_nothing(app):
    challenge = closed(status=IN_EVALUATION)
    assert operations.set_status(challenge, IN_EVALUATION, make_user()) is challenge
    assert events_for("challenge", challenge.id) == []


def test_followers_hear_of_evaluation_and_archiving_not_of_results_here(app):
    challenge = closed()
    fans = followed(challenge)
    operations.set_status(challenge, IN_EVALUATION, make_user())
    operations.set_status(challenge, RESULTS_PUBLISHED, make_user())
    assert queued() == [("govchallenge.challenges.jobs.email_follower", [u, challenge.id, IN_EVALUATION, ""])
                        for u in sorted(fans)]


# --- clarifications and following ----------------------------------------------------------------------------

def test_the_first_answer_to_a_question_is_announced_a_corrected_one_is_not(app):
    challenge, asker = make_challenge(), make_user()
    fans = followed(challenge, 1)
    question = operations.ask(asker, challenge, "  When?  ", "en")
    assert question.question == "When?"
    operations.answer(make_user(), challenge, question, " Tomorrow ")
    assert db.session.get(Clarification, question.id).answer == "Tomorrow"
    operations.answer(make_user(), challenge, question, "Tomorrow at noon")
    assert queued() == [("govchallenge.challenges.jobs.email_follower", [fans[0], challenge.id, "clarification", str(question.id)])]


def test_following_twice_is_following_once(app):
    challenge, user = make_challenge(), make_user()
    first = operations.follow(user, challenge)
    assert operations.follow(user, challenge) is first and operations.is_following(user, challenge)
    assert not operations.is_following(make_user(), challenge)
    operations.unfollow(user, challenge)
    assert not operations.is_following(user, challenge)


def test_an_anonymous_visitor_follows_nothing(app):
    from flask_login import AnonymousUserMixin

    assert operations.is_following(AnonymousUserMixin(), make_challenge()) is False
