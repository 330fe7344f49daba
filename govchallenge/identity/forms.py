import re
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from govchallenge.core.i18n import lazy_text as _l

# What an issuer, a client id and scopes may hold: URL and token characters, nothing that could be markup.
PLAIN = re.compile(r"^[A-Za-z0-9\-._~:/@%+=,;!$*()| ]+$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _domains(value):
    return " ".join(sorted({part.lower() for part in re.split(r"[\s,;]+", value or "") if part}))


def is_acceptable_issuer(url):
    """https, or http on this machine's loopback (a provider beside the platform, or the tests')."""
    if not PLAIN.match(url or "") or " " in url:
        return False
    parts = urlsplit(url)
    if parts.query or parts.fragment or not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)


class ProviderForm(FlaskForm):
    issuer = StringField(_l("Issuer"), filters=[_strip], validators=[DataRequired(), Length(max=300)],
                         description=_l("The provider's issuer identifier, exactly as its discovery document gives it "
                                        "(https://...)."))
    client_id = StringField(_l("Client ID"), filters=[_strip], validators=[DataRequired(), Length(max=200)])
    client_secret = PasswordField(_l("Client secret"), validators=[Length(max=300)],
                                  description=_l("Leave empty to keep the stored secret."))
    clear_secret = BooleanField(_l("This client has no secret (a public client with PKCE only)"))
    scopes = StringField(_l("Scopes"), filters=[_strip], default="openid email profile",
                         validators=[DataRequired(), Length(max=300)])
    email_domains = StringField(_l("E-mail domains"), filters=[_strip, _domains], validators=[DataRequired(), Length(max=500)],
                                description=_l("The domains of the addresses this provider may vouch for, separated by "
                                               "spaces, e.g. ministry.gov.pl"))
    required_for_officers = BooleanField(_l("Officers of this body must sign in through it (not with a password)"))

    def validate_issuer(self, field):
        if not is_acceptable_issuer(field.data):
            raise ValidationError(_l("Give an https:// address without query or fragment."))

    def validate_client_id(self, field):
        if not PLAIN.match(field.data) or " " in field.data:
            raise ValidationError(_l("Use only letters, digits and - . _ ~ : / @ % + = , ; ! $ * ( ) |"))

    def validate_scopes(self, field):
        if not PLAIN.match(field.data):
            raise ValidationError(_l("Use only letters, digits and - . _ ~ : / @ % + = , ; ! $ * ( ) |"))
        if "openid" not in field.data.split():
            raise ValidationError(_l("The scopes must include openid."))

    def validate_email_domains(self, field):
        if not all(DOMAIN.match(domain) for domain in field.data.split()):
            raise ValidationError(_l("Give domain names such as ministry.gov.pl, separated by spaces."))

    def settings(self):
        """The fields for save_provider; the secret only when a new one was typed or it is cleared."""
        fields = {name: getattr(self, name).data for name in
                  ("issuer", "client_id", "scopes", "email_domains", "required_for_officers")}
        if self.clear_secret.data:
            fields["client_secret"] = ""
        elif self.client_secret.data:
            fields["client_secret"] = self.client_secret.data
        return fields
