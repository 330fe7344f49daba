"""Guided authoring: the task list, parts changed in place, translations that keep what is not sent, dates that
hang together, unique prize places, check your answers, confirmations, and the moment and counter fields."""
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from govchallenge.challenges import operations, tasks, timeline
from govchallenge.challenges.models import DRAFT, IN_REVIEW, Prize, by_slug
from govchallenge.core.audit import AuditEvent
from govchallenge.core.timeutil import UTC, utcnow
from govchallenge.extensions import db
from tests.support import factories

T0 = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


def window(name, opens_days, closes_days):
    return timeline.Window(name, T0 + timedelta(days=opens_days), T0 + timedelta(days=closes_days))


def codes(problems):
    return [(p.code, p.stage, p.other) for p in problems]


# --- the rules, pure --------------------------------------------------------------------------------------------

def test_stages_follow_one_another_and_may_touch():
    assert timeline.problems([window("A", 0, 10), window("B", 10, 20)]) == []
    assert codes(timeline.problems([window("B", 9, 20), window("A", 0, 10)])) == [("overlap", "B", "A")]
    assert codes(timeline.problems([window("A", 0, 30), window("B", 5, 10)])) == [("overlap", "B", "A")]
    assert codes(timeline.problems([window("A", 3, 3)])) == [("stage_order", "A", "")]


def test_publication_before_the_first_opening_and_results_after_the_last_close():
    stages = [window("A", 0, 10), window("B", 10, 20)]
    assert timeline.problems(stages, T0 - timedelta(seconds=1), T0 + timedelta(days=20, seconds=1)) == []
    assert codes(timeline.problems(stages, publish_at=T0)) == [("publish_after_opening", "A", "")]
    assert codes(timeline.problems(stages, results_at=T0 + timedelta(days=20))) == [("results_before_close", "B", "")]
    assert timeline.problems([], T0, T0) == []


def test_a_stage_wholly_past_counts_only_when_sending():
    stages = [window("A", 0, 10), window("B", 10, 20)]
    assert timeline.problems(stages) == []
    assert codes(timeline.problems(stages, now=T0 + timedelta(days=10))) == [("stage_past", "A", "")]
    assert timeline.problems(stages, now=T0 + timedelta(days=10) - timedelta(seconds=1)) == []


# --- the operations ---------------------------------------------------------------------------------------------

def refused(code, call, *args, **kwargs):
    with pytest.raises(operations.ChallengeError) as error:
        call(*args, **kwargs)
    assert error.value.code == code
    return error.value.detail


def draft_with_stages(**fields):
    challenge = factories.make_challenge(status=DRAFT, stages=2, opens_in_days=10, closes_in_days=50, **fields)
    return challenge, challenge.stages[0], challenge.stages[1]


def test_an_overlapping_stage_is_refused_naming_both(app):
    challenge, first, second = draft_with_stages()
    detail = refused("overlap", operations.add_stage, factories.make_user(), challenge, "Extra", "",
                     first.opens_at + timedelta(days=1), first.closes_at + timedelta(days=1))
    assert detail == {"stage": "Stage 2", "other": "Extra"} or detail == {"stage": "Extra", "other": "Stage 1"}
    detail = refused("overlap", operations.update_stage, factories.make_user(), challenge, second, "Stage 2", "",
                     first.closes_at - timedelta(hours=1), second.closes_at)
    assert detail == {"stage": "Stage 2", "other": "Stage 1"}
    # The stage's own old moments do not count against it.
    operations.update_stage(factories.make_user(), challenge, second, "Stage 2", "", second.opens_at, second.closes_at + timedelta(days=1))


def test_results_and_publication_are_checked_against_the_stages(app):
    challenge, first, second = draft_with_stages()
    challenge.results_at = second.closes_at + timedelta(days=5)
    challenge.publish_at = first.opens_at - timedelta(days=1)
    actor = factories.make_user()
    refused("results_before_close", operations.add_stage, actor, challenge, "Late", "", second.closes_at, challenge.results_at)
    refused("publish_after_opening", operations.update_stage, actor, challenge, first, "Stage 1", "",
            challenge.publish_at - timedelta(hours=1), first.closes_at)
    texts = {"title": "T", "summary": "S"}
    refused("results_before_close", operations.update, actor, challenge, texts, results_at=second.closes_at)
    refused("publish_after_opening", operations.update, actor, challenge, texts, publish_at=first.opens_at)
    operations.update(actor, challenge, texts, publish_at=None, results_at=None)
    assert challenge.publish_at is None and challenge.results_at is None


def test_a_stage_changed_in_place_keeps_its_translations_and_is_audited(app):
    challenge, first, _second = draft_with_stages()
    first.name = {"en": "Stage 1", "el": "Στάδιο 1"}
    actor = factories.make_user()
    operations.update_stage(actor, challenge, first, "Applications", "What to send", first.opens_at - timedelta(days=1), first.closes_at)
    assert first.name == {"en": "Applications", "el": "Στάδιο 1"} and first.description == {"en": "What to send"}
    assert challenge.opens_at == first.opens_at
    event = db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    assert event.action == "challenge.edited" and event.detail["what"] == "stage_changed"
    assert sorted(event.detail["fields"]) == ["description", "name", "opens_at"]
    version = challenge.version
    operations.update_stage(actor, challenge, first, "Applications", "What to send", first.opens_at, first.closes_at)
    assert challenge.version == version  # nothing changed, nothing recorded


def test_a_criterion_changed_in_place_keeps_other_languages_of_its_points(app):
    challenge = factories.make_challenge(status=DRAFT)
    criterion = challenge.criteria[0]
    operations.update_criterion(factories.make_user(), challenge, criterion, "Impact", "", 4.0, 0, 10,
                                {"0": "None", "5": "Some"}, None, False, 1)
    assert criterion.anchors == {"0": {"en": "None", "pl": "Brak"}, "5": {"en": "Some"}}
    assert criterion.weight == 4.0 and criterion.name["el"] == "Κριτήριο 1"
    refused("weight", operations.update_criterion, factories.make_user(), challenge, criterion, "Impact", "", 0, 0, 10)
    refused("scale", operations.update_criterion, factories.make_user(), challenge, criterion, "Impact", "", 1, 5, 5)


def test_each_place_has_one_prize(app):
    challenge = factories.make_challenge(status=DRAFT)
    actor = factories.make_user()
    first = operations.add_prize(actor, challenge, "First", "", place=1)
    assert refused("place_taken", operations.add_prize, actor, challenge, "Also first", "", place=1) == {"place": 1}
    second = operations.add_prize(actor, challenge, "Second", "", place=2)
    operations.add_prize(actor, challenge, "Special", "")
    operations.add_prize(actor, challenge, "Another special", "")
    refused("place_taken", operations.update_prize, actor, challenge, second, "Second", "", place=1)
    operations.update_prize(actor, challenge, first, "First prize", "", place=1, amount=100, currency="eur")
    assert first.currency == "EUR" and first.name == {"en": "First prize"}


def test_sending_for_review_refuses_a_stage_already_closed(app):
    challenge = factories.make_challenge(status=DRAFT, stages=2, opens_in_days=-20, closes_in_days=10)
    assert refused("stage_past", operations.submit_for_review, factories.make_user(), challenge) == {"stage": "Stage 1", "other": ""}
    assert challenge.status == DRAFT


def test_saving_part_of_a_translation_keeps_the_rest(app):
    challenge = factories.make_challenge(status=DRAFT, title={"en": "T", "el": "Τίτλος"})
    challenge.summary = {"en": "S", "el": "Περίληψη"}
    stage = challenge.stages[0]
    stage.name = {"en": "Stage 1", "el": "Στάδιο"}
    operations.set_translation(factories.make_user(), challenge, "el", {"summary": "Νέα περίληψη"}, {})
    assert challenge.title["el"] == "Τίτλος" and challenge.summary["el"] == "Νέα περίληψη" and stage.name["el"] == "Στάδιο"
    operations.set_translation(factories.make_user(), challenge, "el", {"summary": ""}, {f"stage-{stage.id}-name": ""})
    assert "el" not in challenge.summary and "el" not in stage.name and challenge.title["el"] == "Τίτλος"


# --- the task list ----------------------------------------------------------------------------------------------

def statuses(challenge):
    return {task.key: task.status for task in tasks.task_list(challenge, utcnow())}


def test_the_task_list_follows_the_draft(app):
    challenge = factories.make_challenge(status=DRAFT, stages=0, criteria=0, title={"en": "T"})
    challenge.description = {}
    assert statuses(challenge) == {
        "details": "in_progress", "stages": "not_started", "criteria": "not_started", "prizes": "optional",
        "attachments": "optional", "translations": "optional", "cohosts": "optional", "submit": "cannot_start"}
    challenge.description = {"en": "D"}
    actor = factories.make_user()
    first = operations.add_stage(actor, challenge, "A", "", utcnow() + timedelta(days=2), utcnow() + timedelta(days=9))
    criterion = operations.add_criterion(actor, challenge, "C", "", 1, 0, 10, informational=True)
    operations.add_prize(actor, challenge, "P", "", place=1)
    operations.set_translation(actor, challenge, "el", {"title": "Τ"})
    now = statuses(challenge)
    assert (now["details"], now["stages"], now["criteria"], now["prizes"], now["translations"], now["submit"]) == (
        "completed", "completed", "in_progress", "completed", "in_progress", "not_started")
    criterion.informational = False
    challenge.results_at = first.closes_at - timedelta(hours=1)  # inconsistent: the stages are not done
    now = statuses(challenge)
    assert (now["criteria"], now["stages"], now["submit"]) == ("completed", "in_progress", "cannot_start")
    challenge.status = IN_REVIEW
    assert statuses(challenge)["submit"] == "completed"


def test_co_hosts_in_the_task_list(app):
    challenge = factories.make_challenge(status=DRAFT)
    operations.invite_cohost(factories.make_user(), challenge, factories.make_public_body(country="GR"))
    assert statuses(challenge)["cohosts"] == "in_progress"
    challenge.hosts[-1].state = "accepted"
    assert statuses(challenge)["cohosts"] == "completed"


# --- the pages --------------------------------------------------------------------------------------------------

@pytest.fixture
def draft(app, people):
    challenge = factories.make_challenge(host=people["ministry"], status=DRAFT, stages=2, opens_in_days=10,
                                         closes_in_days=50, timezone="Europe/Warsaw")
    challenge.title = {"en": "The draft", "el": "Το σχέδιο"}
    challenge.summary = {"en": "Summary", "el": "Περίληψη"}
    challenge.description = {"en": "Description", "el": "Περιγραφή"}
    challenge.prizes.append(Prize(name={"en": "First"}, place=1, position=1))
    db.session.commit()
    return challenge


def test_the_draft_page_shows_the_task_list_to_its_hosts_only(app, draft, client_for):
    html = client_for("officer").get(f"/challenges/{draft.slug}").get_data(as_text=True)
    assert 'id="tasks"' in html
    for label in ("Details", "Stages", "Criteria", "Prizes", "Attachments", "Translations", "Co-hosts", "Submit for review"):
        assert f">{label}</a>" in html, label
    assert f'href="/challenges/{draft.slug}/submit"' in html
    assert 'id="tasks"' not in client_for("admin").get(f"/challenges/{draft.slug}").get_data(as_text=True)


def test_after_the_draft_is_saved_the_task_list_is_shown(app, people, client_for):
    from tests.challenges.test_authoring import BASE

    officer = client_for("officer")
    response = officer.post("/challenges/new", data=dict(BASE, host=str(people["ministry"].id)))
    assert response.status_code == 302 and response.headers["Location"].endswith("#tasks")
    assert 'id="tasks"' in officer.get(response.headers["Location"]).get_data(as_text=True)


def test_a_stage_is_changed_in_place(app, draft, client_for):
    officer = client_for("officer")
    stage = draft.stages[0]
    url = f"/challenges/{draft.slug}/stages/{stage.id}/edit"
    html = officer.get(url).get_data(as_text=True)
    local = stage.opens_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Warsaw"))
    assert f'name="opens_at-day" type="text" value="{local.day}"' in html and f'value="{local:%H:%M}"' in html
    assert "Time zone: Europe/Warsaw." in html and 'aria-describedby="opens_at-hint"' in html
    second = draft.stages[1]
    inside = (second.opens_at + timedelta(days=1)).astimezone(local.tzinfo)
    response = officer.post(url, data={"name": "Applications", "description": "", "opens_at-day": str(inside.day),
                                       "opens_at-month": str(inside.month), "opens_at-year": str(inside.year), "opens_at-time": "9:00",
                                       "closes_at-day": "2", "closes_at-month": "1", "closes_at-year": "2031", "closes_at-time": "17:00"})
    assert response.status_code == 400  # it would open while the second stage is open
    html = response.get_data(as_text=True)
    assert "The stage “Applications” opens before the stage “Stage 2” closes" in html
    assert 'value="2031"' in html and 'id="opens_at-error"' in html  # on its field, what was typed kept
    response = officer.post(url, data={"name": "Applications", "opens_at-day": str(local.day), "opens_at-month": str(local.month),
                                       "opens_at-year": str(local.year), "opens_at-time": "08:00",
                                       "closes_at": second.opens_at.astimezone(local.tzinfo).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    db.session.expire_all()
    stage = by_slug(draft.slug).stages[0]
    assert stage.name["en"] == "Applications" and stage.opens_at.astimezone(local.tzinfo).hour == 8


def test_criterion_and_prize_forms_open_with_what_they_hold(app, draft, client_for):
    officer = client_for("officer")
    criterion, prize = draft.criteria[0], draft.prizes[0]
    html = officer.get(f"/challenges/{draft.slug}/criteria/{criterion.id}/edit").get_data(as_text=True)
    assert "0: Absent\n10: Outstanding" in html and 'value="Criterion 1"' in html
    assert 'value="First"' in officer.get(f"/challenges/{draft.slug}/prizes/{prize.id}/edit").get_data(as_text=True)
    other = operations.add_prize(factories.make_user(), draft, "Second", "", place=2)
    db.session.commit()
    response = officer.post(f"/challenges/{draft.slug}/prizes/{other.id}/edit", data={"name": "Second", "place": "1", "currency": ""})
    assert response.status_code == 400 and "Another prize is already for place 1" in response.get_data(as_text=True)
    assert 'id="place" name="place" type="number" value="1"' in response.get_data(as_text=True) or 'aria-invalid="true"' in response.get_data(as_text=True)


def test_removing_asks_first_and_works_without_a_script(app, draft, client_for):
    officer = client_for("officer")
    stage = draft.stages[0]
    url = f"/challenges/{draft.slug}/stages/{stage.id}/remove"
    html = officer.get(url).get_data(as_text=True)
    assert "Remove the stage “Stage 1”?" in html and f'action="{url}"' in html and 'name="csrf_token"' in html
    db.session.expire_all()
    assert len(by_slug(draft.slug).stages) == 2  # asking removed nothing
    assert officer.post(url).status_code == 302
    db.session.expire_all()
    assert len(by_slug(draft.slug).stages) == 1


def test_removing_needs_the_csrf_token(app, draft, people):
    from tests.conftest import login

    client = login(app.test_client(), people["officer"])
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/challenges/{draft.slug}/stages/{draft.stages[0].id}/remove").status_code == 400
    db.session.expire_all()
    assert len(by_slug(draft.slug).stages) == 2


def test_check_your_answers_before_sending(app, draft, client_for):
    officer = client_for("officer")
    html = officer.get(f"/challenges/{draft.slug}/submit").get_data(as_text=True)
    assert "Check the challenge before sending it for review" in html and "Stage 1" in html
    assert f'action="/challenges/{draft.slug}/submit"' in html and "cannot be sent yet" not in html
    draft.results_at = draft.stages[1].closes_at - timedelta(hours=1)
    db.session.commit()
    html = officer.get(f"/challenges/{draft.slug}/submit").get_data(as_text=True)
    assert "The results must be expected after the last stage, “Stage 2”, closes." in html
    assert f'action="/challenges/{draft.slug}/submit"' not in html
    response = officer.post(f"/challenges/{draft.slug}/submit", follow_redirects=True)
    assert "The results must be expected after the last stage" in response.get_data(as_text=True)
    db.session.expire_all()
    assert by_slug(draft.slug).status == DRAFT


def test_withdrawing_asks_first(app, draft, client_for):
    draft.status = IN_REVIEW
    db.session.commit()
    officer = client_for("officer")
    assert "Withdraw the challenge from review?" in officer.get(f"/challenges/{draft.slug}/withdraw").get_data(as_text=True)
    db.session.expire_all()
    assert by_slug(draft.slug).status == IN_REVIEW
    assert officer.post(f"/challenges/{draft.slug}/withdraw").status_code == 302
    db.session.expire_all()
    assert by_slug(draft.slug).status == DRAFT


def test_the_translation_opens_with_what_is_saved_and_saving_part_keeps_the_rest(app, draft, client_for):
    officer = client_for("officer")
    stage = draft.stages[0]
    stage.name = {"en": "Stage 1", "el": "Στάδιο 1"}
    db.session.commit()
    html = officer.get(f"/challenges/{draft.slug}/translations?language=el").get_data(as_text=True)
    assert 'value="Το σχέδιο"' in html and "Περίληψη</textarea>" in html and 'value="Στάδιο 1"' in html
    # A form that sends only the summary (a script, an old page) changes only the summary.
    response = officer.post(f"/challenges/{draft.slug}/translations", data={"language": "el", "title": "Το σχέδιο", "summary": "Νέα"})
    assert response.status_code == 302
    db.session.expire_all()
    challenge = by_slug(draft.slug)
    assert challenge.description["el"] == "Περιγραφή" and challenge.summary["el"] == "Νέα" and challenge.stages[0].name["el"] == "Στάδιο 1"
    # A text over its limit is refused, named, and kept; nothing is cut.
    long_name = "Σ" * 121
    response = officer.post(f"/challenges/{draft.slug}/translations",
                            data={"language": "el", "title": "Το σχέδιο", "summary": "Νέα", f"stage-{stage.id}-name": long_name})
    assert response.status_code == 400 and long_name in response.get_data(as_text=True)
    db.session.expire_all()
    assert by_slug(draft.slug).stages[0].name["el"] == "Στάδιο 1"


def test_the_main_language_or_an_unknown_one_is_not_a_translation(app, draft, client_for):
    officer = client_for("officer")
    assert officer.get(f"/challenges/{draft.slug}/translations?language=en").status_code == 400
    assert officer.get(f"/challenges/{draft.slug}/translations?language=zz").status_code == 400
    response = officer.post(f"/challenges/{draft.slug}/translations", data={"language": "en", "title": "X", "summary": "Y"})
    assert response.status_code == 400
    db.session.expire_all()
    assert by_slug(draft.slug).title["en"] == "The draft"


def test_limits_are_stated_beside_their_fields_and_never_cut(app, draft, client_for):
    officer = client_for("officer")
    html = officer.get(f"/challenges/{draft.slug}/edit").get_data(as_text=True)
    assert re.search(r'id="title"[^>]*data-character-limit="200"', html) or re.search(r'data-character-limit="200"[^>]*id="title"', html)
    assert 'id="title-count"' in html and "Up to 200 characters." in html and "character-count.js" in html
    assert html.count("character-count.js") == 1
    response = officer.post(f"/challenges/{draft.slug}/stages", data={"name": "N" * 121, "opens_at": "2031-01-01T09:00",
                                                                       "closes_at": "2031-02-01T09:00"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "N" * 121 in html and 'aria-invalid="true"' in html


def test_every_input_in_error_says_so(app, draft, client_for):
    response = client_for("officer").post(f"/challenges/{draft.slug}/criteria", data={"name": "", "weight": "x", "scale_min": "0",
                                                                                     "scale_max": "10", "round_number": "1"})
    html = response.get_data(as_text=True)
    for name in ("name", "weight"):
        tag = re.search(rf'<input[^>]*id="{name}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in tag and f"{name}-error" in tag, tag


@pytest.mark.parametrize("path, method, reason", [
    ("/challenges/{open}/questions", "POST", "Questions are asked while the challenge is published"),
    ("/challenges/{draft}/approve", "POST", "only while it waits for review"),
])
def test_refusals_say_why(app, draft, client_for, path, method, reason):
    closed = factories.make_challenge(host=draft.hosts[0].organisation, opens_in_days=-30, closes_in_days=-1)
    db.session.commit()
    client = client_for("admin")
    response = client.open(path.format(open=closed.slug, draft=draft.slug), method=method, data={"question": "Q"})
    assert response.status_code == 403 and reason in response.get_data(as_text=True)


def test_following_a_closed_draft_says_why(app, draft, client_for):
    response = client_for("officer").post(f"/challenges/{draft.slug}/follow")
    assert response.status_code == 403 and "once it is published" in response.get_data(as_text=True)


def test_the_builder_pages_are_valid_html(app, draft, people, client_for, tmp_path):
    from tests.support.htmlcheck import html_errors

    officer = client_for("officer")
    stage, criterion = draft.stages[0], draft.criteria[0]
    slug = draft.slug
    pages = {
        "draft page with its task list": officer.get(f"/challenges/{slug}"),
        "stages": officer.get(f"/challenges/{slug}/stages"),
        "stages refused": officer.post(f"/challenges/{slug}/stages", data={"name": "", "opens_at-day": "31", "opens_at-month": "2",
                                                                           "opens_at-year": "2031", "opens_at-time": "9"}),
        "details": officer.get(f"/challenges/{slug}/edit"),
        "a stage changed in place": officer.get(f"/challenges/{slug}/stages/{stage.id}/edit"),
        "a criterion changed in place": officer.get(f"/challenges/{slug}/criteria/{criterion.id}/edit"),
        "confirmation": officer.get(f"/challenges/{slug}/criteria/{criterion.id}/remove"),
        "check your answers": officer.get(f"/challenges/{slug}/submit"),
        "translation": officer.get(f"/challenges/{slug}/translations?language=el"),
        "translation chooser": officer.get(f"/challenges/{slug}/translations"),
    }
    assert pages["stages refused"].status_code == 400
    assert html_errors({name: response.get_data(as_text=True) for name, response in pages.items()}, tmp_path) == {}


def test_a_text_edit_never_trips_over_dates_it_leaves_alone(app):
    challenge, first, _second = draft_with_stages()
    challenge.publish_at = first.opens_at + timedelta(hours=1)  # from before the rule
    operations.update(factories.make_user(), challenge, {"title": "New", "summary": "S"}, publish_at=challenge.publish_at)
    assert challenge.title["en"] == "New"
