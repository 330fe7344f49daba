"""Who sits on the jury: invitations, acceptance with confidentiality, the chair. Flush, never commit."""
import sqlalchemy as sa

from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import outbox

from .guards import JuryError
from .models import ACCEPTED, DECLINED, INVITED, OPEN, Juror, Round, RoundJuror


def invite_juror(challenge, email, name, actor, organisation_id=None, is_chair=False):
    email = (email or "").strip().lower()
    existing = db.session.execute(
        sa.select(Juror).where(Juror.challenge_id == challenge.id, sa.func.lower(Juror.email) == email)
    ).scalar_one_or_none()
    if existing is not None:
        raise JuryError("already_invited")
    juror = Juror(challenge_id=challenge.id, email=email, name=(name or "").strip(), organisation_id=organisation_id,
                  invited_by_id=getattr(actor, "id", None), state=INVITED)
    db.session.add(juror)
    db.session.flush()
    if is_chair:
        set_chair(juror, actor)
    audit.record("jury.invite", juror, actor=actor, challenge_id=challenge.id, email=email, chair=bool(is_chair))
    outbox.enqueue("govchallenge.jury.jobs.send_invitation", juror.id)
    return juror


def set_chair(juror, actor):
    """One chair per jury: naming one un-names the others."""
    for other in db.session.execute(sa.select(Juror).where(Juror.challenge_id == juror.challenge_id, Juror.is_chair.is_(True))).scalars():
        if other.id != juror.id:
            other.is_chair = False
    juror.is_chair = True
    db.session.flush()
    audit.record("jury.chair", juror, actor=actor, challenge_id=juror.challenge_id)
    return juror


def accept_invitation(juror, user, agree, organisation_id=None):
    if juror.state != INVITED:
        raise JuryError("used")
    if not agree:
        raise JuryError("confidentiality")
    other = db.session.execute(
        sa.select(Juror).where(Juror.challenge_id == juror.challenge_id, Juror.user_id == user.id, Juror.id != juror.id)
    ).scalar_one_or_none()
    if other is not None:
        raise JuryError("already_juror")
    now = utcnow()
    juror.user_id = user.id
    juror.state = ACCEPTED
    juror.accepted_at = now
    juror.confidentiality_agreed_at = now
    if organisation_id is not None:
        juror.organisation_id = organisation_id
    if not juror.name:
        juror.name = user.name
    db.session.flush()
    audit.record("jury.accept", juror, actor=user, challenge_id=juror.challenge_id, confidentiality=True)
    # A juror joining an open round sits in it (an assignment run gives them work).
    for rnd in db.session.execute(sa.select(Round).where(Round.challenge_id == juror.challenge_id, Round.state == OPEN)).scalars():
        if db.session.get(RoundJuror, (rnd.id, juror.id)) is None:
            db.session.add(RoundJuror(round_id=rnd.id, juror_id=juror.id))
    db.session.flush()
    return juror


def decline_invitation(juror, user):
    if juror.state != INVITED:
        raise JuryError("used")
    juror.state = DECLINED
    juror.declined_at = utcnow()
    audit.record("jury.decline", juror, actor=user, challenge_id=juror.challenge_id)
    return juror


def challenge_jurors(challenge_id, accepted_only=True):
    query = sa.select(Juror).where(Juror.challenge_id == challenge_id).options(sa.orm.joinedload(Juror.user)).order_by(Juror.id)
    if accepted_only:
        query = query.where(Juror.state == ACCEPTED)
    return db.session.execute(query).scalars().all()


def juror_of_user(challenge_id, user):
    """The Juror row of `user` in the challenge (any state), or None."""
    if getattr(user, "id", None) is None:
        return None
    return db.session.execute(
        sa.select(Juror).where(Juror.challenge_id == challenge_id, Juror.user_id == user.id)
    ).scalar_one_or_none()
