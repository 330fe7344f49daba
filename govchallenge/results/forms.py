from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import URL, DataRequired, Length, Optional


class ProposeForm(FlaskForm):
    """The chair's proposal. The tie decisions and special awards depend on the ranking, so the
    view reads them from the form data (`tie_<n>_first`, `tie_<n>_reason`, `special_<prize id>`)
    and checks them against the ranking itself."""

    priority_criterion = SelectField(
        _l("Priority criterion for ties"), validators=[Optional()], coerce=str,
        description=_l("Entries with equal scores are ordered by this criterion first, then by the median review."),
    )


class WebhookForm(FlaskForm):
    organisation = SelectField(_l("Host organisation"), coerce=int)
    url = StringField(_l("Endpoint URL"), validators=[DataRequired(), Length(max=500), URL(require_tld=False)],
                      description=_l("The partner's HTTPS address that receives the signed results."))
