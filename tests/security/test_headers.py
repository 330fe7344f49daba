"""Every response, on every route, for every kind of visitor, carries the security headers; HSTS only over HTTPS."""
import pytest

from govchallenge.extensions import db
from govchallenge.core.security_headers import CONTENT_SECURITY_POLICY, HEADERS
from tests.conftest import login
from tests.security.routes import every_path, sample_objects

ROLES = ["anonymous", "participant", "admin", "host officer"]


def _client(app, people, objects, role):
    if role == "anonymous":
        return app.test_client()
    user = objects["officer"] if role == "host officer" else people[role]
    return login(app.test_client(), user)


def missing_headers(response):
    return [name for name, value in HEADERS.items() if response.headers.get(name) != value]


@pytest.mark.parametrize("role", ROLES)
def test_every_get_route_answers_with_the_security_headers(app, people, role):
    objects = sample_objects()
    client = _client(app, people, objects, role)
    problems, html_pages = {}, 0
    for path in every_path(app, objects):
        response = client.get(path)
        html_pages += response.mimetype == "text/html" and response.status_code == 200
        if missing_headers(response) or "Strict-Transport-Security" in response.headers:
            problems[path] = (response.status_code, missing_headers(response))
    assert problems == {}
    assert html_pages >= 5  # the walk reached real pages, not only error answers


def test_the_policy_allows_no_inline_script_or_style_and_no_framing():
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "style-src 'self'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and HEADERS["X-Frame-Options"] == "DENY"


def test_no_page_template_carries_inline_script_or_style():
    """The policy forbids inline code, so a template that adds some would break in browsers: caught here."""
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates"
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.I)
    offenders = [
        str(path.relative_to(templates)) for path in templates.rglob("*.html")
        if path.parts[-2] != "emails" and inline.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_error_pages_and_posts_carry_the_headers_too(client):
    for response in (client.get("/no/such/page"), client.post("/login", data={}), client.get("/api/v1/nothing")):
        assert missing_headers(response) == [], response.status_code


def test_hsts_only_over_https(make_app):
    app = make_app()
    assert "Strict-Transport-Security" not in app.test_client().get("/").headers
    over_https = app.test_client().get("/", base_url="https://localhost")
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_hsts_when_the_operator_says_the_site_is_https(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    assert "max-age=" in app.test_client().get("/").headers["Strict-Transport-Security"]


def test_a_forged_host_header_never_reaches_absolute_links_in_feeds_and_the_api(app):
    """Absolute links in bodies come from BASE_URL (SERVER_NAME_FOR_LINKS); mails are covered in tests/accounts."""
    objects = sample_objects()
    client = app.test_client()
    for path in ("/api/v1/challenges", f"/api/v1/challenges/{objects['slug']}", "/challenges/feed.atom"):
        response = client.get(path, headers={"Host": "evil.example"})
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and "evil.example" not in body and "http://localhost/" in body, path


def test_no_absolute_link_is_built_from_the_request():
    """Every absolute link goes through core.urls.external_url (BASE_URL); url_for(..., _external=True) would
    follow the request's Host header."""
    import pathlib
    import re

    package = pathlib.Path(__file__).resolve().parents[2] / "govchallenge"
    built = re.compile(r"url_for\([^)]*_external\s*=\s*True")
    offenders = [str(p) for p in package.rglob("*.py") if built.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_results_api_links_come_from_base_url(app):
    from tests.support.results_factories import judged_challenge, publish

    judged = judged_challenge()
    publish(judged)
    db.session.commit()
    body = app.test_client().get(f"/api/v1/challenges/{judged.challenge.slug}/results", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in body and "http://localhost/challenges/" in body
