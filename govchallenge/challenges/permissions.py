"""Who may do what with challenges: one function per question, deny by default."""
from govchallenge.core.permissions import signed_in
from govchallenge.organisations.models import active_memberships

from govchallenge.organisations.models import OFFICER as OFFICER_ROLE

from .models import ACCEPTED


def host_organisation_ids(challenge):
    return {host.organisation_id for host in challenge.hosts if host.state == ACCEPTED}


def is_host_officer(user, challenge):
    """An active officer of one of the challenge's accepted hosts."""
    if not signed_in(user):
        return False
    hosts = host_organisation_ids(challenge)
    return any(m.organisation_id in hosts and m.role == OFFICER_ROLE for m in active_memberships(user))
