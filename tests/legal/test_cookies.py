"""The cookies page lists every cookie the platform sets: the app is driven through its journeys (with CSRF on,
as in production) and every Set-Cookie it answers is collected; a cookie the registry does not list fails."""
import re
from http.cookies import SimpleCookie

from govchallenge.extensions import db
from govchallenge.legal.cookies import cookie_names
from tests.support import factories


class SetCookieRecorder:
    """WSGI middleware: the name and the header of every cookie any response sets, whoever set it (Flask's
    session, Flask-Login, a view, an extension)."""

    def __init__(self, wsgi_app):
        self.wsgi_app, self.seen = wsgi_app, {}

    def __call__(self, environ, start_response):
        def recording(status, headers, *args):
            for name, value in headers:
                if name.lower() == "set-cookie":
                    for cookie_name in SimpleCookie(value):
                        self.seen.setdefault(cookie_name, []).append(value)
            return start_response(status, headers, *args)

        return self.wsgi_app(environ, recording)


def _token(client, path):
    response = client.get(path)
    found = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', response.get_data(as_text=True))
    assert found, f"no form token on {path} ({response.status_code})"
    return found.group(1)


def _post(client, path, form_path=None, **data):
    return client.post(path, data={"csrf_token": _token(client, form_path or path), **data})


def drive_the_journeys(app, people):
    """Every kind of visit: browsing, errors, the API, registering, a language switch, signing in with
    "keep me signed in", coming back with only that cookie, editing as an admin, signing out, a reset request,
    throttling. -> {cookie name: its Set-Cookie headers}."""
    recorder = SetCookieRecorder(app.wsgi_app)
    app.wsgi_app = recorder
    visitor = app.test_client()
    for path in ("/", "/challenges/", "/organisations/", "/accessibility", "/privacy", "/cookies", "/contact",
                 "/no/such/page", "/api/v1/challenges", "/api/v1/openapi.json", "/challenges/feed.atom", "/healthz"):
        visitor.get(path)
    visitor.get("/logout")  # 405
    _post(visitor, "/language", "/", language="el", next="/")
    _post(visitor, "/register", name="Ζωή Παπαδοπούλου", email="zoi@example.gr", password="Akropoli-sunset-2026",
          confirm="Akropoli-sunset-2026", country="GR", language="el", timezone="Europe/Athens")
    _post(visitor, "/reset", email="zoi@example.gr")

    admin = app.test_client()
    assert _post(admin, "/login", email=people["admin"].email, password=factories.PASSWORD, remember="y").status_code == 302
    for path in ("/account", "/admin/", "/admin/legal", "/admin/legal/contact"):
        admin.get(path)
    _post(admin, "/admin/legal/contact", text_en="Write to us.")
    _post(admin, "/language", "/", language="pl", next="/")
    remembered = admin.get_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    assert remembered is not None, "signing in with 'keep me signed in' set no remember cookie"

    returning = app.test_client()  # the browser was closed: only the remember cookie is left
    returning.set_cookie(remembered.key, remembered.value)
    assert returning.get("/account").status_code == 200
    _post(returning, "/logout", "/account")

    guesser = app.test_client()
    for attempt in range(7):
        _post(guesser, "/login", email=people["participant"].email, password=f"wrong-{attempt}")
    return recorder.seen


def test_every_cookie_the_platform_sets_is_on_the_cookies_page(make_app, people):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        seen = drive_the_journeys(app, people)
        listed = cookie_names(app.config)
    assert set(seen) <= listed, f"cookies set but not listed in govchallenge/legal/cookies.py: {set(seen) - listed}"
    assert set(seen) == listed, f"listed but never set by the journeys (a stale entry?): {listed - set(seen)}"
    for headers in seen.values():  # out of the scripts' reach and kept to this site, whenever one is given a value
        for header in headers:
            if "Max-Age=0" not in header:
                assert "HttpOnly" in header and "SameSite=Lax" in header, header


def test_the_cookie_check_catches_an_unlisted_cookie(make_app, people):
    """The mutation the test above guards against: a new cookie nobody added to the list."""
    app = make_app(WTF_CSRF_ENABLED=True)

    @app.after_request
    def seen_the_banner(response):
        response.set_cookie("banner_seen", "1", httponly=True, samesite="Lax")
        return response

    with app.app_context():
        seen = drive_the_journeys(app, people)
        assert set(seen) - cookie_names(app.config) == {"banner_seen"}


def test_renamed_cookies_are_listed_under_their_new_names(make_app, people):
    app = make_app(WTF_CSRF_ENABLED=True, SESSION_COOKIE_NAME="gc_session", REMEMBER_COOKIE_NAME="gc_remember")
    with app.app_context():
        seen = drive_the_journeys(app, people)
        assert set(seen) == cookie_names(app.config) == {"gc_session", "gc_remember", "govchallenge_language"}
        html = app.test_client().get("/cookies").get_data(as_text=True)
    assert "<code>gc_session</code>" in html and "<code>gc_remember</code>" in html
