"""Throttling that stops guessers and bots without locking out the owner or flooding anyone's mailbox."""
from govchallenge.extensions import db
from tests.support.factories import PASSWORD, make_user

STRONG = "Lublin-river-walks-42"
REGISTRATION = {"name": "Zofia Z", "password": STRONG, "confirm": STRONG, "country": "PL", "language": "en",
                "timezone": "Europe/Warsaw"}


def wrong_password_from(app, address, email="owner@startup.eu"):
    return app.test_client().post("/login", data={"email": email, "password": "wrong-password-1"},
                                  environ_base={"REMOTE_ADDR": address}).status_code


def test_a_guesser_spreading_over_addresses_meets_the_account_ceiling_and_the_owner_is_told_once(make_app, smtp):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, LOGIN_ACCOUNT_LIMIT="6 per hour")
    with app.app_context():
        make_user(email="owner@startup.eu", name="Olga Owner")
        db.session.commit()
        statuses = [wrong_password_from(app, f"203.0.113.{n}") for n in range(10)]
        owner = app.test_client().post("/login", data={"email": "owner@startup.eu", "password": PASSWORD},
                                       environ_base={"REMOTE_ADDR": "198.51.100.20"})
    assert statuses == [400] * 6 + [429] * 4
    assert owner.status_code == 429  # the ceiling holds for everyone, which is why the owner is told
    [notice] = smtp.to("owner@startup.eu")
    assert "paused" in notice.subject and "/reset" in notice.text


def test_the_ceiling_on_an_unknown_address_mails_nobody(make_app, smtp):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, LOGIN_ACCOUNT_LIMIT="3 per hour")
    with app.app_context():
        statuses = [wrong_password_from(app, f"203.0.113.{n}", email="ghost@startup.eu") for n in range(5)]
    assert statuses == [400] * 3 + [429] * 2 and smtp.received == []


def test_a_successful_sign_in_does_not_count_towards_any_limit(make_app):
    app = make_app(LOGIN_LIMIT="2 per hour", LOGIN_ACCOUNT_LIMIT="2 per hour")
    with app.app_context():
        make_user(email="owner@startup.eu")
        db.session.commit()
        statuses = [app.test_client().post("/login", data={"email": "owner@startup.eu", "password": PASSWORD}).status_code
                    for _ in range(4)]
    assert statuses == [302] * 4


def register(app, email, address="192.0.2.10", **changes):
    return app.test_client().post("/register", data={**REGISTRATION, "email": email, **changes},
                                  environ_base={"REMOTE_ADDR": address}).status_code


def test_registrations_from_one_address_are_limited_and_mistyped_forms_do_not_count(make_app):
    app = make_app(REGISTER_LIMIT="3 per hour")
    with app.app_context():
        typos = [register(app, f"typo{n}@startup.eu", password="short", confirm="short") for n in range(5)]
        bots = [register(app, f"bot{n}@startup.eu") for n in range(5)]
        elsewhere = register(app, "someone@startup.eu", address="198.51.100.30")
    assert typos == [400] * 5
    assert bots == [200] * 3 + [429] * 2 and elsewhere == 200


def test_registrations_of_one_address_are_limited_whatever_the_visitors_address(make_app):
    app = make_app(REGISTER_EMAIL_LIMIT="2 per hour")
    with app.app_context():
        statuses = [register(app, "target@startup.eu", address=f"203.0.113.{n}") for n in range(4)]
    assert statuses == [200] * 2 + [429] * 2


def test_the_already_registered_warning_reaches_the_owner_once_per_period(make_app, smtp):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, REGISTER_EMAIL_LIMIT="100 per hour")
    with app.app_context():
        make_user(email="known@startup.eu")
        db.session.commit()
        statuses = [register(app, "known@startup.eu", address=f"203.0.113.{n}") for n in range(6)]
    assert statuses == [200] * 6
    assert len(smtp.to("known@startup.eu")) == 1


def test_a_new_address_registered_twice_gets_one_mail_like_a_known_one(make_app, smtp):
    """The second registration finds the account the first one made: it must not mail again either, or the
    count of mails would tell a new address from a known one."""
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    with app.app_context():
        assert [register(app, "fresh@startup.eu", address=f"203.0.113.{n}") for n in range(2)] == [200, 200]
    [verification] = smtp.to("fresh@startup.eu")
    assert "/verify/" in verification.text
