"""Demo data of the results domain (registered in govchallenge.demo.DEMO_STEPS); idempotent.

Publishes the results of "clean-air-sensors" (a rubric) and of "cool-streets-demo-day" (a final round judged in
pairs, its special award given) as their jury chairs and hosts would: the chair proposes, every host officer
confirms, the last confirmation publishes and records the announcement, which runs after the demo command's commit
(inline in the embedded default)."""
import logging

import sqlalchemy as sa

from govchallenge.accounts.models import User
from govchallenge.challenges.models import by_slug
from govchallenge.extensions import db
from govchallenge.jury.models import Juror
from govchallenge.organisations.models import OFFICER, active_memberships

from . import documents, operations
from .models import proposed_for, published_for

log = logging.getLogger(__name__)
SLUG = "clean-air-sensors"
# Its final round was judged in pairs on demo day: published with its special award given, and the chair's
# reasoned order for any tie the estimates leave.
DEMO_DAY = "cool-streets-demo-day"
SPECIAL_AWARD_REASON = "The jury's deliberation on demo day: the stronger plan for the pilot streets."


def add_demo(users):
    """users: {e-mail: User} of the foundation's demo accounts."""
    publication = _publish(SLUG, users)
    _publish(DEMO_DAY, users, special_award_to=1)
    return publication


def _publish(slug, users, special_award_to=None):
    """Proposed by the chair (with each special award to the entry placed `special_award_to`, when given), confirmed
    by every host officer; published."""
    challenge = by_slug(slug)
    if challenge is None or published_for(challenge.id) is not None:
        return None
    chair = db.session.execute(
        sa.select(User).join(Juror, Juror.user_id == User.id)
        .where(Juror.challenge_id == challenge.id, Juror.is_chair.is_(True))
    ).scalars().first()
    publication = proposed_for(challenge.id)
    if publication is None:
        try:
            publication = _propose(challenge, chair, special_award_to)
        except operations.ResultsError as error:
            log.warning("demo results of %s skipped: %s %s", slug, error.code, error.detail)
            return None
    for user in users.values():
        if publication.is_published:
            break
        if any(m.role == OFFICER for m in active_memberships(user)):
            try:
                operations.confirm(publication, user)
            except operations.ResultsError:
                continue
    if not publication.is_published:
        operations.publish(publication, None, force=True)
    db.session.flush()
    return publication


def _propose(challenge, chair, special_award_to):
    if special_award_to is None:
        return operations.propose(challenge, chair)
    preview = operations.scoring_document(challenge, documents.gather(challenge))
    decisions = [{"order": list(reversed(tie)), "reason": SPECIAL_AWARD_REASON} for tie in preview["unresolved_ties"]]
    entry = next(e["entry"] for e in preview["entries"] if e["place"] == special_award_to)
    specials = {prize.id: entry for prize in challenge.prizes if prize.place is None}
    return operations.propose(challenge, chair, chair_decisions=decisions, special_awards=specials)
