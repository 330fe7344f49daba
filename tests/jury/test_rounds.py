"""Frozen scores, the chair's own conflicts, round 2's jurors and rubric, round names, the closing moment
and its scheduled reminder, the disagreement rule."""
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from govchallenge.challenges.models import ARCHIVED, RESULTS_PUBLISHED, Criterion
from govchallenge.core import storage
from govchallenge.core.audit import AuditEvent
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.jury import agreement, jobs
from govchallenge.jury import operations as ops
from govchallenge.jury.models import Assignment, Juror, Round, RoundJuror, ScoreOverride
from tests.support.factories import PASSWORD, make_challenge
from tests.support.jury_factories import (
    close_excluding_short, confirmed_shortlist, make_juror, make_jury_setup, submit_all_reviews,
)


def _refresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def _other_assignment(rnd, chair_juror, submission_id=None):
    return next(a for a in ops.active_assignments(rnd)
                if a.juror_id != chair_juror.id and (submission_id is None or a.submission_id == submission_id))


def _close(setup):
    submit_all_reviews(setup["round"])
    ops.close_round(setup["round"], setup["chair"])
    db.session.commit()


def _html(response):
    return response.get_data(as_text=True)


# --- 1. scores freeze ------------------------------------------------------------------------------

def test_scores_and_decisions_freeze_once_the_round_is_closed(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    _close(setup)
    rnd, chair = setup["round"], setup["chair"]
    a = _other_assignment(rnd, setup["jurors"][0])
    criterion = rnd.criteria[0]
    before = dict(a.review.scores)
    with pytest.raises(ops.JuryError) as error:
        ops.override_score(a.review, criterion, 1, "Typo", chair)
    assert error.value.code == "round_closed"
    entry = rnd.entries[0]
    with pytest.raises(ops.JuryError) as error:
        ops.exclude_entry(entry, "Ineligible", chair)
    assert error.value.code == "round_closed"
    db.session.rollback()

    client = login_as(chair)
    slug = setup["challenge"].slug
    url = f"/jury/{slug}/assignments/{a.public_id}/override"
    page = _html(client.get(url))
    assert "The round is closed: its scores and decisions can no longer change." in page
    assert "Change the score</button>" not in page
    response = client.post(url, data={"criterion": str(criterion.id), "new_value": "1", "justification": "My careful reasoning"})
    assert response.status_code == 409
    assert "The round is closed" in _html(response) and "My careful reasoning" in _html(response)  # the draft is kept
    response = client.post(f"/jury/{slug}/rounds/1/entries/{entry.id}/exclude", data={"x1-reason": "Not an SME, says the registry"})
    assert response.status_code == 409 and "The round is closed" in _html(response)
    # The dashboard offers no score change or exclusion on a closed round.
    dashboard = _html(client.get(f"/jury/{slug}/dashboard"))
    assert "Change a score of" not in dashboard and "Exclude the entry" not in dashboard
    db.session.expire_all()
    assert db.session.execute(sa.select(ScoreOverride)).first() is None
    assert _refresh(a).review.scores == before and _refresh(entry).excluded_at is None


@pytest.mark.parametrize("status", [RESULTS_PUBLISHED, ARCHIVED])
def test_nothing_of_the_jury_changes_once_results_are_published(app, login_as, status):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    submit_all_reviews(setup["round"])
    rnd, chair, challenge = setup["round"], setup["chair"], setup["challenge"]
    challenge.status = status
    db.session.commit()
    a = _other_assignment(rnd, setup["jurors"][0])
    criterion = rnd.criteria[0]
    attempts = [
        lambda: ops.override_score(a.review, criterion, 1, "Typo", chair),
        lambda: ops.exclude_entry(rnd.entries[0], "Ineligible", chair),
        lambda: ops.save_review(a, a.juror.user, {c.id: 1 for c in rnd.criteria}, {"overall": "late"}, a.review.lock_version, submit=True),
        lambda: ops.run_assignment(rnd, chair),
        lambda: ops.close_round(rnd, chair),
        lambda: ops.set_closing_time(rnd, utcnow() + timedelta(days=3), chair),
        lambda: ops.send_reminders(rnd, chair),
        lambda: ops.recuse(a, a.juror.user),
    ]
    for attempt in attempts:
        with pytest.raises(ops.JuryError) as error:
            attempt()
        assert error.value.code == "results_published"
        db.session.rollback()

    client = login_as(chair)
    url = f"/jury/{challenge.slug}/assignments/{a.public_id}/override"
    assert "The results are published" in _html(client.get(url))
    response = client.post(url, data={"criterion": str(criterion.id), "new_value": "1", "justification": "Late change"})
    assert response.status_code == 409 and "The results are published" in _html(response) and "Late change" in _html(response)
    entry = rnd.entries[0]
    response = client.post(f"/jury/{challenge.slug}/rounds/1/entries/{entry.id}/exclude", data={"x1-reason": "Too late"})
    assert response.status_code == 409 and "The results are published" in _html(response)
    dashboard = _html(client.get(f"/jury/{challenge.slug}/dashboard"))
    assert "The results are published" in dashboard and "Change a score of" not in dashboard
    # The juror cannot change a review either.
    juror_client = login_as(a.juror.user)
    data = {"lock_version": str(a.review.lock_version), "comment_overall": "changed my mind", "submit": "1"}
    data.update({f"score_{c.id}": "1" for c in rnd.criteria})
    response = juror_client.post(f"/jury/review/{a.public_id}", data=data)
    assert response.status_code == 409 and "changed my mind" in _html(response)
    db.session.expire_all()
    assert db.session.execute(sa.select(ScoreOverride)).first() is None
    assert _refresh(entry).excluded_at is None
    assert set(_refresh(a).review.scores.values()) != {1}


def test_shortlist_is_refused_after_publication(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    _close(setup)
    setup["challenge"].status = RESULTS_PUBLISHED
    with pytest.raises(ops.JuryError) as error:
        ops.shortlist(setup["round"], setup["chair"], top_n=2)
    assert error.value.code == "results_published"


# --- 2. the chair's own conflicts; files of a conflicted entry ----------------------------------------

@pytest.mark.parametrize("how", ["declared", "same_organisation"])
def test_a_conflicted_chair_cannot_change_scores_or_exclude(app, login_as, how):
    setup = make_jury_setup(n_entries=3, n_jurors=5)
    chair_juror, chair = setup["jurors"][0], setup["chair"]
    team = setup["teams"][0]
    target = setup["submissions"][0]
    if how == "declared":
        ops.declare_conflicts(chair_juror, chair, "personal", organisation_ids=[team.members[0].organisation_id])
    else:
        chair_juror.organisation_id = team.members[0].organisation_id
    db.session.commit()
    submit_all_reviews(setup["round"])
    rnd = setup["round"]
    a = _other_assignment(rnd, chair_juror, target.id)
    with pytest.raises(ops.JuryError) as error:
        ops.override_score(a.review, rnd.criteria[0], 1, "Typo", chair)
    assert error.value.code == "chair_conflict"
    entry = next(e for e in rnd.entries if e.submission_id == target.id)
    with pytest.raises(ops.JuryError) as error:
        ops.exclude_entry(entry, "Ineligible", chair)
    assert error.value.code == "chair_conflict"
    db.session.rollback()

    client = login_as(chair)
    slug = setup["challenge"].slug
    url = f"/jury/{slug}/assignments/{a.public_id}/override"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"criterion": str(rnd.criteria[0].id), "new_value": "1", "justification": "x"}).status_code == 403
    response = client.post(f"/jury/{slug}/rounds/1/entries/{entry.id}/exclude", data={"x1-reason": "Ineligible"})
    assert response.status_code == 403 and "you have a conflict of interest" in _html(response)
    dashboard = _html(client.get(f"/jury/{slug}/dashboard"))
    assert f"/assignments/{a.public_id}/override" not in dashboard
    assert f"/entries/{entry.id}/exclude" not in dashboard
    db.session.expire_all()
    assert db.session.execute(sa.select(ScoreOverride)).first() is None and _refresh(entry).excluded_at is None
    # Entries the chair is free of stay in their hands.
    free = _other_assignment(rnd, chair_juror, setup["submissions"][1].id)
    url = f"/jury/{slug}/assignments/{free.public_id}/override"
    assert client.post(url, data={"criterion": str(rnd.criteria[0].id), "new_value": "2", "justification": "Typo confirmed."}).status_code == 302
    other_entry = next(e for e in rnd.entries if e.submission_id == setup["submissions"][1].id)
    assert client.post(f"/jury/{slug}/rounds/1/entries/{other_entry.id}/exclude", data={"x1-reason": "Ineligible"}).status_code == 302
    assert _refresh(other_entry).excluded_at is not None


def test_a_conflicted_juror_cannot_download_the_entry_files(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    a = _other_assignment(setup["round"], setup["jurors"][0])
    sub = a.submission
    stored = storage.save(b"pitch deck", "text/plain")
    sub.versions[-1].files = [{"filename": "deck.txt", "mime_type": "text/plain", "size": stored.size, "sha256": stored.sha256}]
    db.session.commit()
    juror = db.session.get(Juror, a.juror_id)
    client = login_as(juror.user)
    assert client.get(f"/jury/review/{a.public_id}/files/0").status_code == 200
    # The juror's organisation becomes the team's: detected as a conflict, as for the review page.
    juror.organisation_id = sub.team.members[0].organisation_id
    db.session.commit()
    assert client.get(f"/jury/review/{a.public_id}/files/0").status_code == 403
    assert client.get(f"/jury/review/{a.public_id}").status_code == 403


# --- 3. round 2: its jurors, its rubric, its shortlist rules -----------------------------------------

def _shortlist_data(jurors, **extra):
    data = {"s1-rule": "top", "s1-top_n": "2", "s1-reviews_per_entry": "2", "s1-jurors": [str(j.id) for j in jurors]}
    data.update(extra)
    return data


def test_the_chair_chooses_the_jurors_of_round_two(app, login_as):
    setup = make_jury_setup(n_entries=4, n_jurors=5)
    _close(setup)
    slug = setup["challenge"].slug
    client = login_as(setup["chair"])
    page = _html(client.get(f"/jury/{slug}/dashboard"))
    # Every accepted juror, a labelled checkbox, ticked by default, grouped under a legend.
    assert "<legend>Jurors of the next round</legend>" in page
    for j in setup["jurors"]:
        box = re.search(rf'<input[^>]*type="checkbox"[^>]*value="{j.id}"[^>]*>', page) or re.search(rf'<input[^>]*value="{j.id}"[^>]*type="checkbox"[^>]*>', page)
        assert box and "checked" in box.group(0), j.id
        box_id = re.search(r'id="([^"]+)"', box.group(0)).group(1)
        assert f'<label for="{box_id}">{j.display_name}</label>' in page
    chosen = setup["jurors"][1:4]
    shown, response = confirmed_shortlist(client, f"/jury/{slug}/rounds/1/shortlist", _shortlist_data(chosen))
    assert shown.status_code == 200 and response.status_code == 302
    second = db.session.execute(sa.select(Round).where(Round.challenge_id == setup["challenge"].id, Round.number == 2)).scalar_one()
    sitting = set(db.session.execute(sa.select(RoundJuror.juror_id).where(RoundJuror.round_id == second.id)).scalars())
    assert sitting == {j.id for j in chosen}
    assigned = ops.active_assignments(second)
    assert len(assigned) == 4 and {x.juror_id for x in assigned} <= sitting
    # Reassignment in round 2 keeps to its own jurors too.
    result = ops.recuse(assigned[0], assigned[0].juror.user)
    assert {x.juror_id for x in ops.active_assignments(second)} <= sitting and result.short == {}


@pytest.mark.parametrize("case", ["foreign", "declined", "garbage", "none"])
def test_tampered_jurors_of_round_two_are_refused_and_the_form_kept(app, login_as, case):
    setup = make_jury_setup(n_entries=4, n_jurors=4)
    _close(setup)
    challenge = setup["challenge"]
    if case == "foreign":
        elsewhere = make_juror(make_challenge())
        ids = [str(setup["jurors"][1].id), str(elsewhere.id)]
    elif case == "declined":
        declined = make_juror(challenge, accepted=False)
        declined.state = "declined"
        ids = [str(declined.id)]
    elif case == "garbage":
        ids = ["1 OR 1=1"]
    else:
        ids = []
    db.session.commit()
    response = login_as(setup["chair"]).post(f"/jury/{challenge.slug}/rounds/1/shortlist",
                                            data={"s1-rule": "top", "s1-top_n": "3", "s1-reviews_per_entry": "2", "s1-jurors": ids})
    assert response.status_code == 400
    html = _html(response)
    expected = "Choose at least one juror" if case == "none" else "Choose among the jurors listed"
    assert expected in html
    assert re.search(r'name="s1-top_n"[^>]*value="3"|value="3"[^>]*name="s1-top_n"', html)  # what they typed is kept
    assert db.session.execute(sa.select(Round).where(Round.number == 2)).first() is None


def test_shortlist_operation_refuses_jurors_of_another_jury(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    _close(setup)
    stranger = make_juror(make_challenge())
    for ids, code in (([stranger.id], "bad_jurors"), ([], "no_jurors")):
        with pytest.raises(ops.JuryError) as error:
            ops.shortlist(setup["round"], setup["chair"], top_n=2, juror_ids=ids)
        assert error.value.code == code
        db.session.rollback()


def test_shortlist_every_entry_above_the_thresholds(app, login_as):
    setup = make_jury_setup(n_entries=4, n_jurors=4)
    rnd, criteria = setup["round"], setup["round"].criteria
    criteria[0].threshold = 6.0
    criteria[1].threshold = 4.0
    strong = {setup["submissions"][0].id, setup["submissions"][2].id}
    weak_first = setup["submissions"][1].id  # high overall, but under the first criterion's threshold
    for a in ops.active_assignments(rnd):
        if a.submission_id in strong:
            scores = {c.id: 7 for c in criteria}
        elif a.submission_id == weak_first:
            scores = {c.id: 10 for c in criteria}
            scores[criteria[0].id] = 5
        else:
            scores = {c.id: 2 for c in criteria}
        ops.save_review(a, a.juror.user, scores, {"overall": "ok"}, 0, submit=True)
    ops.close_round(rnd, setup["chair"])
    db.session.commit()
    client = login_as(setup["chair"])
    _shown, response = confirmed_shortlist(client, f"/jury/{setup['challenge'].slug}/rounds/1/shortlist",
                                           _shortlist_data(setup["jurors"], **{"s1-rule": "thresholds", "s1-top_n": ""}))
    assert response.status_code == 302
    second = db.session.execute(sa.select(Round).where(Round.number == 2)).scalar_one()
    assert {e.submission_id for e in second.entries} == strong
    # None above the thresholds: refused with a clear message, nothing created.
    third = make_jury_setup(n_entries=3, n_jurors=4)
    for c in third["round"].criteria:
        c.threshold = 11.0
    _close(third)
    with pytest.raises(ops.JuryError) as error:
        ops.shortlist(third["round"], third["chair"], use_thresholds=True)
    assert error.value.code == "no_entries"


def test_shortlist_bad_input_gives_form_errors(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    _close(setup)
    client = login_as(setup["chair"])
    url = f"/jury/{setup['challenge'].slug}/rounds/1/shortlist"
    response = client.post(url, data=_shortlist_data(setup["jurors"], **{"s1-top_n": ""}))
    assert response.status_code == 400 and "Give how many entries go to the next round." in _html(response)
    past = (utcnow() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, data=_shortlist_data(setup["jurors"], **{"s1-closes_at": past}))
    assert response.status_code == 400 and "Choose a closing moment in the future." in _html(response)
    response = client.post(url, data=_shortlist_data(setup["jurors"], **{"s1-closes_at": "1999-01-01T10:00"}))
    assert response.status_code == 400 and "Give a date between the years" in _html(response)
    assert db.session.execute(sa.select(Round).where(Round.number == 2)).first() is None


def test_round_two_scores_on_its_own_criteria(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    challenge = setup["challenge"]
    pitch = Criterion(challenge_id=challenge.id, round_number=2, position=1, name={"en": "Pitch delivery"}, weight=1.0,
                      scale_min=1, scale_max=5)
    db.session.add(pitch)
    _close(setup)
    second, _result = ops.shortlist(setup["round"], setup["chair"], top_n=2, reviews_per_entry=2)
    db.session.commit()
    assert [c.id for c in second.criteria] == [pitch.id]
    a = _other_assignment(second, setup["jurors"][0])
    client = login_as(a.juror.user)
    url = f"/jury/review/{a.public_id}"
    page = _html(client.get(url))
    assert "Pitch delivery" in page and "Round 2" in page
    assert "Criterion 1" not in page and "Criterion 2" not in page
    # Out of round 2's scale: refused and shown back.
    response = client.post(url, data={"lock_version": "0", f"score_{pitch.id}": "9", "comment_overall": "Clear pitch", "submit": "1"})
    assert response.status_code == 400 and "Clear pitch" in _html(response)
    # A round 1 criterion smuggled into the form is ignored by the form, refused by the operation.
    round_one = setup["round"].criteria[0]
    with pytest.raises(ops.JuryError) as error:
        ops.save_review(a, a.juror.user, {round_one.id: 5, pitch.id: 4}, {"overall": "x"}, 0)
    assert error.value.code == "tampered"
    db.session.rollback()
    response = client.post(url, data={"lock_version": "0", f"score_{pitch.id}": "4", "comment_overall": "Clear pitch", "submit": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    review = db.session.get(Assignment, a.id).review
    assert review.scores == {str(pitch.id): 4} and review.state == "submitted"
    assert ops.entry_totals(db.session.get(Round, second.id))[a.submission_id] == [75.0]


# --- 4. round names ----------------------------------------------------------------------------------

def test_round_names_are_translated_when_shown(app, login_as):
    from flask_babel import force_locale

    setup = make_jury_setup(n_entries=4, n_jurors=4)
    _close(setup)
    second, _result = ops.shortlist(setup["round"], setup["chair"], top_n=2)
    db.session.commit()
    for rnd in (setup["round"], second):
        assert _refresh(rnd).name == {}  # nothing language-specific stored
    label = second.label
    with force_locale("en"):
        assert str(label) == "Round 2"
    with force_locale("de"):
        assert str(label) == "Runde 2"
    with force_locale("pl"):
        assert str(label) == "Runda 2"
    # On the pages, in the viewer's language.
    setup["chair"].language = "de"
    db.session.commit()
    client = login_as(setup["chair"])
    assert "Runde 2" in _html(client.get(f"/jury/{setup['challenge'].slug}/dashboard"))
    a = _other_assignment(second, setup["jurors"][0])
    a.juror.user.language = "pl"
    db.session.commit()
    assert "Runda 2" in _html(login_as(a.juror.user).get(f"/jury/{setup['challenge'].slug}/reviews"))


# --- 5. the closing moment and the scheduled reminder -------------------------------------------------

def _reminder_jobs(round_id):
    db.session.expire_all()
    return [j for j in db.session.execute(
        sa.select(OutboxJob).where(OutboxJob.function == "govchallenge.jury.jobs.remind_round").order_by(OutboxJob.id)
    ).scalars() if j.args[0] == round_id]


def _close_to(a, b, seconds=90):
    return abs((a - b).total_seconds()) <= seconds


def test_opening_a_round_schedules_the_reminder_a_configurable_time_before_it_closes(make_app):
    app = make_app(JURY_REMINDER_HOURS_BEFORE=24)
    with app.app_context():
        setup = make_jury_setup(n_entries=3, n_jurors=4, open_round=False)
        client = app.test_client()
        assert client.post("/login", data={"email": setup["chair"].email, "password": PASSWORD}).status_code == 302
        closes = (utcnow() + timedelta(days=5)).replace(second=0, microsecond=0)
        response = client.post(f"/jury/{setup['challenge'].slug}/rounds",
                               data={"reviews_per_entry": "2", "closes_at": closes.strftime("%Y-%m-%dT%H:%M")})
        assert response.status_code == 302
        rnd = db.session.execute(sa.select(Round).where(Round.challenge_id == setup["challenge"].id)).scalar_one()
        assert rnd.closes_at == closes
        [job] = _reminder_jobs(rnd.id)
        assert _close_to(job.run_after, closes - timedelta(hours=24))
        assert datetime.fromisoformat(job.args[1]) == closes


def test_opening_a_round_without_a_closing_time_schedules_nothing(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4, open_round=False)
    response = login_as(setup["chair"]).post(f"/jury/{setup['challenge'].slug}/rounds", data={"reviews_per_entry": "2", "closes_at": ""})
    assert response.status_code == 302
    rnd = db.session.execute(sa.select(Round)).scalar_one()
    assert rnd.closes_at is None and _reminder_jobs(rnd.id) == []


def test_moving_the_closing_moment_reschedules_the_reminder(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4, closes_in_days=7)
    rnd = setup["round"]
    old_moment = rnd.closes_at
    [old_job] = _reminder_jobs(rnd.id)
    assert _close_to(old_job.run_after, old_moment - timedelta(hours=ops.REMINDER_HOURS_BEFORE))
    client = login_as(setup["chair"])
    slug = setup["challenge"].slug
    page = _html(client.get(f"/jury/{slug}/dashboard"))
    assert 'name="t1-closes_at"' in page and old_moment.strftime("%Y-%m-%dT%H:%M") in page
    new_moment = (utcnow() + timedelta(days=10)).replace(second=0, microsecond=0)
    response = client.post(f"/jury/{slug}/rounds/1/closing", data={"t1-closes_at": new_moment.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    assert _refresh(rnd).closes_at == new_moment
    jobs_now = _reminder_jobs(rnd.id)
    assert len(jobs_now) == 2
    assert _close_to(jobs_now[-1].run_after, new_moment - timedelta(hours=ops.REMINDER_HOURS_BEFORE))
    # The reminder queued for the former moment sees the change and does nothing.
    assert jobs.remind_round(rnd.id, old_job.args[1]) == "superseded"
    events = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "jury.round_closing")).scalars().all()
    assert len(events) == 1 and events[0].detail["after"] == new_moment.isoformat()


@pytest.mark.parametrize("value, problem", [
    ("", "Give the moment the round closes."),
    ("tomorrow at noon", "Not a valid datetime value"),
    ("1999-05-01T10:00", "Give a date between the years"),
    ("past", "Choose a closing moment in the future."),
])
def test_bad_closing_moments_are_refused_and_shown_back(app, login_as, value, problem):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    rnd = setup["round"]
    before = rnd.closes_at
    if value == "past":
        value = (utcnow() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = login_as(setup["chair"]).post(f"/jury/{setup['challenge'].slug}/rounds/1/closing", data={"t1-closes_at": value})
    assert response.status_code == 400
    html = _html(response)
    assert problem in html
    if value:
        assert f'value="{value}"' in html  # what the chair typed stays in the field
    assert _refresh(rnd).closes_at == before and len(_reminder_jobs(rnd.id)) == 1


def test_closing_moment_of_a_closed_round_cannot_move(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    _close(setup)
    moment = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = login_as(setup["chair"]).post(f"/jury/{setup['challenge'].slug}/rounds/1/closing", data={"t1-closes_at": moment})
    assert response.status_code == 409 and "The round is closed" in _html(response)


def test_scheduled_reminder_reaches_only_jurors_with_pending_reviews(mail_app, smtp):
    setup = make_jury_setup(n_entries=3, n_jurors=4, closes_in_days=1)  # within the 48 hours before closing
    rnd = setup["round"]
    jurors = setup["jurors"]
    done_juror = jurors[1]
    for a in ops.active_assignments(rnd):
        if a.juror_id == done_juror.id:
            ops.save_review(a, a.juror.user, {c.id: 5 for c in rnd.criteria}, {"overall": "ok"}, 0, submit=True)
    db.session.commit()
    pending = {j.user.email for j in jurors if j.id != done_juror.id and any(
        a.juror_id == j.id for a in ops.active_assignments(rnd))}
    assert pending
    outcome = jobs.remind_round(rnd.id, rnd.closes_at.isoformat())
    db.session.commit()
    assert outcome == f"sent {len(pending)}"
    received = {r.lower() for m in smtp.received for r in m.recipients}
    assert received == {e.lower() for e in pending}
    assert smtp.to(done_juror.user.email) == []
    # Run twice: nothing more is sent.
    assert jobs.remind_round(rnd.id, rnd.closes_at.isoformat()) == "nothing to do"
    assert len(smtp.received) == len(pending)


def test_scheduled_reminder_does_nothing_when_closed_early_or_excluded(mail_app, smtp):
    setup = make_jury_setup(n_entries=3, n_jurors=4, closes_in_days=1)
    rnd = setup["round"]
    close_excluding_short(rnd, setup["chair"], reason="Closed early")
    db.session.commit()
    assert jobs.remind_round(rnd.id, rnd.closes_at.isoformat()) == "nothing to do"
    assert jobs.send_reminder(rnd.id, setup["jurors"][1].id) == "nothing to do"
    later = make_jury_setup(n_entries=3, n_jurors=4, closes_in_days=7)
    before = len(_reminder_jobs(later["round"].id))
    assert jobs.remind_round(later["round"].id, later["round"].closes_at.isoformat()) == "not due"
    again = _reminder_jobs(later["round"].id)
    assert len(again) == before + 1 and again[-1].run_after > utcnow() + timedelta(days=4)  # asked again for its moment
    assert jobs.remind_round(987654) == "nothing to do"
    assert smtp.received == []


def test_a_juror_whose_pending_reviews_are_all_excluded_gets_no_reminder(mail_app, smtp):
    setup = make_jury_setup(n_entries=3, n_jurors=4, reviews=1, closes_in_days=1)
    rnd = setup["round"]
    juror = setup["jurors"][1]
    for entry in rnd.entries:
        if any(a.juror_id == juror.id and a.submission_id == entry.submission_id for a in ops.active_assignments(rnd)):
            ops.exclude_entry(entry, "Ineligible", setup["chair"])
    db.session.commit()
    assert jobs.send_reminder(rnd.id, juror.id) == "nothing to do"
    jobs.remind_round(rnd.id, rnd.closes_at.isoformat())
    assert smtp.to(juror.user.email) == []


# --- 6. the disagreement rule --------------------------------------------------------------------------

def test_disagreement_rule_is_one_named_constant(app):
    assert agreement.DISAGREEMENT_THRESHOLD == 25.0
    assert not hasattr(ops, "DISAGREEMENT_THRESHOLD")
    # More than 25 points apart is flagged; exactly 25 is not; a single review never is.
    assert agreement.strongly_disagreeing({"a": [40, 65], "b": [40, 70.5], "c": [90]}) == ["b"]
    setup = make_jury_setup(n_entries=2, n_jurors=3, reviews=2)
    rnd, criteria = setup["round"], setup["round"].criteria
    first, second = [a for a in ops.active_assignments(rnd) if a.submission_id == setup["submissions"][0].id]
    ops.save_review(first, first.juror.user, {c.id: 7 for c in criteria}, {"overall": "x"}, 0, submit=True)
    ops.save_review(second, second.juror.user, {c.id: 4 for c in criteria}, {"overall": "x"}, 0, submit=True)
    assert ops.progress(rnd)["flagged"] == {setup["submissions"][0].id}


def test_the_scheduled_reminder_goes_out_by_itself_when_its_moment_comes(mail_app, smtp):
    """End to end through the outbox: nothing at opening, the reminder once its moment has come."""
    import time_machine

    from govchallenge.jobs.relay import relay_committed, relay_due

    setup = make_jury_setup(n_entries=3, n_jurors=4, open_round=False)
    closes = (utcnow() + timedelta(days=5)).replace(second=0, microsecond=0)
    client = mail_app.test_client()
    assert client.post("/login", data={"email": setup["chair"].email, "password": PASSWORD}).status_code == 302
    assert client.post(f"/jury/{setup['challenge'].slug}/rounds",
                       data={"reviews_per_entry": "2", "closes_at": closes.strftime("%Y-%m-%dT%H:%M")}).status_code == 302
    relay_committed()
    rnd = db.session.execute(sa.select(Round).where(Round.challenge_id == setup["challenge"].id)).scalar_one()
    [job] = _reminder_jobs(rnd.id)
    reminders = lambda: [m for m in smtp.received if "waiting for you" in m.text]  # noqa: E731
    assert reminders() == [] and job.state == "pending"
    with time_machine.travel(job.run_after + timedelta(minutes=1)):
        relay_due()
    db.session.expire_all()
    assert db.session.get(OutboxJob, job.id).state == "done"
    assert len(reminders()) == len({a.juror_id for a in ops.active_assignments(rnd)})
