"""Which identity providers this instance offers: its own (settings) and public bodies' (set by admins)."""
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, url_for

from govchallenge.core.registry import SignInOption
from govchallenge.extensions import db
from govchallenge.organisations.models import Organisation

from .models import IdentityProvider

INSTANCE = "@instance"  # the instance's own provider; never an organisation's slug (slugs have no "@")


@dataclass(frozen=True)
class Provider:
    """What a sign-in needs to know of a provider. `email_domains` empty: it may vouch for any address."""

    key: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    email_domains: tuple = ()
    organisation_id: int | None = None

    def vouches_for(self, email):
        domain = email.rsplit("@", 1)[-1].lower()
        return not self.email_domains or domain in self.email_domains


def instance_provider():
    config = current_app.config
    if not config.get("OIDC_ISSUER"):
        return None
    return Provider(
        key=INSTANCE, label=config["OIDC_LABEL"], issuer=config["OIDC_ISSUER"], client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"], scopes=config["OIDC_SCOPES"],
        email_domains=tuple(d.lower() for d in config["OIDC_EMAIL_DOMAINS"].split()),
    )


def _from_row(row):
    return Provider(
        key=row.organisation.slug, label=row.organisation.name, issuer=row.issuer, client_id=row.client_id,
        client_secret=row.client_secret, scopes=row.scopes, email_domains=tuple(d.lower() for d in row.domains),
        organisation_id=row.organisation_id,
    )


def _organisation_rows():
    return db.session.execute(
        sa.select(IdentityProvider).join(IdentityProvider.organisation)
        .options(sa.orm.contains_eager(IdentityProvider.organisation)).order_by(Organisation.name)
    ).scalars().all()


def provider_row(organisation):
    return db.session.execute(
        sa.select(IdentityProvider).where(IdentityProvider.organisation_id == organisation.id)
    ).scalar_one_or_none()


def find(key):
    """The provider named `key` (INSTANCE or an organisation's slug), or None."""
    if key == INSTANCE:
        return instance_provider()
    row = db.session.execute(
        sa.select(IdentityProvider).join(IdentityProvider.organisation).where(Organisation.slug == key)
    ).scalar_one_or_none()
    return _from_row(row) if row else None


def signin_options():
    """The buttons of the sign-in page: the instance's provider first, then each body's, by name."""
    options = []
    own = instance_provider()
    if own:
        options.append(SignInOption(url_for("identity.start"), own.label))
    for row in _organisation_rows():
        options.append(SignInOption(url_for("identity.start", key=row.organisation.slug), row.organisation.name))
    return options
