"""Who may do what in the jury: one function per question, deny by default."""
from govchallenge.core.i18n import lazy_text as _l
import sqlalchemy as sa

from govchallenge.challenges.permissions import is_host_officer
from govchallenge.core.permissions import is_admin, signed_in
from govchallenge.extensions import db

from .conflicts import is_conflicted
from .guards import results_frozen
from .models import ACCEPTED, ACTIVE, FINAL_KINDS, INVITED, Juror, RoundJuror


def juror_of(user, challenge):
    """The accepted Juror row of `user` in `challenge`, or None."""
    if not signed_in(user) or challenge is None:
        return None
    return db.session.execute(
        sa.select(Juror).where(Juror.challenge_id == challenge.id, Juror.user_id == user.id, Juror.state == ACCEPTED)
    ).scalar_one_or_none()


def kept_blind(user, challenge):
    """Whether `user` must not learn who entered what in `challenge` — which team, entrant or country is
    behind an entry — wherever else they stand (a host's officer, an administrator): the one rule of blind
    review, asked on every page that names a team or an entrant beside an entry (through
    submissions.permissions.can_see_entrants, which reads it from the `entrant_blinds` hook).

    It holds for whoever holds a jury role in a challenge reviewed anonymously — a juror or the chair,
    accepted, or invited and not yet answering (blind from the invitation, since what they saw before
    accepting cannot be unseen) — until the evaluation ends: results published, or the challenge archived
    (the jury is frozen then, jury/guards.py), or they leave the jury (declined). A challenge whose jury sees
    the teams by design (`anonymous_review` off) hides nothing from it."""
    if not signed_in(user) or challenge is None or not challenge.anonymous_review:
        return False
    if results_frozen(challenge):
        return False
    return db.session.execute(
        sa.select(sa.exists().where(
            Juror.challenge_id == challenge.id, Juror.state.in_((ACCEPTED, INVITED)),
            sa.or_(Juror.user_id == user.id, sa.func.lower(Juror.email) == (user.email or "").lower()),
        ))
    ).scalar()


def is_chair(user, challenge):
    """The accepted chair of the challenge's jury."""
    juror = juror_of(user, challenge)
    return juror is not None and juror.is_chair


def can_manage_jury(user, challenge):
    """Invite jurors and name the chair: the hosts' officers (and platform admins)."""
    return is_host_officer(user, challenge) or is_admin(user)


def can_see_progress(user, challenge):
    """The dashboard (progress, no scores of others for hosts): chair, host officers, admins."""
    return is_chair(user, challenge) or is_host_officer(user, challenge) or is_admin(user)


def can_chair(user, challenge):
    """Run rounds, assignments, conflicts, overrides, reminders: the chair only."""
    return is_chair(user, challenge)


def can_score(user, assignment):
    """The juror of an active assignment, having agreed to confidentiality, whose list is not held after a
    declared conflict (held, every entry of the list is closed to them alike, so none stands out)."""
    if not signed_in(user) or assignment is None or assignment.state != ACTIVE:
        return False
    juror = assignment.juror
    return (juror.user_id == user.id and juror.state == ACCEPTED and juror.confidentiality_agreed_at is not None
            and juror.list_held_since is None)


def can_view_entry(user, assignment):
    """Read an assigned entry and download its files: the juror of the assignment, never on an entry they
    are conflicted with (detected, declared or added by the chair), even one conflicted after assignment."""
    if not can_score(user, assignment):
        return False
    return not is_conflicted(assignment.juror, assignment.submission_id)


def can_change_entry(user, challenge, submission_id):
    """Change a score of, or exclude, an entry: the chair, never on an entry they are conflicted with."""
    if not can_chair(user, challenge):
        return False
    return not is_conflicted(juror_of(user, challenge), submission_id)


def can_respond_invitation(user, juror):
    """The signed-in person the invitation was sent to (by e-mail) or already linked to."""
    if not signed_in(user) or juror is None:
        return False
    if juror.user_id is not None:
        return juror.user_id == user.id
    return (user.email or "").lower() == (juror.email or "").lower()


def can_declare_conflicts(user, juror):
    return signed_in(user) and juror is not None and juror.user_id == user.id and juror.state == ACCEPTED


def final_juror(user, rnd):
    """The juror who may judge the pairwise or ranked round `rnd`: an active juror sitting in it (confidentiality
    agreed), whose list is not held. None for anyone else, and for a round scored on the rubric."""
    if rnd is None or rnd.kind not in FINAL_KINDS:
        return None
    juror = juror_of(user, rnd.challenge)
    if juror is None or not juror.is_active or juror.list_held_since is not None:
        return None
    sits = db.session.execute(
        sa.select(RoundJuror).where(RoundJuror.round_id == rnd.id, RoundJuror.juror_id == juror.id)
    ).first()
    return juror if sits else None


def can_see_final_standings(user, challenge):
    """The live standings of a pairwise round, the ballots' tables of a ranked one: the chair (not the hosts
    before publication: the jury deliberates on them)."""
    return can_chair(user, challenge)


# What a signed-in person refused by a rule is told (the 403 page adds what they can do).
REFUSALS = {
    "juror_of": _l("Only the members of this challenge's jury may open this page."),
    "can_chair": _l("Only the chair of this challenge's jury may open this page."),
    "can_change_entry": _l("Only the chair of this challenge's jury may change this entry's scores, and not for an entry they are in conflict with."),
    "can_manage_jury": _l('Only the officers of the bodies that host this challenge may manage its jury.'),
    "can_see_progress": _l("Only the jury's chair and the officers of the bodies that host this challenge may follow the jury's progress."),
    "can_respond_invitation": _l('This jury invitation was sent to another e-mail address. Sign in with the account of the address it was sent to.'),
    "can_score": _l('Only the juror this entry was assigned to may review it, while the round is open.'),
    "can_view_entry": _l('Only the juror this entry was assigned to may read it, and not once they declared a conflict with it.'),
}
