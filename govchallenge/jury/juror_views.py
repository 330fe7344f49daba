"""The jurors' room: invitations, declared conflicts, a juror's reviews, the blind review page and its files,
stepping back."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from govchallenge.core import storage
from govchallenge.core.actions import form_action, refuse, succeed
from govchallenge.core.permissions import require
from govchallenge.core.templating import localise
from govchallenge.extensions import db
from govchallenge.submissions.models import Submission
from govchallenge.submissions.screening import blind_copy, is_fit_for_blind_review

from . import operations as ops
from . import permissions as can
from .forms import AcceptForm, OptionalReasonForm, review_form
from .messages import FIELD_ERRORS, MESSAGES
from .models import SUBMITTED, Juror
from .queries import (
    active_assignments_of, blind_file_name, conflict_form, conflict_target_label, entry_content, entry_for_review, invitations_waiting_for,
    juror_rows_of, load_assignment, load_challenge, others_reviews, rounds_of, to_int,
)
from .tokens import read_token


@login_required
def index():
    return render_template("jury/index.html", mine=juror_rows_of(current_user), pending=invitations_waiting_for(current_user))


@login_required
def invitation(token):
    try:
        juror_id, nonce = read_token(token)
    except ValueError as error:
        return render_template("jury/invitation_problem.html", problem=str(error)), 400
    juror = db.session.get(Juror, juror_id)
    if juror is None or juror.nonce != nonce:
        return render_template("jury/invitation_problem.html", problem="invalid"), 400
    require(can.can_respond_invitation(current_user, juror), can.REFUSALS["can_respond_invitation"])
    form = AcceptForm()
    if juror.state != "invited":
        return render_template("jury/invitation_problem.html", problem="used", juror=juror), 409

    def answer():
        if form.decline.data:
            return ops.decline_invitation(juror, current_user)
        return ops.accept_invitation(juror, current_user, form.agree.data)

    def done(_result):
        if form.decline.data:
            return url_for("jury.index"), _("You declined the invitation.")
        return url_for("jury.declare", slug=juror.challenge.slug), _("Welcome to the jury. Declare any conflict of interest now.")

    def page(status=200):
        return render_template("jury/invitation.html", juror=juror, challenge=juror.challenge, form=form), status

    if request.method == "GET":
        return page()
    return form_action(form, answer, done=done, again=page, messages=MESSAGES, field=form.agree)



def declared_text(result):
    """What a declaration says back: how many were stored, never what they touched (the same words whether a
    declaration concerns an entry of the juror's list or none)."""
    made, already = result
    text = ngettext("%(num)s conflict declared.", "%(num)s conflicts declared.", len(made))
    if already:
        text += " " + ngettext("%(num)s was declared already.", "%(num)s were declared already.", already)
    return text


@login_required
def declare(slug):
    """A juror declares conflicts with organisations and people (in blind mode too: they know whom they know),
    before or after assignment; the page says the same whatever a declaration touches (reviews.declare_conflicts)."""
    challenge = load_challenge(slug)
    juror = can.juror_of(current_user, challenge)
    require(juror is not None and can.can_declare_conflicts(current_user, juror), can.REFUSALS["juror_of"])
    form = conflict_form(challenge, [juror])
    form.juror.data = str(juror.id)

    def page(status=200):
        return render_template("jury/declare.html", challenge=challenge, juror=juror, form=form,
                               label=conflict_target_label), status

    if request.method == "GET":
        return page()
    return form_action(
        form, lambda: ops.declare_conflicts(juror, current_user, form.kind.data, form.note.data,
                                            organisation_ids=form.organisation_ids(), people=form.people.data),
        done=lambda result: (url_for("jury.declare", slug=slug), declared_text(result)), again=page,
        messages=MESSAGES, field=form.people)


@login_required
def mine(slug):
    challenge = load_challenge(slug)
    juror = can.juror_of(current_user, challenge)
    require(juror is not None, can.REFUSALS["juror_of"])
    assignments = [] if juror.list_held_since else active_assignments_of(juror)
    rounds = rounds_of(challenge)
    final_rounds = [r for r in rounds if can.final_juror(current_user, r) is not None]
    return render_template("jury/mine.html", challenge=challenge, juror=juror, assignments=assignments,
                           deadlines=ops.review_deadlines(assignments),
                           is_chair=juror.is_chair, final_rounds=final_rounds,
                           chair_rounds=[r for r in rounds if r.is_open or r.is_final_kind] if juror.is_chair else [])


@login_required
def review(public_id):
    assignment = load_assignment(public_id)
    # Loaded before the check, shown only after it: the conflict check reads the team from this one load.
    submission = entry_for_review(assignment.submission_id)
    # Never a conflicted entry, even one that became conflicted after the assignment.
    require(can.can_view_entry(current_user, assignment), can.REFUSALS["can_view_entry"])
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
            lock = to_int(form.lock_version.data)
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
                status = refuse(error, MESSAGES)
                for name, (code, detail) in error.detail.get("fields", {}).items():
                    getattr(form, name).errors.append(FIELD_ERRORS[code](detail))
            else:
                return succeed(url_for("jury.review", public_id=public_id),
                               _("Review submitted.") if form.submit.data else _("Draft saved."))
        elif form.errors.get("lock_version") or "csrf_token" in form.errors:
            flash(_("The form had expired. Send it again."), "error")
        # The juror's own draft is untouched; what they typed is shown back with the errors.
        assignment = load_assignment(public_id)
        existing = assignment.review
        submission = entry_for_review(assignment.submission_id)
    content = entry_content(submission)
    files = [{"index": i, "name": blind_file_name(assignment, i, f.get("mime_type")), "size": f.get("size"),
              "withheld": challenge.anonymous_review and not is_fit_for_blind_review(f["sha256"], f.get("mime_type"))}
             for i, f in enumerate(content["files"])]
    others = []
    if existing is not None and existing.state == SUBMITTED and challenge.jurors_see_others:
        others = others_reviews(assignment)
    deadline = ops.review_deadline(rnd, assignment.submission_id)
    published = ops.results_frozen(challenge)
    return render_template(
        "jury/review.html", assignment=assignment, round=rnd, challenge=challenge, criteria=criteria, form=form,
        review=existing, content=content, files=files, others=others,
        team=None if challenge.anonymous_review else submission.team, recuse_form=OptionalReasonForm(prefix="recuse"),
        editable=not published and ops.reviews_open(rnd, assignment.submission_id, deadline=deadline),
        deadline=deadline, published=published,
    ), status


@login_required
def review_file(public_id, index):
    assignment = load_assignment(public_id)
    require(can.can_view_entry(current_user, assignment), can.REFUSALS["can_view_entry"])
    submission = db.session.get(Submission, assignment.submission_id)
    files = entry_content(submission)["files"]
    if not 0 <= index < len(files):
        abort(404)
    entry = files[index]
    name = blind_file_name(assignment, index, entry.get("mime_type"))
    if assignment.round.challenge.anonymous_review:
        # The copy without metadata; a file that could not be read is withheld (the team and the chair know).
        data = blind_copy(entry["sha256"], entry.get("mime_type"))
        db.session.commit()  # an inspection made now (a file stored before inspections) is kept
        if data is None:
            flash(_("This file could not be read, so it is withheld from the jury; the chair has been told."), "error")
            return redirect(url_for("jury.review", public_id=public_id))
        return storage.download_response(data, name, entry.get("mime_type"))
    try:
        data = storage.open_bytes(entry["sha256"])
    except FileNotFoundError:
        abort(404)
    return storage.download_response(data, entry.get("filename") or name, entry.get("mime_type"))


@login_required
def recuse(public_id):
    assignment = load_assignment(public_id)
    require(can.can_score(current_user, assignment), can.REFUSALS["can_score"])
    form = OptionalReasonForm(prefix="recuse")
    if not form.validate_on_submit():
        abort(400)
    slug = assignment.round.challenge.slug
    try:
        ops.recuse(assignment, current_user, form.reason.data)
    except ops.JuryError as error:
        refuse(error, MESSAGES)
        return redirect(url_for("jury.review", public_id=public_id))
    return succeed(url_for("jury.mine", slug=slug), _("You stepped back from the entry; another juror will review it."))
