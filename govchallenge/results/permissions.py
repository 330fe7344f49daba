"""Who may do what with results: one function per question, deny by default.

Before publication only the jury's chair and the hosts' officers see the ranking and its scores (an
ordinary juror scores blind and sees no one else's scores, nor the teams behind the entries — and in a blind
evaluation neither does the chair, nor a host who sits on the jury: `can_see_entrants`); after it, everyone
sees what the challenge chose to publish, and each participant their own outcome."""
from govchallenge.core.i18n import lazy_text as _l
from govchallenge.challenges.permissions import is_host_officer
from govchallenge.core.permissions import is_admin, signed_in
from govchallenge.jury import permissions as jury
from govchallenge.submissions.permissions import can_see_entrants  # noqa: F401  (the one rule of blind review, for results pages)


def is_chair(user, challenge):
    return signed_in(user) and bool(jury.is_chair(user, challenge))


def can_see_results_page(user, challenge):
    """The page exists for a public challenge; a challenge not yet public only for its hosts."""
    return challenge.is_public or is_host_officer(user, challenge) or is_admin(user)


def can_see_scores_before_publication(user, challenge):
    """The "ranking so far" and the proposal: the jury chair and the hosts' officers only. Platform
    admins are not on this list (they follow the announcement after publication, see below)."""
    return signed_in(user) and (is_host_officer(user, challenge) or is_chair(user, challenge))


def can_propose(user, challenge):
    return is_chair(user, challenge)


def can_confirm(user, challenge):
    return is_host_officer(user, challenge)


def can_follow_announcement(user, challenge):
    """Progress, failed deliveries, retrying them."""
    return is_host_officer(user, challenge) or is_admin(user)


def can_manage_webhooks(user, challenge):
    return is_host_officer(user, challenge)


def can_see_full_results(user, challenge):
    """After publication: the full ranking even when only winners are published — the chair, the
    hosts' officers and platform admins; an ordinary juror sees what the public sees."""
    return can_see_scores_before_publication(user, challenge) or is_admin(user)


# What a signed-in person refused by a rule is told (the 403 page adds what they can do).
REFUSALS = {
    "can_confirm": _l('Only the officers of the bodies that host this challenge may confirm its results.'),
    "can_follow_announcement": _l("Only the jury's chair and the officers of the bodies that host this challenge may follow the announcement."),
    "can_manage_webhooks": _l('Only the officers of the bodies that host this challenge may manage its webhooks.'),
    "can_propose": _l("Only the chair of this challenge's jury may propose its ranking."),
}
