"""Demo data of the results domain (registered in govchallenge.demo.DEMO_STEPS); idempotent.

Publishes the results of "clean-air-sensors" as its jury chair and hosts would: the chair
proposes, every host officer confirms, the last confirmation publishes and records the
announcement, which runs after the demo command's commit (inline in the embedded default)."""
import logging

import sqlalchemy as sa

from govchallenge.accounts.models import User
from govchallenge.challenges.models import by_slug
from govchallenge.extensions import db
from govchallenge.jury.models import Juror
from govchallenge.organisations.models import OFFICER, active_memberships

from . import operations
from .models import proposed_for, published_for

log = logging.getLogger(__name__)
SLUG = "clean-air-sensors"


def add_demo(users):
    """users: {e-mail: User} of the foundation's demo accounts."""
    challenge = by_slug(SLUG)
    if challenge is None or published_for(challenge.id) is not None:
        return None
    chair = db.session.execute(
        sa.select(User).join(Juror, Juror.user_id == User.id)
        .where(Juror.challenge_id == challenge.id, Juror.is_chair.is_(True))
    ).scalars().first()
    publication = proposed_for(challenge.id)
    if publication is None:
        try:
            publication = operations.propose(challenge, chair)
        except operations.ResultsError as error:
            log.warning("demo results of %s skipped: %s %s", SLUG, error.code, error.detail)
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
