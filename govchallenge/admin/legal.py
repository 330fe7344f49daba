"""The admins' pages for the legal and help pages: the operator's particulars and each page's text."""
from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from govchallenge.core.actions import Messages, form_action
from govchallenge.core.permissions import admin_required
from govchallenge.legal import operations
from govchallenge.legal.forms import LegalSettingsForm, LegalTextForm
from govchallenge.legal.models import current_settings, text_row
from govchallenge.legal.pages import PAGES, stored_or_default_texts

from .views import bp

NO_REFUSALS = Messages({}, lambda: _("The change could not be saved."))


@bp.route("/legal", methods=["GET", "POST"])
@admin_required
def legal_pages():
    form = LegalSettingsForm(obj=current_settings())

    def again(status):
        rows = {page: text_row(page) for page in PAGES}
        return render_template("admin/legal.html", form=form, pages=PAGES, rows=rows), status

    if not form.is_submitted():
        return again(200)
    return form_action(form, lambda: operations.save_settings(form.values(), current_user),
                       done=lambda row: (url_for("admin.legal_pages"), _("The operator's details are saved.")),
                       again=again, messages=NO_REFUSALS)


@bp.route("/legal/<page>", methods=["GET", "POST"])
@admin_required
def legal_text(page):
    if page not in PAGES:
        abort(404)
    form = LegalTextForm()

    def again(status):
        return render_template("admin/legal_text.html", form=form, page=page, title=PAGES[page],
                               row=text_row(page)), status

    if not form.is_submitted():
        form.fill(stored_or_default_texts(page))
        return again(200)
    return form_action(form, lambda: operations.save_page_text(page, form.texts(), current_user),
                       done=lambda row: (url_for("admin.legal_text", page=page), _("The page is saved.")),
                       again=again, messages=NO_REFUSALS)
