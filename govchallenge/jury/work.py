"""What the jury domain puts on a signed-in person's home: a juror's reviews still to do, round by round with
the round's closing moment; a chair's open rounds, to close once their moment has come. Constant queries."""
import sqlalchemy as sa

from govchallenge.extensions import db

from .models import ACCEPTED, ACTIVE, OPEN, SUBMITTED, Assignment, Juror, Review, Round


def pending_reviews_section(user, now):
    """(round, reviews left) for each open round where the user, an accepted juror whose list is not held,
    has active assignments without a submitted review."""
    from govchallenge.challenges.models import Challenge

    left = sa.func.count(Assignment.id).label("left")
    counts = db.session.execute(
        sa.select(Assignment.round_id, left)
        .join(Juror, Juror.id == Assignment.juror_id)
        .join(Round, Round.id == Assignment.round_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Juror.user_id == user.id, Juror.state == ACCEPTED, Juror.list_held_since.is_(None),
               Assignment.state == ACTIVE, Round.state == OPEN,
               sa.or_(Review.id.is_(None), Review.state != SUBMITTED))
        .group_by(Assignment.round_id)
    ).all()
    if not counts:
        return None
    by_round = dict(counts)
    rounds = db.session.execute(
        sa.select(Round).where(Round.id.in_(by_round)).options(sa.orm.joinedload(Round.challenge))
        .order_by(Round.closes_at.is_(None), Round.closes_at, Round.id)
    ).scalars().all()
    return {"pending": [(rnd, by_round[rnd.id]) for rnd in rounds]}


def rounds_to_close_section(user, now):
    """The open rounds of the challenges whose jury the user chairs; those whose closing moment has passed
    first, marked, since only the chair's decision closes them."""
    chaired = sa.select(Juror.challenge_id).where(Juror.user_id == user.id, Juror.state == ACCEPTED,
                                                  Juror.is_chair.is_(True))
    rounds = db.session.execute(
        sa.select(Round).where(Round.challenge_id.in_(chaired), Round.state == OPEN)
        .options(sa.orm.joinedload(Round.challenge))
        .order_by(Round.closes_at.is_(None), Round.closes_at, Round.id)
    ).scalars().all()
    if not rounds:
        return None
    return {"chair_rounds": [(rnd, rnd.closes_at is not None and rnd.closes_at <= now) for rnd in rounds]}
