"""No `next` parameter sends anyone off the site: checked on the rule itself, on the routes known to honour
it, and on every route of the app, so a new route that starts honouring `next` is covered without a new test."""
import re
from urllib.parse import urlencode, urlsplit

import pytest

from govchallenge.core.urls import local_target
from govchallenge.extensions import db
from tests.conftest import login
from tests.security.routes import every_path, sample_objects
from tests.support.factories import PASSWORD, make_user

# Known open-redirect bypasses: protocol-relative, backslashes (read as "/"), tabs and newlines (dropped by
# browsers), leading controls and spaces (stripped), other schemes, NUL, and their percent-encoded forms.
PAYLOADS = [
    "//evil.example", "///evil.example", "////evil.example/", "/\\evil.example", "\\\\evil.example", "/\\/evil.example",
    "\\/evil.example", "/\t/evil.example", "\t//evil.example", "/\n/evil.example", "\n//evil.example",
    "/\r\n/evil.example", " //evil.example", "\x00//evil.example", "/\x00", "/\x0b/evil.example", "/\u3000/evil.example",
    "https:evil.example", "https://evil.example", "http:/evil.example", "HTTPS://evil.example", "javascript:alert(1)",
    "data:text/html,hi", "evil.example", "@evil.example", "/%09/evil.example", "/%5cevil.example", "/%2f/evil.example",
    "/%0d%0a/evil.example",
]
LOCAL = ["/", "/organisations/", "/challenges/?q=water&page=2", "/admin/#users", "/challenges/żółw"]
STRONGEST = ["//evil.example", "/\\evil.example", "/\t/evil.example", "https:evil.example"]


def lands_on_site(location):
    """Where a browser goes with this Location: tabs and newlines dropped, leading/trailing controls and
    spaces stripped, "\\" read as "/". On site = a path from the root, or an absolute URL on localhost."""
    seen = re.sub(r"[\t\n\r]", "", location).strip("".join(chr(c) for c in range(0x21))).replace("\\", "/")
    parts = urlsplit(seen)
    if parts.scheme or parts.netloc:
        return parts.scheme in {"http", "https"} and parts.netloc == "localhost"
    return seen.startswith("/") and not seen.startswith("//")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_rule_refuses_every_known_bypass(payload):
    assert local_target(payload) is None


@pytest.mark.parametrize("target", LOCAL)
def test_the_rule_keeps_local_paths(target):
    assert local_target(target) == target


def test_sign_in_never_redirects_off_site(app):
    make_user(email="n@x.eu")
    db.session.commit()
    for payload in PAYLOADS:
        client = app.test_client()
        response = client.post("/login?" + urlencode({"next": payload}), data={"email": "n@x.eu", "password": PASSWORD})
        if "\x00" in payload:  # refused before any view by the NUL guard (core/urls.py): no redirect at all
            assert response.status_code == 400 and "Location" not in response.headers, repr(payload)
            continue
        assert response.status_code == 302 and response.headers["Location"] == "/", repr(payload)
    response = app.test_client().post("/login?next=/organisations/", data={"email": "n@x.eu", "password": PASSWORD})
    assert response.headers["Location"] == "/organisations/"


def test_the_language_switcher_never_redirects_off_site(client):
    for payload in PAYLOADS:
        response = client.post("/language", data={"language": "pl", "next": payload})
        if "\x00" in payload:  # refused by the NUL guard before the view
            assert response.status_code == 400 and "Location" not in response.headers, repr(payload)
            continue
        assert response.headers["Location"] == "/", repr(payload)
    assert client.post("/language", data={"language": "pl", "next": "/organisations/"}).headers["Location"] == "/organisations/"


@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_no_route_redirects_off_site_whatever_next_says(make_app, role):
    app = make_app(LOGIN_IP_LIMIT="100000 per hour", LOGIN_LIMIT="100000 per hour", RESET_LIMIT="100000 per hour",
                   REGISTER_LIMIT="100000 per hour", REGISTER_EMAIL_LIMIT="100000 per hour")
    with app.app_context():
        admin = make_user(email="admin@platform.eu", admin=True)
        objects = sample_objects()
        client = app.test_client() if role == "anonymous" else login(app.test_client(), admin)
        off_site = []
        for method in ("GET", "POST"):
            paths = sorted(every_path(app, objects, method), key=lambda path: path == "/logout")  # sign out last
            for path in paths:
                for payload in STRONGEST:
                    query = urlencode({"next": payload})
                    response = client.open(f"{path}?{query}", method=method, data={"next": payload})
                    location = response.headers.get("Location")
                    if location is not None and not lands_on_site(location):
                        off_site.append((method, path, payload, location))
    assert off_site == []
