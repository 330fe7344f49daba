"""Odd input answers 4xx on every route, never 500: ids beyond the database's 64-bit range, NUL bytes
in the path, the query or a form, odd page numbers; and every error answer rolls back what the view
had flushed. The routes come from `app.url_map`, so a new route is covered without editing this file."""
import io
import re

import pytest
import sqlalchemy as sa
from flask import abort
from flask_wtf.csrf import CSRFError

from govchallenge import create_app
from govchallenge.accounts.models import User
from govchallenge.core.urls import DATABASE_INT_MAX
from govchallenge.extensions import db

PARAMETER = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _rules():
    """The routes of the app, read once (the app is built without a database: routing only)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "routes-only", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


RULES = _rules()


def _path(rule, integer="1", text="x"):
    return PARAMETER.sub(lambda m: integer if m.group("converter") == "int" else text, rule.rule)


def _method(rule):
    return "GET" if "GET" in rule.methods else "POST"


INT_ROUTES = [rule for rule in RULES if any(c == "int" for c, _ in PARAMETER.findall(rule.rule))]
GET_ROUTES = [rule for rule in RULES if "GET" in rule.methods]
POST_ROUTES = [rule for rule in RULES if "POST" in rule.methods]
PLAIN_GET_ROUTES = [rule for rule in GET_ROUTES if "<" not in rule.rule]


def test_the_route_lists_are_not_empty():
    assert len(INT_ROUTES) >= 20 and len(GET_ROUTES) >= 40 and len(POST_ROUTES) >= 40 and len(PLAIN_GET_ROUTES) >= 5


@pytest.fixture
def officer_client(app, client_for):
    return client_for("officer")


def _failures(client, requests, allowed):
    """[(method, url, status)] of the requests whose status is not allowed (one app, every route)."""
    failed = []
    for method, url, options in requests:
        status = client.open(url, method=method, **options).status_code
        if not allowed(status):
            failed.append((method, url, status))
    return failed


def test_ids_beyond_64_bits_are_not_found_on_every_route(officer_client):
    too_big = [(_method(rule), _path(rule, integer=str(n)), {}) for rule in INT_ROUTES for n in (DATABASE_INT_MAX + 1, 2**63, 2**64, 2**70, 10**40)]
    assert _failures(officer_client, too_big, lambda status: status == 404) == []
    # the largest id the database can hold still reaches the view, which finds nothing or refuses
    largest = [(_method(rule), _path(rule, integer=str(DATABASE_INT_MAX)), {}) for rule in INT_ROUTES]
    assert _failures(officer_client, largest, lambda status: status < 500) == []


def test_a_nul_byte_in_the_query_is_refused_on_every_get_route(officer_client):
    requests = [("GET", _path(rule) + query, {}) for rule in GET_ROUTES for query in ("?q=%00", "?a%00b=1", "?page=%00")]
    assert _failures(officer_client, requests, lambda status: status == 400) == []


def test_a_nul_byte_in_a_form_field_or_file_name_is_refused_on_every_post_route(officer_client):
    def upload():
        return {"title": "x", "file": (io.BytesIO(b"%PDF-1.4"), "plan\x00.pdf")}

    requests = [("POST", _path(rule), {"data": {"name": "Team\x00", "title": "x", "email": "a@b.eu"}}) for rule in POST_ROUTES]
    requests += [("POST", _path(rule), {"data": upload(), "content_type": "multipart/form-data"}) for rule in POST_ROUTES]
    assert _failures(officer_client, requests, lambda status: status == 400) == []


@pytest.mark.parametrize("path", ["/challenges/%00", "/organisations/a%00b", "/teams/%00", "/api/v1/challenges/%00"])
def test_a_nul_byte_in_the_path_is_refused(client, path):
    assert client.get(path).status_code == 400


def test_the_api_refuses_a_nul_byte_with_a_json_message(client):
    response = client.get("/api/v1/challenges?q=%00")
    assert response.status_code == 400
    assert response.json["error"]["status"] == 400 and "NUL" in response.json["error"]["message"]


def test_a_nul_byte_in_the_search_says_why_in_the_page(client):
    response = client.get("/challenges/?q=bus%00")
    assert response.status_code == 400 and "NUL byte" in response.get_data(as_text=True)


def test_odd_page_numbers_never_give_500(officer_client):
    pages = [str(2**64), str(2**70), "-1", "0", "1e3", "%D9%A1", "1.5", "9" * 5000]
    requests = [("GET", f"{rule.rule}?page={page}&per_page={page}", {}) for rule in PLAIN_GET_ROUTES for page in pages]
    assert _failures(officer_client, requests, lambda status: status < 500) == []


# --- every error answer rolls back ------------------------------------------------------------

def _csrf_error():
    raise CSRFError("The CSRF token is missing.")


ABORTS = {
    "400": lambda: abort(400), "403": lambda: abort(403), "404": lambda: abort(404), "409": lambda: abort(409),
    "413": lambda: abort(413), "429": lambda: abort(429), "csrf": _csrf_error,
    "unexpected": lambda: 1 / 0,
}


@pytest.mark.parametrize("how", ABORTS)
def test_an_error_answer_leaves_nothing_for_a_later_commit(make_app, how):
    app = make_app()

    @app.route("/flush-then-fail")
    def flush_then_fail():
        db.session.add(User(email="ghost@example.eu", name="Ghost", country="PL", language="en",
                            timezone="Europe/Warsaw", password_hash="x"))
        db.session.flush()
        ABORTS[how]()

    @app.after_request
    def commit_later(response):
        db.session.commit()  # as an after-commit relay or a careless hook would
        return response

    response = app.test_client().get("/flush-then-fail")
    assert 400 <= response.status_code <= 500
    with app.app_context():
        assert db.session.execute(sa.select(User).where(User.email == "ghost@example.eu")).first() is None
