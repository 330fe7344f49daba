"""The jury's pages: invitations, conflicts, blind review and scoring, the chair's dashboard."""
import mimetypes
from datetime import timezone

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from govchallenge.challenges.models import by_slug as challenge_by_slug
from govchallenge.challenges.panels import Panel, register_panel
from govchallenge.core import storage
from govchallenge.core.forms import EmptyForm
from govchallenge.core.permissions import require
from govchallenge.core.templating import NAV_LINKS, localise
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.organisations.models import Organisation
from govchallenge.submissions.models import Submission
from govchallenge.teams.models import Team, TeamMember

from . import operations as ops
from . import permissions as can
from .forms import (
    AcceptForm, ClosingForm, ConflictForm, InviteJurorForm, ManualAssignForm, OptionalReasonForm, OverrideForm, ReasonForm,
    RoundForm, ShortlistForm, review_form,
)
from .models import ACTIVE, SUBMITTED, Assignment, ConflictDeclaration, Juror, Review, Round, RoundEntry
from .tokens import read_token

bp = Blueprint("jury", __name__, url_prefix="/jury")

ERRORS = {
    "already_invited": lambda d: _("This address is already invited to the jury."),
    "used": lambda d: _("This invitation has already been answered."),
    "confidentiality": lambda d: _("Agree to keep the entries confidential to join the jury."),
    "already_juror": lambda d: _("You are already on this jury."),
    "bad_kind": lambda d: _("Choose a kind of conflict."),
    "conflict_target": lambda d: _("Choose a team or an organisation."),
    "round_exists": lambda d: _("This round exists already."),
    "stage_open": lambda d: _("No stage of the challenge has closed yet: entries can still change."),
    "no_entries": lambda d: _("There is no entry to review."),
    "round_closed": lambda d: _("The round is closed: reviews can no longer change."),
    "round_open": lambda d: _("Close the round first."),
    "not_in_round": lambda d: _("The juror or the entry is not in this round."),
    "duplicate": lambda d: _("This juror already has this entry."),
    "conflict": lambda d: _("Refused: the juror has a conflict of interest with this entry."),
    "forbidden": lambda d: _("Refused: the juror stepped back from this entry."),
    "same_organisation": lambda d: _("Refused: another juror of the same organisation already reviews this entry."),
    "unknown": lambda d: _("Unknown juror or entry."),
    "already_recused": lambda d: _("You have already stepped back from this entry."),
    "recused": lambda d: _("You stepped back from this entry."),
    "stale": lambda d: _("Your review changed in another window since you opened it. Your text is below: check it and save again."),
    "tampered": lambda d: _("The form did not match the rubric. Reload the page and try again."),
    "justification": lambda d: _("Write a justification."),
    "out_of_scale": lambda d: _("The score must be between %(min)s and %(max)s.", min=d.get("min"), max=d.get("max")),
    "already_excluded": lambda d: _("The entry is already excluded."),
    "reviews_missing": lambda d: ngettext("%(num)s review is not submitted yet. Write a reason to close the round anyway.", "%(num)s reviews are not submitted yet. Write a reason to close the round anyway.", d.get("missing") or 0),
    "shortlist_rule": lambda d: _("Choose how many entries go to the next round."),
    "invalid": lambda d: _("Some answers need correcting."),
    "results_published": lambda d: _("The results are published: the jury's scores and decisions can no longer change."),
    "chair_conflict": lambda d: _("Refused: you have a conflict of interest with this entry, so you cannot change its scores or exclude it."),
    "no_jurors": lambda d: _("Choose at least one juror for the next round."),
    "bad_jurors": lambda d: _("Choose among the jurors listed: reload the page and try again."),
    "closes_in_past": lambda d: _("Choose a closing moment in the future."),
    "closes_missing": lambda d: _("Give the moment the round closes."),
}
# Refusals that are about the state of things rather than the input.
ERROR_STATUS = {"round_closed": 409, "results_published": 409, "round_open": 409, "round_exists": 409,
                "chair_conflict": 403}


def error_status(error):
    return ERROR_STATUS.get(error.code, 400)
FIELD_ERRORS = {
    "out_of_scale": lambda d: _("The score must be between %(min)s and %(max)s.", min=d.get("min"), max=d.get("max")),
    "score_required": lambda d: _("Give a score to submit."),
    "comment_required": lambda d: _("A comment is required to submit."),
}


def message(error):
    return ERRORS.get(error.code, lambda d: _("The change was refused."))(error.detail)


if ("jury.index", _l("Jury")) not in NAV_LINKS:
    NAV_LINKS.append(("jury.index", _l("Jury")))


def jury_panel(challenge, user):
    """The jury panel of the challenge page: links for its jurors, its chair and the hosts' officers."""
    if not getattr(user, "is_authenticated", False):
        return None
    juror = can.juror_of(user, challenge)
    manage = can.can_manage_jury(user, challenge)
    if juror is None and not manage:
        return None
    return {"jury_panel": {"challenge": challenge, "juror": juror, "manage": manage}}


register_panel(Panel("jury/_challenge_panel.html", jury_panel))


# --- loading ------------------------------------------------------------------------------------

def _challenge(slug):
    return challenge_by_slug(slug) or abort(404)


def _round(challenge, number):
    rnd = db.session.execute(sa.select(Round).where(Round.challenge_id == challenge.id, Round.number == number)).scalar_one_or_none()
    return rnd or abort(404)


def _assignment(public_id):
    a = db.session.execute(
        sa.select(Assignment).where(Assignment.public_id == public_id)
        .options(sa.orm.joinedload(Assignment.juror), sa.orm.joinedload(Assignment.review),
                 sa.orm.joinedload(Assignment.round).joinedload(Round.challenge))
    ).scalar_one_or_none()
    return a or abort(404)


def _juror(challenge, juror_id):
    j = db.session.get(Juror, juror_id)
    if j is None or j.challenge_id != challenge.id:
        abort(404)
    return j


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- index ----------------------------------------------------------------------------------------

@bp.route("/")
@login_required
def index():
    mine = db.session.execute(
        sa.select(Juror).where(Juror.user_id == current_user.id).options(sa.orm.joinedload(Juror.challenge)).order_by(Juror.id)
    ).scalars().all()
    pending = db.session.execute(
        sa.select(Juror).where(sa.func.lower(Juror.email) == current_user.email.lower(), Juror.user_id.is_(None),
                               Juror.state == "invited").options(sa.orm.joinedload(Juror.challenge))
    ).scalars().all()
    return render_template("jury/index.html", mine=mine, pending=pending)


# --- the jury: invitations, chair ---------------------------------------------------------------------

def _invite_form(challenge):
    form = InviteJurorForm()
    orgs = db.session.execute(sa.select(Organisation).order_by(Organisation.name)).scalars().all()
    form.organisation.choices = [("", _("None / not on the platform"))] + [(str(o.id), o.name) for o in orgs]
    return form


@bp.route("/<slug>/members", methods=["GET", "POST"])
@login_required
def members(slug):
    challenge = _challenge(slug)
    manage = can.can_manage_jury(current_user, challenge)
    require(manage or can.can_see_progress(current_user, challenge))
    form = _invite_form(challenge)
    if request.method == "POST":
        require(manage)
        if form.validate_on_submit():
            try:
                ops.invite_juror(challenge, form.email.data, form.name.data, current_user,
                                 organisation_id=_int(form.organisation.data), is_chair=form.is_chair.data)
            except ops.JuryError as error:
                form.email.errors.append(message(error))
            else:
                db.session.commit()
                flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
                return redirect(url_for("jury.members", slug=slug))
    jurors = ops.challenge_jurors(challenge.id, accepted_only=False)
    return render_template("jury/members.html", challenge=challenge, jurors=jurors, form=form, manage=manage,
                           empty=EmptyForm()), (400 if form.errors else 200)


@bp.route("/<slug>/members/<int:juror_id>/chair", methods=["POST"])
@login_required
def name_chair(slug, juror_id):
    challenge = _challenge(slug)
    require(can.can_manage_jury(current_user, challenge))
    juror = _juror(challenge, juror_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ops.set_chair(juror, current_user)
    db.session.commit()
    flash(_("%(name)s chairs the jury.", name=juror.display_name), "success")
    return redirect(url_for("jury.members", slug=slug))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@login_required
def invitation(token):
    try:
        juror_id, nonce = read_token(token)
    except ValueError as error:
        return render_template("jury/invitation_problem.html", problem=str(error)), 400
    juror = db.session.get(Juror, juror_id)
    if juror is None or juror.nonce != nonce:
        return render_template("jury/invitation_problem.html", problem="invalid"), 400
    require(can.can_respond_invitation(current_user, juror))
    form = AcceptForm()
    if juror.state != "invited":
        return render_template("jury/invitation_problem.html", problem="used", juror=juror), 409
    if form.validate_on_submit():
        try:
            if form.decline.data:
                ops.decline_invitation(juror, current_user)
                db.session.commit()
                flash(_("You declined the invitation."), "success")
                return redirect(url_for("jury.index"))
            ops.accept_invitation(juror, current_user, form.agree.data)
        except ops.JuryError as error:
            form.agree.errors.append(message(error))
        else:
            db.session.commit()
            flash(_("Welcome to the jury. Declare any conflict of interest now."), "success")
            return redirect(url_for("jury.declare", slug=juror.challenge.slug))
    return render_template("jury/invitation.html", juror=juror, challenge=juror.challenge, form=form), (400 if form.errors else 200)


# --- conflicts ----------------------------------------------------------------------------------------

def _teams(challenge):
    return db.session.execute(sa.select(Team).where(Team.challenge_id == challenge.id).order_by(Team.name)).scalars().all()


def _conflict_form(challenge, jurors=None):
    form = ConflictForm()
    form.team.choices = [("", _("No team"))] + [(str(t.id), t.name) for t in _teams(challenge)]
    org_ids = db.session.execute(
        sa.select(TeamMember.organisation_id).where(TeamMember.challenge_id == challenge.id, TeamMember.organisation_id.is_not(None)).distinct()
    ).scalars().all()
    orgs = db.session.execute(sa.select(Organisation).where(Organisation.id.in_(org_ids)).order_by(Organisation.name)).scalars().all() if org_ids else []
    form.organisation.choices = [("", _("No organisation"))] + [(str(o.id), o.name) for o in orgs]
    form.juror.choices = [(str(j.id), j.display_name) for j in (jurors or [])] or [("", "-")]
    return form


@bp.route("/<slug>/declare", methods=["GET", "POST"])
@login_required
def declare(slug):
    """A juror declares conflicts with teams or organisations (in blind mode too: they know whom they know)."""
    challenge = _challenge(slug)
    juror = can.juror_of(current_user, challenge)
    require(juror is not None and can.can_declare_conflicts(current_user, juror))
    form = _conflict_form(challenge, [juror])
    form.juror.data = str(juror.id)
    if form.validate_on_submit():
        try:
            ops.declare_conflict(juror, current_user, form.kind.data, form.note.data,
                                 team_id=_int(form.team.data), organisation_id=_int(form.organisation.data))
        except ops.JuryError as error:
            form.team.errors.append(message(error))
        else:
            db.session.commit()
            flash(_("Conflict declared."), "success")
            return redirect(url_for("jury.declare", slug=slug))
    return render_template("jury/declare.html", challenge=challenge, juror=juror, form=form), (400 if form.errors else 200)


@bp.route("/<slug>/conflicts", methods=["GET", "POST"])
@login_required
def conflicts(slug):
    """The chair sees detected and declared conflicts, and adds more."""
    challenge = _challenge(slug)
    require(can.can_chair(current_user, challenge))
    jurors = ops.challenge_jurors(challenge.id, accepted_only=False)
    form = _conflict_form(challenge, jurors)
    if form.validate_on_submit():
        juror = _juror(challenge, _int(form.juror.data) or 0)
        try:
            ops.declare_conflict(juror, current_user, form.kind.data, form.note.data, team_id=_int(form.team.data),
                                 organisation_id=_int(form.organisation.data), source="chair")
        except ops.JuryError as error:
            form.team.errors.append(message(error))
        else:
            db.session.commit()
            flash(_("Conflict added."), "success")
            return redirect(url_for("jury.conflicts", slug=slug))
    detected = ops.detected_conflicts(challenge.id)
    subs = {s.id: s for s in db.session.execute(
        sa.select(Submission).where(Submission.id.in_([sid for _j, sid in detected] or [0])).options(sa.orm.joinedload(Submission.team))
    ).scalars()}
    by_juror = {j.id: j for j in jurors}
    detected_rows = sorted(((by_juror.get(j), subs.get(s), reason) for (j, s), reason in detected.items()),
                           key=lambda r: (r[0].display_name if r[0] else "", r[1].id if r[1] else 0))
    declared = db.session.execute(
        sa.select(ConflictDeclaration).join(Juror).where(Juror.challenge_id == challenge.id)
        .options(sa.orm.joinedload(ConflictDeclaration.team), sa.orm.joinedload(ConflictDeclaration.organisation),
                 sa.orm.joinedload(ConflictDeclaration.juror)).order_by(ConflictDeclaration.id)
    ).scalars().all()
    return render_template("jury/conflicts.html", challenge=challenge, form=form, detected=detected_rows,
                           declared=declared), (400 if form.errors else 200)


# --- a juror's reviews ---------------------------------------------------------------------------------

@bp.route("/<slug>/reviews")
@login_required
def mine(slug):
    challenge = _challenge(slug)
    juror = can.juror_of(current_user, challenge)
    require(juror is not None)
    assignments = db.session.execute(
        sa.select(Assignment).join(Round).where(Assignment.juror_id == juror.id, Assignment.state == ACTIVE)
        .options(sa.orm.joinedload(Assignment.review), sa.orm.joinedload(Assignment.round),
                 sa.orm.joinedload(Assignment.submission).selectinload(Submission.versions))
        .order_by(Round.number, Assignment.id)
    ).unique().scalars().all()
    return render_template("jury/mine.html", challenge=challenge, juror=juror, assignments=assignments,
                           is_chair=juror.is_chair)


def _entry_content(submission):
    """What a juror reads: the newest submitted version (frozen), else the entry itself."""
    version = submission.latest_version
    if version is not None:
        return {"title": version.title, "summary": version.summary, "description": version.description,
                "links": version.links or {}, "files": version.files or []}
    return {"title": submission.title, "summary": submission.summary, "description": submission.description,
            "links": submission.links or {}, "files": []}


def _renamed(assignment, index, mime_type):
    ext = mimetypes.guess_extension(mime_type or "") or ".bin"
    return f"entry-{assignment.public_id[:8]}-file-{index + 1}{ext}"


def _others(assignment):
    """Other jurors' submitted reviews of the same entry, unnamed."""
    rows = db.session.execute(
        sa.select(Review).join(Assignment).where(
            Assignment.round_id == assignment.round_id, Assignment.submission_id == assignment.submission_id,
            Assignment.id != assignment.id, Assignment.state == ACTIVE, Review.state == SUBMITTED)
        .order_by(Review.id)
    ).scalars().all()
    return rows


@bp.route("/review/<public_id>", methods=["GET", "POST"])
@login_required
def review(public_id):
    assignment = _assignment(public_id)
    # Never a conflicted entry, even one that became conflicted after the assignment.
    require(can.can_view_entry(current_user, assignment))
    rnd = assignment.round
    challenge = rnd.challenge
    criteria = rnd.criteria
    existing = assignment.review
    main = challenge.main_language
    loc = lambda field: localise(field, main).text  # noqa: E731
    data = None
    if request.method == "GET":
        data = {"lock_version": str(existing.lock_version if existing else 0)}
        if existing is not None:
            for c in criteria:
                data[f"score_{c.id}"] = existing.scores.get(str(c.id))
                data[f"comment_{c.id}"] = existing.comments.get(str(c.id), "")
            data["comment_overall"] = existing.comments.get("overall", "")
    form = review_form(criteria, challenge.review_comment, loc, data=data)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            lock = _int(form.lock_version.data)
            scores = {c.id: getattr(form, f"score_{c.id}").data for c in criteria}
            comments = {}
            if challenge.review_comment != "none":
                comments = {c.id: getattr(form, f"comment_{c.id}").data for c in criteria}
                comments["overall"] = form.comment_overall.data
            try:
                if lock is None:
                    raise ops.JuryError("tampered")
                ops.save_review(assignment, current_user, scores, comments, lock, submit=bool(form.submit.data))
            except ops.JuryError as error:
                db.session.rollback()
                if error.code == "invalid":
                    for name, (code, detail) in error.detail["fields"].items():
                        getattr(form, name).errors.append(FIELD_ERRORS[code](detail))
                flash(message(error), "error")
                status = 409 if error.code in ("stale", "round_closed", "results_published") else 400
            else:
                db.session.commit()
                flash(_("Review submitted.") if form.submit.data else _("Draft saved."), "success")
                return redirect(url_for("jury.review", public_id=public_id))
        elif form.errors.get("lock_version") or "csrf_token" in form.errors:
            flash(_("The form had expired. Send it again."), "error")
        # The juror's own draft is untouched; what they typed is shown back with the errors.
        assignment = _assignment(public_id)
        existing = assignment.review
    submission = db.session.execute(
        sa.select(Submission).where(Submission.id == assignment.submission_id)
        .options(sa.orm.selectinload(Submission.versions),
                 sa.orm.joinedload(Submission.team).selectinload(Team.members).joinedload(TeamMember.user),
                 sa.orm.joinedload(Submission.team).selectinload(Team.members).joinedload(TeamMember.organisation))
    ).scalar_one()
    content = _entry_content(submission)
    files = [{"index": i, "name": _renamed(assignment, i, f.get("mime_type")), "size": f.get("size")}
             for i, f in enumerate(content["files"])]
    others = []
    if existing is not None and existing.state == SUBMITTED and challenge.jurors_see_others:
        others = _others(assignment)
    return render_template(
        "jury/review.html", assignment=assignment, round=rnd, challenge=challenge, criteria=criteria, form=form,
        review=existing, content=content, files=files, others=others,
        team=None if challenge.anonymous_review else submission.team, recuse_form=OptionalReasonForm(prefix="recuse"),
        editable=not ops.round_frozen(rnd) and (rnd.closes_at is None or utcnow() < rnd.closes_at),
        published=ops.results_frozen(challenge),
    ), status


@bp.route("/review/<public_id>/files/<int:index>")
@login_required
def review_file(public_id, index):
    assignment = _assignment(public_id)
    require(can.can_view_entry(current_user, assignment))
    submission = db.session.get(Submission, assignment.submission_id)
    files = _entry_content(submission)["files"]
    if not 0 <= index < len(files):
        abort(404)
    entry = files[index]
    try:
        data = storage.open_bytes(entry["sha256"])
    except FileNotFoundError:
        abort(404)
    name = _renamed(assignment, index, entry.get("mime_type"))
    if not assignment.round.challenge.anonymous_review:
        name = entry.get("filename") or name
    return storage.download_response(data, name, entry.get("mime_type"))


@bp.route("/review/<public_id>/recuse", methods=["POST"])
@login_required
def recuse(public_id):
    assignment = _assignment(public_id)
    require(can.can_score(current_user, assignment))
    form = OptionalReasonForm(prefix="recuse")
    if not form.validate_on_submit():
        abort(400)
    slug = assignment.round.challenge.slug
    try:
        ops.recuse(assignment, current_user, form.reason.data)
    except ops.JuryError as error:
        db.session.rollback()
        flash(message(error), "error")
        return redirect(url_for("jury.review", public_id=public_id))
    db.session.commit()
    flash(_("You stepped back from the entry; another juror will review it."), "success")
    return redirect(url_for("jury.mine", slug=slug))


# --- the chair's dashboard ------------------------------------------------------------------------------

def _utc(moment):
    """A moment typed in a form (labelled UTC) as an aware UTC datetime."""
    return moment.replace(tzinfo=timezone.utc) if moment is not None else None


def _juror_choices(jurors):
    return [(str(j.id), j.display_name) for j in jurors if j.is_active]


def _render_dashboard(challenge, bound=None, status=200, exclude_entry_id=None):
    """The dashboard; `bound` maps (form kind, round number) to a form the chair just sent, shown back
    with what they typed and its errors (their draft is never lost)."""
    require(can.can_see_progress(current_user, challenge))
    bound = bound or {}
    chair = can.can_chair(current_user, challenge)
    rounds = db.session.execute(
        sa.select(Round).where(Round.challenge_id == challenge.id).order_by(Round.number)
        .options(sa.orm.selectinload(Round.entries).joinedload(RoundEntry.submission), sa.orm.selectinload(Round.round_jurors))
    ).scalars().all()
    all_jurors = ops.challenge_jurors(challenge.id, accepted_only=False)
    jurors = {j.id: j for j in all_jurors}
    choices = _juror_choices(all_jurors)
    # Entries the chair is conflicted with: no score change, no exclusion, no scores shown.
    conflicted = ops.conflicted_entries(ops.juror_of_user(challenge.id, current_user)) if chair and rounds else set()
    views = []
    for rnd in rounds:
        n = rnd.number
        info = ops.progress(rnd)
        manual = bound.get(("manual", n)) or ManualAssignForm(prefix=f"m{n}", formdata=None)
        manual.juror.choices = [(str(j.id), j.display_name) for j in ops.round_jurors(rnd)]
        manual.entry.choices = [(str(e.submission_id), e.submission.title or str(e.submission_id)) for e in ops.round_entries(rnd)]
        shortlist = bound.get(("shortlist", n))
        if shortlist is None:
            shortlist = ShortlistForm(prefix=f"s{n}", formdata=None)
            shortlist.jurors.data = [value for value, _label in choices]
        shortlist.jurors.choices = choices
        closing = bound.get(("closing", n)) or ClosingForm(prefix=f"t{n}", formdata=None, data={"closes_at": rnd.closes_at})
        views.append({
            "round": rnd, "info": info, "manual": manual, "shortlist": shortlist, "closing": closing,
            "close": bound.get(("close", n)) or OptionalReasonForm(prefix=f"c{n}", formdata=None),
            "exclude": bound.get(("exclude", n)) or ReasonForm(prefix=f"x{n}", formdata=None),
            "exclude_entry_id": exclude_entry_id if ("exclude", n) in bound else None,
            "frozen": ops.round_frozen(rnd),
        })
    round_form = bound.get(("round", 0)) or RoundForm(formdata=None)
    return render_template("jury/dashboard.html", challenge=challenge, rounds=views, jurors=jurors, chair=chair,
                           round_form=round_form, empty=EmptyForm(), conflicted=conflicted,
                           published=ops.results_frozen(challenge),
                           reminder_hours=ops.reminder_hours_before(),
                           has_stage=ops.last_closed_stage(challenge) is not None), status


@bp.route("/<slug>/dashboard")
@login_required
def dashboard(slug):
    return _render_dashboard(_challenge(slug))


def _chair_post(slug):
    challenge = _challenge(slug)
    require(can.can_chair(current_user, challenge))
    return challenge


def _back(slug, error=None, ok=None):
    if error is not None:
        db.session.rollback()
        flash(message(error), "error")
    else:
        db.session.commit()
        if ok:
            flash(ok, "success")
    return redirect(url_for("jury.dashboard", slug=slug))


def _refused(challenge, key, form, error=None, problem=None, **kwargs):
    """Shows the dashboard again with the chair's form as they sent it: a form error (400) or a refusal."""
    db.session.rollback()
    status = 400
    if error is not None:
        flash(message(error), "error")
        status = error_status(error)
    elif problem:
        flash(problem, "error")
    return _render_dashboard(challenge, bound={key: form}, status=status, **kwargs)


def _stats_text(result):
    s = result.stats()
    return _("Assigned: %(entries)s entries, %(jurors)s jurors, reviews per entry %(rmin)s–%(rmax)s, load per juror %(lmin)s–%(lmax)s, %(short)s entries short.",
             entries=s["entries"], jurors=s["jurors"], rmin=s["reviews"][0], rmax=s["reviews"][1],
             lmin=s["load"][0], lmax=s["load"][1], short=s["short"])


@bp.route("/<slug>/rounds", methods=["POST"])
@login_required
def open_round(slug):
    challenge = _chair_post(slug)
    form = RoundForm()
    if not form.validate_on_submit():
        return _refused(challenge, ("round", 0), form, problem=_("Check the number of reviews per entry (1 to 10) and the closing time."))
    try:
        _rnd, result = ops.open_first_round(challenge, current_user, form.reviews_per_entry.data, _utc(form.closes_at.data))
    except ops.JuryError as error:
        if error.code == "closes_in_past":
            form.closes_at.errors.append(message(error))
        return _refused(challenge, ("round", 0), form, error)
    return _back(slug, ok=_stats_text(result))


def _round_button(slug, number, run, success):
    """A chair's one-click action on a round: `run(round)` then `success(its result)` as the message."""
    challenge = _chair_post(slug)
    rnd = _round(challenge, number)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = run(rnd)
    except ops.JuryError as error:
        return _back(slug, error)
    return _back(slug, ok=success(result))


@bp.route("/<slug>/rounds/<int:number>/assign", methods=["POST"])
@login_required
def assign(slug, number):
    return _round_button(slug, number, lambda rnd: ops.run_assignment(rnd, current_user), _stats_text)


@bp.route("/<slug>/rounds/<int:number>/manual", methods=["POST"])
@login_required
def manual(slug, number):
    challenge = _chair_post(slug)
    rnd = _round(challenge, number)
    form = ManualAssignForm(prefix=f"m{number}")
    form.juror.choices = [(str(j.id), j.display_name) for j in ops.round_jurors(rnd)]
    form.entry.choices = [(str(e.submission_id), str(e.submission_id)) for e in ops.round_entries(rnd)]
    if not form.validate_on_submit():
        return _refused(challenge, ("manual", number), form, problem=_("Choose a juror and an entry of this round."))
    juror = _juror(challenge, int(form.juror.data))
    try:
        ops.add_assignment(rnd, juror, int(form.entry.data), current_user)
    except ops.JuryError as error:
        return _refused(challenge, ("manual", number), form, error)
    return _back(slug, ok=_("Assignment added."))


@bp.route("/<slug>/rounds/<int:number>/remind", methods=["POST"])
@login_required
def remind(slug, number):
    return _round_button(slug, number, lambda rnd: ops.send_reminders(rnd, current_user),
                         lambda n: ngettext("Reminder queued for %(num)s juror.", "Reminders queued for %(num)s jurors.", n))


@bp.route("/<slug>/rounds/<int:number>/closing", methods=["POST"])
@login_required
def closing(slug, number):
    """The chair sets or moves the moment the round closes; the scheduled reminder follows it."""
    challenge = _chair_post(slug)
    rnd = _round(challenge, number)
    form = ClosingForm(prefix=f"t{number}")
    if not form.validate_on_submit():
        return _refused(challenge, ("closing", number), form, problem=_("Check the closing moment."))
    try:
        ops.set_closing_time(rnd, _utc(form.closes_at.data), current_user)
    except ops.JuryError as error:
        if error.code in ("closes_in_past", "closes_missing"):
            form.closes_at.errors.append(message(error))
        return _refused(challenge, ("closing", number), form, error)
    return _back(slug, ok=ngettext("The closing moment is saved; the reminder is scheduled %(num)s hour before it.",
                                   "The closing moment is saved; the reminder is scheduled %(num)s hours before it.",
                                   ops.reminder_hours_before()))


@bp.route("/<slug>/rounds/<int:number>/close", methods=["POST"])
@login_required
def close(slug, number):
    challenge = _chair_post(slug)
    rnd = _round(challenge, number)
    form = OptionalReasonForm(prefix=f"c{number}")
    if not form.validate_on_submit():
        return _refused(challenge, ("close", number), form, problem=_("Check the reason."))
    try:
        ops.close_round(rnd, current_user, form.reason.data)
    except ops.JuryError as error:
        if error.code == "reviews_missing":
            form.reason.errors.append(message(error))
        return _refused(challenge, ("close", number), form, error)
    return _back(slug, ok=_("The round is closed."))


@bp.route("/<slug>/rounds/<int:number>/shortlist", methods=["POST"])
@login_required
def shortlist(slug, number):
    challenge = _chair_post(slug)
    rnd = _round(challenge, number)
    form = ShortlistForm(prefix=f"s{number}")
    form.jurors.choices = _juror_choices(ops.challenge_jurors(challenge.id))
    if not form.validate_on_submit():
        return _refused(challenge, ("shortlist", number), form, problem=_("Check the shortlist rule, the number of entries and the jurors."))
    try:
        nxt, result = ops.shortlist(rnd, current_user, top_n=form.top_n.data, use_thresholds=form.rule.data == "thresholds",
                                    reviews_per_entry=form.reviews_per_entry.data, closes_at=_utc(form.closes_at.data),
                                    juror_ids=form.juror_ids())
    except ops.JuryError as error:
        field = {"closes_in_past": form.closes_at, "bad_jurors": form.jurors, "no_jurors": form.jurors,
                 "shortlist_rule": form.top_n}.get(error.code)
        if field is not None:
            field.errors.append(message(error))
        return _refused(challenge, ("shortlist", number), form, error)
    return _back(slug, ok=_stats_text(result))


@bp.route("/<slug>/rounds/<int:number>/entries/<int:entry_id>/exclude", methods=["POST"])
@login_required
def exclude(slug, number, entry_id):
    challenge = _chair_post(slug)
    rnd = _round(challenge, number)
    entry = db.session.get(RoundEntry, entry_id)
    if entry is None or entry.round_id != rnd.id:
        abort(404)
    form = ReasonForm(prefix=f"x{number}")
    if not form.validate_on_submit():
        return _refused(challenge, ("exclude", number), form, problem=_("Write a justification to exclude an entry."),
                        exclude_entry_id=entry.id)
    try:
        ops.exclude_entry(entry, form.reason.data, current_user)
    except ops.JuryError as error:
        form.reason.errors.append(message(error))
        return _refused(challenge, ("exclude", number), form, error, exclude_entry_id=entry.id)
    return _back(slug, ok=_("The entry is excluded."))


@bp.route("/<slug>/assignments/<public_id>/override", methods=["GET", "POST"])
@login_required
def override(slug, public_id):
    challenge = _challenge(slug)
    require(can.can_chair(current_user, challenge))
    assignment = _assignment(public_id)
    if assignment.round.challenge_id != challenge.id or assignment.review is None:
        abort(404)
    # A chair conflicted with the entry neither sees nor changes its scores.
    require(can.can_change_entry(current_user, challenge, assignment.submission_id))
    review = assignment.review
    criteria = assignment.round.criteria
    frozen = ops.round_frozen(assignment.round)
    form = OverrideForm()
    form.criterion.choices = [(str(c.id), localise(c.name, challenge.main_language).text) for c in criteria]
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            criterion = next(c for c in criteria if str(c.id) == form.criterion.data)
            try:
                ops.override_score(review, criterion, form.new_value.data, form.justification.data, current_user)
            except ops.JuryError as error:
                db.session.rollback()
                form.new_value.errors.append(message(error))
                status = error_status(error)
                assignment = _assignment(public_id)
                review = assignment.review
            else:
                db.session.commit()
                flash(_("Score changed; the justification is in the audit trail."), "success")
                return redirect(url_for("jury.override", slug=slug, public_id=public_id))
    return render_template("jury/override.html", challenge=challenge, assignment=assignment, review=review,
                           criteria=criteria, form=form, frozen=frozen,
                           published=ops.results_frozen(challenge)), status


@bp.route("/<slug>/assignments/<public_id>/reassign", methods=["POST"])
@login_required
def reassign(slug, public_id):
    """The chair moves an entry away from a juror; the assignment picks another within the rules."""
    challenge = _chair_post(slug)
    assignment = _assignment(public_id)
    if assignment.round.challenge_id != challenge.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = ops.recuse(assignment, current_user, reason="reassigned by the chair")
    except ops.JuryError as error:
        return _back(slug, error)
    return _back(slug, ok=_stats_text(result))
