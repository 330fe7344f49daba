"""The legal and help pages, read by everyone."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from babel.dates import format_date

from govchallenge.core.i18n import current_language
from govchallenge.extensions import db, limiter
from govchallenge.core.registry import hook
from govchallenge.core.templating import formatting_locale

from .cookies import platform_cookies
from .limitations import KNOWN_LIMITATIONS, REVIEWED_ON
from . import operations
from .forms import ContactForm
from .models import current_settings, text_row
from .pages import PAGES, page_text
from .purposes import PURPOSES
from .retention import retention_periods

bp = Blueprint("legal", __name__)


def _page(page, **context):
    row = text_row(page)
    return render_template(
        f"legal/{page}.html", page=page, title=PAGES[page], text=page_text(page, current_language()),
        updated_at=row.updated_at if row is not None else None, operator=current_settings(), **context,
    )


def _day(day):
    return format_date(day, "long", locale=formatting_locale())


@bp.route("/accessibility")
def accessibility():
    prepared_on = current_settings().statement_prepared_on or REVIEWED_ON
    return _page("accessibility", limitations=KNOWN_LIMITATIONS, reviewed_on=_day(REVIEWED_ON),
                 prepared_on=_day(prepared_on), site_url=current_app.config["SERVER_NAME_FOR_LINKS"])


@bp.route("/privacy")
def privacy():
    config = current_app.config
    return _page("privacy", purposes=PURPOSES, periods=retention_periods(config), mail_server=config.get("MAIL_SERVER") or "",
                 personal_data_links=personal_data_links())


@bp.route("/cookies")
def cookies():
    return _page("cookies", cookies=platform_cookies(current_app.config))


def _limit(name):
    """A limit read from the settings at each request (CONTACT_LIMIT, CONTACT_ATTEMPT_LIMIT)."""
    return lambda: current_app.config[name]


def _sent(response):
    return response.status_code == 302


@bp.route("/contact", methods=["GET", "POST"])
@limiter.limit(_limit("CONTACT_LIMIT"), methods=["POST"], scope="contact-sent", deduct_when=_sent)
@limiter.limit(_limit("CONTACT_ATTEMPT_LIMIT"), methods=["POST"], scope="contact-attempt")
def contact():
    """The operator's contact details and, once the operator gave an address, a form that mails it."""
    form = ContactForm()
    if form.is_submitted() and not current_settings().contact_email:
        abort(404)  # no address to send to, so no form
    if form.validate_on_submit():
        operations.send_contact_message(form.name.data, form.email.data, form.message.data, current_language())
        db.session.commit()
        flash(_("Thank you: your message is on its way. We answer at the address you gave."), "success")
        return redirect(url_for("legal.contact"))
    return _page("contact", form=form), 400 if form.errors else 200


def personal_data_links():
    """[(url, label)] of the pages where a person gets or erases their data, when a domain offers them
    (the `personal_data_pages` hook); without them the notice says how to ask by e-mail."""
    return [(url_for(link.endpoint), link.label) for link in hook("personal_data_pages")
            if link.endpoint in current_app.view_functions]

