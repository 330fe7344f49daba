"""The session cookie (core/sessions.py): Flask's own format and checks, with the signing machinery built once."""
import pytest
from flask.sessions import SecureCookieSessionInterface

from govchallenge.core.sessions import SessionInterface


@pytest.fixture
def app(make_app):
    return make_app()


def signed(app, interface, data):
    return interface.get_signing_serializer(app).dumps(data)


def test_a_cookie_reads_the_same_as_with_flask_s_own_interface(app):
    ours, flasks = SessionInterface(), SecureCookieSessionInterface()
    data = {"csrf_token": "abc", "language": "pl"}
    assert ours.get_signing_serializer(app).loads(signed(app, flasks, data)) == data
    assert flasks.get_signing_serializer(app).loads(signed(app, ours, data)) == data


def test_a_cookie_signed_with_another_key_is_refused(app, make_app):
    from itsdangerous import BadSignature

    forged = signed(make_app(SECRET_KEY="someone-else"), SecureCookieSessionInterface(), {"_user_id": "1:0"})
    with pytest.raises(BadSignature):
        SessionInterface().get_signing_serializer(app).loads(forged)


def test_a_new_secret_key_is_used_at_once_and_the_old_one_still_read(app):
    interface = SessionInterface()
    before = signed(app, interface, {"language": "de"})
    old_key = app.secret_key
    app.secret_key = "rotated-secret"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    serializer = interface.get_signing_serializer(app)
    assert serializer.loads(before) == {"language": "de"}
    after = serializer.dumps({"language": "fr"})
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert SecureCookieSessionInterface().get_signing_serializer(app).loads(after) == {"language": "fr"}


def test_the_app_uses_it_and_a_visitor_keeps_their_session(app):
    assert isinstance(app.session_interface, SessionInterface)
    client = app.test_client()
    client.post("/language", data={"language": "pl", "next": "/"})
    assert 'lang="pl"' in client.get("/").get_data(as_text=True)
