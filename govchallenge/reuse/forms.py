from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from govchallenge.core.forms import plausible_moment
from govchallenge.core.geo import currency_choices, is_currency
from govchallenge.core.i18n import lazy_text as _l

from .models import ADOPTION_KINDS, MATURITIES


class DecideForm(FlaskForm):
    """The team's choice about listing its solution in the reuse catalogue."""

    list_it = RadioField(_l("List our solution in the reuse catalogue"), choices=[("yes", _l("Yes, list it")), ("no", _l("No, do not list it"))],
                         validators=[InputRequired(message=_l("Choose whether to list the solution."))])
    maturity = SelectField(_l("Maturity"), choices=list(MATURITIES.items()), default="development")
    contact_name = StringField(_l("Public contact name"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(_l("Public contact e-mail"), validators=[Optional(), Email(message=_l("Enter an e-mail address.")), Length(max=254)],
                               description=_l("Shown on the solution's page, for public bodies that want to reuse it."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.list_it.data == "yes" and not (self.contact_email.data or "").strip():
            self.contact_email.errors = list(self.contact_email.errors) + [
                _l("Give a contact for the public bodies that want to reuse the solution.")]
            return False
        return valid


class AdoptionForm(FlaskForm):
    organisation = SelectField(_l("Public body"), coerce=int, validate_choice=True)
    kind = RadioField(_l("What your body records"), choices=list(ADOPTION_KINDS.items()), default="use",
                      validators=[InputRequired()])
    note = TextAreaField(_l("A note for the team and the hosts"), validators=[Optional(), Length(max=2000)],
                         description=_l("Optional. Shown on the solution's page."))

    def fill(self, bodies):
        self.organisation.choices = [(o.id, o.name) for o in bodies]
        return self


class RunAgainForm(FlaskForm):
    organisation = SelectField(_l("Your public body"), coerce=int, validate_choice=True)
    opens_at = DateTimeLocalField(_l("The first stage opens on"), format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired(message=_l("Give the new opening date and time.")), plausible_moment])
    currency = SelectField(_l("Currency of the prizes"), validate_choice=False)

    def fill(self, bodies):
        self.organisation.choices = [(o.id, o.name) for o in bodies]
        self.currency.choices = currency_choices()
        return self

    def validate_currency(self, field):
        if not is_currency(field.data or ""):
            raise ValidationError(_l("Choose a currency from the list (ISO 4217)."))
