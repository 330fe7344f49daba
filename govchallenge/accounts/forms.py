from govchallenge.core.i18n import lazy_text as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from govchallenge.core.geo import country_choices, is_country
from govchallenge.core.languages import INTERFACE_LANGUAGES
from govchallenge.core.names import NAME_FILTERS, readable_name
from govchallenge.core.passwords import MIN_LENGTH, password_problems
from govchallenge.core.timeutil import is_zone, zone_names


def _strip(value):
    return value.strip() if isinstance(value, str) else value

# Password managers fill the right field and offer a generated password where a new one is chosen.
NEW_PASSWORD = {"autocomplete": "new-password"}
CURRENT_PASSWORD = {"autocomplete": "current-password"}

PASSWORD_MESSAGES = {
    "too_short": _l("Use at least %(n)s characters.", n=MIN_LENGTH),
    "personal": _l("Do not use your name or e-mail address in the password."),
    "common": _l("This password is too common; choose another one."),
    "weak": _l("This password is easy to guess (a repeat, a keyboard row, a date or a common word). "
               "Use a few unrelated words, or a longer mix."),
}


def password_errors(password, name, email):
    return [str(PASSWORD_MESSAGES[code]) for code in password_problems(password, name, email)]


class ProfileFields:
    """Fields shared by registration and the profile page; choices are filled per request."""

    @staticmethod
    def fill(form):
        form.country.choices = [("", _l("Choose a country"))] + country_choices()
        form.language.choices = list(INTERFACE_LANGUAGES.items())
        form.timezone.choices = [(z, z.replace("_", " ")) for z in zone_names()]

    @staticmethod
    def validate_country(form, field):
        if not is_country(field.data):
            raise ValidationError(_l("Choose a country from the list."))

    @staticmethod
    def validate_timezone(form, field):
        if not is_zone(field.data):
            raise ValidationError(_l("Choose a time zone from the list."))


class RegisterForm(FlaskForm):
    name = StringField(_l("Full name"), filters=NAME_FILTERS, validators=[DataRequired(), Length(max=120), readable_name])
    email = EmailField(_l("E-mail address"), filters=[_strip], validators=[DataRequired(), Email(), Length(max=320)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired()],
        render_kw=NEW_PASSWORD,
        description=_l("At least %(n)s characters and hard to guess: not your name or e-mail, not a common password.", n=MIN_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the password"), validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))],
        render_kw=NEW_PASSWORD,
    )
    country = SelectField(_l("Country"), validate_choice=False)
    language = SelectField(_l("Preferred language"), validate_choice=True)
    timezone = SelectField(_l("Time zone"), validate_choice=False, default="Europe/Brussels")

    validate_country = ProfileFields.validate_country
    validate_timezone = ProfileFields.validate_timezone

    def validate_password(self, field):
        errors = password_errors(field.data or "", self.name.data, self.email.data)
        if errors:
            raise ValidationError(" ".join(errors))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), filters=[_strip], validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()], render_kw=CURRENT_PASSWORD)
    remember = BooleanField(_l("Keep me signed in on this device"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail address"), filters=[_strip], validators=[DataRequired(), Email()])


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired()], render_kw=NEW_PASSWORD)
    confirm = PasswordField(
        _l("Repeat the new password"), validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))],
        render_kw=NEW_PASSWORD,
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()], render_kw=CURRENT_PASSWORD)
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired()],
        render_kw=NEW_PASSWORD,
        description=_l("At least %(n)s characters and hard to guess: not your name or e-mail, not a common password.", n=MIN_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the new password"), validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))],
        render_kw=NEW_PASSWORD,
    )


class ProfileForm(FlaskForm):
    name = StringField(_l("Full name"), filters=NAME_FILTERS, validators=[DataRequired(), Length(max=120), readable_name])
    country = SelectField(_l("Country"), validate_choice=False)
    language = SelectField(_l("Preferred language"), validate_choice=True)
    timezone = SelectField(_l("Time zone"), validate_choice=False)

    validate_country = ProfileFields.validate_country
    validate_timezone = ProfileFields.validate_timezone


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=list(INTERFACE_LANGUAGES.items()))
