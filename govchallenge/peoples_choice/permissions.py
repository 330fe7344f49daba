"""Who may do what with People's Choice: one function per question, deny by default.

The hosts' officers open the award, review flagged votes and publish the count; every signed-in account may
try to vote (the operation refuses unverified addresses, closed windows and a team's own entry, with words);
a team's members decide what of their entry is public; the count is seen by the hosts once the window has
closed, by everyone once it is published — never while votes can still be cast."""
from govchallenge.challenges.models import PUBLIC_STATES
from govchallenge.challenges.permissions import is_host_officer
from govchallenge.core.i18n import lazy_text as _l
from govchallenge.core.permissions import signed_in
from govchallenge.teams.permissions import is_member

REFUSALS = {
    "can_manage_award": _l("Only the officers of the bodies that host this challenge may run its People's Choice award."),
    "can_release": _l("Only the members of the entry's team may decide what of it the public sees."),
}


def challenge_is_public(challenge):
    return challenge.state in PUBLIC_STATES


def can_manage_award(user, challenge):
    return challenge_is_public(challenge) and is_host_officer(user, challenge)


def can_view_award(award):
    """The award's page and its entries' public pages are public once the challenge is."""
    return award is not None and challenge_is_public(award.challenge)


def may_try_to_vote(user):
    return signed_in(user)


def can_release(user, submission):
    return signed_in(user) and is_member(user, submission.team)


def can_see_counts(user, award, now):
    """Everyone once published; the hosts once the window has closed (to review flags before publishing)."""
    if award.is_published:
        return True
    return award.has_closed(now) and is_host_officer(user, award.challenge)
