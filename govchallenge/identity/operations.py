"""Every state change of identity: links between accounts and providers, accounts created at a first sign-in,
providers set by admins. Operations flush, never commit.

The linking rule. A provider's word is taken only for what it can know:
- an (issuer, subject) already linked signs that account in, whatever address the provider gives today;
- otherwise the provider must say the address is verified (`email_verified` true), and it must be an address
  the provider may vouch for (a body's provider: its own domains). Then an existing account is linked only
  when its own address was confirmed here too: an unconfirmed account may belong to whoever typed the address,
  and joining it would hand that person's password a verified identity. Without an account, one is created
  (when OIDC_CREATE_ACCOUNTS allows) after the person chose their country, language and time zone;
- an account holds one subject per issuer: a second one is refused, never merged.
"""
import secrets
import time

from flask import current_app

from govchallenge.accounts.models import User, find_by_email, normalise_email
from govchallenge.core import audit
from govchallenge.core.actions import RuleError
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db

from .models import IdentityLink, IdentityProvider, account_link, link_for
from .oidc import SignInRefused
from .permissions import may_sign_in_through, required_providers

NEW_ACCOUNT_SECONDS = 15 * 60


class ProviderRefused(RuleError):
    """An admin's provider settings cannot be saved."""


def _verified_email(provider, claims):
    email = normalise_email(claims.get("email") if isinstance(claims.get("email"), str) else "")
    if not email or "@" not in email or claims.get("email_verified") not in (True, "true"):
        raise SignInRefused("email_unverified", provider=provider.label)
    if not provider.vouches_for(email):
        raise SignInRefused("email_domain", provider=provider.label)
    return email


def account_for(provider, claims):
    """The account these verified claims sign in (linked now if it was not), or None when none exists yet and
    one may be created. Refusals leave nothing behind (the caller rolls back)."""
    link = link_for(provider.issuer, claims["sub"])
    if link is not None:
        link.last_used_at = utcnow()
        return _allowed(link.user, provider)
    email = _verified_email(provider, claims)
    user = find_by_email(email)
    if user is None:
        if not current_app.config["OIDC_CREATE_ACCOUNTS"]:
            raise SignInRefused("registration_closed", provider=provider.label)
        return None
    if not user.is_verified:
        raise SignInRefused("account_unverified", provider=provider.label, account=user.id)
    if account_link(user, provider.issuer) is not None:
        raise SignInRefused("already_linked", provider=provider.label, account=user.id)
    _allowed(user, provider)
    _link(user, provider, claims["sub"])
    return user


def _allowed(user, provider):
    if not may_sign_in_through(user, provider):
        raise SignInRefused("officer_provider", organisation=required_providers(user)[0].name, account=user.id)
    return user


def _link(user, provider, subject):
    db.session.add(IdentityLink(user=user, issuer=provider.issuer, subject=subject, last_used_at=utcnow()))
    db.session.flush()
    audit.record("account.identity_linked", user, actor=user, issuer=provider.issuer, subject=subject)


def pending_account(provider, claims, next_url):
    """What the new-account page needs to create the account later (kept in the signed session)."""
    name = claims.get("name") or " ".join(filter(None, (claims.get("given_name"), claims.get("family_name"))))
    return {"provider": provider.key, "issuer": provider.issuer, "sub": claims["sub"],
            "email": _verified_email(provider, claims), "name": str(name or "")[:120],
            "locale": str(claims.get("locale") or "")[:2].lower(), "zoneinfo": str(claims.get("zoneinfo") or ""),
            "next": next_url, "at": time.time()}


def create_account(provider, pending, name, country, language, timezone):
    """The account of a first sign-in, its address confirmed by the provider, linked to its identity. Its
    password is unknown to everyone; the owner may set one with a reset."""
    if time.time() - pending["at"] > NEW_ACCOUNT_SECONDS:
        raise SignInRefused("expired")
    if not current_app.config["OIDC_CREATE_ACCOUNTS"]:
        raise SignInRefused("registration_closed", provider=provider.label)
    if provider.issuer != pending["issuer"] or find_by_email(pending["email"]) or link_for(provider.issuer, pending["sub"]):
        raise SignInRefused("state")  # the world changed since the callback: start again, which finds the account
    user = User(name=name.strip(), email=pending["email"], country=country.upper(), language=language,
                timezone=timezone, email_verified_at=utcnow())
    user.set_password(secrets.token_urlsafe(32))
    db.session.add(user)
    db.session.flush()
    audit.record("account.registered", user, actor=user, issuer=provider.issuer)
    _link(user, provider, pending["sub"])
    return user


def record_refusal(user_id, code, provider):
    user = db.session.get(User, user_id)
    if user is not None:
        audit.record("account.login_failed", user, method="oidc", issuer=provider.issuer if provider else "", reason=code)


def save_provider(organisation, fields, actor):
    """Create or change a body's provider (admins only, checked by the view)."""
    if not (organisation.is_public_body and organisation.is_verified):
        raise ProviderRefused("not_public_body")
    row = db.session.query(IdentityProvider).filter_by(organisation_id=organisation.id).one_or_none()
    created = row is None
    if created:
        row = IdentityProvider(organisation=organisation)
        db.session.add(row)
    secret = fields.pop("client_secret", None)
    if secret is not None:
        row.client_secret = secret
    for name, value in fields.items():
        setattr(row, name, value)
    db.session.flush()
    audit.record("identity.provider_saved", organisation, actor=actor, issuer=row.issuer, client_id=row.client_id,
                 email_domains=row.email_domains, required_for_officers=row.required_for_officers, created=created)
    return row


def remove_provider(row, actor):
    """The body's provider goes; links stay (a provider set up again signs the same people in), officers sign
    in with passwords again (a reset sets one)."""
    audit.record("identity.provider_removed", row.organisation, actor=actor, issuer=row.issuer)
    db.session.delete(row)
    db.session.flush()


def check_discovery(issuer):
    """A provider answers at `issuer` with a discovery document naming it: caught typos before officers meet them."""
    from .oidc import forget_cached, metadata
    from .providers import Provider

    forget_cached()
    try:
        metadata(Provider(key="", label=issuer, issuer=issuer, client_id="", client_secret="", scopes=""))
    except SignInRefused:
        raise ProviderRefused("discovery", url=issuer.rstrip("/") + "/.well-known/openid-configuration") from None
