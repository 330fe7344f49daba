import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from govchallenge.challenges.models import Stage
from govchallenge.challenges.models import by_slug as challenge_by_slug
from govchallenge.core import storage
from govchallenge.core.actions import Messages, button_action, confirmation
from govchallenge.core.s3 import S3Error
from govchallenge.core.forms import EmptyForm
from govchallenge.core.geo import country_name
from govchallenge.core.names import clean_filename
from govchallenge.core.lookups import child_or_404
from govchallenge.core.permissions import require
from govchallenge.core.proxies import arrival_moment
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.teams import permissions as team_can
from govchallenge.teams.models import Team, TeamMember

from . import anonymity_words, exports, operations, screening
from . import permissions as can
from .counts import host_counts, public_counts
from .forms import CheckForm, EntryForm, LateEntryForm, LockForm
from .models import SUBMITTED, LateEntryGrant, Submission

bp = Blueprint("submissions", __name__, url_prefix="/entries")

ERRORS = {
    "not_open": lambda detail: _("This stage is not open for entries yet."),
    "deadline": lambda detail: _("The deadline has passed: the entry can no longer change. What was submitted before the deadline stands."),
    "late_code": lambda detail: _("The late-entry code is not valid for your team, or has expired."),
    "conflict": lambda detail: _("Someone in your team saved this entry after you opened it. Nothing was overwritten: your text is kept below. Compare it with the saved entry, then save again to replace it."),
    "terms": lambda detail: _("Accept the terms to submit the entry."),
    "not_submitted": lambda detail: _("Only a submitted entry can be withdrawn."),
    "wrong_stage": lambda detail: _("This stage belongs to another challenge."),
    "licence": lambda detail: _("The licence is not a valid SPDX expression."),
    "repository": lambda detail: _("Enter an address starting with http:// or https://."),
}
MESSAGES = Messages(ERRORS, default=lambda: _("The change was refused."))
_INCOMPLETE = {
    "licence": lambda: _("This challenge requires an open-source licence: give one, such as EUPL-1.2 or MIT, before submitting."),
    "repository_url": lambda: _("This challenge requires the public repository of the solution before submitting."),
    "*": lambda: _("Fill this in before submitting."),
}
FIELD_NAMES = {"title": lambda: _("Title"), "summary": lambda: _("Summary"), "description": lambda: _("Description"),
               "licence": lambda: _("Licence"), "repository_url": lambda: _("Public repository")}

@bp.before_request
def _note_arrival():
    """The moment the server has the whole request, before it waits for a database connection or a lock."""
    if request.method == "POST":
        request.form  # noqa: B018 — reads the body (CSRF protection already has, when it is on)
        g.received_at = arrival_moment() or utcnow()





def failure_message(failure):
    """The reason for one failing eligibility rule, in the viewer's language."""
    detail = failure.detail
    if failure.rule == "countries":
        where = _("the European Union") if detail["mode"] == "eu" else _("the countries this challenge accepts")
        return ngettext("Country: %(names)s enters from %(countries)s, outside %(where)s.",
                        "Country: %(names)s enter from %(countries)s, outside %(where)s.", len(detail["names"]),
                        names=", ".join(detail["names"]), countries=", ".join(country_name(c) for c in detail["countries"]), where=where)
    if failure.rule == "kinds":
        return ngettext("Kind of entrant: %(names)s enters as %(kinds)s, which this challenge does not accept.",
                        "Kind of entrant: %(names)s enter as %(kinds)s, which this challenge does not accept.", len(detail["names"]),
                        names=", ".join(detail["names"]), kinds=", ".join(_kind_label(k) for k in detail["kinds"]))
    return ngettext("Team size: the team has %(num)s member; this challenge asks for %(min)s to %(max)s.",
                    "Team size: the team has %(num)s members; this challenge asks for %(min)s to %(max)s.", detail["size"],
                    min=detail["min"], max=detail["max"])


def _kind_label(kind):
    from govchallenge.organisations.models import KINDS

    return str(KINDS.get(kind, _("individual") if kind == "individual" else kind))


# --- loading -------------------------------------------------------------------------------------

def _load(public_id, *more):
    """The entry with its team's members, its stage, files and versions; `more`: further loader options."""
    submission = db.session.execute(
        sa.select(Submission).where(Submission.public_id == public_id)
        .options(sa.orm.joinedload(Submission.team).selectinload(Team.members).joinedload(TeamMember.user),
                 sa.orm.joinedload(Submission.stage), sa.orm.selectinload(Submission.files),
                 sa.orm.selectinload(Submission.versions), *more)
    ).scalar_one_or_none()
    return submission or abort(404)


def _load_team(public_id):
    return db.session.execute(sa.select(Team).where(Team.public_id == public_id)).scalar_one_or_none() or abort(404)


# --- the entry form -----------------------------------------------------------------------------

@bp.route("/start/<team_id>/<int:stage_id>", methods=["GET", "POST"])
@login_required
def start(team_id, stage_id):
    team = _load_team(team_id)
    require(can.can_work_on(current_user, team), can.REFUSALS["can_work_on"])
    stage = child_or_404(Stage, stage_id, challenge_id=team.challenge_id)
    existing = operations.entry_of(team, stage)
    if existing is not None:
        return redirect(url_for("submissions.edit", public_id=existing.public_id))
    return _entry_form(team, stage, None)


@bp.route("/<public_id>/edit", methods=["GET", "POST"])
@login_required
def edit(public_id):
    submission = _load(public_id)
    require(can.can_work_on(current_user, submission.team), can.REFUSALS["can_work_on"])
    return _entry_form(submission.team, submission.stage, submission)


def _entry_form(team, stage, submission):
    form = EntryForm().prepare()
    if request.method == "GET" and submission is not None:
        form.fill_from(submission)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():  # the body is read in full here
            outcome = _save(form, team, stage, submission, received_at=g.get("received_at"))
            if outcome is not None:
                return outcome
        elif "csrf_token" in form.errors:
            abort(400)
        status = 400
    now = utcnow()
    saved = db.session.get(Submission, submission.id) if submission is not None else None
    return render_template(
        "submissions/edit.html", form=form, team=team, stage=stage, challenge=team.challenge, submission=submission,
        now=now, late=stage.has_closed_at(now), failures=[failure_message(f) for f in operations.eligibility_failures(team)],
        saved=saved, anonymity=_findings(team.challenge, saved, operations.working_digest(saved) if saved else None),
    ), status


def _findings(challenge, submission, digest):
    """The team's list of what may name it in one state of its entry (stored at its save), when the review is blind."""
    if submission is None or not challenge.anonymous_review:
        return []
    return anonymity_words.team_list(screening.findings_of(submission, digest))


def _save(form, team, stage, submission, received_at):
    """Saves the draft; returns a redirect (to the check page when the person chose to submit: nothing typed is
    lost on the way), or None after putting the reason on the form (text kept)."""
    submitting = request.form.get("action") == "submit"
    uploads = getattr(form, "checked_files", [])
    try:
        stored = [(clean_filename(name), storage.save(data, mime)) for name, data, mime in uploads]
        inspections = [screening.prepare(data, mime) for _name, data, mime in uploads]
    except S3Error:
        current_app.logger.exception("file storage unavailable")
        form.attachments.errors = list(form.attachments.errors) + [
            _("The files could not be stored just now. Nothing was saved; your text is kept below. Try again in a moment.")]
        return None
    try:
        submission, _version = operations.save_entry(
            current_user, team, stage, form.content(), form.expected_lock_version(), stored, submission=submission,
            late_code=form.late_code.data or "", received_at=received_at, inspections=inspections,
        )
        db.session.commit()
    except operations.SubmissionError as error:
        db.session.rollback()
        _explain(form, error, submission)
        _files_not_added(form, stored)
        return None
    except IntegrityError:  # two members created the entry at the same moment
        db.session.rollback()
        form.title.errors = list(form.title.errors) + [MESSAGES.text(operations.SubmissionError("conflict"))]
        _files_not_added(form, stored)
        return None
    if submission.team.challenge.anonymous_review and screening.findings_of(submission, operations.working_digest(submission)):
        flash(_("Some details in the entry may name your team: see the list below."), "warning")
    if submitting:
        flash(_("Draft saved. Check your entry, then submit it."), "success")
        return redirect(url_for("submissions.check", public_id=submission.public_id))
    flash(_("Draft saved. It is not submitted yet."), "success")
    return redirect(url_for("submissions.edit", public_id=submission.public_id))


def _files_not_added(form, stored):
    if stored:  # a browser never re-sends files with a redisplayed form
        form.attachments.errors = list(form.attachments.errors) + [
            _("The files you chose were not added: choose them again when you save.")]


def _explain(form, error, submission):
    if error.code == "incomplete":
        for name in error.failures:
            form[name].errors = list(form[name].errors) + [_INCOMPLETE.get(name, _INCOMPLETE["*"])()]
        return
    if error.code == "ineligible":
        form.problems.extend(failure_message(f) for f in error.failures)
        return
    if error.code == "late_code":
        form.late_code.errors = list(form.late_code.errors) + [MESSAGES.text(operations.SubmissionError("late_code"))]
        return
    if error.code == "conflict" and submission is not None:
        fresh = db.session.get(Submission, submission.id)
        form.lock_version.data = str(fresh.lock_version)  # a second, deliberate save replaces it
    form.problems.append(MESSAGES.text(error))


# --- check your answers, then submit -------------------------------------------------------------

@bp.route("/<public_id>/check", methods=["GET", "POST"])
@login_required
def check(public_id):
    """GET: everything the entry holds, each part with a link to change it, and what still stops it; POST submits
    exactly what the page showed (its lock version), received at the moment the POST arrived."""
    submission = _load(public_id)
    require(can.can_work_on(current_user, submission.team), can.REFUSALS["can_work_on"])
    form = CheckForm()
    if request.method == "GET":
        form.lock_version.data = str(submission.lock_version)
        return _check_page(submission, form, [])
    if not form.validate_on_submit():
        abort(400)  # the CSRF token (the only other field cannot fail)
    try:
        version = operations.submit_entry(current_user, submission, form.expected_lock_version(), accepted_terms=True,
                                          late_code=form.late_code.data or "", received_at=g.get("received_at"))
        db.session.commit()
    except operations.SubmissionError as error:
        db.session.rollback()
        return _refused_submit(public_id, form, error)
    flash(_("Your entry is submitted. The receipt is below and on its way by e-mail."), "success")
    return redirect(url_for("submissions.receipt", public_id=public_id, number=version.number))


def _refused_submit(public_id, form, error):
    """The check page again, with the current content and why; a second press after a submit goes to the receipt."""
    submission = _load(public_id)
    latest = submission.latest_version
    if error.code == "conflict" and latest is not None and not operations.has_unsubmitted_changes(submission):
        flash(_("This entry is already submitted, as you checked it: here is its receipt."), "success")
        return redirect(url_for("submissions.receipt", public_id=public_id, number=latest.number))
    if error.code == "conflict":
        message = _("Someone in your team changed this entry after you opened this page, so it was not submitted. "
                    "Below is the entry as it is now: check it again before you submit it.")
    else:
        message = MESSAGES.text(error) if error.code not in ("incomplete", "ineligible") else None
    form.lock_version.data = str(submission.lock_version)
    return _check_page(submission, form, [message] if message else []), 409 if error.code == "conflict" else 400


def _check_page(submission, form, refusals):
    team, stage = submission.team, submission.stage
    now = utcnow()
    blocker = operations.submission_blockers(team, submission)
    return render_template(
        "submissions/check.html", submission=submission, team=team, stage=stage, challenge=team.challenge, form=form,
        now=now, late=stage.has_closed_at(now), refusals=refusals, missing=_blocker_messages(blocker),
        already=not operations.has_unsubmitted_changes(submission),
        edit_url=url_for("submissions.edit", public_id=submission.public_id),
    )


def _blocker_messages(blocker):
    """[(field or None, message)] for what stops the entry (submission_blockers)."""
    if blocker is None:
        return []
    if blocker.code == "incomplete":
        return [(name, f"{FIELD_NAMES[name]()}: {_INCOMPLETE.get(name, _INCOMPLETE['*'])()}") for name in blocker.failures]
    return [(None, failure_message(f)) for f in blocker.failures]


# --- reading -------------------------------------------------------------------------------------

@bp.route("/<public_id>")
@login_required
def show(public_id):
    submission = _load(public_id, sa.orm.joinedload(Submission.team).joinedload(Team.challenge))  # the page shows its title
    require(can.can_view_entry(current_user, submission), can.REFUSALS["can_view_entry"])
    team_view = can.can_work_on(current_user, submission.team)
    return render_template(
        "submissions/show.html", submission=submission, team=submission.team, stage=submission.stage,
        challenge=submission.team.challenge, team_view=team_view, now=utcnow(),
        shown=submission if team_view else submission.latest_version,
        pending=team_view and submission.latest_version is not None and operations.has_unsubmitted_changes(submission),
        lock_form=LockForm(lock_version=submission.lock_version),
    )


@bp.route("/<public_id>/receipts/<int:number>")
@login_required
def receipt(public_id, number):
    submission = _load(public_id)
    require(can.can_see_receipt(current_user, submission), can.REFUSALS["can_see_receipt"])
    version = next((v for v in submission.versions if v.number == number), None) or abort(404)
    return render_template("submissions/receipt.html", submission=submission, version=version, team=submission.team,
                           stage=submission.stage, challenge=submission.team.challenge,
                           anonymity=_findings(submission.team.challenge, submission, version.sha256))


@bp.route("/<public_id>/files/<file_id>")
@login_required
def download(public_id, file_id):
    submission = _load(public_id)
    require(can.can_work_on(current_user, submission.team), can.REFUSALS["can_work_on"])  # the working copy is the team's alone
    file = next((f for f in submission.files if f.public_id == file_id), None) or abort(404)
    return _send(file.sha256, file.filename, file.mime_type)


@bp.route("/<public_id>/versions/<int:number>/files/<int:index>")
@login_required
def version_file(public_id, number, index):
    submission = _load(public_id)
    require(can.can_download(current_user, submission), can.REFUSALS["can_download"])
    version = next((v for v in submission.versions if v.number == number), None) or abort(404)
    if not 0 <= index < len(version.files):
        abort(404)
    entry = version.files[index]
    if not can.may_have_original(current_user, submission):
        data = screening.blind_copy(entry["sha256"], entry["mime_type"])
        db.session.commit()  # an inspection made now (a file stored before inspections) is kept
        if data is None:
            abort(404)
        return storage.download_response(data, entry["filename"], entry["mime_type"])
    return _send(entry["sha256"], entry["filename"], entry["mime_type"])


def _send(sha256, filename, mime_type):
    try:
        return storage.stored_download(sha256, filename, mime_type)
    except FileNotFoundError:
        abort(404)


# --- one-click changes --------------------------------------------------------------------------

@bp.route("/<public_id>/files/<file_id>/delete", methods=["POST"])
@login_required
def delete_file(public_id, file_id):
    submission = _load(public_id)
    require(can.can_work_on(current_user, submission.team), can.REFUSALS["can_work_on"])
    file = next((f for f in submission.files if f.public_id == file_id), None) or abort(404)
    form = LockForm()
    return button_action(
        lambda: operations.delete_file(current_user, submission, file, form.expected_lock_version(), form.late_code.data or ""),
        back=url_for("submissions.edit", public_id=public_id), done=_("The file is removed from the draft."),
        messages=MESSAGES, form=form)


@bp.route("/<public_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(public_id):
    """GET asks first; POST withdraws."""
    submission = _load(public_id)
    require(can.can_work_on(current_user, submission.team), can.REFUSALS["can_work_on"])
    if request.method == "GET":
        return confirmation(_("Withdraw your entry?"),
                            _("It is no longer submitted: the jury will not see it unless you submit it again before the deadline."),
                            _("Withdraw the entry"), url_for("submissions.show", public_id=public_id))
    return button_action(lambda: operations.withdraw(current_user, submission),
                         back=url_for("submissions.show", public_id=public_id),
                         done=_("Your entry is withdrawn. You may submit it again before the deadline."), messages=MESSAGES)


# --- hosts --------------------------------------------------------------------------------------

def _challenge(slug):
    return challenge_by_slug(slug) or abort(404)


@bp.route("/hosts/<slug>")
@login_required
def hosts(slug):
    """Counts for every host; who entered what (entries with their teams, countries, exports, late entries)
    once a stage has closed, unless the host sits on the jury of a blind evaluation."""
    challenge = _challenge(slug)
    require(can.can_see_host_view(current_user, challenge), can.REFUSALS["can_see_host_view"])
    now = utcnow()
    closed = [stage for stage in challenge.stages if stage.has_closed_at(now)]
    entrants_shown = can.can_see_entrants(current_user, challenge)
    entries = {}
    if closed and entrants_shown:
        rows = db.session.execute(
            sa.select(Submission).where(Submission.stage_id.in_([s.id for s in closed]), Submission.state == SUBMITTED)
            .options(sa.orm.joinedload(Submission.team).selectinload(Team.members).joinedload(TeamMember.user),
                     sa.orm.selectinload(Submission.versions))
            .order_by(Submission.submitted_at)
        ).scalars().unique().all()
        for row in rows:
            entries.setdefault(row.stage_id, []).append(row)
    shown = closed and entrants_shown
    return render_template(
        "submissions/hosts.html", challenge=challenge, counts=host_counts(challenge), closed_ids={s.id for s in closed},
        entries=entries, exports=exports.recent_for(challenge) if entrants_shown else [],
        late_form=_late_form(challenge, closed) if shown else None, now=now,
        grants=_grants(challenge) if shown else [], entrants_shown=entrants_shown,
    )


def _grants(challenge):
    return db.session.execute(
        sa.select(LateEntryGrant, Team.name).join(Team, Team.id == LateEntryGrant.team_id)
        .where(Team.challenge_id == challenge.id).order_by(LateEntryGrant.id.desc())
    ).all()


def _late_form(challenge, closed):
    form = LateEntryForm()
    teams = db.session.execute(sa.select(Team).where(Team.challenge_id == challenge.id).order_by(Team.name)).scalars().all()
    form.team.choices = [(t.public_id, t.name) for t in teams]
    form.stage.choices = [(str(s.id), str(s.name.get(challenge.main_language) or next(iter(s.name.values()), s.id))) for s in closed]
    return form


@bp.route("/hosts/<slug>/late-entry", methods=["POST"])
@login_required
def grant_late_entry(slug):
    challenge = _challenge(slug)
    require(can.can_grant_late_entry(current_user, challenge), can.REFUSALS["can_grant_late_entry"])
    now = utcnow()
    closed = [stage for stage in challenge.stages if stage.has_closed_at(now)]
    if not closed:
        abort(404)
    form = _late_form(challenge, closed)
    if not form.validate_on_submit():
        for name, errors in form.errors.items():
            flash(f"{form[name].label.text if name in form else name}: {' '.join(map(str, errors))}", "error")
        return redirect(url_for("submissions.hosts", slug=slug))
    team = db.session.execute(sa.select(Team).where(Team.public_id == form.team.data)).scalar_one()
    stage = db.session.get(Stage, int(form.stage.data))
    grant, code = operations.grant_late_entry(current_user, team, stage, form.reason.data, form.hours.data)
    db.session.commit()
    flash(_("Late-entry code for %(team)s: %(code)s — give it to the team now; it is not shown again.", team=team.name, code=code), "success")
    return redirect(url_for("submissions.hosts", slug=slug))


@bp.route("/hosts/stages/<int:stage_id>/export", methods=["POST"])
@login_required
def start_export(stage_id):
    stage = db.session.get(Stage, stage_id) or abort(404)
    require(can.can_list_entries(current_user, stage), can.REFUSALS["can_list_entries"])
    if not EmptyForm().validate_on_submit():
        abort(400)
    job = exports.request_export(current_user, stage)
    db.session.commit()
    return redirect(url_for("submissions.export", job_id=job.id))


def _export_job(job_id):
    job = db.session.get(OutboxJob, job_id)
    if job is None or job.function != exports.EXPORT_JOB or not job.args:
        abort(404)
    stage = db.session.get(Stage, job.args[0]) or abort(404)
    require(can.can_list_entries(current_user, stage), can.REFUSALS["can_list_entries"])
    return job, stage


@bp.route("/hosts/exports/<int:job_id>")
@login_required
def export(job_id):
    job, stage = _export_job(job_id)
    return render_template("submissions/export.html", job=job, stage=stage, challenge=stage.challenge)


@bp.route("/hosts/exports/<int:job_id>/<kind>")
@login_required
def export_file(job_id, kind):
    job, stage = _export_job(job_id)
    if kind not in ("csv", "zip") or job.state != "done" or not isinstance(job.result, dict) or kind not in job.result:
        abort(404)
    mime = "text/csv" if kind == "csv" else "application/zip"
    return _send(job.result[kind], f"{stage.challenge.slug}-stage-{stage.position}.{kind}", mime)


# --- the challenge page panel --------------------------------------------------------------------

def challenge_panel(challenge, user):
    counts = public_counts(challenge)
    team = team_can.team_of(user, challenge)
    return {"entry_panel": {
        "challenge": challenge, "counts": counts, "team": team,
        "entries": operations.entries_for(team) if team else {},
        "can_enter": team is None and team_can.can_enter(user, challenge),
        "is_host": can.can_see_host_view(user, challenge),
        "now": utcnow(),
    }}
