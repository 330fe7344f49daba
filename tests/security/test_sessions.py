"""Signing out revokes: a copied session or remember-me cookie no longer signs anyone in. The same after a
password reset or change. The year-long remember-me cookie travels only where the session cookie may."""
import pytest

from govchallenge.accounts.tokens import RESET, make_token
from govchallenge.extensions import db
from tests.support.factories import PASSWORD, make_user

COOKIES = ("session", "remember_token")


def sign_in(app, email, remember=False, environ=None):
    client = app.test_client()
    data = {"email": email, "password": PASSWORD, **({"remember": "y"} if remember else {})}
    assert client.post("/login", data=data).status_code == 302
    return client


def replay(app, client, names=COOKIES):
    """A new browser holding copies of `client`'s cookies, as a thief or a shared computer would."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def is_signed_in(client):
    response = client.get("/account")
    return response.status_code == 200


@pytest.mark.parametrize("copied", [("session",), ("remember_token",), COOKIES])
def test_a_cookie_copied_before_sign_out_gets_the_sign_in_page(app, copied):
    make_user(email="owner@startup.eu")
    db.session.commit()
    owner = sign_in(app, "owner@startup.eu", remember=True)
    assert is_signed_in(replay(app, owner, copied))  # the copy works while the owner is signed in
    stolen = replay(app, owner, copied)
    owner.post("/logout")
    response = stolen.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_browser_back_with_only_its_remember_me_cookie_stays_signed_in_page_after_page(app):
    make_user(email="regular@startup.eu")
    db.session.commit()
    reopened = replay(app, sign_in(app, "regular@startup.eu", remember=True), ("remember_token",))
    for _ in range(3):
        assert is_signed_in(reopened)
    assert reopened.get_cookie("remember_token") is not None


def test_a_password_reset_ends_remember_me_cookies_too(app):
    user = make_user(email="forgot@startup.eu", name="Fergus")
    db.session.commit()
    stolen = replay(app, sign_in(app, "forgot@startup.eu", remember=True), ("remember_token",))
    path = f"/reset/{make_token(user, RESET)}"
    assert app.test_client().post(path, data={"password": "Tallinn-harbour-mist-88", "confirm": "Tallinn-harbour-mist-88"}).status_code == 302
    assert not is_signed_in(stolen)


def test_changing_the_password_keeps_this_session_and_ends_the_others(app):
    make_user(email="careful@startup.eu", name="Carla Careful")
    db.session.commit()
    here = sign_in(app, "careful@startup.eu", remember=True)
    elsewhere = sign_in(app, "careful@startup.eu")
    response = here.post("/account/password", data={"current": PASSWORD, "password": "Tallinn-harbour-mist-88",
                                                      "confirm": "Tallinn-harbour-mist-88"})
    assert response.status_code == 302
    assert is_signed_in(here) and not is_signed_in(elsewhere)
    assert is_signed_in(replay(app, here, ("remember_token",)))  # this device's remember-me cookie was renewed
    assert app.test_client().post("/login", data={"email": "careful@startup.eu", "password": "Tallinn-harbour-mist-88"}).status_code == 302


def test_changing_the_password_needs_the_current_one(app):
    make_user(email="careful@startup.eu", name="Carla Careful")
    db.session.commit()
    client = sign_in(app, "careful@startup.eu")
    response = client.post("/account/password", data={"current": "not-my-password", "password": "Tallinn-harbour-mist-88",
                                                        "confirm": "Tallinn-harbour-mist-88"})
    assert response.status_code == 400 and "not your current password" in response.get_data(as_text=True)
    assert app.test_client().post("/login", data={"email": "careful@startup.eu", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("secure", [False, True])
def test_the_remember_me_cookie_is_http_only_same_site_and_secure_with_the_session(make_app, secure):
    app = make_app(SESSION_COOKIE_SECURE=secure)
    with app.app_context():
        make_user(email="owner@startup.eu")
        db.session.commit()
    response = app.test_client().post("/login", data={"email": "owner@startup.eu", "password": PASSWORD, "remember": "y"},
                                      base_url="https://localhost")
    [remember] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    attributes = {part.strip().split("=")[0].lower() for part in remember.split(";")}
    assert "httponly" in attributes and "SameSite=Lax" in remember
    assert ("secure" in attributes) is secure
