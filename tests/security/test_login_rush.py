"""A deadline rush: thousands of teams sign in within the last minutes, each person from their own address
behind the trusted reverse proxy (core/proxies.py). The default sign-in limits count per address and per
account, so such a rush puts at most one sign-in on each counter and nobody is throttled; without the trusted
proxy everyone shares the proxy's address and the address limit stops the rush."""
from limits import parse

from govchallenge.extensions import db
from tests.support.factories import PASSWORD, make_user

PROXY = "127.0.0.1"


def rush(app, count, addresses):
    """`count` distinct accounts sign in, the n-th from addresses(n) as the proxy forwards it; the statuses."""
    with app.app_context():
        emails = [make_user(email=f"team{n}@rush{n}.example.eu").email for n in range(count)]
        db.session.commit()
    return [app.test_client().post("/login", data={"email": email, "password": PASSWORD},
                                   environ_base={"REMOTE_ADDR": PROXY},
                                   headers={"X-Forwarded-For": addresses(n)}).status_code
            for n, email in enumerate(emails)]


def rush_size(app):
    """Twice the default per-address limit and one more: past what any counter it shares could let through."""
    return 2 * parse(app.config["LOGIN_IP_LIMIT"]).amount + 1


def test_the_default_limits_let_a_rush_of_distinct_people_behind_the_proxy_sign_in(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    statuses = rush(app, rush_size(app), lambda n: f"10.20.{n // 250}.{n % 250 + 1}")
    assert statuses == [302] * len(statuses)


def test_without_the_trusted_proxy_the_same_rush_is_throttled_as_one_address(make_app):
    app = make_app(TRUSTED_PROXIES=0)
    statuses = rush(app, rush_size(app), lambda n: f"10.20.{n // 250}.{n % 250 + 1}")
    allowed = parse(app.config["LOGIN_IP_LIMIT"]).amount
    assert statuses[:allowed] == [302] * allowed and 429 in statuses[allowed:]
