"""Who may do what with challenges: one function per question, deny by default."""
from govchallenge.core.i18n import lazy_text as _l
from govchallenge.core.permissions import signed_in
from govchallenge.organisations.models import active_memberships

from govchallenge.organisations.models import OFFICER as OFFICER_ROLE

from .models import ACCEPTED


def _memberships(user):
    """Active memberships, read once per request whatever the number of questions asked."""
    from flask import g, has_request_context

    if not has_request_context():
        return active_memberships(user)
    cache = g.setdefault("_challenge_memberships", {})
    if user.id not in cache:
        cache[user.id] = active_memberships(user)
    return cache[user.id]


def host_organisation_ids(challenge):
    return {host.organisation_id for host in challenge.hosts if host.state == ACCEPTED}


def is_host_officer(user, challenge):
    """An active officer of one of the challenge's accepted hosts."""
    if not signed_in(user):
        return False
    hosts = host_organisation_ids(challenge)
    return any(m.organisation_id in hosts and m.role == OFFICER_ROLE for m in _memberships(user))


# --- the questions the views, API and templates ask ------------------------------------------
from govchallenge.core.permissions import is_admin  # noqa: E402
from govchallenge.organisations.models import ACTIVE  # noqa: E402

from .models import INVITED, IN_REVIEW, OPEN, PUBLIC_STATES, PUBLISHED  # noqa: E402


def authoring_organisations(user):
    """Verified public bodies the user is an officer of: the ones a challenge may be led by."""
    if not signed_in(user):
        return []
    return [
        m.organisation for m in _memberships(user)
        if m.role == OFFICER_ROLE and m.state == ACTIVE and m.organisation.is_public_body and m.organisation.is_verified
    ]


def can_create_challenge(user):
    return bool(authoring_organisations(user))


def can_view(user, challenge):
    """Published challenges are public; drafts only to hosts (incl. invited bodies) and admins."""
    if challenge.state in PUBLIC_STATES:
        return True
    return is_admin(user) or is_host_officer(user, challenge) or is_invited_officer(user, challenge)


def is_invited_officer(user, challenge):
    if not signed_in(user):
        return False
    invited = {h.organisation_id for h in challenge.hosts if h.state == INVITED}
    return any(m.organisation_id in invited and m.role == OFFICER_ROLE for m in _memberships(user))


def can_edit(user, challenge):
    return is_host_officer(user, challenge)


def can_manage_hosts(user, challenge):
    return is_host_officer(user, challenge)


def can_respond_invitation(user, host):
    if not signed_in(user) or host.state != INVITED:
        return False
    return any(m.organisation_id == host.organisation_id and m.role == OFFICER_ROLE for m in _memberships(user))


def can_submit_for_review(user, challenge):
    return is_host_officer(user, challenge)


def can_move_workflow(user, challenge):
    """Start the evaluation of a closed challenge, or archive it."""
    return is_host_officer(user, challenge) or is_admin(user)


def can_review(user, challenge):
    return is_admin(user) and challenge.status == IN_REVIEW


def can_see_review_queue(user):
    return is_admin(user)


def can_ask(user, challenge):
    return signed_in(user) and challenge.state in (PUBLISHED, OPEN)


def can_answer(user, challenge):
    return is_host_officer(user, challenge)


def can_follow(user, challenge):
    return signed_in(user) and challenge.state in PUBLIC_STATES


def can_see_audit(user, challenge):
    return is_admin(user) or is_host_officer(user, challenge)


# What a signed-in person refused by a rule is told (the 403 page adds what they can do).
REFUSALS = {
    "can_ask": _l("Questions are asked while the challenge is published and until it closes; after that, the hosts "
                  "answer no new question here."),
    "can_answer": _l("Only the officers of the public bodies that host this challenge answer its questions."),
    "can_follow": _l("A challenge can be followed once it is published."),
    "can_review": _l("Only the platform's administrators review a challenge, and only while it waits for review."),
    "can_submit_for_review": _l("Only the officers of the public bodies that host this challenge send it for review "
                                "or withdraw it."),
    "can_move_workflow": _l("Only the hosts' officers and the platform's administrators move a closed challenge on."),
    "can_respond_invitation": _l("Only an officer of the invited public body answers this invitation, once."),
}


def refusal(question):
    """The reason given when `question` (one of the functions above) says no."""
    return REFUSALS[question.__name__]
