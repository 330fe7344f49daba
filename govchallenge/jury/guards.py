"""The jury's refusals and the states that freeze it: once a round closes or the results are out, nothing changes."""
from govchallenge.challenges.models import ARCHIVED, RESULTS_PUBLISHED
from govchallenge.core.actions import RuleError
from govchallenge.core.timeutil import utcnow

from .models import FINAL_KINDS, OPEN

# Once the results are out (or the challenge archived), no score or decision of the jury changes.
FROZEN_STATUSES = (RESULTS_PUBLISHED, ARCHIVED)


class JuryError(RuleError):
    """A refused change of the jury: `code` names the rule (jury/messages.py words it)."""


def results_frozen(challenge):
    """True once the challenge's results are published or it is archived: the jury's work is final."""
    return challenge is not None and challenge.status in FROZEN_STATUSES


def require_unfrozen(challenge):
    if results_frozen(challenge):
        raise JuryError("results_published")


def round_frozen(rnd):
    """Scores and decisions of a round change only while it is open and the results are not published."""
    return rnd.state != OPEN or results_frozen(rnd.challenge)


def require_changeable(rnd):
    require_unfrozen(rnd.challenge)
    if rnd.state != OPEN:
        raise JuryError("round_closed")


def check_closes_at(closes_at):
    if closes_at is not None and closes_at <= utcnow():
        raise JuryError("closes_in_past")


def require_rubric(rnd):
    """Assignments, reviews and the rubric's closing belong to rounds scored on the rubric; a round judged in pairs
    or by a ranked vote is run from its finals page (finals.py)."""
    if rnd.kind in FINAL_KINDS:
        raise JuryError("final_round")
