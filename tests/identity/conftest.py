"""Real OpenID Connect providers (tests/oidc): one the platform trusts, with fixed signing keys the tests may
also sign with, and another one (another issuer, its own keys) whose tokens must be refused."""
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc.jwk import RSAKey

from tests.oidc.server import OidcProvider, sign_in_at_provider

BASE = "http://localhost"
CALLBACK = BASE + "/login/idp/callback"
CLIENT_ID, CLIENT_SECRET = "govchallenge", "a-long-client-secret-for-the-test-provider"
ACCOUNTS = {
    # login (the subject): claims
    "olga": {"email": "officer@ministry.gov.pl", "email_verified": True, "name": "Olga Officer"},
    "olga-twin": {"email": "officer@ministry.gov.pl", "email_verified": True},
    "marek": {"email": "member@ministry.gov.pl", "email_verified": True},
    "pat": {"email": "pat@startup.dk", "email_verified": True},
    "pat-unconfirmed": {"email": "pat@startup.dk", "email_verified": False},
    "una": {"email": "new@example.org", "email_verified": True},
    "nina": {"email": "nina@ministry.gov.pl", "email_verified": True, "name": "Nina Νέα", "locale": "el",
             "zoneinfo": "Europe/Athens"},
}
SIGNING_KEY = RSAKey.generate_key(2048, parameters={"kid": "test-signing-key", "alg": "RS256", "use": "sig"}, private=True)


def client_metadata():
    return [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [CALLBACK]}]


@pytest.fixture(scope="session")
def idp():
    provider = OidcProvider(client_metadata(), ACCOUNTS, jwks={"keys": [SIGNING_KEY.as_dict(private=True)]}).start()
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
def other_idp():
    provider = OidcProvider(client_metadata(), ACCOUNTS).start()
    yield provider
    provider.stop()


def oidc_settings(provider, **extra):
    return {"OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_LABEL": "Test ID", **extra}


@pytest.fixture
def oidc_app(make_app, idp):
    app = make_app(**oidc_settings(idp))
    with app.app_context():
        yield app


def at_provider(client, login, start="/login/idp"):
    """Start at the platform, sign in at the provider as `login`: -> the callback path the provider sends back."""
    response = client.get(start)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    back = sign_in_at_provider(response.location, login, stop_at=CALLBACK)
    return back[len(BASE):]


def sign_in_through(client, login, start="/login/idp"):
    return client.get(at_provider(client, login, start))


def query(path):
    return {name: values[0] for name, values in parse_qs(urlsplit(path).query).items()}


def signed_in_as(client):
    """The e-mail of the account the client's session signs in (as the app reads it), or None."""
    from govchallenge.accounts.models import load_session_user
    from govchallenge.extensions import db

    with client.session_transaction() as session:
        session_id = session.get("_user_id")
    db.session.expire_all()
    user = load_session_user(session_id)
    return user.email if user else None
