from flask import current_app
from govchallenge.core.i18n import lazy_text as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from . import webhook_guard


class ProposeForm(FlaskForm):
    """The chair's proposal. The tie decisions and special awards depend on the ranking, so the
    view reads them from the form data (`tie_<n>_first`, `tie_<n>_reason`, `special_<prize id>`)
    and checks them against the ranking itself."""

    priority_criterion = SelectField(
        _l("Priority criterion for ties"), validators=[Optional()], coerce=str,
        description=_l("Entries with equal scores are ordered by this criterion first, then by the median review."),
    )


WEBHOOK_PROBLEMS = {
    webhook_guard.BAD_SCHEME: _l("Enter the full address of the endpoint, starting with https:// (or http://)."),
    webhook_guard.NO_HOST: _l("The address has no host name."),
    webhook_guard.BAD_PORT: _l("The port number of the address is not valid."),
    webhook_guard.UNRESOLVABLE: _l("The host name of this address cannot be found. Check it for typing mistakes."),
    webhook_guard.PRIVATE: _l("This address leads to a local or private network. The platform only sends results "
                              "to public internet addresses."),
}


class WebhookForm(FlaskForm):
    organisation = SelectField(_l("Host organisation"), coerce=int)
    url = StringField(_l("Endpoint URL"), validators=[DataRequired(), Length(max=500)],
                      description=_l("The partner's HTTPS address that receives the signed results."))

    def validate_url(self, field):
        try:
            webhook_guard.check(field.data, bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE", False)))
        except webhook_guard.Refused as problem:
            raise ValidationError(WEBHOOK_PROBLEMS[problem.code]) from problem
