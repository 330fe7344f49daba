"""Every state-changing route refuses a request without the CSRF token, in the app as create_app() builds it
by default. Routes are read from the URL map, so a new route (or a blueprint exempted from CSRF) is covered
without writing a new test."""
import pytest

from govchallenge.extensions import csrf

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def state_changing_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.methods & STATE_CHANGING and rule.endpoint != "static"),
        key=lambda rule: rule.rule,
    )


def build_path(rule):
    return rule.build({name: 1 for name in rule.arguments})[1]  # 1 matches both int and string converters


@pytest.fixture
def default_app(make_app):
    """The app with CSRF left as create_app() sets it: the test harness does not turn it on or off."""
    app = make_app(defaults=("WTF_CSRF_ENABLED",))
    with app.app_context():
        yield app


def test_csrf_is_on_by_default(default_app):
    assert default_app.config.get("WTF_CSRF_ENABLED", True) is True
    assert "csrf" in default_app.extensions


def test_no_view_or_blueprint_is_exempt_from_csrf(default_app):
    assert not csrf._exempt_views and not csrf._exempt_blueprints


def test_the_route_map_has_the_state_changing_routes_of_every_domain(default_app):
    prefixes = {rule.endpoint.split(".")[0] for rule in state_changing_rules(default_app)}
    assert {"accounts", "organisations", "challenges", "teams", "submissions", "jury", "results"} <= prefixes


@pytest.mark.parametrize("method", sorted(STATE_CHANGING))
def test_every_state_changing_route_refuses_a_request_without_the_token(default_app, people, login_as, method):
    """Signed in (a session exists, as for a victim of CSRF) and anonymous alike."""
    signed_in = login_as_with_token(default_app, people["officer"])
    anonymous = default_app.test_client()
    checked = 0
    for rule in state_changing_rules(default_app):
        if method not in rule.methods:
            continue
        path = build_path(rule)
        for client in (anonymous, signed_in):
            response = client.open(path, method=method, data={"title": "x", "email": "a@b.eu"})
            assert response.status_code == 400, (method, path, response.status_code)
            assert "not sent from this site" in response.get_data(as_text=True), (method, path)
        checked += 1
    assert checked or method != "POST"


def login_as_with_token(app, user):
    """Sign in through the real form, token included, as a browser would."""
    import re

    from tests.support.factories import PASSWORD

    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client
