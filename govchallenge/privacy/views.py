"""Your data: the page, the export request, the download, erasure by the person and by an admin."""
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from govchallenge.accounts.models import User, find_by_email
from govchallenge.core import storage
from govchallenge.core.permissions import admin_required, require
from govchallenge.extensions import db

from . import erasure, exports, files
from .forms import AdminEraseForm, EraseForm, ExportForm, FindAccountForm
from .permissions import can_download, can_erase
from .reauth import reauthenticated

bp = Blueprint("privacy", __name__)

REFUSAL_STATUS = {"invalid": 404, "not_yours": 403, "expired": 410, "used": 410}


def _reauth_error(form):
    form.password.errors = list(form.password.errors) + [
        _("Type your password again to confirm it is you.") if not form.password.data
        else _("This is not your current password.")]


def _page(export_form=None, erase_form=None, status=200, refusals=()):
    export = exports.latest_export(current_user)
    return render_template(
        "privacy/index.html", export=export, job=exports.job_of(export),
        link_token=exports.make_link_token(export) if export is not None and export.state == "ready" else None,
        export_form=export_form or ExportForm(), erase_form=erase_form or EraseForm(),
        blockers=erasure.erasure_blockers(current_user), refusals=refusals,
    ), status


@bp.route("/my-data")
@login_required
def index():
    return _page()


@bp.route("/my-data/export", methods=["POST"])
@login_required
def request_export():
    form = ExportForm()
    if not form.validate_on_submit():
        return _page(export_form=form, status=400)
    if not reauthenticated(current_user, form.password.data):
        _reauth_error(form)
        return _page(export_form=form, status=400)
    exports.mark_failed_exports()
    try:
        exports.request_export(current_user)
        db.session.commit()
    except exports.ExportRefused as refusal:
        db.session.rollback()
        return _page(status=409, refusals=[refusal.message])
    except sa.exc.IntegrityError:  # another request of theirs started one this instant (uq_data_export_pending)
        db.session.rollback()
        return _page(status=409, refusals=[exports.already_pending_message()])
    flash(_("We are preparing your data. You will receive an e-mail with a download link when it is ready."), "success")
    return redirect(url_for("privacy.index"))


@bp.route("/my-data/download/<token>")
@login_required
def download(token):
    try:
        export = exports.open_link(token, current_user)
    except exports.ExportRefused as refusal:
        return render_template("privacy/link_refused.html", message=refusal.message), REFUSAL_STATUS[refusal.code]
    require(can_download(current_user, export))
    path = files.export_path(export)
    if not path.exists():
        return render_template("privacy/link_refused.html",
                               message=_("This download link has expired. Ask for your data again.")), 410
    exports.mark_downloaded(export, current_user)
    db.session.commit()
    response = storage.download_response(files.stream_once(path), "govchallenge-my-data.zip", "application/zip")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/my-data/erase", methods=["POST"])
@login_required
def erase_me():
    form = EraseForm()
    if not form.validate_on_submit():
        return _page(erase_form=form, status=400)
    if not reauthenticated(current_user, form.password.data):
        _reauth_error(form)
        return _page(erase_form=form, status=400)
    user = current_user._get_current_object()
    require(can_erase(user, user))
    try:
        erasure.erase_account(user, user)
    except erasure.ErasureRefused as refusal:
        db.session.rollback()
        return _page(status=409, refusals=refusal.reasons)
    db.session.commit()
    logout_user()
    flash(_("Your account has been erased. Thank you for taking part."), "success")
    return redirect(url_for("main.home"))


@bp.route("/admin/erase-account", methods=["GET"])
@admin_required
def admin_find():
    form = FindAccountForm(request.args)
    account = None
    if request.args and form.validate():
        account = find_by_email(form.email.data)
        if account is None:
            form.email.errors.append(_("No account has this address."))
        else:
            return redirect(url_for("privacy.admin_erase", user_id=account.id))
    return render_template("privacy/admin_find.html", form=form), 400 if form.errors else 200


@bp.route("/admin/users/<int:user_id>/erase", methods=["GET", "POST"])
@admin_required
def admin_erase(user_id):
    account = db.get_or_404(User, user_id)
    require(can_erase(current_user, account))
    form = AdminEraseForm()
    refusals = []
    if form.validate_on_submit():
        try:
            erasure.erase_account(account, current_user._get_current_object(), reason=form.reason.data.strip())
        except erasure.ErasureRefused as refusal:
            db.session.rollback()
            refusals = refusal.reasons
        else:
            db.session.commit()
            flash(_("The account has been erased."), "success")
            return redirect(url_for("admin.dashboard"))
    status = 409 if refusals else (400 if form.errors else 200)
    return render_template("privacy/admin_erase.html", form=form, account=account, refusals=refusals,
                           blockers=erasure.erasure_blockers(account)), status
