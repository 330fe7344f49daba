"""Who may do what with organisations: one function per question, deny by default."""
from govchallenge.core.i18n import lazy_text as _l
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


# What a signed-in person refused by a rule is told (the 403 page adds what they can do).
REFUSALS = {
    "can_create_organisation": _l('Confirm your e-mail address before you create an organisation.'),
    "can_manage": _l('Only the officers of this organisation may change it.'),
    "can_request_to_join": _l('Confirm your e-mail address first. If you are already a member of this organisation or have asked to join it, there is nothing more to do.'),
    "can_verify": _l("Only the platform's administrators verify public bodies."),
}
