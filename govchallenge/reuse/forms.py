from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from govchallenge.core.forms import plausible_moment
from govchallenge.core.geo import currency_choices, is_currency
from govchallenge.core.i18n import lazy_text as _l
from govchallenge.core.names import NAME_FILTERS, readable_name
from govchallenge.jury.forms import CheckboxesField

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


class ContestForm(FlaskForm):
    """Join a challenge and its copies into a cross-border contest with one shared award."""

    organisation = SelectField(_l("Your public body (it coordinates the contest)"), coerce=int, validate_choice=True)
    language = SelectField(_l("Language of the names below"), validate_choice=True)
    name = StringField(_l("Name of the contest"), filters=NAME_FILTERS,
                       validators=[DataRequired(message=_l("Name the contest.")), Length(max=200), readable_name])
    award = StringField(_l("Name of the shared award"), validators=[DataRequired(message=_l("Name the shared award.")), Length(max=200)],
                        description=_l("One award for the whole contest: your body gives it to one of the winners of the joined challenges."))
    challenges = CheckboxesField(_l("Challenges to invite"), coerce=int, validate_choice=True,
                                 validators=[DataRequired(message=_l("Choose at least one challenge to invite."))],
                                 description=_l("The hosts of each challenge join or decline for their own challenge."))

    def fill(self, bodies, languages, invitable, title):
        self.organisation.choices = [(o.id, o.name) for o in bodies]
        self.language.choices = languages
        self.challenges.choices = [(c.id, title(c)) for c in invitable]
        return self


class SharedAwardForm(FlaskForm):
    entry = SelectField(_l("Entry that receives the shared award"), coerce=str, validate_choice=True,
                        validators=[DataRequired(message=_l("Choose the entry that receives the award."))])
    reason = TextAreaField(_l("Why (shown on the contest page)"), validators=[Optional(), Length(max=2000)])

    def fill(self, candidates):
        self.entry.choices = [("", _l("Choose an entry"))] + [(s.public_id, f"{s.title} — {s.team.name}") for s in candidates]
        return self
