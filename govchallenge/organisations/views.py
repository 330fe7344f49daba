import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from govchallenge.core.forms import EmptyForm
from govchallenge.core.pagination import requested_page
from govchallenge.core.permissions import require
from govchallenge.core.urls import local_target
from govchallenge.extensions import db

from . import operations
from . import permissions as can
from .forms import OrganisationForm, RoleForm
from .models import KINDS, Membership, Organisation, active_memberships, by_slug

bp = Blueprint("organisations", __name__, url_prefix="/organisations")

ERRORS = {
    "last_officer": lambda: _("An organisation needs at least one officer. Name another officer first."),
    "verified_locked": lambda: _("The kind and country of a verified organisation cannot change. Ask an administrator."),
}
PAGE_SIZE = 30


@bp.app_context_processor
def _memberships_for_templates():
    return {"my_memberships": lambda: active_memberships(current_user)}


def _load(slug):
    return by_slug(slug) or abort(404)


def _load_membership(organisation, membership_id):
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.organisation_id != organisation.id:
        abort(404)
    return membership


@bp.route("/")
def index():
    query = sa.select(Organisation).order_by(Organisation.name)
    words = request.args.get("q", "").strip()
    kind = request.args.get("kind", "")
    if words:
        query = query.where(Organisation.name.ilike(f"%{words}%"))
    if kind in KINDS:
        query = query.where(Organisation.kind == kind)
    page_number = requested_page(request.args)
    if page_number is None:
        abort(404)
    page = db.paginate(query, page=page_number, per_page=PAGE_SIZE, error_out=False)
    return render_template("organisations/index.html", page=page, words=words, kind=kind, kinds=KINDS)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(can.can_create_organisation(current_user))
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
    require(can.can_manage(current_user, organisation))
    form = OrganisationForm(obj=organisation).fill()
    if form.validate_on_submit():
        try:
            operations.update(
                current_user, organisation, form.name.data, form.kind.data, form.country.data,
                form.website.data or "", form.description.data or "",
            )
        except operations.OrganisationError as error:
            db.session.rollback()
            form.kind.errors.append(ERRORS[error.code]())
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("organisations.show", slug=organisation.slug))
    return render_template("organisations/form.html", form=form, organisation=organisation), 400 if form.errors else 200


@bp.route("/<slug>/join", methods=["POST"])
@login_required
def join(slug):
    organisation = _load(slug)
    require(can.can_request_to_join(current_user, organisation))
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.request_to_join(current_user, organisation)
    db.session.commit()
    flash(_("Your request is sent to the organisation's officers."), "success")
    return redirect(url_for("organisations.show", slug=slug))


@bp.route("/<slug>/members/<int:membership_id>/approve", methods=["POST"])
@login_required
def approve(slug, membership_id):
    organisation = _load(slug)
    require(can.can_manage(current_user, organisation))
    membership = _load_membership(organisation, membership_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.approve(current_user, membership)
    db.session.commit()
    flash(_("%(name)s is now a member.", name=membership.user.name), "success")
    return redirect(url_for("organisations.show", slug=slug))


@bp.route("/<slug>/members/<int:membership_id>/role", methods=["POST"])
@login_required
def change_role(slug, membership_id):
    organisation = _load(slug)
    require(can.can_manage(current_user, organisation))
    membership = _load_membership(organisation, membership_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    return _apply(lambda: operations.set_role(current_user, membership, form.role.data), slug, _("The role is changed."))


@bp.route("/<slug>/members/<int:membership_id>/remove", methods=["POST"])
@login_required
def remove(slug, membership_id):
    organisation = _load(slug)
    membership = _load_membership(organisation, membership_id)
    require(can.can_manage(current_user, organisation) or membership.user_id == current_user.id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _apply(lambda: operations.remove(current_user, membership), slug, _("The member is removed."))


def _apply(change, slug, success_message):
    try:
        change()
    except operations.OrganisationError as error:
        db.session.rollback()
        flash(ERRORS[error.code](), "error")
        return redirect(url_for("organisations.show", slug=slug))
    db.session.commit()
    flash(success_message, "success")
    return redirect(url_for("organisations.show", slug=slug))


@bp.route("/<slug>/verify", methods=["POST"])
@login_required
def verify(slug):
    organisation = _load(slug)
    require(can.can_verify(current_user, organisation))
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.verify(current_user, organisation)
    db.session.commit()
    flash(_("%(name)s is verified.", name=organisation.name), "success")
    back = local_target(request.form.get("next"))
    return redirect(back if back and back.startswith("/admin") else url_for("organisations.show", slug=slug))
