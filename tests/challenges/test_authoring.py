"""Authoring, lifecycle, co-hosting, bad input."""
import io

import sqlalchemy as sa

from govchallenge.challenges import operations
from govchallenge.challenges.models import (
    ACCEPTED, APPROVED, CHANGES_REQUESTED, DECLINED, DRAFT, IN_EVALUATION, IN_REVIEW, OPEN, PUBLISHED, SCHEDULED,
    Challenge, by_slug,
)
from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from tests.support import factories

BASE = {
    "host": None, "main_language": "pl", "title": "Cyfrowy urząd", "summary": "Krótko o wyzwaniu",
    "description": "Opis **ważny**", "expected_outcome": "Prototyp", "terms": "", "domain": "administration",
    "tags": "e-gov, identity", "timezone": "Europe/Warsaw", "countries_mode": "all", "team_min": "1", "team_max": "5",
    "anonymous_review": "y", "review_comment": "overall", "aggregation": "mean", "calibration": "none",
    "publish_ranking": "all",
}


def _create(client, people, **changes):
    data = dict(BASE, host=str(people["ministry"].id))
    data.update(changes)
    return client.post("/challenges/new", data=data)


def _actions():
    return db.session.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()


def test_officer_writes_a_complete_challenge_and_admin_approves(app, people, client_for):
    officer = client_for("officer")
    assert officer.get("/challenges/new").status_code == 200
    response = _create(officer, people)
    assert response.status_code == 302
    challenge = db.session.execute(sa.select(Challenge)).scalar_one()
    slug = challenge.slug
    assert challenge.status == DRAFT and challenge.title == {"pl": "Cyfrowy urząd"} and challenge.tags == ["e-gov", "identity"]
    assert officer.post(f"/challenges/{slug}/submit").status_code == 302
    db.session.expire_all()
    assert by_slug(slug).status == DRAFT  # incomplete: no stage, no criterion

    page = officer.post(f"/challenges/{slug}/stages", data={"name": "Zgłoszenia", "opens_at": "2030-03-01T09:00", "closes_at": "2030-04-01T17:00"})
    assert page.status_code == 302
    db.session.expire_all()
    stage = by_slug(slug).stages[0]
    assert stage.opens_at.isoformat() == "2030-03-01T08:00:00+00:00"  # CET is UTC+1 in March
    assert stage.closes_at.isoformat() == "2030-04-01T15:00:00+00:00"  # CEST is UTC+2 in April
    assert officer.post(f"/challenges/{slug}/criteria", data={
        "name": "Wpływ", "weight": "2.5", "scale_min": "0", "scale_max": "10", "anchors": "0: Brak\n10: Ogromny",
        "round_number": "1", "threshold": "3",
    }).status_code == 302
    assert officer.post(f"/challenges/{slug}/prizes", data={"place": "1", "name": "Pierwsze", "amount": "1000", "currency": "EUR"}).status_code == 302
    assert officer.post(f"/challenges/{slug}/translations", data={"language": "el", "title": "Ψηφιακό γραφείο", "summary": "Σύντομα"}).status_code == 302
    db.session.expire_all()
    challenge = by_slug(slug)
    assert challenge.criteria[0].anchors == {"0": {"pl": "Brak"}, "10": {"pl": "Ogromny"}}
    assert challenge.prizes[0].currency == "EUR" and challenge.title["el"] == "Ψηφιακό γραφείο"
    assert "ψηφιακό" in challenge.search_text

    assert officer.post(f"/challenges/{slug}/submit").status_code == 302
    db.session.expire_all()
    assert by_slug(slug).status == IN_REVIEW
    # Locked while in review: refused with the reason, on the form that keeps what was typed.
    refused = officer.post(f"/challenges/{slug}/stages", data={"name": "Etap X", "opens_at": "2030-05-01T09:00", "closes_at": "2030-06-01T09:00"})
    assert refused.status_code == 409
    assert "Etap X" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert len(by_slug(slug).stages) == 1

    admin = client_for("admin")
    assert admin.get("/challenges/review").status_code == 200
    assert slug in admin.get("/challenges/review").get_data(as_text=True)
    assert admin.post(f"/challenges/{slug}/request-changes", data={"comment": "Dodaj opis"}).status_code == 302
    db.session.expire_all()
    assert by_slug(slug).status == CHANGES_REQUESTED
    assert "Dodaj opis" in officer.get(f"/challenges/{slug}").get_data(as_text=True)
    officer.post(f"/challenges/{slug}/submit")
    assert admin.post(f"/challenges/{slug}/approve").status_code == 302
    db.session.expire_all()
    assert by_slug(slug).status == APPROVED and by_slug(slug).state == PUBLISHED
    assert {"challenge.created", "challenge.submitted_for_review", "challenge.changes_requested", "challenge.approved"} <= set(_actions())
    # Public now.
    assert client_for("anonymous").get(f"/challenges/{slug}").status_code == 200


def test_published_material_change_is_audited_and_announced(app, people, login_as):
    challenge = factories.make_challenge(host=people["ministry"], opens_in_days=-1, closes_in_days=10)
    follower = factories.make_user(language="el")
    operations.follow(follower, challenge)
    db.session.commit()
    officer = login_as(people["officer"])
    data = dict(BASE, main_language="en", title="New title", summary="New summary", version=str(challenge.version))
    data.pop("host")
    assert officer.post(f"/challenges/{challenge.slug}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert by_slug(challenge.slug).title["en"] == "New title"
    assert "challenge.changed" in _actions()
    jobs = db.session.execute(sa.select(OutboxJob).where(OutboxJob.function.like("%email_follower"))).scalars().all()
    assert [j.args[0] for j in jobs] == [follower.id]


def test_stale_edit_is_refused_without_losing_text(app, people, login_as):
    challenge = factories.make_challenge(host=people["ministry"], status=DRAFT)
    db.session.commit()
    officer = login_as(people["officer"])
    data = dict(BASE, main_language="en", title="Mine", summary="S", version="999")
    data.pop("host")
    response = officer.post(f"/challenges/{challenge.slug}/edit", data=data)
    assert response.status_code == 400
    assert "Mine" in response.get_data(as_text=True)


def test_bad_input_is_refused_with_messages(app, people, client_for):
    officer = client_for("officer")
    for changes, message in [
        ({"main_language": "xx"}, "Choose a language"),
        ({"timezone": "Mars/Olympus"}, "Choose a time zone"),
        ({"countries_mode": "list", "countries": ["PL", "ZZ"]}, "Unknown country code"),
        ({"team_min": "5", "team_max": "2"}, "cannot be smaller"),
        ({"title": ""}, "This field is required"),
    ]:
        response = _create(officer, people, **changes)
        assert response.status_code == 400, changes
        assert message in response.get_data(as_text=True), changes
    assert db.session.execute(sa.select(sa.func.count(Challenge.id))).scalar() == 0

    challenge = factories.make_challenge(host=people["ministry"], status=DRAFT, criteria=0)
    challenge.stages.clear()
    db.session.commit()
    slug = challenge.slug
    bad = [
        ("stages", {"name": "S", "opens_at": "2030-05-01T09:00", "closes_at": "2030-04-01T09:00"}, "close after it opens"),
        ("stages", {"name": "S", "opens_at": "nonsense", "closes_at": "2030-04-01T09:00"}, "Give the date as day, month and year"),
        ("stages", {"name": "S", "opens_at-day": "31", "opens_at-month": "2", "opens_at-year": "2030", "opens_at-time": "09:00",
                    "closes_at": "2030-04-01T09:00"}, "This date or time does not exist"),
        ("stages", {"name": "S", "opens_at-day": "1", "opens_at-month": "3", "opens_at-year": "30", "opens_at-time": "09:00",
                    "closes_at": "2030-04-01T09:00"}, "four figures"),
        ("stages", {"name": "S", "opens_at-day": "1", "opens_at-month": "3", "opens_at-year": "2030", "opens_at-time": "",
                    "closes_at": "2030-04-01T09:00"}, "Give the time"),
        ("stages", {"name": "S", "opens_at-day": "1", "opens_at-month": "", "opens_at-year": "2030", "opens_at-time": "9:00",
                    "closes_at": "2030-04-01T09:00"}, "Give the day, the month and the year"),
        ("stages", {"name": "S", "opens_at-day": "1", "opens_at-month": "x", "opens_at-year": "2030", "opens_at-time": "9:00",
                    "closes_at": "2030-04-01T09:00"}, "in figures"),
        ("criteria", {"name": "C", "weight": "0", "scale_min": "0", "scale_max": "10", "round_number": "1"}, "greater than zero"),
        ("criteria", {"name": "C", "weight": "-2", "scale_min": "0", "scale_max": "10", "round_number": "1"}, "greater than zero"),
        ("criteria", {"name": "C", "weight": "1", "scale_min": "5", "scale_max": "5", "round_number": "1"}, "must be below"),
        ("criteria", {"name": "C", "weight": "1", "scale_min": "0", "scale_max": "5", "anchors": "9: Too high", "round_number": "1"}, "not on the scale"),
        ("prizes", {"name": "P", "amount": "100", "currency": "XYZ"}, "ISO 4217"),
        ("prizes", {"name": "P", "amount": "100", "currency": ""}, "Give the currency"),
        ("translations", {"language": "zz", "title": "T", "summary": "S"}, "Choose a language"),
    ]
    for page, data, message in bad:
        response = officer.post(f"/challenges/{slug}/{page}", data=data)
        assert response.status_code == 400, (page, data)
        assert message in response.get_data(as_text=True), (page, data)
    db.session.expire_all()
    challenge = by_slug(slug)
    assert challenge.stages == [] and challenge.criteria == [] and challenge.prizes == []


def test_script_in_description_is_cleaned(app, people, client_for):
    challenge = factories.make_challenge(host=people["ministry"])
    challenge.description = {"en": "Hi <script>alert(1)</script> **bold** [x](javascript:alert(2))"}
    db.session.commit()
    body = client_for("anonymous").get(f"/challenges/{challenge.slug}").get_data(as_text=True)
    assert "<script>alert" not in body, body[body.find("<script>alert") - 300:body.find("<script>alert") + 50]
    assert "href=\"javascript:" not in body and "<strong>bold</strong>" in body


def test_attachments_type_by_content_and_size_limit(make_app, backend):
    app = make_app(MAX_ATTACHMENT_MB=1)
    with app.app_context():
        officer_user = factories.make_user()
        body = factories.make_public_body(officer=officer_user)
        challenge = factories.make_challenge(host=body, status=DRAFT)
        db.session.commit()
        from tests.conftest import login

        officer = login(app.test_client(), officer_user)
        url = f"/challenges/{challenge.slug}/attachments"
        ok = officer.post(url, data={"title": "Terms", "file": (io.BytesIO(b"%PDF-1.4 terms"), "terms.pdf")}, content_type="multipart/form-data")
        assert ok.status_code == 302
        disguised = officer.post(url, data={"title": "Fake", "file": (io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 50), "annex.pdf")}, content_type="multipart/form-data")
        assert disguised.status_code == 400 and "read from the file" in disguised.get_data(as_text=True)
        big = officer.post(url, data={"title": "Big", "file": (io.BytesIO(b"%PDF-" + b"a" * (1024 * 1024 + 10)), "big.pdf")}, content_type="multipart/form-data")
        assert big.status_code == 400 and "larger than the limit" in big.get_data(as_text=True)
        db.session.expire_all()
        challenge = by_slug(challenge.slug)
        assert [a.mime_type for a in challenge.attachments] == ["application/pdf"]
        download = app.test_client().get(f"/challenges/{challenge.slug}/attachments/{challenge.attachments[0].id}")
        assert download.status_code == 302 and download.headers["Location"].startswith("/login?next=")  # a draft is not public
        download = officer.get(f"/challenges/{challenge.slug}/attachments/{challenge.attachments[0].id}")
        assert download.data.startswith(b"%PDF") and download.headers["X-Content-Type-Options"] == "nosniff"


def test_cohost_invitation_accept_and_decline(app, people, login_as):
    challenge = factories.make_challenge(host=people["ministry"], status=DRAFT)
    greek_officer = factories.make_user(language="el", country="GR")
    greek = factories.make_public_body(country="GR", officer=greek_officer)
    leipzig_officer = factories.make_user(language="de", country="DE")
    leipzig = factories.make_public_body(country="DE", officer=leipzig_officer)
    unverified = factories.make_public_body(country="FR", verified=False)
    db.session.commit()
    officer = login_as(people["officer"])
    assert officer.post(f"/challenges/{challenge.slug}/hosts", data={"organisation": greek.id}).status_code == 302
    assert officer.post(f"/challenges/{challenge.slug}/hosts", data={"organisation": leipzig.id}).status_code == 302
    assert officer.post(f"/challenges/{challenge.slug}/hosts", data={"organisation": unverified.id}).status_code == 400
    db.session.expire_all()
    hosts = {h.organisation_id: h for h in by_slug(challenge.slug).hosts}
    assert hosts[greek.id].state == "invited"
    assert db.session.execute(sa.select(OutboxJob).where(OutboxJob.function.like("%email_cohost_invitation"))).scalars().all()
    greek_client = login_as(greek_officer)
    assert greek_client.get(f"/challenges/{challenge.slug}").status_code == 200  # invited bodies see the draft
    assert greek_client.get(f"/challenges/{challenge.slug}/edit").status_code == 403  # not before accepting
    # The wrong body cannot answer another's invitation.
    assert greek_client.post(f"/challenges/{challenge.slug}/hosts/{hosts[leipzig.id].id}/accept").status_code == 403
    assert greek_client.post(f"/challenges/{challenge.slug}/hosts/{hosts[greek.id].id}/accept").status_code == 302
    assert login_as(leipzig_officer).post(f"/challenges/{challenge.slug}/hosts/{hosts[leipzig.id].id}/decline").status_code == 302
    db.session.expire_all()
    hosts = {h.organisation_id: h for h in by_slug(challenge.slug).hosts}
    assert hosts[greek.id].state == ACCEPTED and hosts[leipzig.id].state == DECLINED
    assert greek_client.get(f"/challenges/{challenge.slug}/edit").status_code == 200
    assert greek_client.post(f"/challenges/{challenge.slug}/hosts/{hosts[greek.id].id}/accept").status_code == 403  # answered
    # A body that declined may be asked again; one that accepted may not be invited twice.
    assert officer.post(f"/challenges/{challenge.slug}/hosts", data={"organisation": leipzig.id}).status_code == 302
    assert officer.post(f"/challenges/{challenge.slug}/hosts", data={"organisation": greek.id}).status_code in (302, 400)
    db.session.expire_all()
    hosts = {h.organisation_id: h for h in by_slug(challenge.slug).hosts}
    assert hosts[leipzig.id].state == "invited" and hosts[greek.id].state == ACCEPTED and len(hosts) == 3


def test_states_follow_the_clock(app, people):
    import datetime

    import time_machine

    challenge = factories.make_challenge(host=people["ministry"], opens_in_days=2, closes_in_days=5)
    db.session.commit()
    assert challenge.state == PUBLISHED
    start = datetime.datetime.now(datetime.timezone.utc)
    with time_machine.travel(start + datetime.timedelta(days=3)):
        assert challenge.state == OPEN
    with time_machine.travel(start + datetime.timedelta(days=6)):
        assert challenge.state == "closed"
        operations.set_status(challenge, IN_EVALUATION, people["admin"])
        assert challenge.state == IN_EVALUATION
    challenge.status = APPROVED
    challenge.publish_at = start + datetime.timedelta(days=1)
    assert challenge.state == SCHEDULED


def test_set_status_refuses_wrong_transitions(app, people):
    draft = factories.make_challenge(host=people["ministry"], status=DRAFT)
    open_ = factories.make_challenge(host=people["ministry"])
    for challenge, status in ((draft, IN_EVALUATION), (open_, IN_EVALUATION), (draft, "results_published"), (open_, "draft")):
        try:
            operations.set_status(challenge, status, people["admin"])
        except operations.ChallengeError:
            pass
        else:
            raise AssertionError((challenge.status, status))
    closed = factories.make_challenge(host=people["ministry"], opens_in_days=-10, closes_in_days=-1)
    operations.set_status(closed, IN_EVALUATION, people["admin"])
    operations.set_status(closed, "results_published", people["admin"])
    operations.set_status(closed, "archived", people["admin"])
    assert closed.status == "archived"
    assert _actions().count("challenge.status_changed") == 3


def test_translation_covers_stages_criteria_prizes_and_anchors(app, people, login_as):
    challenge = factories.make_challenge(host=people["ministry"], status=DRAFT, criteria=1)
    challenge.criteria[0].anchors = {"0": {"en": "Absent"}, "10": {"en": "Excellent"}}
    from govchallenge.challenges.models import Prize

    challenge.prizes.append(Prize(name={"en": "First"}, place=1))
    db.session.commit()
    stage, criterion, prize = challenge.stages[0], challenge.criteria[0], challenge.prizes[0]
    officer = login_as(people["officer"])
    form = officer.get(f"/challenges/{challenge.slug}/translations?language=el").get_data(as_text=True)
    assert f'name="criterion-{criterion.id}-anchor-10"' in form
    response = officer.post(f"/challenges/{challenge.slug}/translations", data={
        "language": "el", "title": "Τίτλος", "summary": "Περίληψη",
        f"stage-{stage.id}-name": "Αιτήσεις", f"criterion-{criterion.id}-name": "Αντίκτυπος",
        f"criterion-{criterion.id}-anchor-10": "Εξαιρετικό", f"prize-{prize.id}-name": "Πρώτο",
    })
    assert response.status_code == 302
    db.session.expire_all()
    challenge = by_slug(challenge.slug)
    assert challenge.stages[0].name == {"en": "Stage 1", "el": "Αιτήσεις"}
    assert challenge.criteria[0].anchors == {"0": {"en": "Absent"}, "10": {"en": "Excellent", "el": "Εξαιρετικό"}}
    assert challenge.prizes[0].name["el"] == "Πρώτο"
    greek = factories.make_user(language="el")
    db.session.commit()
    page = login_as(greek).get(f"/challenges/{challenge.slug}")
    assert page.status_code == 404  # a draft
    challenge.status = "approved"
    db.session.commit()
    body = login_as(greek).get(f"/challenges/{challenge.slug}").get_data(as_text=True)
    assert "Αιτήσεις" in body and "Εξαιρετικό" in body and "Πρώτο" in body


def test_a_new_challenge_ranks_by_the_recommended_model_and_an_existing_one_keeps_its_method(app, people, client_for):
    officer = client_for("officer")
    page = officer.get("/challenges/new").get_data(as_text=True)
    assert '<option selected value="model">' in page or 'value="model" selected' in page
    assert _create(officer, people, calibration="model").status_code == 302
    assert _create(officer, people, title="Stare zasady", calibration="offset").status_code == 302
    methods = {c.title["pl"]: c.calibration for c in db.session.execute(sa.select(Challenge)).scalars()}
    assert methods == {"Cyfrowy urząd": "model", "Stare zasady": "offset"}
    # the default is the application's only: the database column has none, so stored challenges keep theirs
    assert Challenge.__table__.c.calibration.default.arg == "model"
    assert Challenge.__table__.c.calibration.server_default is None


def test_the_recommended_model_refuses_another_aggregation_than_the_mean(app, people, client_for):
    response = _create(client_for("officer"), people, calibration="model", aggregation="median")
    assert response.status_code in (200, 400)  # the form again, with its error
    assert "combines reviews by their mean" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(Challenge)).first() is None
