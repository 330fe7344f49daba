"""What the challenges domain puts on a signed-in person's home ("Your work"): for administrators, the
challenges waiting for their approval; for officers, the drafts and the challenges in review of their bodies.
Each part runs a constant number of queries, however many challenges it lists."""
import sqlalchemy as sa

from govchallenge.core.permissions import is_admin
from govchallenge.extensions import db
from govchallenge.organisations.models import OFFICER

from . import permissions as can
from .models import ACCEPTED, CHANGES_REQUESTED, DRAFT, IN_REVIEW, Challenge, ChallengeHost

AUTHORING_STATES = (DRAFT, CHANGES_REQUESTED, IN_REVIEW)
LISTED = 50  # a home lists the first ones; the full lists have their own pages


def awaiting_approval_count(user):
    """How many challenges wait for an administrator's decision (the number beside the navigation link)."""
    if not is_admin(user):
        return 0
    return db.session.execute(sa.select(sa.func.count(Challenge.id)).where(Challenge.status == IN_REVIEW)).scalar()


def approval_section(user, now):
    if not is_admin(user):
        return None
    waiting = db.session.execute(
        sa.select(Challenge).where(Challenge.status == IN_REVIEW).order_by(Challenge.updated_at).limit(LISTED)
    ).scalars().all()
    return {"waiting": waiting, "count": awaiting_approval_count(user)} if waiting else None


def authoring_section(user, now):
    """Drafts, challenges sent back with changes requested, and those in review, of the bodies the user is an
    officer of; and the invitations to co-host that wait for their answer."""
    bodies = [m.organisation_id for m in can._memberships(user) if m.role == OFFICER]
    if not bodies:
        return None
    hosts = db.session.execute(
        sa.select(ChallengeHost).join(Challenge, Challenge.id == ChallengeHost.challenge_id)
        .where(ChallengeHost.organisation_id.in_(bodies))
        .where(sa.or_(sa.and_(ChallengeHost.state == ACCEPTED, Challenge.status.in_(AUTHORING_STATES)),
                      ChallengeHost.state == "invited"))
        .options(sa.orm.contains_eager(ChallengeHost.challenge), sa.orm.joinedload(ChallengeHost.organisation))
        .order_by(Challenge.updated_at.desc()).limit(LISTED)
    ).scalars().all()
    if not hosts:
        return None
    seen, authoring, invitations = set(), [], []
    for host in hosts:
        if host.state == ACCEPTED and host.challenge_id not in seen:
            seen.add(host.challenge_id)
            authoring.append(host.challenge)
        elif host.state != ACCEPTED:
            invitations.append(host)
    return {"authoring": authoring, "invitations": invitations}
