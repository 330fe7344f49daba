"""State changes of organisations and their members. Flush, never commit."""
import sqlalchemy as sa

from govchallenge.core.actions import RuleError
from govchallenge.core import audit
from govchallenge.core.slugs import unique_slug
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db

from .models import ACTIVE, MEMBER, OFFICER, PENDING, Membership, Organisation


class OrganisationError(RuleError):
    """A refused change of the organisation domain; its views word it."""


def _slug_taken(slug):
    return db.session.execute(sa.select(Organisation.id).where(Organisation.slug == slug)).first() is not None


def create(actor, name, kind, country, website="", description=""):
    organisation = Organisation(
        slug=unique_slug(name, _slug_taken),
        name=name.strip(),
        kind=kind,
        country=country.upper(),
        website=website.strip(),
        description=description,
    )
    db.session.add(organisation)
    db.session.add(Membership(organisation=organisation, user=actor, role=OFFICER, state=ACTIVE))
    db.session.flush()
    audit.record("organisation.created", organisation, actor=actor, kind=kind, country=organisation.country)
    return organisation


def update(actor, organisation, name, kind, country, website, description):
    if organisation.is_verified and (kind != organisation.kind or country.upper() != organisation.country):
        # A verified public body stays what the administrator checked.
        raise OrganisationError("verified_locked")
    organisation.name = name.strip()
    organisation.kind = kind
    organisation.country = country.upper()
    organisation.website = website.strip()
    organisation.description = description
    audit.record("organisation.updated", organisation, actor=actor)


def request_to_join(actor, organisation):
    membership = Membership(organisation=organisation, user=actor, role=MEMBER, state=PENDING)
    db.session.add(membership)
    db.session.flush()
    audit.record("organisation.join_requested", organisation, actor=actor)
    return membership


def add_member(actor, organisation, user, role=MEMBER):
    membership = Membership(organisation=organisation, user=user, role=role, state=ACTIVE)
    db.session.add(membership)
    db.session.flush()
    audit.record("organisation.member_added", organisation, actor=actor, user_id=user.id, role=role)
    return membership


def approve(actor, membership):
    membership.state = ACTIVE
    audit.record("organisation.member_approved", membership.organisation, actor=actor, user_id=membership.user_id)


def _officer_count(organisation):
    return db.session.execute(
        sa.select(sa.func.count(Membership.id)).where(
            Membership.organisation_id == organisation.id, Membership.role == OFFICER, Membership.state == ACTIVE
        )
    ).scalar()


def set_role(actor, membership, role):
    if membership.role == OFFICER and role != OFFICER and _officer_count(membership.organisation) <= 1:
        raise OrganisationError("last_officer")
    membership.role = role
    audit.record("organisation.role_changed", membership.organisation, actor=actor, user_id=membership.user_id, role=role)


def remove(actor, membership):
    if membership.role == OFFICER and membership.state == ACTIVE and _officer_count(membership.organisation) <= 1:
        raise OrganisationError("last_officer")
    audit.record("organisation.member_removed", membership.organisation, actor=actor, user_id=membership.user_id)
    db.session.delete(membership)


def verify(actor, organisation):
    organisation.verified_at = utcnow()
    organisation.verified_by_id = actor.id
    audit.record("organisation.verified", organisation, actor=actor)
