"""X-Forwarded-For is believed only from the configured number of trusted proxies (TRUSTED_PROXIES): with none
a visitor cannot pick their own rate-limit bucket or audit address; behind one proxy each visitor has their own."""
import pytest
import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from tests.support.factories import make_user

# A form each rate-limited POST route accepts; `n` makes each attempt a different account, so only the
# per-address limit can trip. A new rate-limited route must be added (test_every_rate_limited_route_is_listed).
LIMITED_FORMS = {
    "/login": lambda n: {"email": f"guess{n}@startup.eu", "password": "wrong-password-123"},
    "/reset": lambda n: {"email": f"forgot{n}@startup.eu"},
    "/register": lambda n: {"name": f"Bot {n}", "email": f"bot{n}@startup.eu", "password": "Lublin-river-walks-42",
                            "confirm": "Lublin-river-walks-42", "country": "PL", "language": "en", "timezone": "Europe/Warsaw"},
    "/contact": lambda n: {"name": f"Visitor {n}", "email": f"visitor{n}@startup.eu", "message": "Hello."},
}
# The address-wide limit of each route, lowered to two attempts for the test.
ADDRESS_LIMITS = {"/login": "LOGIN_IP_LIMIT", "/reset": "RESET_LIMIT", "/register": "REGISTER_LIMIT",
                  "/contact": "CONTACT_ATTEMPT_LIMIT"}
PROXY, CLIENTS = "127.0.0.1", ["198.51.100.7", "198.51.100.8", "198.51.100.9"]


def attempts(app, path, forwarded_for, remote_addr):
    """Three attempts, the n-th claiming to come from forwarded_for[n]; their status codes."""
    client = app.test_client()
    return [client.post(path, data=LIMITED_FORMS[path](n), environ_base={"REMOTE_ADDR": remote_addr},
                        headers={"X-Forwarded-For": forwarded_for[n]}).status_code for n in range(3)]


def test_every_rate_limited_route_is_listed(app):
    client = app.test_client()
    limited = {
        rule.rule for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.arguments
        and "X-RateLimit-Limit" in client.post(rule.rule, data={}).headers
    }
    assert limited == set(LIMITED_FORMS)


@pytest.mark.parametrize("path", sorted(LIMITED_FORMS))
def test_without_trusted_proxies_a_forged_forwarded_for_is_ignored(make_app, path):
    app = make_app(TRUSTED_PROXIES=0, **{ADDRESS_LIMITS[path]: "2 per hour"})
    with app.app_context():
        statuses = attempts(app, path, CLIENTS, remote_addr="192.0.2.50")
    assert statuses[2] == 429 and 429 not in statuses[:2]


@pytest.mark.parametrize("path", sorted(LIMITED_FORMS))
def test_behind_one_trusted_proxy_each_visitor_has_their_own_bucket(make_app, path):
    app = make_app(TRUSTED_PROXIES=1, **{ADDRESS_LIMITS[path]: "2 per hour"})
    with app.app_context():
        assert 429 not in attempts(app, path, CLIENTS, remote_addr=PROXY)
        same_visitor = attempts(app, path, ["198.51.100.20"] * 3, remote_addr=PROXY)
    assert same_visitor[2] == 429 and 429 not in same_visitor[:2]


@pytest.mark.parametrize("proxies, forwarded_for, recorded", [
    (0, "203.0.113.66", "192.0.2.50"),
    (1, "203.0.113.66", "203.0.113.66"),
    (1, "203.0.113.66, 198.51.100.7", "198.51.100.7"),  # the visitor's own claim is left of what the proxy appended
    (2, "203.0.113.66, 198.51.100.7", "203.0.113.66"),
])
def test_the_audit_trail_records_the_address_the_trusted_proxies_saw(make_app, proxies, forwarded_for, recorded):
    app = make_app(TRUSTED_PROXIES=proxies)
    with app.app_context():
        make_user(email="who@where.eu")
        db.session.commit()
        app.test_client().post("/login", data={"email": "who@where.eu", "password": "wrong-password-123"},
                               environ_base={"REMOTE_ADDR": "192.0.2.50"}, headers={"X-Forwarded-For": forwarded_for})
        event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "account.login_failed")).scalar_one()
    assert event.shown_ip == recorded


def test_the_scheme_comes_from_a_trusted_proxy_only(make_app):
    for proxies, hsts in ((0, False), (1, True)):
        response = make_app(TRUSTED_PROXIES=proxies).test_client().get("/", headers={"X-Forwarded-Proto": "https"})
        assert ("Strict-Transport-Security" in response.headers) is hsts
