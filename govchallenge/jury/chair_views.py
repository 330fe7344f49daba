"""The chair's room: conflicts, the dashboard (also read by host officers), rounds, assignment, reminders,
closing, the shortlist, exclusions, overrides and reassignment."""
from collections import defaultdict
from urllib.parse import quote

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from govchallenge.challenges.forms import AGGREGATIONS, CALIBRATIONS
from govchallenge.core.actions import form_action, refuse, succeed
from govchallenge.core.forms import EmptyForm
from govchallenge.core.pagination import requested_page
from govchallenge.core.permissions import require
from govchallenge.core.templating import localise
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.submissions.anonymity_words import chair_flag
from govchallenge.submissions.screening import flags as screening_flags

from . import operations as ops
from . import permissions as can
from .forms import ClosingForm, ManualAssignForm, OverrideForm, ReasonForm, RoundForm, ShortlistForm, close_form
from .juror_views import declared_text
from .messages import MESSAGES
from .models import EXCLUSION_KINDS, RoundEntry
from .queries import (
    conflict_form, conflict_target_label, declared_conflicts, detected_conflict_rows, excluded_reviews, juror_choices,
    entry_page, load_assignment, load_challenge, load_juror, load_round, review_exclusion_text, rounds_of, to_int, typed_utc,
)


@login_required
def conflicts(slug):
    """The chair sees detected and declared conflicts, and adds more."""
    challenge = load_challenge(slug)
    require(can.can_chair(current_user, challenge), can.REFUSALS["can_chair"])
    jurors = ops.challenge_jurors(challenge.id, accepted_only=False)
    form = conflict_form(challenge, jurors)

    def page(status=200):
        return render_template("jury/conflicts.html", challenge=challenge, form=form,
                               detected=detected_conflict_rows(challenge, jurors),
                               declared=declared_conflicts(challenge), label=conflict_target_label), status

    if request.method == "GET":
        return page()
    return form_action(
        form, lambda: ops.declare_conflicts(load_juror(challenge, to_int(form.juror.data) or 0), current_user,
                                            form.kind.data, form.note.data, organisation_ids=form.organisation_ids(),
                                            people=form.people.data, source="chair"),
        done=lambda result: (url_for("jury.conflicts", slug=slug), declared_text(result)), again=page,
        messages=MESSAGES, field=form.people)


ENTRIES_PER_PAGE = 100  # rows of the per-entry table: a 2,150-entry round is 22 pages, not one 4 MB page
URL_MARKER = 987654321  # stands for a row's own value in the one url_for a row link is made from


def url_maker(endpoint, key, **values):
    """The link of `endpoint` for any value of its argument `key` (an id, a public id), made from one url_for:
    a page of a hundred rows links each row without three hundred url_for calls."""
    head, tail = url_for(endpoint, **values, **{key: URL_MARKER}).rsplit(str(URL_MARKER), 1)
    return lambda value: head + quote(str(value), safe="") + tail


def _row_urls(challenge, rnd):
    """The links of the per-entry table's rows: change a score, reassign, exclude."""
    return {"override": url_maker("jury.override", "public_id", slug=challenge.slug),
            "reassign": url_maker("jury.reassign", "public_id", slug=challenge.slug),
            "exclude": url_maker("jury.exclude", "entry_id", slug=challenge.slug, number=rnd.number)}


def _render_dashboard(challenge, bound=None, status=200, exclude_entry_id=None):
    """The dashboard; `bound` maps (form kind, round number) to a form the chair just sent, shown back
    with what they typed and its errors (their draft is never lost)."""
    require(can.can_see_progress(current_user, challenge), can.REFUSALS["can_see_progress"])
    bound = bound or {}
    chair = can.can_chair(current_user, challenge)
    rounds = rounds_of(challenge)
    all_jurors = ops.challenge_jurors(challenge.id, accepted_only=False)
    jurors = {j.id: j for j in all_jurors}
    choices = juror_choices(all_jurors)
    page_number = requested_page(request.args) or 1
    pages, all_entries = {}, {}
    for rnd in rounds:
        pages[rnd.id], all_entries[rnd.id] = entry_page(rnd, page_number, ENTRIES_PER_PAGE)
    shown = {e.submission_id for page in pages.values() for e in page.items}
    # Entries the chair is conflicted with (among those shown): no score change, no exclusion, no scores shown.
    conflicted = (ops.conflicted_entries(ops.juror_of_user(challenge.id, current_user), shown)
                  if chair and shown else set())
    views = []
    jobs = ops.latest_jobs([rnd.id for rnd in rounds]) if chair else {}
    for rnd in rounds:
        n = rnd.number
        info = ops.page_progress(rnd, [e.submission_id for e in pages[rnd.id].items], all_entries[rnd.id])
        # The entries' rows read their assignments by key: one pass, never a scan of all per entry.
        by_entry = defaultdict(list)
        for a in info["assignments"]:
            by_entry[a.submission_id].append(a)
        manual = bound.get(("manual", n)) or ManualAssignForm(prefix=f"m{n}", formdata=None)
        in_round = ops.round_jurors(rnd, all_jurors)
        manual.juror.choices = [(str(j.id), j.display_name) for j in in_round]
        # A big round offers the entries of the page shown (the form accepts any entry of the round).
        manual.entry.choices = [(str(e.submission_id), e.submission.title or str(e.submission_id))
                                for e in pages[rnd.id].items if e.excluded_at is None]
        shortlist = bound.get(("shortlist", n))
        if shortlist is None:
            shortlist = ShortlistForm(prefix=f"s{n}", formdata=None)
            shortlist.jurors.data = [value for value, _label in choices]
        shortlist.jurors.choices = choices
        closing = bound.get(("closing", n)) or ClosingForm(prefix=f"t{n}", formdata=None, data={"closes_at": rnd.closes_at})
        views.append({
            "round": rnd, "info": info, "manual": manual, "shortlist": shortlist, "closing": closing,
            "short": [sid for sid, (done, _all) in info["entries"].items() if done < rnd.reviews_per_entry]
                     if rnd.is_open else [],
            "held": [j for j in in_round if j.list_held_since is not None] if chair and rnd.is_open else [],
            "exclude": bound.get(("exclude", n)) or ReasonForm(prefix=f"x{n}", formdata=None),
            "exclude_entry_id": exclude_entry_id if ("exclude", n) in bound else None,
            "frozen": ops.round_frozen(rnd),
            "design_warnings": ops.design_warnings(rnd, info["pairs"], info["all_counted"]) if rnd.is_open else [],
            "entries": pages[rnd.id], "by_entry": by_entry,
            "job": jobs.get(rnd.id), "urls": _row_urls(challenge, rnd),
        })
    round_form = bound.get(("round", 0)) or RoundForm(formdata=None)
    return render_template("jury/dashboard.html", challenge=challenge, rounds=views, jurors=jurors, chair=chair,
                           round_form=round_form, empty=EmptyForm(), conflicted=conflicted,
                           excluded_reviews=excluded_reviews(challenge) if chair else [],
                           review_reason=review_exclusion_text,
                           anonymity_flags=_anonymity_flags(challenge, shown),
                           published=ops.results_frozen(challenge),
                           reminder_hours=ops.reminder_hours_before(),
                           has_stage=ops.last_closed_stage(challenge) is not None, stats_text=_stats_text), status


def _anonymity_flags(challenge, ids):
    """{submission id: what kind of detail may name its team, and where} for a blind review: never the detail."""
    if not challenge.anonymous_review:
        return {}
    return {sid: chair_flag(pairs) for sid, pairs in screening_flags(ids).items()}


@login_required
def dashboard(slug):
    return _render_dashboard(load_challenge(slug))


def _chair_post(slug):
    challenge = load_challenge(slug)
    require(can.can_chair(current_user, challenge), can.REFUSALS["can_chair"])
    return challenge


def _back(slug, error=None, ok=None):
    """A one-click action's end: the dashboard, with the refusal or the outcome flashed."""
    if error is not None:
        refuse(error, MESSAGES)
        return redirect(url_for("jury.dashboard", slug=slug))
    return succeed(url_for("jury.dashboard", slug=slug), ok)


def _dashboard_form(challenge, key, form, run, ok, invalid, fields=None, field=None, **shown):
    """A chair's form on the dashboard, in the one action shape (core/actions.py); the page shown again is the
    dashboard with this form as the chair sent it, so what they typed is never lost."""
    return form_action(
        form, run, done=lambda result: (url_for("jury.dashboard", slug=challenge.slug), ok(result)),
        again=lambda status: _render_dashboard(challenge, bound={key: form}, status=status, **shown),
        messages=MESSAGES, fields=fields, field=field, invalid=invalid)


def _stats_text(result):
    s = result if isinstance(result, dict) else result.stats()
    return _("Assigned: %(entries)s entries, %(jurors)s jurors, reviews per entry %(rmin)s–%(rmax)s, load per juror %(lmin)s–%(lmax)s, %(short)s entries short.",
             entries=s["entries"], jurors=s["jurors"], rmin=s["reviews"][0], rmax=s["reviews"][1],
             lmin=s["load"][0], lmax=s["load"][1], short=s["short"])


@login_required
def open_round(slug):
    challenge = _chair_post(slug)
    form = RoundForm()
    return _dashboard_form(
        challenge, ("round", 0), form,
        lambda: ops.open_round_and_assign(challenge, current_user, form.reviews_per_entry.data, typed_utc(form.closes_at.data)),
        ok=lambda opened: _assigned_text(opened[1]), fields={"closes_in_past": form.closes_at},
        invalid=_("Check the number of reviews per entry (1 to 10) and the closing time."))


def _round_button(slug, number, run, success):
    """A chair's one-click action on a round: `run(round)` then `success(its result)` as the message."""
    challenge = _chair_post(slug)
    rnd = load_round(challenge, number)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = run(rnd)
    except ops.JuryError as error:
        return _back(slug, error)
    return _back(slug, ok=success(result))


def _assigned_text(outcome):
    """The outcome of the chair's run: its figures, or, for a big round left to a job, where to follow it."""
    if isinstance(outcome, OutboxJob):
        return _("The assignment of this big round runs in the background: its progress is shown on this page.")
    return _stats_text(outcome)


@login_required
def assign(slug, number):
    """The chair's run of the assignment: it also hands back the lists held after a declared conflict. A big
    round is assigned by a job (assigning.py)."""
    return _round_button(slug, number, lambda rnd: ops.assign_or_queue(rnd, current_user, release=True), _assigned_text)


@login_required
def assignment_status(slug, number):
    """The progress of the round's latest assignment job (refreshes itself while it runs)."""
    challenge = load_challenge(slug)
    require(can.can_chair(current_user, challenge), can.REFUSALS["can_chair"])
    rnd = load_round(challenge, number)
    job = ops.latest_jobs([rnd.id]).get(rnd.id)
    if job is None:
        abort(404)
    return render_template("jury/assignment_status.html", challenge=challenge, round=rnd, job=job,
                           stats_text=_stats_text)


@login_required
def manual(slug, number):
    challenge = _chair_post(slug)
    rnd = load_round(challenge, number)
    form = ManualAssignForm(prefix=f"m{number}")
    form.juror.choices = [(str(j.id), j.display_name) for j in ops.round_jurors(rnd)]
    form.entry.choices = [(str(e.submission_id), str(e.submission_id)) for e in ops.round_entries(rnd)]
    return _dashboard_form(
        challenge, ("manual", number), form,
        lambda: ops.add_assignment(rnd, load_juror(challenge, int(form.juror.data)), int(form.entry.data), current_user),
        ok=lambda _a: _("Assignment added."), invalid=_("Choose a juror and an entry of this round."))


@login_required
def remind(slug, number):
    return _round_button(slug, number, lambda rnd: ops.send_reminders(rnd, current_user),
                         lambda n: ngettext("Reminder queued for %(num)s juror.", "Reminders queued for %(num)s jurors.", n))


@login_required
def closing(slug, number):
    """The chair sets or moves the moment the round closes; the scheduled reminder follows it."""
    challenge = _chair_post(slug)
    rnd = load_round(challenge, number)
    form = ClosingForm(prefix=f"t{number}")
    return _dashboard_form(
        challenge, ("closing", number), form, lambda: ops.set_closing_time(rnd, typed_utc(form.closes_at.data), current_user),
        ok=lambda _r: ngettext("The closing moment is saved; the reminder is scheduled %(num)s hour before it.",
                               "The closing moment is saved; the reminder is scheduled %(num)s hours before it.",
                               ops.reminder_hours_before()),
        fields={"closes_in_past": form.closes_at, "closes_missing": form.closes_at}, invalid=_("Check the closing moment."))


def _decisions(form, short):
    """{RoundEntry.id: EntryDecision} from the close form, one per entry it listed."""
    out = {}
    for entry, _done in short:
        value = lambda name: getattr(form, f"{name}_{entry.id}").data  # noqa: E731
        out[entry.id] = ops.EntryDecision(value("decision"), typed_utc(value("until")), value("kind") or "",
                                          value("reason") or "")
    return out


def _close_field(form, error):
    """The field a refusal of one entry's decision belongs to."""
    field = {"exclusion_kind": "kind", "exclusion_reason": "reason", "decision_missing": "decision",
             "chair_conflict": "decision"}.get(error.code, "until")
    entry = error.detail.get("entry")
    return getattr(form, f"{field}_{entry}", None) if entry is not None else None


@login_required
def close(slug, number):
    """The close form: a round closes only when each entry short of reviews has the chair's decision."""
    challenge = _chair_post(slug)
    rnd = load_round(challenge, number)
    if ops.round_frozen(rnd):
        return _back(slug, ops.JuryError("results_published" if ops.results_frozen(challenge) else "round_closed"))
    short = ops.short_entries(rnd)
    form = close_form(short, EXCLUSION_KINDS, data={"state": ops.closing_state(rnd, short)} if request.method == "GET" else None)

    def page(status=200):
        return render_template("jury/close.html", challenge=challenge, round=rnd, form=form, short=short,
                               held=ops.held_jurors(rnd), design_warnings=ops.design_warnings(rnd),
                               conflicted=ops.conflicted_entries(
                                   ops.juror_of_user(challenge.id, current_user)),
                               max_days=ops.MAX_EXTENSION.days), status

    if request.method == "GET":
        return page()
    if not form.validate_on_submit():
        flash(_("Choose a decision for each entry, with its moment or its reason."), "error")
        return page(400)
    try:
        outcome = ops.close_round(rnd, current_user, _decisions(form, short), state=form.state.data)
    except ops.JuryError as error:
        status = refuse(error, MESSAGES, _close_field(form, error))
        if error.code == "close_stale":
            # The list as it is now, with what the chair chose for the entries still on it.
            short = ops.short_entries(rnd)
            form = close_form(short, EXCLUSION_KINDS)
            form.state.data = ops.closing_state(rnd, short)
        return page(status)
    if outcome.closed:
        message = _("The round is closed.")
        if outcome.excluded:
            message += " " + ngettext("%(num)s entry is excluded; its team will be told why.",
                                      "%(num)s entries are excluded; their teams will be told why.", len(outcome.excluded))
    else:
        message = ngettext("The round stays open for %(num)s entry until its new moment; the other entries' reviews are locked. Close the round again once it is reviewed.",
                           "The round stays open for %(num)s entries until their new moments; the other entries' reviews are locked. Close the round again once they are reviewed.",
                           len(outcome.extended))
    return succeed(url_for("jury.dashboard", slug=slug), message)


def ranking_method_text(ranking):
    """Which method ranked a round, in the words of the challenge's settings."""
    return _("Ranked as the published results will be. Reviews combined by: %(aggregation)s. Calibration of "
             "jurors: %(calibration)s.",
             aggregation=str(AGGREGATIONS.get(ranking.aggregation, ranking.aggregation)),
             calibration=str(CALIBRATIONS.get(ranking.calibration, ranking.calibration)))


@login_required
def shortlist(slug, number):
    """The shortlist in two steps: the rule sent from the dashboard shows who advances and who does not; only
    the confirmation sent from that page (with the list it showed) opens the next round."""
    challenge = _chair_post(slug)
    rnd = load_round(challenge, number)
    form = ShortlistForm(prefix=f"s{number}")
    choices = juror_choices(ops.challenge_jurors(challenge.id))
    form.jurors.choices = choices
    fields = {"closes_in_past": form.closes_at, "bad_jurors": form.jurors, "no_jurors": form.jurors,
              "shortlist_rule": form.top_n}
    invalid = _("Check the shortlist rule, the number of entries and the jurors.")
    use_thresholds = form.rule.data == "thresholds"
    if form.advancing_ids() is None and form.validate_on_submit():
        try:
            advancing, staying, _jurors, ranking = ops.shortlist_plan(rnd, form.top_n.data, use_thresholds,
                                                                      typed_utc(form.closes_at.data), form.juror_ids())
        except ops.JuryError as error:
            return _render_dashboard(challenge, bound={("shortlist", number): form},
                                     status=refuse(error, MESSAGES, fields.get(error.code)))
        titles = {e.submission_id: e.submission.title for e in rnd.entries}
        totals = ops.entry_totals(rnd)
        return render_template("jury/shortlist_confirm.html", challenge=challenge, round=rnd, form=form,
                               advancing=advancing, staying=staying, titles=titles, totals=totals, ranking=ranking,
                               method=ranking_method_text(ranking),
                               juror_names=[dict(choices).get(v, v) for v in form.jurors.data],
                               closes_at=typed_utc(form.closes_at.data))
    return _dashboard_form(
        challenge, ("shortlist", number), form,
        lambda: ops.shortlist(rnd, current_user, top_n=form.top_n.data, use_thresholds=use_thresholds,
                              reviews_per_entry=form.reviews_per_entry.data, closes_at=typed_utc(form.closes_at.data),
                              juror_ids=form.juror_ids(), expected=form.advancing_ids()),
        ok=lambda made: _stats_text(made[1]), fields=fields, invalid=invalid)


@login_required
def exclude(slug, number, entry_id):
    challenge = _chair_post(slug)
    rnd = load_round(challenge, number)
    entry = db.session.get(RoundEntry, entry_id)
    if entry is None or entry.round_id != rnd.id:
        abort(404)
    form = ReasonForm(prefix=f"x{number}")
    return _dashboard_form(
        challenge, ("exclude", number), form, lambda: ops.exclude_entry(entry, form.reason.data, current_user),
        ok=lambda _e: _("The entry is excluded."), field=form.reason,
        invalid=_("Write a justification to exclude an entry."), exclude_entry_id=entry.id)


@login_required
def override(slug, public_id):
    challenge = load_challenge(slug)
    require(can.can_chair(current_user, challenge), can.REFUSALS["can_chair"])
    assignment = load_assignment(public_id)
    if assignment.round.challenge_id != challenge.id or assignment.review is None:
        abort(404)
    # A chair conflicted with the entry neither sees nor changes its scores.
    require(can.can_change_entry(current_user, challenge, assignment.submission_id), can.REFUSALS["can_change_entry"])
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
                status = refuse(error, MESSAGES, form.new_value)
                assignment = load_assignment(public_id)
                review = assignment.review
            else:
                return succeed(url_for("jury.override", slug=slug, public_id=public_id),
                               _("Score changed; the justification is in the audit trail."))
    return render_template("jury/override.html", challenge=challenge, assignment=assignment, review=review,
                           criteria=criteria, form=form, frozen=frozen,
                           published=ops.results_frozen(challenge)), status


@login_required
def reassign(slug, public_id):
    """The chair moves an entry away from a juror; the assignment picks another within the rules."""
    challenge = _chair_post(slug)
    assignment = load_assignment(public_id)
    if assignment.round.challenge_id != challenge.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = ops.recuse(assignment, current_user, reason="reassigned by the chair")
    except ops.JuryError as error:
        return _back(slug, error)
    return _back(slug, ok=_stats_text(result))
