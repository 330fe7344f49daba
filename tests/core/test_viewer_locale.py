"""Language and numbers in the viewer's terms: an anonymous visitor's choice of language outlives the browser
session; numbers, scores and weights are written the viewer's way, on pages and in e-mails; a challenge's
sub-pages carry its name in their title; a page showing a form's errors says so first in its title."""
import re

import pytest
from flask import render_template_string
from flask_babel import force_locale

from govchallenge.core.i18n import LANGUAGE_COOKIE
from govchallenge.core.templating import format_number
from govchallenge.extensions import db
from tests.conftest import login
from tests.support import factories


def _lang(response):
    return re.search(r'<html lang="(\w+)">', response.get_data(as_text=True)).group(1)


def test_an_anonymous_choice_of_language_outlives_the_session(app, client):
    response = client.post("/language", data={"language": "el", "next": "/"})
    cookie = client.get_cookie(LANGUAGE_COOKIE)
    assert cookie is not None and cookie.value == "el"
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(LANGUAGE_COOKIE))
    assert "Max-Age=31536000" in header and "HttpOnly" in header and "SameSite=Lax" in header
    fresh = app.test_client()  # a new browser session: no session cookie, only the language cookie
    fresh.set_cookie(LANGUAGE_COOKIE, "el")
    assert _lang(fresh.get("/", headers={"Accept-Language": "pl"})) == "el"


@pytest.mark.parametrize("value", ["xx", "", "el; Path=/", "<script>"])
def test_a_cookie_naming_no_interface_language_is_ignored(app, value):
    client = app.test_client()
    client.set_cookie(LANGUAGE_COOKIE, value)
    assert _lang(client.get("/", headers={"Accept-Language": "de"})) == "de"


def test_a_refused_switch_sets_no_cookie(client):
    client.post("/language", data={"language": "xx"})
    assert client.get_cookie(LANGUAGE_COOKIE) is None


def test_a_signed_in_persons_account_language_beats_the_cookie(app, people):
    client = login(app.test_client(), people["participant"])  # language "en"
    client.set_cookie(LANGUAGE_COOKIE, "el")
    assert _lang(client.get("/")) == "en"


@pytest.mark.parametrize("language, value, places, expected", [
    ("en", 1234.5, 2, "1,234.50"), ("pl", 1234.5, 2, "1\u00a0234,50"), ("de", 1234.5, 2, "1.234,50"),
    ("fr", 1234.5, 2, "1\u202f234,50"), ("el", 72.125, 2, "72,12"), ("en", 1.5, None, "1.5"), ("de", 1.5, None, "1,5"),
    ("de", 2.0, None, "2"), ("pl", 0.333333, None, "0,333"), ("en", 3, None, "3"), ("de", 7.25, 1, "7,2"),
])
def test_numbers_are_written_the_viewers_way(app, language, value, places, expected):
    with app.test_request_context(), force_locale(language):
        assert format_number(value, places) == expected


@pytest.mark.parametrize("value", [None, "—", True, float("nan")])
def test_what_is_not_a_number_is_left_as_it_is(app, value):
    with app.test_request_context():
        shown = format_number(value, 2)
    assert shown == ("" if value is None else value if not isinstance(value, float) else "nan")


def test_a_weight_on_the_challenge_page_is_in_the_viewers_locale(app, client):
    challenge = factories.make_challenge()
    challenge.criteria[0].weight = 1.5
    db.session.commit()
    client.post("/language", data={"language": "de"})
    html = client.get(f"/challenges/{challenge.slug}").get_data(as_text=True)
    assert "<td>1,5</td>" in html and "<td>1.5</td>" not in html


def test_the_participants_results_mail_writes_the_score_the_recipients_way(app):
    with app.test_request_context(), force_locale("pl"):
        text = render_template_string('{{ 83.456|number(2) }} / {{ "%.2f"|format(83.456) }}')
    assert text.startswith("83,46 /")


def test_challenge_sub_pages_carry_the_challenges_name_in_their_title(app, people):
    challenge = factories.make_challenge(host=people["ministry"], status="draft", title={"en": "Smart bins for Łódź"})
    db.session.commit()
    client = login(app.test_client(), people["officer"])
    for page in ("stages", "criteria", "prizes", "attachments", "translations", "hosts", "history", "edit"):
        html = client.get(f"/challenges/{challenge.slug}/{page}").get_data(as_text=True)
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert "Smart bins for Łódź" in title, (page, title)


def test_after_a_failed_submit_the_title_says_error_and_the_summary_takes_the_focus(client):
    response = client.post("/register", data={"name": "", "email": "not an address"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r"<title>Error: Create an account", html)
    assert re.search(r'<div class="error-summary"[^>]*\bautofocus\b', html) and "js/error-summary.js" in html
    assert not client.get("/register").get_data(as_text=True).count("Error:")


def test_the_error_prefix_is_translated(client):
    client.post("/language", data={"language": "pl"})
    html = client.post("/register", data={"name": ""}).get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert not title.startswith("Error:") and title.split()[0].endswith(":")


def test_a_favicon_is_served_by_the_app(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)
    assert client.get("/static/favicon.svg").status_code == 200
