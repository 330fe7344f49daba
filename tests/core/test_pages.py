import re
from datetime import datetime, timezone

import pytest
from flask import render_template_string

from govchallenge.core.templating import format_moment


def test_home_page_has_landmarks_skip_link_and_language_switcher(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="#main"' in html and '<main id="main"' in html
    assert "<header" in html and "<footer" in html and "<nav" in html
    assert 'id="language-switcher"' in html and '<label for="language-switcher">' in html


@pytest.mark.parametrize("accept, lang", [("pl-PL,pl;q=0.9", "pl"), ("el", "el"), ("de-DE", "de"), ("ja", "en"), ("", "en")])
def test_the_interface_language_follows_the_browser(client, accept, lang):
    html = client.get("/", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html


def test_the_language_switcher_overrides_the_browser(client):
    response = client.post("/language", data={"language": "el", "next": "/organisations/"})
    assert response.status_code == 302 and response.headers["Location"] == "/organisations/"
    assert '<html lang="el">' in client.get("/", headers={"Accept-Language": "pl"}).get_data(as_text=True)


def test_the_language_switcher_never_redirects_off_site(client):
    response = client.post("/language", data={"language": "pl", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_the_user_choice_beats_the_session(client_for, people):
    client = client_for("participant")  # language "en"
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "el"}).get_data(as_text=True)


@pytest.mark.parametrize("path, code", [("/no/such/page", 404), ("/admin/", 302)])
def test_error_pages(client, path, code):
    assert client.get(path).status_code == code


def test_not_found_speaks_the_visitors_language(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "pl"})
    assert response.status_code == 404
    assert '<html lang="pl">' in response.get_data(as_text=True)


def test_api_errors_answer_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404 and response.json["error"]["message"]


def test_forbidden_page(client_for):
    response = client_for("participant").get("/admin/")
    assert response.status_code == 403
    assert "You may not see this page" in response.get_data(as_text=True)


def test_an_unexpected_error_gives_the_500_page_and_rolls_back(app):
    @app.route("/boom")
    def boom():
        raise ZeroDivisionError

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)


def test_method_not_allowed(client):
    assert client.get("/logout").status_code == 405


def test_static_assets_are_served_by_the_app_and_pages_load_nothing_from_outside(client):
    html = client.get("/").get_data(as_text=True)
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []
    assert client.get("/static/css/app.css").status_code == 200


def test_moments_are_shown_in_the_viewers_zone_with_the_zone_named(app):
    moment = datetime(2026, 3, 31, 21, 59, tzinfo=timezone.utc)
    with app.test_request_context():
        assert format_moment(moment, "Europe/Warsaw").endswith("23:59:00 CEST (Europe/Warsaw)")
        assert format_moment(moment, "Europe/Athens").endswith("00:59:00 EEST (Europe/Athens)")
        assert format_moment(moment, "UTC").endswith("21:59:00 UTC")
        html = render_template_string("{{ m|moment('Europe/Lisbon') }}", m=moment)
        assert 'datetime="2026-03-31T21:59:00+00:00"' in html and "WEST (Europe/Lisbon)" in html


# Every state-changing route refuses a form without the CSRF token.
POST_ROUTES = ["/register", "/login", "/logout", "/reset", "/language", "/organisations/new", "/account", "/account/password"]


@pytest.mark.parametrize("path", POST_ROUTES)
def test_every_form_is_csrf_protected(make_app, path):
    app = make_app(WTF_CSRF_ENABLED=True)
    response = app.test_client().post(path, data={"email": "a@b.eu", "password": "x" * 14, "language": "pl"})
    assert response.status_code == 400
    assert "not sent from this site" in response.get_data(as_text=True)


def test_all_post_routes_are_listed_for_the_csrf_test(app):
    """A new POST route without a <parameter> must be added above; parametrised ones have their own tests."""
    plain_posts = {
        rule.rule for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and "<" not in rule.rule and not rule.rule.startswith("/api/")
    }
    assert plain_posts <= set(POST_ROUTES) | EXTRA_CSRF_CHECKED


# Routes without parameters whose CSRF protection is proven in their domain's own tests.
EXTRA_CSRF_CHECKED = set()


def test_language_names_are_written_in_the_viewers_language(app):
    from flask_babel import refresh

    from govchallenge.core.languages import language_autonym, language_name

    def names(accept):
        with app.test_request_context(headers={"Accept-Language": accept}):
            refresh()  # the locale is cached per app context, which the test shares
            return language_name("pl"), language_name("ga"), language_name("xx"), language_autonym("el")

    assert names("de") == ("Polnisch", "Irisch", "xx", "Ελληνικά")
    assert names("el")[0] == "Πολωνικά"
    assert names("en")[:2] == ("Polish", "Irish")
