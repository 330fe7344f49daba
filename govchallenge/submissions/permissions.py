"""Who may do what with entries: one function per question, deny by default.

Nobody sees another team's entry; hosts see content only once the stage has closed, and not at all while
they sit on the jury of a blind evaluation (`can_see_entrants`); jurors get their own blind route from the
jury domain.
"""
from govchallenge.core.i18n import lazy_text as _l
from govchallenge.challenges.models import ARCHIVED, RESULTS_PUBLISHED
from govchallenge.challenges.permissions import is_host_officer
from govchallenge.core.permissions import signed_in
from govchallenge.core.registry import hook
from govchallenge.core.timeutil import utcnow
from govchallenge.teams.permissions import is_member

from .models import SUBMITTED


def can_work_on(user, team):
    """Prepare, save, submit and withdraw the team's entries (the deadline is the operation's business)."""
    return signed_in(user) and is_member(user, team)


def can_see_receipt(user, submission):
    return can_work_on(user, submission.team)


def can_see_entrants(user, challenge):
    """May `user` learn who entered what in `challenge` (a team, its members or countries beside an entry)?
    Not while a registered blind holds them (`entrant_blinds`: the jury of a blind evaluation,
    jury.permissions.kept_blind). Every page that names a team or an entrant beside an entry asks this,
    the results' too; it grants nothing by itself (the page's own permission still decides who may come)."""
    return not any(blind(user, challenge) for blind in hook("entrant_blinds"))


def host_may_read(user, submission, now=None):
    stage = submission.stage
    return (submission.state == SUBMITTED and stage.has_closed_at(now or utcnow())
            and is_host_officer(user, stage.challenge) and can_see_entrants(user, stage.challenge))


def can_view_entry(user, submission):
    return can_work_on(user, submission.team) or host_may_read(user, submission)


def can_download(user, submission):
    return can_view_entry(user, submission)


def may_have_original(user, submission):
    """Whether a reader of the entry's files gets them as uploaded, metadata included: the team always; anyone
    else only when the review is not anonymous or once the results are out. Others get the copy without
    metadata (submissions/screening.py)."""
    challenge = submission.team.challenge
    return (can_work_on(user, submission.team) or not challenge.anonymous_review
            or challenge.status in (RESULTS_PUBLISHED, ARCHIVED))


def can_see_host_view(user, challenge):
    return is_host_officer(user, challenge)


def can_list_entries(user, stage, now=None):
    """The stage's entries with their teams (the exports): its hosts, after the close, not on a blind jury."""
    return (is_host_officer(user, stage.challenge) and stage.has_closed_at(now or utcnow())
            and can_see_entrants(user, stage.challenge))


def can_grant_late_entry(user, challenge):
    """Names a team and lets it enter after the close: a host, not while on the blind jury."""
    return is_host_officer(user, challenge) and can_see_entrants(user, challenge)


# What a signed-in person refused by a rule is told (the 403 page adds what they can do).
REFUSALS = {
    "can_download": _l("Only the team, and the hosts after the deadline, may download this entry's files."),
    "can_grant_late_entry": _l('Only the officers of the bodies that host this challenge may let a team enter late.'),
    "can_list_entries": _l('The hosts see the entries of a stage once it has closed; before, only how many there are.'),
    "can_see_host_view": _l('Only the officers of the bodies that host this challenge may see its entries.'),
    "can_see_receipt": _l('Only the members of the team that submitted this entry may see its receipt.'),
    "can_view_entry": _l('Only the team, and the hosts after the deadline, may see this entry.'),
    "can_work_on": _l('Only the members of this team may work on its entry.'),
}
