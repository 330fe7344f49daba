"""The admins' forms: a page's text in each interface language, and the operator's particulars."""
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from govchallenge.core.forms import plausible_moment
from govchallenge.core.i18n import lazy_text as _l
from govchallenge.core.names import NAME_FILTERS, readable_name

from .pages import MAX_TEXT_LENGTH

CONFORMANCE = {
    "full": _l("Fully conformant"),
    "partial": _l("Partially conformant"),
    "none": _l("Not conformant"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _text(label, required=False):
    checks = [DataRequired(message=_l("Write the English text: it is shown when a language has none."))] if required else [Optional()]
    return TextAreaField(label, filters=[_strip], validators=[*checks, Length(max=MAX_TEXT_LENGTH)],
                         description=_l("Markdown. Left empty, readers of this language get the English text.")
                         if not required else _l("Markdown."), render_kw={"rows": 12})


class LegalTextForm(FlaskForm):
    """One text per interface language; English is the fallback, so it is required."""

    text_en = _text("English", required=True)
    text_pl = _text("Polski")
    text_el = _text("Ελληνικά")
    text_de = _text("Deutsch")
    text_fr = _text("Français")

    def texts(self):
        return {name[len("text_"):]: field.data or "" for name, field in self._fields.items() if name.startswith("text_")}

    def fill(self, texts):
        for code, text in texts.items():
            field = self._fields.get(f"text_{code}")
            if field is not None:
                field.data = text


def web_address(form, field):
    if field.data:
        parts = urlsplit(field.data)
        if parts.scheme not in {"http", "https"} or not parts.netloc or any(c.isspace() for c in field.data):
            raise ValidationError(_l("Give a web address starting with https:// or http://."))


class LegalSettingsForm(FlaskForm):
    operator_name = StringField(_l("Operator (the data controller)"), filters=NAME_FILTERS,
                                validators=[DataRequired(), Length(max=200), readable_name],
                                description=_l("The public body or organisation that runs this instance."))
    operator_address = StringField(_l("Postal address"), filters=[_strip], validators=[Optional(), Length(max=500)])
    contact_email = EmailField(_l("Contact e-mail address"), filters=[_strip],
                               validators=[DataRequired(), Email(), Length(max=254)],
                               description=_l("For questions, accessibility feedback and requests about personal data."))
    protection_officer_email = EmailField(_l("Data protection officer's e-mail address"), filters=[_strip],
                                          validators=[Optional(), Email(), Length(max=254)])
    enforcement_name = StringField(_l("Body that enforces accessibility"), filters=NAME_FILTERS,
                                   validators=[Optional(), Length(max=200), readable_name],
                                   description=_l("The national body named by your country under Directive (EU) 2016/2102."))
    enforcement_url = StringField(_l("Its web address"), filters=[_strip],
                                  validators=[Optional(), Length(max=500), web_address])
    supervisory_name = StringField(_l("Data protection supervisory authority"), filters=NAME_FILTERS,
                                   validators=[Optional(), Length(max=200), readable_name])
    supervisory_url = StringField(_l("Its web address"), filters=[_strip],
                                  validators=[Optional(), Length(max=500), web_address])
    conformance = SelectField(_l("Conformance with WCAG 2.1 level AA"), choices=list(CONFORMANCE.items()))
    statement_prepared_on = DateField(_l("Date this statement was prepared"),
                                      validators=[Optional(), plausible_moment])

    FIELDS = ("operator_name", "operator_address", "contact_email", "protection_officer_email", "enforcement_name",
              "enforcement_url", "supervisory_name", "supervisory_url", "conformance", "statement_prepared_on")

    def values(self):
        """Text fields as text ("" when empty, never None: the columns hold no NULL); the date as a date or None."""
        return {name: self[name].data if name == "statement_prepared_on" else (self[name].data or "")
                for name in self.FIELDS}


MAX_MESSAGE_LENGTH = 5_000


class ContactForm(FlaskForm):
    """A message to the operator, from anyone; it leaves by e-mail through the jobs."""

    name = StringField(_l("Your name"), filters=NAME_FILTERS, validators=[DataRequired(), Length(max=200), readable_name])
    email = EmailField(_l("Your e-mail address"), filters=[_strip], validators=[DataRequired(), Email(), Length(max=254)],
                       description=_l("We answer to this address and use it for nothing else."))
    message = TextAreaField(_l("Your message"), filters=[_strip], validators=[DataRequired(), Length(max=MAX_MESSAGE_LENGTH)],
                            description=_l("Which page were you on, and what were you trying to do?"),
                            render_kw={"rows": 8})
