"""Who may do what with organisations: one function per question, deny by default."""
from govchallenge.core.permissions import is_admin, signed_in

from .models import ACTIVE, OFFICER, membership_of


def is_member(user, organisation):
    membership = membership_of(user, organisation)
    return membership is not None and membership.state == ACTIVE


def is_officer(user, organisation):
    membership = membership_of(user, organisation)
    return membership is not None and membership.state == ACTIVE and membership.role == OFFICER


def can_manage(user, organisation):
    return is_admin(user) or is_officer(user, organisation)


def can_create_organisation(user):
    return signed_in(user) and user.is_verified


def can_request_to_join(user, organisation):
    return signed_in(user) and user.is_verified and membership_of(user, organisation) is None


def can_verify(user, organisation):
    return is_admin(user) and not organisation.is_verified


def can_publish_challenges_for(user, organisation):
    """Only officers of a verified public body author challenges."""
    return organisation.is_public_body and organisation.is_verified and is_officer(user, organisation)
