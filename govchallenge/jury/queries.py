"""What the jury's pages read: loading by URL (404 when missing) and the lists each page shows. Reads only."""
import mimetypes
from datetime import timezone

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _

from govchallenge.challenges.models import by_slug as challenge_by_slug
from govchallenge.core.pagination import ListPage
from govchallenge.extensions import db
from govchallenge.organisations.models import Organisation
from govchallenge.submissions.models import Submission
from govchallenge.teams.models import Team, TeamMember

from .forms import ConflictForm
from .conflicts import detected_conflicts
from .models import ACTIVE, CONFLICT_KINDS, SUBMITTED, Assignment, ConflictDeclaration, Juror, Review, Round, RoundEntry


def load_challenge(slug):
    return challenge_by_slug(slug) or abort(404)


def load_round(challenge, number):
    rnd = db.session.execute(sa.select(Round).where(Round.challenge_id == challenge.id, Round.number == number)).scalar_one_or_none()
    return rnd or abort(404)


def load_assignment(public_id):
    a = db.session.execute(
        sa.select(Assignment).where(Assignment.public_id == public_id)
        .options(sa.orm.joinedload(Assignment.juror), sa.orm.joinedload(Assignment.review),
                 sa.orm.joinedload(Assignment.round).joinedload(Round.challenge))
    ).scalar_one_or_none()
    return a or abort(404)


def load_juror(challenge, juror_id):
    j = db.session.get(Juror, juror_id)
    if j is None or j.challenge_id != challenge.id:
        abort(404)
    return j


def to_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def entry_content(submission):
    """What a juror reads: the newest submitted version (frozen), else the entry itself."""
    version = submission.latest_version
    if version is not None:
        return {"title": version.title, "summary": version.summary, "description": version.description,
                "links": version.links or {}, "files": version.files or []}
    return {"title": submission.title, "summary": submission.summary, "description": submission.description,
            "links": submission.links or {}, "files": []}


def blind_file_name(assignment, index, mime_type):
    ext = mimetypes.guess_extension(mime_type or "") or ".bin"
    return f"entry-{assignment.public_id[:8]}-file-{index + 1}{ext}"


def others_reviews(assignment):
    """Other jurors' submitted reviews of the same entry, unnamed."""
    rows = db.session.execute(
        sa.select(Review).join(Assignment).where(
            Assignment.round_id == assignment.round_id, Assignment.submission_id == assignment.submission_id,
            Assignment.id != assignment.id, Assignment.state == ACTIVE, Review.state == SUBMITTED)
        .order_by(Review.id)
    ).scalars().all()
    return rows


def typed_utc(moment):
    """A moment typed in a form (labelled UTC) as an aware UTC datetime."""
    return moment.replace(tzinfo=timezone.utc) if moment is not None else None


def juror_choices(jurors):
    return [(str(j.id), j.display_name) for j in jurors if j.is_active]


def conflict_form(challenge, jurors=None):
    """The conflict form: every organisation of the platform (listing only those taking part would tell who
    does), people typed, no team and no entry."""
    form = ConflictForm()
    form.organisations.choices = organisation_choices()
    form.juror.choices = [(str(j.id), j.display_name) for j in (jurors or [])] or [("", "-")]
    return form


def conflict_target_label(conflict):
    """What a declared conflict names: the organisation, the person as typed, or (older rows) the team."""
    if conflict.organisation is not None:
        return conflict.organisation.name
    if conflict.person:
        return conflict.person
    return conflict.team.name if conflict.team is not None else "—"



def juror_rows_of(user):
    """The user's places on juries (any state), with their challenges."""
    return db.session.execute(
        sa.select(Juror).where(Juror.user_id == user.id).options(sa.orm.joinedload(Juror.challenge)).order_by(Juror.id)
    ).scalars().all()


def invitations_waiting_for(user):
    """Jury invitations sent to the user's address and not yet answered."""
    return db.session.execute(
        sa.select(Juror).where(sa.func.lower(Juror.email) == user.email.lower(), Juror.user_id.is_(None),
                               Juror.state == "invited").options(sa.orm.joinedload(Juror.challenge))
    ).scalars().all()


def active_assignments_of(juror):
    """A juror's active assignments, round by round, with their reviews and entries."""
    return db.session.execute(
        sa.select(Assignment).join(Round).where(Assignment.juror_id == juror.id, Assignment.state == ACTIVE)
        .options(sa.orm.joinedload(Assignment.review), sa.orm.joinedload(Assignment.round),
                 sa.orm.joinedload(Assignment.submission).selectinload(Submission.versions))
        .order_by(Round.number, Assignment.id)
    ).unique().scalars().all()


def entry_for_review(submission_id):
    """The entry under review, its versions and its team's members and organisations in one load."""
    members = sa.orm.joinedload(Submission.team).selectinload(Team.members)
    return db.session.execute(
        sa.select(Submission).where(Submission.id == submission_id)
        .options(sa.orm.selectinload(Submission.versions), members.joinedload(TeamMember.user),
                 members.joinedload(TeamMember.organisation))
    ).scalar_one()


def detected_conflict_rows(challenge, jurors):
    """(juror, entry, reason) of every conflict found automatically, by juror name then entry."""
    detected = detected_conflicts(challenge.id)
    entries = {s.id: s for s in db.session.execute(
        sa.select(Submission).where(Submission.id.in_([sid for _j, sid in detected] or [0]))
        .options(sa.orm.joinedload(Submission.team))
    ).scalars()}
    by_juror = {j.id: j for j in jurors}
    rows = ((by_juror.get(j), entries.get(s), reason) for (j, s), reason in detected.items())
    return sorted(rows, key=lambda r: (r[0].display_name if r[0] else "", r[1].id if r[1] else 0))


def declared_conflicts(challenge):
    """Conflicts declared by jurors or added by the chair, oldest first."""
    return db.session.execute(
        sa.select(ConflictDeclaration).join(Juror).where(Juror.challenge_id == challenge.id)
        .options(sa.orm.joinedload(ConflictDeclaration.team), sa.orm.joinedload(ConflictDeclaration.organisation),
                 sa.orm.joinedload(ConflictDeclaration.juror)).order_by(ConflictDeclaration.id)
    ).scalars().all()


def rounds_of(challenge):
    """The challenge's rounds with their entries and jurors, for the dashboard."""
    return db.session.execute(
        sa.select(Round).where(Round.challenge_id == challenge.id).order_by(Round.number)
        .options(sa.orm.selectinload(Round.round_jurors))
    ).scalars().all()


def entry_page(rnd, page, per_page):
    """One page of the round's entries (RoundEntry with its submission, in the round's order) as a ListPage,
    and (submission id, excluded) of every entry as plain rows: a big round loads only what is shown."""
    rows = db.session.execute(
        sa.select(RoundEntry.id, RoundEntry.submission_id, RoundEntry.excluded_at.is_not(None))
        .where(RoundEntry.round_id == rnd.id).order_by(RoundEntry.id)
    ).all()
    shown = ListPage(rows, page, per_page)
    ids = [row[0] for row in shown.items]
    by_id = {e.id: e for e in db.session.execute(
        sa.select(RoundEntry).where(RoundEntry.id.in_(ids)).options(sa.orm.joinedload(RoundEntry.submission))
    ).scalars()} if ids else {}
    shown.items = [by_id[i] for i in ids]
    return shown, [(sid, excluded) for _id, sid, excluded in rows]




def organisation_choices():
    """(id, name) of every organisation on the platform, by name: a juror may belong to any of them."""
    return [(str(o.id), o.name) for o in db.session.execute(sa.select(Organisation).order_by(Organisation.name)).scalars()]


def excluded_reviews(challenge):
    """Reviews kept but not counted (a conflict declared after they were submitted), with their juror and entry,
    for the chair's dashboard."""
    return db.session.execute(
        sa.select(Review).join(Assignment).join(Round)
        .where(Round.challenge_id == challenge.id, Review.excluded_at.is_not(None))
        .options(sa.orm.joinedload(Review.assignment).joinedload(Assignment.juror).joinedload(Juror.user),
                 sa.orm.joinedload(Review.assignment).joinedload(Assignment.submission),
                 sa.orm.joinedload(Review.assignment).joinedload(Assignment.round))
        .order_by(Review.excluded_at, Review.id)
    ).unique().scalars().all()


def review_exclusion_text(review):
    """The chair's words for why a kept review is not counted (stored as "conflict:<kind>")."""
    reason = review.exclusion_reason or ""
    if reason.startswith("conflict:"):
        kind = CONFLICT_KINDS.get(reason.partition(":")[2], reason.partition(":")[2])
        return _("a conflict of interest (%(kind)s) was declared after it was submitted", kind=kind)
    return reason
