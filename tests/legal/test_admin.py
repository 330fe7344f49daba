"""Only admins edit the legal pages; every edit is audited; bad input is a form error and changes nothing."""
import pytest
import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.legal.models import LegalSettings, LegalText, text_row
from govchallenge.legal.pages import MAX_TEXT_LENGTH

EDIT_PATHS = ("/admin/legal", "/admin/legal/accessibility", "/admin/legal/privacy", "/admin/legal/cookies",
              "/admin/legal/contact")
SETTINGS = {
    "operator_name": "Δήμος Αθηναίων", "operator_address": "Αθηνάς 63, Αθήνα", "contact_email": "help@cityofathens.gr",
    "protection_officer_email": "dpo@cityofathens.gr", "enforcement_name": "Υπουργείο Ψηφιακής Διακυβέρνησης",
    "enforcement_url": "https://mindigital.gr/", "supervisory_name": "Αρχή Προστασίας Δεδομένων",
    "supervisory_url": "https://www.dpa.gr/", "conformance": "partial", "statement_prepared_on": "2026-11-30",
}


def _events(action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


@pytest.mark.parametrize("path", EDIT_PATHS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_people_are_sent_to_sign_in(client, path, method):
    response = getattr(client, method)(path, data={"text_en": "x"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["participant", "officer", "member"])
@pytest.mark.parametrize("path", EDIT_PATHS)
def test_people_other_than_admins_may_not_edit(client_for, role, path):
    client = client_for(role)
    assert client.get(path).status_code == 403
    assert client.post(path, data={"text_en": "Hijacked", **SETTINGS}).status_code == 403
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count()).select_from(LegalText)).scalar() == 0
    assert db.session.get(LegalSettings, 1) is None


def test_the_edit_form_starts_from_the_default_in_every_language(client_for):
    html = client_for("admin").get("/admin/legal/cookies").get_data(as_text=True)
    assert "The platform sets only the cookies it needs to work." in html
    assert "Platforma ustawia tylko" in html and "Η πλατφόρμα" in html and "Die Plattform setzt" in html
    assert "La plateforme" in html


def test_an_admin_edits_a_page_and_the_edit_is_audited(client_for, client, people):
    admin = client_for("admin")
    response = admin.post("/admin/legal/contact", data={"text_en": "Ring **0800 123**.", "text_pl": "Zadzwoń.",
                                                        "text_el": "", "text_de": "", "text_fr": ""})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/legal/contact"
    db.session.expire_all()
    assert text_row("contact").body == {"en": "Ring **0800 123**.", "pl": "Zadzwoń."}
    [event] = _events("legal.text_saved")
    assert event.actor_id == people["admin"].id and event.object_id == "contact"
    assert event.detail["changed"] == ["en", "pl"] and event.detail["first"] is True
    assert "<strong>0800 123</strong>" in client.get("/contact").get_data(as_text=True)
    admin.post("/admin/legal/contact", data={"text_en": "Ring **0800 123**.", "text_pl": "Zadzwoń teraz."})
    db.session.expire_all()
    assert [e.detail["changed"] for e in _events("legal.text_saved")][-1] == ["pl"]


@pytest.mark.parametrize("english", ["", "   \n  ", "x" * (MAX_TEXT_LENGTH + 1)])
def test_an_empty_or_overlong_english_text_is_a_form_error_and_keeps_the_page(client_for, english):
    response = client_for("admin").post("/admin/legal/privacy", data={"text_en": english, "text_pl": "Zostaje."})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="error-summary"' in html and 'aria-invalid="true"' in html
    assert "Zostaje." in html  # what was typed comes back
    db.session.expire_all()
    assert text_row("privacy") is None and _events("legal.text_saved") == []


def test_an_overlong_text_in_another_language_is_a_form_error(client_for):
    response = client_for("admin").post("/admin/legal/privacy", data={"text_en": "Fine.", "text_fr": "é" * (MAX_TEXT_LENGTH + 1)})
    assert response.status_code == 400
    db.session.expire_all()
    assert text_row("privacy") is None


def test_an_unknown_page_is_not_found(client_for):
    assert client_for("admin").get("/admin/legal/terms").status_code == 404


def test_an_admin_sets_the_operators_details_and_the_change_is_audited(client_for, client, people):
    admin = client_for("admin")
    assert admin.get("/admin/legal").status_code == 200
    response = admin.post("/admin/legal", data=SETTINGS)
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(LegalSettings, 1)
    assert row.operator_name == "Δήμος Αθηναίων" and row.statement_prepared_on.isoformat() == "2026-11-30"
    [event] = _events("legal.settings_saved")
    assert event.actor_id == people["admin"].id and "operator_name" in event.detail["changed"]
    statement = client.get("/accessibility").get_data(as_text=True)
    assert "30 November 2026" in statement and '<a href="https://mindigital.gr/">' in statement


@pytest.mark.parametrize("field, value", [
    ("operator_name", ""), ("operator_name", "x" * 201), ("contact_email", ""), ("contact_email", "not-an-address"),
    ("enforcement_url", "javascript:alert(1)"), ("supervisory_url", "ftp://dpa.gr/"), ("conformance", "mostly"),
    ("statement_prepared_on", "1066-10-14"), ("statement_prepared_on", "yesterday"),
])
def test_bad_operator_details_are_form_errors(client_for, field, value):
    response = client_for("admin").post("/admin/legal", data={**SETTINGS, field: value})
    assert response.status_code == 400 and 'id="error-summary"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(LegalSettings, 1) is None and _events("legal.settings_saved") == []


def test_the_edit_forms_need_the_csrf_token(make_app, people):
    from tests.conftest import login

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        assert client.post("/login", data={"email": "admin@platform.eu", "password": __import__(
            "tests.support.factories", fromlist=["PASSWORD"]).PASSWORD, "csrf_token": token}).status_code == 302
        assert client.post("/admin/legal/contact", data={"text_en": "No token."}).status_code == 400
        db.session.expire_all()
        assert text_row("contact") is None
