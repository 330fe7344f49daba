import re

import pytest
import sqlalchemy as sa

from govchallenge.accounts.models import User, find_by_email
from govchallenge.accounts.tokens import RESET, VERIFY, make_token
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from tests.support.factories import PASSWORD, make_user

GOOD = {
    "name": "Zofia Zielińska", "email": "zofia@startup.pl", "password": "Lublin-river-walks-42",
    "confirm": "Lublin-river-walks-42", "country": "PL", "language": "pl", "timezone": "Europe/Warsaw",
}


def link_in(mail_text):
    return re.search(r"https?://\S+", mail_text).group(0)


def path_of(url):
    return "/" + url.split("/", 3)[3]


def test_registration_sends_a_verification_mail_in_the_chosen_language(mail_app, smtp):
    client = mail_app.test_client()
    response = client.post("/register", data=GOOD)
    assert response.status_code == 200
    assert "zofia@startup.pl" in response.get_data(as_text=True)
    user = find_by_email("zofia@startup.pl")
    assert user.country == "PL" and user.timezone == "Europe/Warsaw" and not user.is_verified
    [message] = smtp.to("zofia@startup.pl")
    assert "Potwierdź" in message.subject  # Polish
    verify_link = link_in(message.text)
    assert "/verify/" in verify_link
    response = client.get(path_of(verify_link))
    assert response.status_code == 302
    db.session.expire_all()
    assert find_by_email("zofia@startup.pl").is_verified


def test_registering_a_known_address_looks_the_same_and_warns_the_owner(mail_app, smtp):
    make_user(email="known@startup.pl", name="Known Person")
    db.session.commit()
    response = mail_app.test_client().post("/register", data={**GOOD, "email": "known@startup.pl"})
    assert response.status_code == 200
    assert "known@startup.pl" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(User.id))).scalar() == 1
    [message] = smtp.to("known@startup.pl")
    assert "already" in message.text


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("password", "short-pw", "at least 12"),
        ("password", "Zofia-zielinska-2026", "name or e-mail"),
        ("password", "passwordpassword", "too common"),
        ("email", "not-an-address", "Invalid email"),
        ("country", "XX", "Choose a country"),
        ("timezone", "Mars/Olympus", "Choose a time zone"),
        ("language", "tlh", "Not a valid choice"),
        ("name", "", "This field is required"),
    ],
)
def test_bad_registration_input_gets_a_clear_message(client, field, value, message):
    data = {**GOOD, field: value}
    if field == "password":
        data["confirm"] = value
    response = client.post("/register", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert find_by_email(GOOD["email"]) is None
    assert 'value="Zofia Zielińska"' in response.get_data(as_text=True) or field == "name"


def test_the_password_may_not_contain_the_email_local_part(client):
    response = client.post("/register", data={**GOOD, "email": "kazimierz@x.pl", "password": "my-kazimierz-pass", "confirm": "my-kazimierz-pass"})
    assert response.status_code == 400


def test_expired_and_tampered_verification_links_are_refused(app, client):
    user = make_user(verified=False)
    db.session.commit()
    token = make_token(user, VERIFY)
    assert client.get(f"/verify/{token}x").status_code == 400
    app.config["TOKEN_MAX_AGE_SECONDS"] = -1
    response = client.get(f"/verify/{token}")
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_login_and_logout(client):
    make_user(email="ok@startup.eu")
    db.session.commit()
    response = client.post("/login", data={"email": "OK@startup.eu ", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_wrong_password_and_unknown_address_get_the_same_answer(client):
    make_user(email="ok@startup.eu")
    db.session.commit()
    wrong = client.post("/login", data={"email": "ok@startup.eu", "password": "not-the-password"})
    unknown = client.post("/login", data={"email": "nobody@startup.eu", "password": "not-the-password"})
    assert wrong.status_code == unknown.status_code == 400
    message = "The e-mail address or the password is wrong."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_an_unverified_account_cannot_sign_in_and_gets_a_new_link(client):
    make_user(email="late@startup.eu", verified=False)
    db.session.commit()
    response = client.post("/login", data={"email": "late@startup.eu", "password": PASSWORD})
    assert response.status_code == 400
    assert db.session.execute(
        sa.select(sa.func.count(OutboxJob.id)).where(OutboxJob.function.like("%send_verification"))
    ).scalar() == 1


def test_repeated_wrong_passwords_pause_the_guessers_address_not_the_owner(app):
    make_user(email="target@startup.eu")
    db.session.commit()
    statuses = []
    for attempt in range(7):
        client = app.test_client()  # a fresh session each time: the limit follows the account and the address
        statuses.append(client.post("/login", data={"email": "target@startup.eu", "password": f"wrong-{attempt}"},
                                    environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code)
    assert statuses == [400] * 5 + [429, 429]
    owner = app.test_client().post("/login", data={"email": "target@startup.eu", "password": PASSWORD},
                                   environ_base={"REMOTE_ADDR": "198.51.100.20"})
    assert owner.status_code == 302


def test_many_accounts_from_one_address_get_429(app):
    app.config["LOGIN_IP_LIMIT"] = "3 per minute"
    client = app.test_client()
    statuses = [client.post("/login", data={"email": f"u{i}@x.eu", "password": "whatever-123"}).status_code for i in range(4)]
    assert statuses == [400, 400, 400, 429]
    assert "Too many attempts" in client.post("/login", data={"email": "a@x.eu", "password": "x"}).get_data(as_text=True)


def test_password_reset_works_once_and_ends_other_sessions(mail_app, smtp, login_as):
    user = make_user(email="forgot@startup.eu", name="Fergus Forgot")
    other_session = login_as(user)
    client = mail_app.test_client()
    response = client.post("/reset", data={"email": "forgot@startup.eu"})
    assert response.status_code == 200
    [message] = smtp.to("forgot@startup.eu")
    reset_path = path_of(link_in(message.text))
    response = client.post(reset_path, data={"password": "New-strong-secret-77", "confirm": "New-strong-secret-77"})
    assert response.status_code == 302
    assert client.get(reset_path).status_code == 400  # used once
    assert other_session.get("/account").status_code == 302  # signed out everywhere
    assert client.post("/login", data={"email": "forgot@startup.eu", "password": "New-strong-secret-77"}).status_code == 302


def test_reset_for_an_unknown_address_looks_the_same(mail_app, smtp):
    response = mail_app.test_client().post("/reset", data={"email": "ghost@nowhere.eu"})
    assert response.status_code == 200
    assert "If an account exists for ghost@nowhere.eu" in response.get_data(as_text=True)
    assert smtp.received == []


def test_a_weak_new_password_is_refused_and_the_link_still_works(client):
    user = make_user(email="f@startup.eu", name="Fiona")
    db.session.commit()
    path = f"/reset/{make_token(user, RESET)}"
    response = client.post(path, data={"password": "short", "confirm": "short"})
    assert response.status_code == 400 and "at least 12" in response.get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_profile_changes_language_and_zone(client_for, people):
    client = client_for("participant")
    response = client.post("/account", data={"name": "Pat P.", "country": "DK", "language": "el", "timezone": "Europe/Athens"})
    assert response.status_code == 302
    db.session.expire_all()
    assert people["participant"].language == "el"
    assert 'lang="el"' in client.get("/account").get_data(as_text=True)


def test_profile_is_for_signed_in_users_only(client):
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_redirects_only_to_local_pages(client):
    make_user(email="n@x.eu")
    db.session.commit()
    response = client.post("/login?next=//evil.example/", data={"email": "n@x.eu", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_sessions_are_strongly_protected(app):
    assert app.login_manager.session_protection == "strong"


def test_verification_sets_the_moment(app):
    user = make_user(verified=False)
    from govchallenge.accounts.operations import verify_email

    verify_email(user)
    assert user.email_verified_at <= utcnow()


def test_repeated_reset_requests_get_429_and_unknown_addresses_look_the_same(app):
    app.config["RESET_LIMIT"] = "2 per hour"
    make_user(email="known@startup.eu")
    db.session.commit()
    bodies = []
    for address in ("known@startup.eu", "nobody@startup.eu"):
        client = app.test_client()
        responses = [client.post("/reset", data={"email": address}, environ_base={"REMOTE_ADDR": f"198.51.100.{i}"})
                     for i in range(3)]
        assert [r.status_code for r in responses] == [200, 200, 429], address
        body = responses[0].get_data(as_text=True).replace(address, "ADDRESS")
        bodies.append(re.sub(r'name="csrf_token" value="[^"]*"', "", body))
    assert bodies[0] == bodies[1]  # nothing tells a known address from an unknown one
