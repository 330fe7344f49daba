"""Bad callbacks and bad tokens: refused with a clear message, nobody signed in, nothing linked or created."""
import time

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import RSAKey

from govchallenge.accounts.models import User
from govchallenge.identity import oidc
from govchallenge.identity.models import IdentityLink
from govchallenge.identity.providers import instance_provider
from tests.conftest import count_rows
from tests.oidc.server import OidcProvider, sign_in_at_provider

from .conftest import (
    ACCOUNTS, BASE, CALLBACK, CLIENT_ID, SIGNING_KEY, at_provider, client_metadata, oidc_settings, query,
    sign_in_through, signed_in_as,
)


def nothing_happened(client, users_before):
    assert signed_in_as(client) is None
    assert count_rows(IdentityLink) == 0 and count_rows(User) == users_before


def test_a_callback_with_another_state_is_refused_and_the_started_sign_in_is_used_up(oidc_app, people):
    client = oidc_app.test_client()
    path = at_provider(client, "olga")
    forged = path.replace("state=" + query(path)["state"], "state=not-the-state")
    response = client.get(forged)
    assert response.status_code == 400
    assert "does not belong to a sign-in started in this browser" in response.get_data(as_text=True)
    assert client.get(path).status_code == 400  # the genuine answer, afterwards: its state is spent
    nothing_happened(client, 5)


def test_a_callback_in_a_browser_that_started_nothing_is_refused(oidc_app, people):
    victim_path = at_provider(oidc_app.test_client(), "olga")
    attacker = oidc_app.test_client()  # a sign-in forced on another browser (login CSRF)
    assert attacker.get(victim_path).status_code == 400
    nothing_happened(attacker, 5)


def test_a_replayed_code_is_refused(oidc_app, people):
    client = oidc_app.test_client()
    used = at_provider(client, "olga")
    assert client.get(used).status_code == 302
    assert client.get(used).status_code == 400  # the same answer again: its state is spent

    # Another browser starts its own sign-in and slips the used code in, with its own fresh state.
    other = oidc_app.test_client()
    fresh_state = query(other.get("/login/idp").location)["state"]
    response = other.get("/login/idp/callback", query_string={"code": query(used)["code"], "state": fresh_state,
                                                              "iss": query(used)["iss"]})
    assert response.status_code == 400
    assert "refused to confirm this sign-in" in response.get_data(as_text=True)
    assert signed_in_as(other) is None and count_rows(IdentityLink) == 1


def test_a_code_from_another_browsers_sign_in_fails_its_pkce_check(oidc_app, people):
    victim = oidc_app.test_client()
    stolen = query(at_provider(victim, "olga"))  # never redeemed by the victim
    attacker = oidc_app.test_client()
    state = query(attacker.get("/login/idp").location)["state"]
    response = attacker.get("/login/idp/callback", query_string={"code": stolen["code"], "state": state,
                                                                 "iss": stolen["iss"]})
    assert response.status_code == 400 and "refused to confirm" in response.get_data(as_text=True)
    nothing_happened(attacker, 5)


def test_an_id_token_for_another_nonce_is_refused(oidc_app, people):
    client = oidc_app.test_client()
    path = at_provider(client, "olga")
    with client.session_transaction() as session:
        started = session["identity.started"]
        session["identity.started"] = {**started, "nonce": "another-nonce"}
    response = client.get(path)
    assert response.status_code == 400
    assert "does not answer this sign-in" in response.get_data(as_text=True)
    nothing_happened(client, 5)


def test_an_answer_naming_another_issuer_is_refused(oidc_app, people, other_idp):
    client = oidc_app.test_client()
    path = at_provider(client, "olga")
    response = client.get("/login/idp/callback", query_string={**query(path), "iss": other_idp.issuer})
    assert response.status_code == 400 and "did not come from Test ID" in response.get_data(as_text=True)
    nothing_happened(client, 5)


def test_the_sign_in_cancelled_at_the_provider_says_so(oidc_app, people):
    client = oidc_app.test_client()
    state = query(client.get("/login/idp").location)["state"]
    response = client.get(f"/login/idp/callback?error=access_denied&state={state}")
    assert response.status_code == 400 and "cancelled at Test ID" in response.get_data(as_text=True)
    nothing_happened(client, 5)


def test_an_id_token_from_another_issuer_is_refused_at_the_callback(oidc_app, people, other_idp, monkeypatch):
    foreign = real_id_token(other_idp, "olga", nonce=None)

    def token_from_elsewhere(self, url, **kwargs):
        return {"access_token": "x", "token_type": "Bearer", "id_token": foreign}

    monkeypatch.setattr(OAuth2Session, "fetch_token", token_from_elsewhere)
    client = oidc_app.test_client()
    response = client.get(at_provider(client, "olga"))
    assert response.status_code == 400 and "could not be verified" in response.get_data(as_text=True)
    nothing_happened(client, 5)


# --- the ID token check, token by token ------------------------------------------------------------

def real_id_token(provider, login, nonce):
    """An ID token as `provider` really issues it, for our client, after a sign-in as `login`."""
    document = requests.get(provider.issuer + "/.well-known/openid-configuration", timeout=5).json()
    session = OAuth2Session(CLIENT_ID, client_metadata()[0]["client_secret"], scope="openid email",
                            redirect_uri=CALLBACK, code_challenge_method="S256")
    verifier = "v" * 64
    url, _ = session.create_authorization_url(document["authorization_endpoint"], code_verifier=verifier,
                                              nonce=nonce or "some-nonce")
    code = query(sign_in_at_provider(url, login, stop_at=CALLBACK)[len(BASE):])["code"]
    return session.fetch_token(document["token_endpoint"], code=code, code_verifier=verifier)["id_token"]


def signed(claims, key=SIGNING_KEY):
    now = int(time.time())
    body = {"iss": None, "aud": CLIENT_ID, "sub": "olga", "nonce": "n-1", "iat": now, "exp": now + 300, **claims}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, {k: v for k, v in body.items() if v is not None}, key)


@pytest.fixture
def check(oidc_app, idp):
    provider = instance_provider()
    document = oidc.metadata(provider)

    def run(token, nonce="n-1"):
        return oidc.verify_id_token(provider, document, token, nonce)

    run.issuer = idp.issuer
    return run


def test_a_token_signed_with_the_providers_key_and_right_claims_passes(check):
    assert check(signed({"iss": check.issuer}))["sub"] == "olga"


@pytest.mark.parametrize("claims, nonce, code", [
    ({"iss": "http://127.0.0.1:1/another"}, "n-1", "issuer"),
    ({"aud": "another-client"}, "n-1", "audience"),
    ({"aud": ["another-client", CLIENT_ID], "azp": "another-client"}, "n-1", "audience"),
    ({}, "another-nonce", "nonce"),
    ({"nonce": None}, "n-1", "nonce"),
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "n-1", "token_expired"),
    ({"sub": None}, "n-1", "token_invalid"),
])
def test_a_token_with_a_wrong_claim_is_refused(check, claims, nonce, code):
    with pytest.raises(oidc.SignInRefused) as refused:
        check(signed({"iss": check.issuer, **claims}), nonce=nonce)
    assert refused.value.code == code


def test_a_token_signed_with_another_key_is_refused(check):
    stranger = RSAKey.generate_key(2048, parameters={"kid": "test-signing-key"}, private=True)
    with pytest.raises(oidc.SignInRefused) as refused:
        check(signed({"iss": check.issuer}, key=stranger))
    assert refused.value.code == "token_invalid"


def test_an_unsigned_token_is_refused(check):
    now = int(time.time())
    with pytest.warns(SecurityWarning):
        unsigned = jwt.encode({"alg": "none"}, {"iss": check.issuer, "aud": CLIENT_ID, "sub": "olga", "nonce": "n-1",
                                                "iat": now, "exp": now + 300}, None, algorithms=["none"])
    with pytest.raises(oidc.SignInRefused) as refused:
        check(unsigned)
    assert refused.value.code == "token_invalid"


def test_a_real_token_from_another_provider_is_refused(check, other_idp):
    with pytest.raises(oidc.SignInRefused) as refused:
        check(real_id_token(other_idp, "olga", nonce="n-1"))
    assert refused.value.code in {"token_invalid", "issuer"}


# --- the provider down ------------------------------------------------------------------------------

def test_a_provider_that_does_not_answer_is_named_in_a_clear_message(make_app, people):
    from tests.support.services import free_port

    app = make_app(OIDC_ISSUER=f"http://127.0.0.1:{free_port()}", OIDC_CLIENT_ID=CLIENT_ID, OIDC_LABEL="Test ID",
                   OIDC_TIMEOUT_SECONDS=2)
    with app.app_context():
        client = app.test_client()
        response = client.get("/login/idp")
        assert response.status_code == 503
        assert "Test ID cannot be reached right now" in response.get_data(as_text=True)
        nothing_happened(client, 5)


def test_a_provider_that_stops_during_the_sign_in_is_named_in_a_clear_message(make_app, people):
    provider = OidcProvider(client_metadata(), ACCOUNTS).start()
    try:
        app = make_app(**oidc_settings(provider))
        with app.app_context():
            client = app.test_client()
            path = at_provider(client, "olga")
            provider.stop()
            response = client.get(path)
            assert response.status_code == 503
            assert "Test ID cannot be reached right now" in response.get_data(as_text=True)
            nothing_happened(client, 5)
    finally:
        provider.stop()


def new_key_set(kid):
    return {"keys": [RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"},
                                         private=True).as_dict(private=True)]}


def test_keys_rotated_at_the_provider_are_fetched_again(make_app, people):
    provider = OidcProvider(client_metadata(), ACCOUNTS, jwks=new_key_set("first-key")).start()
    try:
        app = make_app(**oidc_settings(provider))
        with app.app_context():
            assert sign_in_through(app.test_client(), "olga").status_code == 302
            provider.jwks = new_key_set("second-key")  # the keys the app cached no longer sign anything
            provider.restart()
            client = app.test_client()
            assert sign_in_through(client, "pat").status_code == 302
            assert signed_in_as(client) == "pat@startup.dk"
    finally:
        provider.stop()
