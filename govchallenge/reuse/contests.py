"""Cross-border contests of a challenge run again: the hosts of the original and of its copies join their challenges
into one contest (the results domain's `Contest`) with one shared award.

Who agrees to what: an officer of a verified public body that hosts one challenge of the family proposes the
contest — its own challenge joins at once, that body coordinates it and later gives the shared award to one of the
winners of the joined challenges. Every other challenge is only invited: an officer of a verified public body
that hosts *that* challenge joins or declines for it, so no body is put into a contest by another. A challenge
belongs to at most one such contest, so "the shared award" of a challenge is never ambiguous. Each step is
audited; flush, never commit."""
import sqlalchemy as sa

from govchallenge.challenges.models import Challenge
from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.results import operations as results
from govchallenge.results.models import Award, Contest, contest_challenge

from .models import INVITED, JOINED, REFUSED, ContestInvitation
from .operations import ReuseError, winner_ids

MAX_NAME = 200


def family(challenge):
    """The challenge's family: its original (following "based on" up) and every copy of it, copies of copies too."""
    root, seen = challenge, {challenge.id}
    while root.based_on is not None and root.based_on.id not in seen:
        root = root.based_on
        seen.add(root.id)
    members, level = [root], [root.id]
    while level:
        found = db.session.execute(sa.select(Challenge).where(Challenge.based_on_id.in_(level))
                                   .order_by(Challenge.id)).scalars().all()
        found = [c for c in found if c not in members]
        members += found
        level = [c.id for c in found]
    return members


def joined_contest(challenge):
    """The hosts' contest the challenge has joined, or None (contests made on the command line do not count)."""
    return db.session.execute(
        sa.select(Contest).join(contest_challenge, contest_challenge.c.contest_id == Contest.id)
        .where(contest_challenge.c.challenge_id == challenge.id, Contest.coordinator_id.is_not(None))
    ).scalars().first()


def invitable(challenge):
    """The challenges of the family the hosts of `challenge` may invite: published, not yet in a hosts' contest."""
    return [c for c in family(challenge) if c.id != challenge.id and c.is_public and joined_contest(c) is None]


def pending_invitations(challenge):
    return db.session.execute(
        sa.select(ContestInvitation).where(ContestInvitation.challenge_id == challenge.id,
                                           ContestInvitation.state == INVITED)
        .options(sa.orm.joinedload(ContestInvitation.contest)).order_by(ContestInvitation.id)
    ).scalars().all()


def invitations_of(contest):
    return db.session.execute(
        sa.select(ContestInvitation).where(ContestInvitation.contest_id == contest.id).order_by(ContestInvitation.id)
    ).scalars().all()


def _text(value, missing):
    value = (value or "").strip()
    if not value:
        raise ReuseError(missing)
    if len(value) > MAX_NAME:
        raise ReuseError("too_long")
    return value


def _slug_taken(slug):
    return db.session.execute(sa.select(Contest.id).where(Contest.slug == slug)).first() is not None


def propose(actor, challenge, organisation, language, name, award, invited):
    """A contest of `challenge` (which joins at once) coordinated by `organisation`, inviting the `invited`
    challenges of its family; `name` and `award` are texts in `language`."""
    name, award = _text(name, "contest_name"), _text(award, "award_name")
    if joined_contest(challenge) is not None:
        raise ReuseError("already_joined")
    allowed = {c.id: c for c in invitable(challenge)}
    if not invited:
        raise ReuseError("no_invited")
    if any(c.id not in allowed for c in invited):
        raise ReuseError("not_in_family")
    from govchallenge.core.slugs import unique_slug

    contest = results.create_contest(unique_slug(name, _slug_taken), {language: name}, [challenge], actor)
    contest.coordinator_id, contest.shared_award = organisation.id, {language: award}
    for other in dict.fromkeys(invited):
        db.session.add(ContestInvitation(contest=contest, challenge=other, invited_by_id=actor.id))
    db.session.flush()
    audit.record("reuse.contest_proposed", contest, actor=actor, challenge_id=challenge.id,
                 organisation_id=organisation.id, invited=[c.slug for c in dict.fromkeys(invited)])
    return contest


def _answer(actor, invitation, state):
    if invitation.state != INVITED:
        raise ReuseError("answered")
    invitation.state, invitation.answered_by_id, invitation.answered_at = state, actor.id, utcnow()


def join(actor, invitation):
    """The invited challenge joins the contest (an officer of one of its own hosts agrees for it)."""
    if invitation.state == INVITED and joined_contest(invitation.challenge) is not None:
        raise ReuseError("already_joined")
    _answer(actor, invitation, JOINED)
    invitation.contest.challenges.append(invitation.challenge)
    db.session.flush()
    audit.record("reuse.contest_joined", invitation.contest, actor=actor, challenge_id=invitation.challenge_id,
                 invitation_id=invitation.id)
    return invitation


def decline(actor, invitation):
    _answer(actor, invitation, REFUSED)
    db.session.flush()
    audit.record("reuse.contest_declined", invitation.contest, actor=actor, challenge_id=invitation.challenge_id,
                 invitation_id=invitation.id)
    return invitation


def shared_award_given(contest):
    return db.session.execute(sa.select(Award).where(Award.contest_id == contest.id, Award.domain.is_(None))
                              .options(sa.orm.joinedload(Award.submission))).scalars().first()


def candidates(contest):
    """The entries that may receive the shared award: the winners of the joined challenges' published results."""
    from govchallenge.submissions.models import Submission

    ids = set()
    for challenge in contest.challenges:
        ids |= winner_ids(challenge)
    if not ids:
        return []
    return db.session.execute(sa.select(Submission).where(Submission.id.in_(ids)).order_by(Submission.id)).scalars().all()


def give_shared_award(actor, contest, submission, reason=""):
    """The coordinating body gives the contest's one shared award to a winner of one of the joined challenges."""
    if shared_award_given(contest) is not None:
        raise ReuseError("award_given")
    if submission.id not in {s.id for s in candidates(contest)}:
        raise ReuseError("not_a_winner")
    award = results.give_contest_award(contest, submission, contest.shared_award, actor, reason=reason.strip()[:2000])
    audit.record("reuse.contest_award_given", contest, actor=actor, submission_id=submission.id, award_id=award.id)
    return award
