"""The OpenID Connect relying party: authorisation code with PKCE (S256), state and nonce, through Authlib's
OAuth2Session; the ID token checked with joserfc against the provider's published keys.

What a sign-in proves, and where each check lives:
- `state` (one use, kept in the signed session cookie) ties the callback to the browser that started it: a
  callback this browser did not start is refused before anything is sent to the provider.
- the PKCE verifier (same place) ties the code to that start as well: a code stolen from or injected into
  another browser is refused by the provider's token endpoint; a code used once is refused the second time.
- the `iss` of the authorisation response (RFC 9207) and of the ID token must be the configured issuer, the
  `aud` must name our client (and `azp`, when there are several audiences), the `nonce` must be the one sent,
  the signature must verify with a key the issuer publishes, and the token must not have expired.
Discovery documents and key sets are cached per process (OIDC_METADATA_SECONDS); an unknown key id fetches
the key set again once, so a provider's key rotation needs no restart.
"""
import hmac
import secrets
import time

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app
from joserfc import errors as jose_errors
from joserfc import jwt
from joserfc.jwk import KeySet

from govchallenge.core.actions import RuleError

CACHE_KEY = "govchallenge.identity.cache"
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
CLOCK_LEEWAY_SECONDS = 60
USERINFO_CLAIMS = ("email", "email_verified", "name", "given_name", "family_name", "locale", "zoneinfo")
CLAIM_CODES = {"iss": "issuer", "aud": "audience", "azp": "audience", "nonce": "nonce"}


class SignInRefused(RuleError):
    """A sign-in through a provider cannot go on; `code` names why (identity/messages.py words it)."""


def _cache():
    return current_app.extensions.setdefault(CACHE_KEY, {"metadata": {}, "jwks": {}})


def forget_cached():
    current_app.extensions.pop(CACHE_KEY, None)


def _get_json(url, provider):
    try:
        response = requests.get(url, timeout=current_app.config["OIDC_TIMEOUT_SECONDS"])
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError):
        current_app.logger.warning("identity provider %s: %s did not answer", provider.issuer, url, exc_info=True)
        raise SignInRefused("unreachable", provider=provider.label) from None


def metadata(provider):
    """The provider's discovery document, cached; its `issuer` must be exactly the configured one."""
    cached = _cache()["metadata"].get(provider.issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    document = _get_json(provider.issuer.rstrip("/") + "/.well-known/openid-configuration", provider)
    needed = ("authorization_endpoint", "token_endpoint", "jwks_uri")
    if not isinstance(document, dict) or document.get("issuer") != provider.issuer or not all(
            isinstance(document.get(name), str) for name in needed):
        current_app.logger.warning("identity provider %s: unusable discovery document", provider.issuer)
        raise SignInRefused("misconfigured", provider=provider.label)
    _cache()["metadata"][provider.issuer] = (time.monotonic() + current_app.config["OIDC_METADATA_SECONDS"], document)
    return document


def _key_set(provider, document, fresh=False):
    cached = _cache()["jwks"].get(document["jwks_uri"])
    if cached and cached[0] > time.monotonic() and not fresh:
        return cached[1]
    try:
        keys = KeySet.import_key_set(_get_json(document["jwks_uri"], provider))
    except (jose_errors.JoseError, ValueError, TypeError, KeyError):
        raise SignInRefused("misconfigured", provider=provider.label) from None
    _cache()["jwks"][document["jwks_uri"]] = (time.monotonic() + current_app.config["OIDC_METADATA_SECONDS"], keys)
    return keys


def _client(provider, redirect_uri):
    return OAuth2Session(
        provider.client_id, provider.client_secret or None, scope=provider.scopes, redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if provider.client_secret else "none",
        timeout=current_app.config["OIDC_TIMEOUT_SECONDS"],
    )


def authorization_request(provider, redirect_uri):
    """(the provider's URL to send the browser to, the secrets the callback needs: state, nonce, verifier)."""
    document = metadata(provider)
    verifier, nonce = secrets.token_urlsafe(64), secrets.token_urlsafe(24)
    url, state = _client(provider, redirect_uri).create_authorization_url(
        document["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    return url, {"state": state, "nonce": nonce, "verifier": verifier}


def check_response(provider, started, args):
    """The authorisation response answers the request this browser started, from this provider: -> the code."""
    if not started or not hmac.compare_digest(str(args.get("state", "")), started["state"]):
        raise SignInRefused("state")
    if args.get("error"):
        raise SignInRefused("cancelled" if args["error"] == "access_denied" else "provider_error", provider=provider.label)
    says_issuer = metadata(provider).get("authorization_response_iss_parameter_supported") is True
    if ("iss" in args or says_issuer) and args.get("iss") != provider.issuer:
        raise SignInRefused("issuer", provider=provider.label)
    if not args.get("code"):
        raise SignInRefused("provider_error", provider=provider.label)
    return args["code"]


def redeem(provider, started, code, redirect_uri):
    """The code exchanged (with the PKCE verifier) and the ID token checked: -> the person's claims."""
    document = metadata(provider)
    client = _client(provider, redirect_uri)
    try:
        token = client.fetch_token(document["token_endpoint"], code=code, code_verifier=started["verifier"])
    except OAuthError as error:
        current_app.logger.warning("identity provider %s refused the code: %s", provider.issuer, error)
        raise SignInRefused("code_refused", provider=provider.label) from None
    except requests.RequestException:
        raise SignInRefused("unreachable", provider=provider.label) from None
    if not token.get("id_token"):
        raise SignInRefused("code_refused", provider=provider.label)
    claims = verify_id_token(provider, document, token["id_token"], started["nonce"])
    return _with_userinfo(provider, document, client, claims)


def _decode(provider, document, id_token):
    try:
        return jwt.decode(id_token, _key_set(provider, document), algorithms=ALGORITHMS)
    except jose_errors.InvalidKeyIdError:
        return jwt.decode(id_token, _key_set(provider, document, fresh=True), algorithms=ALGORITHMS)


def verify_id_token(provider, document, id_token, nonce):
    """The ID token's claims once signature, issuer, audience, nonce and times hold; else SignInRefused."""
    try:
        token = _decode(provider, document, id_token)
        jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY_SECONDS,
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": provider.client_id},
            nonce={"essential": True, "value": nonce},
            sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
        ).validate(token.claims)
    except jose_errors.ExpiredTokenError:
        raise SignInRefused("token_expired", provider=provider.label) from None
    except jose_errors.ClaimError as error:
        raise SignInRefused(CLAIM_CODES.get(error.claim, "token_invalid"), provider=provider.label) from None
    except (jose_errors.JoseError, ValueError):
        raise SignInRefused("token_invalid", provider=provider.label) from None
    claims = token.claims
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise SignInRefused("audience", provider=provider.label)
    return claims


def _with_userinfo(provider, document, client, claims):
    """Providers that keep the e-mail out of the ID token give it at the userinfo endpoint, for the same `sub`."""
    if "email" in claims or not document.get("userinfo_endpoint"):
        return claims
    try:
        response = client.get(document["userinfo_endpoint"])
        response.raise_for_status()
        info = response.json()
    except (requests.RequestException, ValueError):
        raise SignInRefused("unreachable", provider=provider.label) from None
    if not isinstance(info, dict) or info.get("sub") != claims["sub"]:
        raise SignInRefused("token_invalid", provider=provider.label)
    return {**claims, **{name: info[name] for name in USERINFO_CLAIMS if name in info}}
