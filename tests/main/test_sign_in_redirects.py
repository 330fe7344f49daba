"""A visitor who is not signed in and opens a page that needs an account is sent to sign in and back, on
every route of the app (never a 403 for "not signed in"); a signed-in person refused a page gets a 403 page
that says why and what to do. The routes come from `app.url_map`: a new route is covered without edits."""
from urllib.parse import parse_qs, urlsplit

import pytest

from govchallenge import create_app
from govchallenge.extensions import db
from tests.conftest import login
from tests.security.routes import path_for
from tests.support.factories import PASSWORD
from tests.support.roles import build_world


def _get_rules():
    app = create_app({"TESTING": True, "SECRET_KEY": "routes-only", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static")


GET_ENDPOINTS = _get_rules()
# Statuses an anonymous visitor may get besides the sign-in redirect: the page itself, or a problem with the
# address (a missing object, a bad or used token), which no account would change.
NOT_ABOUT_THE_ACCOUNT = {200, 304, 400, 404, 405, 409, 410}


def _values(world, rule):
    """Arguments that reach real objects: the draft challenge (every page of a draft needs an account), the
    team, the entry, an assignment."""
    public_id = world.submission.public_id
    if rule.rule.startswith("/teams/"):
        public_id = world.team.public_id
    elif rule.rule.startswith("/jury/"):
        public_id = world.assignments["juror"].public_id
    return {"slug": world.draft.slug, "public_id": public_id, "team_id": world.team.public_id,
            "stage_id": world.challenge.stages[0].id, "number": 1, "index": 0}


def _sign_in_target(response):
    """The `next` of a redirect to the sign-in page, or None when the answer is no such redirect."""
    if response.status_code != 302:
        return None
    location = urlsplit(response.headers["Location"])
    if location.path != "/login":
        return None
    return parse_qs(location.query).get("next", [""])[0]


@pytest.mark.parametrize("endpoint", GET_ENDPOINTS)
def test_every_get_route_sends_an_anonymous_visitor_to_sign_in_or_answers(app, endpoint):
    world = build_world()
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and "GET" in r.methods)
    path = path_for(rule, _values(world, rule))
    response = app.test_client().get(path)
    target = _sign_in_target(response)
    if target is not None:
        assert target == path, f"{path}: back to {target!r}"
    else:
        assert response.status_code in NOT_ABOUT_THE_ACCOUNT | {302}, f"{path} answered {response.status_code}"
        assert response.status_code not in (401, 403)


def test_the_walk_met_pages_that_need_an_account(app):
    """The test above must see real sign-in redirects, not only 404s: the objects reach the views."""
    world = build_world()
    client, redirected = app.test_client(), []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            path = path_for(rule, _values(world, rule))
            if _sign_in_target(client.get(path)) == path:
                redirected.append(rule.endpoint)
    for needed in ("challenges.create", "challenges.mine", "challenges.review_queue", "challenges.edit",
                   "challenges.show", "challenges.stages", "teams.mine", "jury.index", "admin.dashboard"):
        assert needed in redirected


def test_sign_in_brings_the_visitor_back_with_a_confirmation(app):
    world = build_world()
    client = app.test_client()
    response = client.get("/challenges/new")
    assert response.status_code == 302
    sign_in = response.headers["Location"]
    assert "Please sign in to see this page." in client.get(sign_in).get_data(as_text=True)
    officer = world.users["officer"]
    response = client.post(sign_in, data={"email": officer.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/challenges/new"
    page = client.get("/challenges/new").get_data(as_text=True)
    assert f"You are signed in as {officer.name}." in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_next_never_leaves_the_site(app, people, target):
    response = app.test_client().post("/login?" + "next=" + target, data={
        "email": people["participant"].email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_signed_in_person_refused_a_page_is_told_why_and_what_to_do(app, people):
    client = login(app.test_client(), people["participant"])
    response = client.get("/challenges/new")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Only officers of a verified public body may write challenges." in html
    assert "What you can do" in html and people["participant"].email in html
    response = client.get("/admin/")
    assert response.status_code == 403 and "Only the platform&#39;s administrators" in response.get_data(as_text=True)


def test_the_403_page_speaks_the_visitors_language(app, people):
    client = login(app.test_client(), people["participant"])
    client.post("/language", data={"language": "pl"})
    html = client.get("/challenges/review").get_data(as_text=True)
    assert '<html lang="pl">' in html and "What you can do" not in html


GENERAL = "Your account does not have access to this."


def test_every_refusal_of_a_signed_in_person_says_why_and_what_to_do(app):
    """An outsider (verified, in no team, jury or host body) walks every GET route: each 403 page names a
    reason of its own, never only the general words, and offers what they can do."""
    world = build_world()
    client = login(app.test_client(), world.users["outsider"])
    refused, general = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = path_for(rule, _values(world, rule))
        response = client.get(path)
        if response.status_code == 403:
            html = response.get_data(as_text=True)
            refused.append(rule.endpoint)
            assert "What you can do" in html and world.users["outsider"].email in html, path
            if GENERAL in html:
                general.append(rule.endpoint)
    assert len(refused) >= 10, refused
    assert general == [], f"403 pages with only the general explanation: {general}"


def test_a_form_sent_while_signed_out_comes_back_to_the_page_it_was_on(app):
    world = build_world()
    client = app.test_client()
    response = client.post(f"/challenges/{world.challenge.slug}/follow",
                           headers={"Referer": f"http://localhost/challenges/{world.challenge.slug}?tab=1"})
    assert response.status_code == 302
    assert _sign_in_target(response) == f"/challenges/{world.challenge.slug}?tab=1"
    response = client.post(f"/challenges/{world.challenge.slug}/follow", headers={"Referer": "https://evil.example/x"})
    assert response.headers["Location"] == "/login"
    assert client.post(f"/challenges/{world.challenge.slug}/follow").headers["Location"] == "/login"


def test_the_query_of_the_page_comes_back_too(app):
    from urllib.parse import unquote

    response = app.test_client().get("/challenges/mine?page=2&q=%C3%A4")
    assert unquote(_sign_in_target(response)) == "/challenges/mine?page=2&q=ä"
