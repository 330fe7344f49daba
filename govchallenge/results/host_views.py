"""The hosts' room of the results: proposing and confirming the ranking, the announcement and its deliveries,
partners' webhooks."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from govchallenge.core.actions import button_action, confirmation, refuse, succeed
from govchallenge.core.forms import EmptyForm
from govchallenge.core.permissions import require
from govchallenge.extensions import db

from . import operations
from . import permissions as can
from .forms import ProposeForm, WebhookForm
from .models import (
    FAILED, PENDING, SENDING, Delivery, WebhookEndpoint, proposed_for,
    published_for,
)
from .shared import (
    MESSAGES, delivery_progress, error_text, host_organisations, load_results_challenge, preview_context, state_label,
)


@login_required
def propose(slug):
    challenge = load_results_challenge(slug)
    require(can.can_propose(current_user, challenge), can.REFUSALS["can_propose"])
    form = ProposeForm()
    form.priority_criterion.choices = [("", "")] + [(str(c.id), "") for c in challenge.criteria]
    main = challenge.main_language
    context = {"challenge": challenge, "main": main, "label": lambda f: state_label(f, main), "button": EmptyForm()}
    if not form.validate_on_submit():
        return render_template("results/preview.html", **preview_context(challenge, context, form)), 400
    decisions, index = [], 0
    while f"tie_{index}_first" in request.form:
        first = request.form.get(f"tie_{index}_first", "")
        members = [e for e in request.form.get(f"tie_{index}_entries", "").split(",") if e]
        reason = request.form.get(f"tie_{index}_reason", "").strip()[:1000]
        if first and first in members:  # an order chosen without its reason is refused, not dropped
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
                               **preview_context(challenge, context, form, problem=error_text(error))), 400
    db.session.commit()
    flash(_("The ranking is proposed. Each host now confirms it; the results are published on the last confirmation."), "success")
    return redirect(url_for("results.show", slug=slug))


@login_required
def confirm(slug):
    challenge = load_results_challenge(slug)
    require(can.can_confirm(current_user, challenge), can.REFUSALS["can_confirm"])
    if request.method == "GET":
        return confirmation(_("Confirm this ranking for your organisation?"),
                            _("Once every host has confirmed, the results are published and announced to every participant, "
                              "juror and follower. This cannot be undone."),
                            _("Confirm the ranking"), url_for("results.show", slug=slug))
    if not EmptyForm().validate_on_submit():
        abort(400)
    publication = proposed_for(challenge.id)
    if publication is None:
        flash(error_text(operations.ResultsError("not_proposed")), "error")
        return redirect(url_for("results.show", slug=slug))
    try:
        operations.confirm(publication, current_user)
    except operations.ResultsError as error:
        refuse(error, MESSAGES)
        return redirect(url_for("results.show", slug=slug))
    return succeed(url_for("results.show", slug=slug),
                   _("Every host has confirmed: the results are published and being announced.") if publication.is_published
                   else _("Your confirmation is recorded. The results are published once every host has confirmed."))


@login_required
def announcement(slug):
    challenge, publication = _announced(slug)
    progress = delivery_progress(publication)
    failed = db.session.execute(
        sa.select(Delivery).where(Delivery.announcement_id == publication.announcement.id,
                                  Delivery.state.in_([FAILED, PENDING, SENDING]), Delivery.attempts > 0)
        .options(sa.orm.joinedload(Delivery.user), sa.orm.joinedload(Delivery.endpoint))
        .order_by(Delivery.state, Delivery.id).limit(200)
    ).scalars().all()
    return render_template("results/announcement.html", challenge=challenge, publication=publication,
                           progress=progress, problems=failed, button=EmptyForm())


@login_required
def retry(slug):
    _challenge, publication = _announced(slug)
    return button_action(
        lambda: operations.retry_failed(publication.announcement, current_user), back=url_for("results.announcement", slug=slug),
        messages=MESSAGES,
        done=lambda count: (url_for("results.announcement", slug=slug), ngettext(
            "%(num)s failed delivery will be tried again.", "%(num)s failed deliveries will be tried again.", count)))


def _announced(slug):
    """(challenge, its publication) for one who may follow the announcement; 404 until there is one."""
    challenge = load_results_challenge(slug)
    require(can.can_follow_announcement(current_user, challenge), can.REFUSALS["can_follow_announcement"])
    publication = published_for(challenge.id)
    if publication is None or publication.announcement is None:
        abort(404)
    return challenge, publication


@login_required
def webhooks(slug):
    challenge = load_results_challenge(slug)
    require(can.can_manage_webhooks(current_user, challenge), can.REFUSALS["can_manage_webhooks"])
    organisations = host_organisations(challenge)
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


@login_required
def deactivate_webhook(slug, endpoint_id):
    challenge = load_results_challenge(slug)
    require(can.can_manage_webhooks(current_user, challenge), can.REFUSALS["can_manage_webhooks"])
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.organisation_id not in {o.id for o in host_organisations(challenge)}:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.deactivate_webhook(endpoint, current_user)
    db.session.commit()
    flash(_("The endpoint will receive nothing more."), "success")
    return redirect(url_for("results.webhooks", slug=slug))
