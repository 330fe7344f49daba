from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from govchallenge.core.i18n import lazy_text as _l

CURRENT_PASSWORD = {"autocomplete": "current-password"}


def reauth_password(form_name):
    """The password typed again; both forms share the page, so each field has an id of its own."""
    return PasswordField(_l("Your password"), validators=[Optional(), Length(max=200)], render_kw=CURRENT_PASSWORD,
                         id=f"{form_name}-password",
                         description=_l("Not needed if you signed in during the last few minutes."))


class ExportForm(FlaskForm):
    password = reauth_password("export")


class EraseForm(FlaskForm):
    password = reauth_password("erase")
    understood = BooleanField(_l("I understand that my account will be erased and that this cannot be undone."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])


class FindAccountForm(FlaskForm):
    class Meta:
        csrf = False  # a search (GET), not a change

    email = EmailField(_l("E-mail address of the account"), validators=[DataRequired(), Length(max=320)])


class AdminEraseForm(FlaskForm):
    reason = TextAreaField(_l("Reason (recorded in the audit trail; do not repeat the person's name)"),
                           validators=[DataRequired(), Length(min=10, max=1000)])
    understood = BooleanField(_l("I confirm that this account is to be erased."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
