"""The legal and help pages: everyone reads them, in every language, from the footer of every page; the
facts they state come from the code and the settings."""
import email
import email.policy

import pytest
import sqlalchemy as sa

from govchallenge.core.languages import INTERFACE_LANGUAGES
from govchallenge.extensions import db
from govchallenge.legal.limitations import KNOWN_LIMITATIONS
from govchallenge.legal.models import LegalSettings, LegalText

PATHS = ("/accessibility", "/privacy", "/cookies", "/contact")


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("language", list(INTERFACE_LANGUAGES))
def test_every_page_reads_in_every_language_without_signing_in(client, path, language):
    response = client.get(path, headers={"Accept-Language": language})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html and f'<div class="prose legal-text" lang="{language}">' in html
    assert "is not available in your language" not in html


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/organisations/", "/no/such/page", *PATHS])
def test_every_page_links_the_four_pages_from_its_footer(client, path):
    html = client.get(path).get_data(as_text=True)
    footer = html[html.index('<footer class="site-footer">'):]
    for target in PATHS:
        assert f'href="{target}"' in footer


def test_the_registration_form_links_the_privacy_notice(client):
    html = client.get("/register").get_data(as_text=True)
    form = html[html.index("<form method=\"post\" class=\"form\""):html.index("</form>", html.index('class="form"'))]
    assert '<a href="/privacy">' in form


def test_the_defaults_are_written_in_each_language(client):
    texts = {code: client.get("/cookies", headers={"Accept-Language": code}).get_data(as_text=True)
             for code in INTERFACE_LANGUAGES}
    first_paragraphs = {code: html.split('legal-text" lang=', 1)[1].split(">", 1)[1].split("</p>", 1)[0] for code, html in texts.items()}
    assert len(set(first_paragraphs.values())) == len(INTERFACE_LANGUAGES)


def test_the_accessibility_statement_lists_the_known_limitations_and_the_review_date(client, app):
    html = client.get("/accessibility").get_data(as_text=True)
    with app.test_request_context():
        for limitation in KNOWN_LIMITATIONS:
            assert str(limitation.text) in html
    assert "This list was last reviewed on 2 December 2026." in html
    assert "partially compliant" in html
    assert "the operator has not named it yet" in html


def test_the_operators_details_appear_where_the_model_statement_wants_them(client, app):
    db.session.add(LegalSettings(
        id=1, operator_name="Ministerstwo Cyfryzacji", operator_address="ul. Królewska 27, Warszawa",
        contact_email="dostepnosc@cyfra.gov.pl", protection_officer_email="iod@cyfra.gov.pl",
        enforcement_name="Rzecznik Praw Obywatelskich", enforcement_url="https://bip.brpo.gov.pl/",
        supervisory_name="Prezes UODO", supervisory_url="https://uodo.gov.pl/", conformance="full",
    ))
    db.session.commit()
    statement = client.get("/accessibility").get_data(as_text=True)
    assert "Ministerstwo Cyfryzacji is committed" in statement and "fully compliant" in statement
    assert '<a href="https://bip.brpo.gov.pl/">Rzecznik Praw Obywatelskich</a>' in statement
    assert '<a href="mailto:dostepnosc@cyfra.gov.pl">' in statement
    privacy = client.get("/privacy").get_data(as_text=True)
    assert "The controller of your personal data is Ministerstwo Cyfryzacji." in privacy
    assert '<a href="mailto:iod@cyfra.gov.pl">' in privacy and '<a href="https://uodo.gov.pl/">Prezes UODO</a>' in privacy


def test_retention_periods_follow_the_settings(make_app):
    app = make_app(TOKEN_MAX_AGE_SECONDS=72 * 3600, LOGIN_ACCOUNT_LIMIT="20 per 30 hours", MAIL_RETRY_HOURS=6)
    with app.app_context():
        html = app.test_client().get("/privacy").get_data(as_text=True)
    assert "Valid for 72 hours" in html and "At most 30 hours" in html and "Up to 6 hours" in html
    assert "365 days" in html
    with make_app().app_context() as context:
        assert "At most 24 hours" in context.app.test_client().get("/privacy").get_data(as_text=True)  # a day of notices


def test_the_privacy_notice_names_the_mail_service_and_the_webhooks(make_app):
    app = make_app(MAIL_SERVER="smtp.example.eu")
    with app.app_context():
        html = app.test_client().get("/privacy").get_data(as_text=True)
    assert "(smtp.example.eu)" in html and "webhook" in html


def test_the_privacy_notice_links_the_personal_data_pages_when_a_domain_offers_them(make_app):
    from govchallenge.core.registry import NavLink, registry

    app = make_app()
    with app.app_context():
        assert "Your data</a>" not in app.test_client().get("/privacy").get_data(as_text=True)
        registry(app).add("personal_data_pages", NavLink("accounts.profile", "Your data", 1))
        html = app.test_client().get("/privacy").get_data(as_text=True)
    assert '<li><a href="/account">Your data</a></li>' in html


def test_the_privacy_notice_links_where_a_person_gets_or_erases_their_data(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert '<li><a href="/my-data">Your data: download or erase it</a></li>' in html


def test_an_operator_text_missing_in_a_language_falls_back_to_english_and_says_so(client, app):
    db.session.add(LegalText(page="contact", body={"en": "Call **us**.", "pl": "Zadzwoń do nas.", "de": "Rufen Sie an."}))
    db.session.commit()
    polish = client.get("/contact", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert "Zadzwoń do nas." in polish and "is not available" not in polish
    greek = client.get("/contact", headers={"Accept-Language": "el"}).get_data(as_text=True)
    assert '<div class="prose legal-text" lang="en"><p>Call <strong>us</strong>.</p>' in greek
    assert '<p class="notice" role="note">' in greek


def test_operator_markdown_is_cleaned(client, app):
    db.session.add(LegalText(page="privacy", body={"en": "<script>alert(1)</script>[x](javascript:alert(1))"}))
    db.session.commit()
    html = client.get("/privacy").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html and 'href="javascript' not in html


# --- the contact form ---------------------------------------------------------------------------------------

MESSAGE = {"name": "Zoë Ŵilliams", "email": "zoe@example.ie", "message": "The <b>results</b> page is hard to read."}


def _with_contact_address():
    db.session.add(LegalSettings(id=1, operator_name="Digital Ireland", operator_address="", contact_email="help@digital.ie",
                                 protection_officer_email="", enforcement_name="", enforcement_url="",
                                 supervisory_name="", supervisory_url="", conformance="partial"))
    db.session.commit()


def _mails(app):
    from pathlib import Path

    return sorted(Path(app.config["MAIL_FILE_DIR"]).glob("*.eml"))


def test_a_message_from_the_contact_form_reaches_the_operator_by_a_job(client, app):
    from govchallenge.jobs.models import OutboxJob

    _with_contact_address()
    response = client.post("/contact", data=MESSAGE, headers={"Accept-Language": "pl"})
    assert response.status_code == 302 and response.headers["Location"] == "/contact"
    [job] = db.session.execute(sa.select(OutboxJob)).scalars().all()
    assert job.function == "govchallenge.legal.jobs.send_contact_message" and job.state == "done"
    [sent] = _mails(app)
    message = email.message_from_bytes(sent.read_bytes(), policy=email.policy.default)
    assert message["To"] == "help@digital.ie" and message["Subject"] == "A message from the contact page"
    text = message.get_body(("plain",)).get_content()
    assert "Zoë Ŵilliams (zoe@example.ie) wrote through the contact page, in Polish:" in text
    assert "The <b>results</b> page is hard to read." in text
    html = message.get_body(("html",)).get_content()
    assert "The &lt;b&gt;results&lt;/b&gt; page" in html  # the HTML part escapes what the visitor typed


def test_without_an_operator_address_there_is_no_form(client, app):
    assert 'name="message"' not in client.get("/contact").get_data(as_text=True)
    assert client.post("/contact", data=MESSAGE).status_code == 404
    assert _mails(app) == []


@pytest.mark.parametrize("field, value", [("name", ""), ("email", "not-an-address"), ("message", "   "),
                                          ("message", "x" * 5001), ("name", "n" * 201)])
def test_a_bad_contact_message_is_a_form_error_and_sends_nothing(client, app, field, value):
    _with_contact_address()
    response = client.post("/contact", data={**MESSAGE, field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="error-summary"' in html
    assert "zoe@example.ie" in html or field == "email"  # what was typed comes back
    assert _mails(app) == []


def test_the_contact_form_is_rate_limited(client, app):
    _with_contact_address()
    statuses = [client.post("/contact", data=MESSAGE).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert len(_mails(app)) == 3


def test_the_contact_form_needs_the_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        _with_contact_address()
        assert app.test_client().post("/contact", data=MESSAGE).status_code == 400
        assert _mails(app) == []


def test_the_demo_fills_every_detail_of_the_operator_once(app):
    from govchallenge.demo import USERS, ensure_user
    from govchallenge.legal.demo import add_demo

    users = {row[0]: ensure_user(*row[:5]) for row in USERS}
    add_demo(users)
    add_demo(users)
    db.session.commit()
    [row] = db.session.execute(sa.select(LegalSettings)).scalars().all()
    assert all(getattr(row, name) for name in ("operator_name", "operator_address", "contact_email",
                                               "protection_officer_email", "enforcement_name", "enforcement_url",
                                               "supervisory_name", "supervisory_url", "statement_prepared_on"))
