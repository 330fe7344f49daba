import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from govchallenge.core.actions import Messages, button_action, form_action
from govchallenge.core.forms import EmptyForm
from govchallenge.core.pagination import page_of
from govchallenge.core.lookups import child_or_404
from govchallenge.core.permissions import require
from govchallenge.core.urls import local_target
from govchallenge.extensions import db

from . import operations
from . import permissions as can
from .forms import OrganisationForm, RoleForm
from .models import KINDS, Membership, Organisation, active_memberships, by_slug

bp = Blueprint("organisations", __name__, url_prefix="/organisations")

MESSAGES = Messages({
    "last_officer": lambda detail: _("An organisation needs at least one officer. Name another officer first."),
    "verified_locked": lambda detail: _("The kind and country of a verified organisation cannot change. Ask an administrator."),
}, default=lambda: _("The change was refused."))
PAGE_SIZE = 30


@bp.app_context_processor
def _memberships_for_templates():
    return {"my_memberships": lambda: active_memberships(current_user)}


def _load(slug):
    return by_slug(slug) or abort(404)


def _managed_membership(slug, membership_id):
    """A membership of an organisation the current user manages."""
    organisation = _load(slug)
    require(can.can_manage(current_user, organisation), can.REFUSALS["can_manage"])
    return _load_membership(organisation, membership_id)


def _load_membership(organisation, membership_id):
    return child_or_404(Membership, membership_id, organisation_id=organisation.id)


@bp.route("/")
def index():
    query = sa.select(Organisation).order_by(Organisation.name)
    words = request.args.get("q", "").strip()
    kind = request.args.get("kind", "")
    if words:
        query = query.where(Organisation.name.ilike(f"%{words}%"))
    if kind in KINDS:
        query = query.where(Organisation.kind == kind)
    page = page_of(query, PAGE_SIZE)
    return render_template("organisations/index.html", page=page, words=words, kind=kind, kinds=KINDS)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(can.can_create_organisation(current_user), can.REFUSALS["can_create_organisation"])
    form = OrganisationForm().fill()
    if request.method == "GET":
        form.country.data = current_user.country
    if form.validate_on_submit():
        organisation = operations.create(
            current_user, form.name.data, form.kind.data, form.country.data, form.website.data or "", form.description.data or ""
        )
        db.session.commit()
        flash(_("The organisation is created and you are its officer."), "success")
        if organisation.is_public_body:
            flash(_("An administrator will verify this public body before it can publish challenges."), "info")
        return redirect(url_for("organisations.show", slug=organisation.slug))
    return render_template("organisations/form.html", form=form, organisation=None), 400 if form.errors else 200


@bp.route("/<slug>")
def show(slug):
    organisation = _load(slug)
    memberships = db.session.execute(
        sa.select(Membership)
        .where(Membership.organisation_id == organisation.id)
        .options(sa.orm.joinedload(Membership.user))
        .order_by(Membership.role, Membership.id)
    ).scalars().all()
    return render_template(
        "organisations/show.html",
        organisation=organisation,
        memberships=memberships,
        can_manage=can.can_manage(current_user, organisation),
        can_join=can.can_request_to_join(current_user, organisation),
        can_verify=can.can_verify(current_user, organisation),
        button=EmptyForm(),
        role_form=RoleForm(),
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug):
    organisation = _load(slug)
    require(can.can_manage(current_user, organisation), can.REFUSALS["can_manage"])
    form = OrganisationForm(obj=organisation).fill()

    def page(status):
        return render_template("organisations/form.html", form=form, organisation=organisation), status

    if request.method == "GET":
        return page(200)
    return form_action(
        form,
        lambda: operations.update(current_user, organisation, form.name.data, form.kind.data, form.country.data,
                                  form.website.data or "", form.description.data or ""),
        done=lambda _result: (url_for("organisations.show", slug=organisation.slug), _("Saved.")),
        again=page, messages=MESSAGES, field=form.kind,
    )


@bp.route("/<slug>/join", methods=["POST"])
@login_required
def join(slug):
    organisation = _load(slug)
    require(can.can_request_to_join(current_user, organisation), can.REFUSALS["can_request_to_join"])
    return _button(slug, lambda: operations.request_to_join(current_user, organisation),
                   _("Your request is sent to the organisation's officers."))


@bp.route("/<slug>/members/<int:membership_id>/approve", methods=["POST"])
@login_required
def approve(slug, membership_id):
    membership = _managed_membership(slug, membership_id)
    return _button(slug, lambda: operations.approve(current_user, membership),
                   _("%(name)s is now a member.", name=membership.user.name))


@bp.route("/<slug>/members/<int:membership_id>/role", methods=["POST"])
@login_required
def change_role(slug, membership_id):
    membership = _managed_membership(slug, membership_id)
    form = RoleForm()
    return _button(slug, lambda: operations.set_role(current_user, membership, form.role.data), _("The role is changed."), form)


@bp.route("/<slug>/members/<int:membership_id>/remove", methods=["POST"])
@login_required
def remove(slug, membership_id):
    organisation = _load(slug)
    membership = _load_membership(organisation, membership_id)
    require(can.can_manage(current_user, organisation) or membership.user_id == current_user.id, can.REFUSALS["can_manage"])
    return _button(slug, lambda: operations.remove(current_user, membership), _("The member is removed."))


def _button(slug, change, success_message, form=None):
    return button_action(change, back=url_for("organisations.show", slug=slug), done=success_message,
                         messages=MESSAGES, form=form)


@bp.route("/<slug>/verify", methods=["POST"])
@login_required
def verify(slug):
    organisation = _load(slug)
    require(can.can_verify(current_user, organisation), can.REFUSALS["can_verify"])
    back = local_target(request.form.get("next"))
    back = back if back and back.startswith("/admin") else url_for("organisations.show", slug=slug)
    return button_action(lambda: operations.verify(current_user, organisation), back=back,
                         done=_("%(name)s is verified.", name=organisation.name), messages=MESSAGES)
