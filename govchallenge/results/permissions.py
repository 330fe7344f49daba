"""Who may do what with results: one function per question, deny by default.

Before publication only the jury, its chair and the hosts' officers see scores; after it, everyone
sees what the challenge chose to publish, and each participant their own outcome."""
from govchallenge.challenges.permissions import is_host_officer
from govchallenge.core.permissions import is_admin, signed_in


def _jury():
    from govchallenge.jury import permissions

    return permissions


def is_chair(user, challenge):
    return signed_in(user) and bool(_jury().is_chair(user, challenge))


def is_juror(user, challenge):
    return signed_in(user) and bool(_jury().is_juror(user, challenge))


def can_see_results_page(user, challenge):
    """The page exists for a public challenge; a challenge not yet public only for its hosts."""
    return challenge.is_public or is_host_officer(user, challenge) or is_admin(user)


def can_see_scores_before_publication(user, challenge):
    return signed_in(user) and (
        is_host_officer(user, challenge) or is_chair(user, challenge) or is_juror(user, challenge)
    )


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
    """After publication: the full ranking even when only winners are published."""
    return can_see_scores_before_publication(user, challenge) or is_admin(user)
