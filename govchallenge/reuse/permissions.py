"""Who may do what with the reuse catalogue: one function per question, deny by default.

Teams decide whether their solution is listed; hosts approve the listings of their challenge; only officers
of verified public bodies record adoption or interest, or run a challenge again; everyone reads what is listed."""
from govchallenge.challenges.models import RESULTS_PUBLISHED, ARCHIVED
from govchallenge.challenges.permissions import authoring_organisations, host_organisation_ids, is_host_officer
from govchallenge.core.permissions import is_admin, signed_in
from govchallenge.core.i18n import lazy_text as _l
from govchallenge.teams.permissions import is_member

# What a signed-in person refused by a rule is told (the 403 page adds what they can do).
REFUSALS = {
    "can_decide_listing": _l("Only the members of the entry's team may decide whether its solution is listed, once the results are published."),
    "can_approve_listings": _l("Only the officers of the bodies that host this challenge may approve its listings, once the results are published."),
    "can_record_adoption": _l("Only the officers of a verified public body may record that it uses or wants a listed solution."),
    "can_withdraw_adoption": _l("Only the officers of the body that recorded it may withdraw this record."),
    "can_run_again": _l("Only the officers of another verified public body may run this published challenge again."),
    "can_propose_contest": _l("Only the officers of a verified public body that hosts this published challenge may join it and its copies into a contest, when the challenge was run again."),
    "can_answer_invitation": _l("Only the officers of a verified public body that hosts the invited challenge may join or decline, while the invitation is open."),
    "can_give_shared_award": _l("Only the officers of the body that coordinates this contest may give its shared award."),
}

RESULTS_OUT = (RESULTS_PUBLISHED, ARCHIVED)


def results_out(challenge):
    return challenge.status in RESULTS_OUT


def can_decide_listing(user, submission):
    """A member of the entry's team, once the results are out."""
    return signed_in(user) and results_out(submission.team.challenge) and is_member(user, submission.team)


def can_approve_listings(user, challenge):
    return results_out(challenge) and is_host_officer(user, challenge)


def can_view_listing(user, listing):
    """Listed solutions are public; a listing not (or no longer) listed only to its team and hosts."""
    if listing.is_public:
        return True
    return signed_in(user) and (is_member(user, listing.submission.team) or is_host_officer(user, listing.challenge)
                                or is_admin(user))


def adopting_bodies(user):
    """The verified public bodies the user is an active officer of."""
    return authoring_organisations(user)


def can_record_adoption(user, listing):
    return listing.is_public and bool(adopting_bodies(user))


def can_withdraw_adoption(user, adoption):
    return adoption.withdrawn_at is None and any(o.id == adoption.organisation_id for o in adopting_bodies(user))


def reusing_bodies(user, challenge):
    """The bodies the user may run `challenge` again for: verified public bodies they are an officer of, other
    than the challenge's own hosts (a host runs its own challenge again by editing it)."""
    hosts = host_organisation_ids(challenge)
    return [o for o in authoring_organisations(user) if o.id not in hosts]


def can_run_again(user, challenge):
    return challenge.is_public and bool(reusing_bodies(user, challenge))


def can_see_reuses(user, challenge):
    """Who ran this challenge again: its hosts (and admins)."""
    return is_host_officer(user, challenge) or is_admin(user)


# --- cross-border contests (contests.py) ---------------------------------------------------------------

def hosting_bodies(user, challenge):
    """The verified public bodies the user is an officer of that host `challenge`: who speaks for it."""
    hosts = host_organisation_ids(challenge)
    return [o for o in authoring_organisations(user) if o.id in hosts]


def can_propose_contest(user, challenge):
    """A host of a published challenge of a family (run again, or a copy) that is in no hosts' contest yet."""
    from .contests import invitable, joined_contest

    return (challenge.is_public and bool(hosting_bodies(user, challenge)) and joined_contest(challenge) is None
            and bool(invitable(challenge)))


def can_answer_invitation(user, invitation):
    from .models import INVITED

    return invitation.state == INVITED and bool(hosting_bodies(user, invitation.challenge))


def can_give_shared_award(user, contest):
    return contest.coordinator_id is not None and any(o.id == contest.coordinator_id for o in authoring_organisations(user))
