"""The results pages, the open-data export, the API route, and the hosts' announcement and webhook pages."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from govchallenge.challenges.models import DOMAINS, by_slug
from govchallenge.core import storage
from govchallenge.core.forms import EmptyForm
from govchallenge.core.languages import pick
from govchallenge.core.permissions import require, signed_in
from govchallenge.core.urls import external_url
from govchallenge.extensions import db

from . import charts, documents, operations
from . import permissions as can
from .announcements import progress as announcement_progress
from .forms import ProposeForm, WebhookForm
from .models import (
    FAILED, PENDING, PUBLISHED, SENDING, Contest, Delivery, Publication, WebhookEndpoint, proposed_for,
    published_for,
)

bp = Blueprint("results", __name__)

ERRORS = {
    "already_published": lambda d: _("The results are already published."),
    "archived": lambda d: _("The challenge is archived: no results can be published for it."),
    "no_rounds": lambda d: _("The jury has no round yet."),
    "round_open": lambda d: _("A jury round is still open. Close every round before proposing the ranking."),
    "no_entries": lambda d: _("No entry is in the final round."),
    "reviews_missing": lambda d: " ".join((
        ngettext("%(num)s review is not submitted yet.", "%(num)s reviews are not submitted yet.", d.get("missing", 0)),
        ngettext("%(num)s entry has no review.", "%(num)s entries have no review.", d.get("unreviewed", 0)),
        _("Every assigned review must be submitted first."))),
    "bad_priority_criterion": lambda d: _("Choose a criterion of the final round."),
    "decision_needs_reason": lambda d: _("Give the reason for each order you chose."),
    "bad_special_award": lambda d: _("A special award can only go to an entry of the final round."),
    "not_proposed": lambda d: _("There is no proposal to confirm."),
    "already_confirmed": lambda d: _("Your organisation has already confirmed this ranking."),
    "hosts_missing": lambda d: _("Not every host has confirmed yet."),
}


def error_text(error):
    return ERRORS.get(error.code, lambda d: error.code)(error.detail)


def panel_context(challenge, user):
    publication = published_for(challenge.id)
    if publication is not None:
        return {"challenge": challenge, "publication": publication}
    if can.can_see_scores_before_publication(user, challenge):
        return {"challenge": challenge, "publication": None}
    return None


def _load(slug):
    challenge = by_slug(slug)
    if challenge is None or not can.can_see_results_page(current_user, challenge):
        abort(404)
    return challenge


def _label(field, main):
    from flask_babel import get_locale

    return pick(field, str(get_locale() or "en"), main).text


def _own_entries(challenge):
    """The public ids of the viewer's team's entries in this challenge (one query)."""
    if not signed_in(current_user):
        return []
    from govchallenge.submissions.models import Submission
    from govchallenge.teams.models import Team, TeamMember

    return db.session.execute(
        sa.select(Submission.public_id).join(Team, Team.id == Submission.team_id)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(Team.challenge_id == challenge.id, TeamMember.user_id == current_user.id)
    ).scalars().all()


def _charts(document, prefix):
    scores = [e["score"] for e in document["entries"] if e["score"] is not None]
    totals = [r["total"] for e in document["entries"] for r in e["reviews"]]
    entry_buckets = charts.histogram(scores)
    review_buckets = charts.histogram(totals)
    return [
        {
            "svg": charts.histogram_svg(f"{prefix}-scores", _("Distribution of entry scores"),
                                        _("Bar chart: how many entries scored in each band of 10 points, from 0 to 100."),
                                        entry_buckets, _("Score (0-100)")),
            "caption": _("Entry scores"), "buckets": entry_buckets,
        },
        {
            "svg": charts.histogram_svg(f"{prefix}-reviews", _("Distribution of review totals"),
                                        _("Bar chart: how many single reviews gave a total in each band of 10 points."),
                                        review_buckets, _("Review total (0-100)")),
            "caption": _("Review totals"), "buckets": review_buckets,
        },
    ]


def _progress(publication):
    announcement = publication.announcement
    if announcement is None:
        return None
    return {"announcement": announcement, **announcement_progress(announcement.id)}


@bp.route("/challenges/<slug>/results")
def show(slug):
    challenge = _load(slug)
    main = challenge.main_language
    publication = published_for(challenge.id)
    context = {"challenge": challenge, "main": main, "label": lambda f: _label(f, main), "button": EmptyForm()}
    if publication is not None:
        document = publication.document
        own = [documents.outcome_for(publication.full, pid) for pid in _own_entries(challenge)]
        full_view = can.can_see_full_results(current_user, challenge) and document["challenge"]["publish_ranking"] != "all"
        context.update(
            publication=publication, document=document, charts=_charts(document, "published"),
            own_outcomes=[o for o in own if o], full_entries=publication.full["entries"] if full_view else None,
            entries_ranked=document["entries_ranked"],
            progress=_progress(publication) if can.can_follow_announcement(current_user, challenge) else None,
        )
        return render_template("results/show.html", **context)
    if not can.can_see_scores_before_publication(current_user, challenge):
        return render_template("results/not_published.html", **context)
    return render_template("results/preview.html", **_preview_context(challenge, context))


def _preview_context(challenge, context, form=None, problem=None):
    proposal = proposed_for(challenge.id)
    data = documents.gather(challenge)
    # The challenge stores no tie-break criterion: the chair's last choice is the default, and the
    # ranking shown is computed with it, so what is previewed is what "Propose" would propose.
    priority = operations.previous_priority_criterion(challenge, data.criteria)
    preview = None
    if not [p for p in data.problems if p[0] in {"no_rounds", "no_entries"}] and data.reviews:
        preview = documents.full_document(challenge, data, priority)
    may_propose = can.can_propose(current_user, challenge)
    if may_propose and form is None:
        form = ProposeForm(data={"priority_criterion": str(priority) if priority else ""})
    if form is not None:
        form.priority_criterion.choices = [("", _("None"))] + [(str(c.id), context["label"](c.name)) for c in data.criteria]
    missing = operations.missing_confirmations(proposal) if proposal else []
    mine = set()
    if proposal and can.can_confirm(current_user, challenge):
        from govchallenge.organisations.models import OFFICER, active_memberships

        mine = {m.organisation_id for m in active_memberships(current_user) if m.role == OFFICER}
    entries = {s.public_id: f"{s.title} ({s.team.name})" for s in data.submissions.values()}
    context.update(
        proposal=proposal, preview=preview, problems=data.problems, form=form, may_propose=may_propose,
        problem_messages=[ERRORS.get(code, lambda d: code)(detail) for code, detail in data.problems],
        may_confirm=bool(set(missing) & mine), missing_hosts=[h for h in challenge.hosts if h.organisation_id in missing],
        specials=[p for p in challenge.prizes if p.place is None], entry_labels=entries, problem=problem,
        charts=_charts(proposal.full if proposal else preview, "preview") if (proposal or preview) else [],
    )
    return context


@bp.route("/challenges/<slug>/results/propose", methods=["POST"])
@login_required
def propose(slug):
    challenge = _load(slug)
    require(can.can_propose(current_user, challenge))
    form = ProposeForm()
    form.priority_criterion.choices = [("", "")] + [(str(c.id), "") for c in challenge.criteria]
    main = challenge.main_language
    context = {"challenge": challenge, "main": main, "label": lambda f: _label(f, main), "button": EmptyForm()}
    if not form.validate_on_submit():
        return render_template("results/preview.html", **_preview_context(challenge, context, form)), 400
    decisions, index = [], 0
    while f"tie_{index}_first" in request.form:
        first = request.form.get(f"tie_{index}_first", "")
        members = [e for e in request.form.get(f"tie_{index}_entries", "").split(",") if e]
        reason = request.form.get(f"tie_{index}_reason", "").strip()[:1000]
        if first and first in members and reason:
            decisions.append({"order": [first] + [e for e in members if e != first], "reason": reason})
        index += 1
    specials = {}
    for prize in challenge.prizes:
        if prize.place is None and request.form.get(f"special_{prize.id}"):
            specials[prize.id] = request.form[f"special_{prize.id}"]
    priority = int(form.priority_criterion.data) if (form.priority_criterion.data or "").isdigit() else None
    try:
        operations.propose(challenge, current_user, priority, decisions, specials)
    except operations.ResultsError as error:
        db.session.rollback()
        return render_template("results/preview.html",
                               **_preview_context(challenge, context, form, problem=error_text(error))), 400
    db.session.commit()
    flash(_("The ranking is proposed. Each host now confirms it; the results are published on the last confirmation."), "success")
    return redirect(url_for("results.show", slug=slug))


@bp.route("/challenges/<slug>/results/confirm", methods=["POST"])
@login_required
def confirm(slug):
    challenge = _load(slug)
    require(can.can_confirm(current_user, challenge))
    if not EmptyForm().validate_on_submit():
        abort(400)
    publication = proposed_for(challenge.id)
    if publication is None:
        flash(error_text(operations.ResultsError("not_proposed")), "error")
        return redirect(url_for("results.show", slug=slug))
    try:
        operations.confirm(publication, current_user)
    except operations.ResultsError as error:
        db.session.rollback()
        flash(error_text(error), "error")
        return redirect(url_for("results.show", slug=slug))
    db.session.commit()
    if publication.is_published:
        flash(_("Every host has confirmed: the results are published and being announced."), "success")
    else:
        flash(_("Your confirmation is recorded. The results are published once every host has confirmed."), "success")
    return redirect(url_for("results.show", slug=slug))


# --- open data ------------------------------------------------------------------------------

def _published_or_404(slug):
    challenge = _load(slug)
    publication = published_for(challenge.id)
    if publication is None:
        abort(404)
    return challenge, publication


@bp.route("/challenges/<slug>/results.json")
def export_json(slug):
    challenge, publication = _published_or_404(slug)
    response = storage.download_response(documents.canonical_bytes(publication.document), f"{challenge.slug}-results.json",
                                         "application/json")
    response.headers["X-Results-Digest"] = publication.digest
    return response


@bp.route("/challenges/<slug>/results.csv")
def export_csv(slug):
    challenge, publication = _published_or_404(slug)
    return storage.download_response(documents.to_csv(publication.document), f"{challenge.slug}-results.csv", "text/csv")


@bp.route("/api/v1/challenges/<slug>/results")
def api_results(slug):
    challenge, publication = _published_or_404(slug)
    return jsonify({
        "digest": publication.digest,
        "digest_rule": documents.DIGEST_RULE,
        "published_at": publication.document["published_at"],
        "links": {
            "page": external_url("results.show", slug=slug),
            "json": external_url("results.export_json", slug=slug),
            "csv": external_url("results.export_csv", slug=slug),
        },
        "results": publication.document,
    })


# --- the hosts' announcement page -----------------------------------------------------------

@bp.route("/challenges/<slug>/results/announcement")
@login_required
def announcement(slug):
    challenge = _load(slug)
    require(can.can_follow_announcement(current_user, challenge))
    publication = published_for(challenge.id)
    if publication is None or publication.announcement is None:
        abort(404)
    progress = _progress(publication)
    failed = db.session.execute(
        sa.select(Delivery).where(Delivery.announcement_id == publication.announcement.id,
                                  Delivery.state.in_([FAILED, PENDING, SENDING]), Delivery.attempts > 0)
        .options(sa.orm.joinedload(Delivery.user), sa.orm.joinedload(Delivery.endpoint))
        .order_by(Delivery.state, Delivery.id).limit(200)
    ).scalars().all()
    return render_template("results/announcement.html", challenge=challenge, publication=publication,
                           progress=progress, problems=failed, button=EmptyForm())


@bp.route("/challenges/<slug>/results/announcement/retry", methods=["POST"])
@login_required
def retry(slug):
    challenge = _load(slug)
    require(can.can_follow_announcement(current_user, challenge))
    publication = published_for(challenge.id)
    if publication is None or publication.announcement is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    count = operations.retry_failed(publication.announcement, current_user)
    db.session.commit()
    flash(ngettext("%(num)s failed delivery will be tried again.", "%(num)s failed deliveries will be tried again.", count), "success")
    return redirect(url_for("results.announcement", slug=slug))


# --- partner webhooks -----------------------------------------------------------------------

def _host_organisations(challenge):
    from govchallenge.challenges.models import ACCEPTED
    from govchallenge.organisations.models import OFFICER, active_memberships

    mine = {m.organisation_id: m.organisation for m in active_memberships(current_user) if m.role == OFFICER}
    return [mine[h.organisation_id] for h in challenge.hosts if h.state == ACCEPTED and h.organisation_id in mine]


@bp.route("/challenges/<slug>/results/webhooks", methods=["GET", "POST"])
@login_required
def webhooks(slug):
    challenge = _load(slug)
    require(can.can_manage_webhooks(current_user, challenge))
    organisations = _host_organisations(challenge)
    form = WebhookForm()
    form.organisation.choices = [(o.id, o.name) for o in organisations]
    if form.validate_on_submit():
        organisation = next(o for o in organisations if o.id == form.organisation.data)
        operations.add_webhook(organisation, form.url.data, current_user)
        db.session.commit()
        flash(_("The endpoint is registered. Share its secret with the partner so they can check the signature."), "success")
        return redirect(url_for("results.webhooks", slug=slug))
    endpoints = db.session.execute(
        sa.select(WebhookEndpoint).where(WebhookEndpoint.organisation_id.in_([o.id for o in organisations]))
        .options(sa.orm.joinedload(WebhookEndpoint.organisation)).order_by(WebhookEndpoint.id)
    ).scalars().all()
    return render_template("results/webhooks.html", challenge=challenge, form=form, endpoints=endpoints,
                           button=EmptyForm()), 400 if form.errors else 200


@bp.route("/challenges/<slug>/results/webhooks/<int:endpoint_id>/deactivate", methods=["POST"])
@login_required
def deactivate_webhook(slug, endpoint_id):
    challenge = _load(slug)
    require(can.can_manage_webhooks(current_user, challenge))
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.organisation_id not in {o.id for o in _host_organisations(challenge)}:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.deactivate_webhook(endpoint, current_user)
    db.session.commit()
    flash(_("The endpoint will receive nothing more."), "success")
    return redirect(url_for("results.webhooks", slug=slug))


# --- contests -------------------------------------------------------------------------------

@bp.route("/contests/<slug>")
def contest(slug):
    found = db.session.execute(sa.select(Contest).where(Contest.slug == slug)).scalar_one_or_none()
    if found is None:
        abort(404)
    challenges = [c for c in found.challenges if c.is_public]
    # An award names an entry and its team: shown once that challenge's results are published.
    published = set(db.session.execute(
        sa.select(Publication.challenge_id).where(Publication.challenge_id.in_([c.id for c in challenges]),
                                                  Publication.state == PUBLISHED)
    ).scalars()) if challenges else set()
    awards = [a for a in found.awards if a.submission.team.challenge_id in published]
    return render_template("results/contest.html", contest=found, challenges=challenges, awards=awards,
                           domains=DOMAINS)
