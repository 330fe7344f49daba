from govchallenge.core.i18n import lazy_text as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from govchallenge.core.names import NAME_FILTERS, readable_name

INDIVIDUAL = ""


def organisation_choices(memberships):
    return [(INDIVIDUAL, _l("Myself, as an individual"))] + [
        (str(m.organisation_id), f"{m.organisation.name} ({m.organisation.kind_label})") for m in memberships
    ]


class _OrganisationChoice:
    def fill(self, memberships):
        self.organisation.choices = organisation_choices(memberships)
        self._organisations = {str(m.organisation_id): m.organisation for m in memberships}
        return self

    def chosen_organisation(self):
        return self._organisations.get(self.organisation.data or INDIVIDUAL)


class TeamForm(_OrganisationChoice, FlaskForm):
    name = StringField(_l("Team name"), filters=NAME_FILTERS, validators=[DataRequired(), Length(max=120), readable_name])
    organisation = SelectField(_l("You enter for"), description=_l("The organisation you represent in this team, if any."))


class AcceptForm(_OrganisationChoice, FlaskForm):
    organisation = SelectField(_l("You enter for"), description=_l("The organisation you represent in this team, if any."))


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address of the person to invite"), filters=[lambda v: v.strip() if v else v], validators=[
        DataRequired(), Email(message=_l("Enter an e-mail address such as name@example.org.")), Length(max=320)])


class RenameForm(FlaskForm):
    name = StringField(_l("Team name"), filters=NAME_FILTERS, validators=[DataRequired(), Length(max=120), readable_name])
