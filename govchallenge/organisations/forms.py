from govchallenge.core.i18n import lazy_text as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from govchallenge.core.geo import country_choices, is_country
from govchallenge.core.names import NAME_FILTERS, readable_name

from .models import KINDS, ROLES


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), filters=NAME_FILTERS, validators=[DataRequired(), Length(max=200), readable_name])
    kind = SelectField(_l("Kind of organisation"), choices=list(KINDS.items()))
    country = SelectField(_l("Country"), validate_choice=False)
    website = URLField(_l("Website"), validators=[Optional(), URL(message=_l("Enter a full address such as https://example.org.")), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)], description=_l("Markdown is allowed."))

    def fill(self):
        self.country.choices = [("", _l("Choose a country"))] + country_choices()
        return self

    def validate_country(self, field):
        if not is_country(field.data):
            raise ValidationError(_l("Choose a country from the list."))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=list(ROLES.items()))

