"""Authoring forms. Every check is made on the server; messages are translatable."""
from decimal import Decimal

from flask_babel import gettext
from govchallenge.core.i18n import lazy_text as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField, DecimalField, FloatField, HiddenField, IntegerField, SelectField,
    SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from govchallenge.core.forms import MomentField, finite, plausible_moment
from govchallenge.core.geo import country_choices, currency_choices, is_country, is_currency
from govchallenge.core.languages import INTERFACE_LANGUAGES, is_language
from govchallenge.core.names import NAME_FILTERS, readable_name
from govchallenge.core.timeutil import is_zone, zone_names
from govchallenge.organisations.models import KINDS

from .models import COUNTRIES_ALL, COUNTRIES_EU, COUNTRIES_LIST, DOMAINS, OPEN_LICENCE_LABELS

COUNTRY_MODES = {
    COUNTRIES_ALL: _l("Every country"),
    COUNTRIES_EU: _l("EU member states"),
    COUNTRIES_LIST: _l("Only the countries chosen below"),
}
REVIEW_COMMENTS = {"none": _l("No comment"), "overall": _l("One overall comment"), "per_criterion": _l("A comment per criterion")}
AGGREGATIONS = {"mean": _l("Mean"), "median": _l("Median"), "trimmed_mean": _l("Trimmed mean")}
CALIBRATIONS = {"model": _l("Estimate entries and jurors together (recommended)"), "none": _l("None"),
                "standardise": _l("Standardise each juror's scores"), "offset": _l("Remove each juror's offset")}
RANKINGS = {"all": _l("The whole ranking"), "winners": _l("Winners only")}
TEXT_MAX = 20000


def language_choices():
    """Interface languages first, then every ISO 639-1 language."""
    import pycountry

    first = [(code, name) for code, name in INTERFACE_LANGUAGES.items()]
    others = sorted(
        ((lang.alpha_2, lang.name) for lang in pycountry.languages if hasattr(lang, "alpha_2") and lang.alpha_2 not in INTERFACE_LANGUAGES),
        key=lambda item: item[1],
    )
    return first + others


def _check_language(field):
    if not is_language(field.data or ""):
        raise ValidationError(_l("Choose a language from the list."))


class TextsForm(FlaskForm):
    """The texts of one language."""

    title = StringField(_l("Title"), filters=NAME_FILTERS, validators=[DataRequired(), Length(max=200), readable_name])
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(max=1000)], description=_l("One or two sentences shown in the catalogue."))
    description = TextAreaField(_l("Full description"), validators=[Optional(), Length(max=TEXT_MAX)], description=_l("Markdown is allowed."))
    expected_outcome = TextAreaField(_l("Expected outcome"), validators=[Optional(), Length(max=TEXT_MAX)], description=_l("Markdown is allowed."))
    terms = TextAreaField(_l("Terms entrants accept"), validators=[Optional(), Length(max=TEXT_MAX)], description=_l("Markdown is allowed."))


class ChallengeForm(TextsForm):
    """Everything but the timeline, rubric and prizes, in the main language."""

    version = HiddenField()
    host = SelectField(_l("Lead host"), coerce=int, validate_choice=True)
    main_language = SelectField(_l("Main language"), validate_choice=False, description=_l("The language you write in; add translations afterwards."))
    domain = SelectField(_l("Domain"), choices=list(DOMAINS.items()))
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=300)], description=_l("Separated by commas."))
    timezone = SelectField(_l("Time zone of the challenge"), validate_choice=False, description=_l("Stage openings and closings are typed in this zone."))
    results_at = MomentField(_l("Results expected on"), validators=[Optional(), plausible_moment],
                             description=_l("After the last stage closes."))
    publish_at = MomentField(_l("Publish at"), validators=[Optional(), plausible_moment],
                             description=_l("Before the first stage opens. Leave empty to publish as soon as an administrator approves."))
    countries_mode = SelectField(_l("Who may enter"), choices=list(COUNTRY_MODES.items()))
    countries = SelectMultipleField(_l("Allowed countries"), validate_choice=False, description=_l("Used when entry is limited to chosen countries."))
    entrant_kinds = SelectMultipleField(_l("Allowed kinds of entrant"), choices=list(KINDS.items()), description=_l("None chosen: every kind may enter."))
    team_min = IntegerField(_l("Smallest team"), default=1, validators=[InputRequired(), NumberRange(min=1, max=100)])
    team_max = IntegerField(_l("Largest team"), default=5, validators=[InputRequired(), NumberRange(min=1, max=100)])
    anonymous_review = BooleanField(_l("Anonymous review (jurors do not see who entered)"), default=True)
    review_comment = SelectField(_l("Jurors' comments"), choices=list(REVIEW_COMMENTS.items()), default="overall")
    jurors_see_others = BooleanField(_l("Jurors see each other's scores after scoring"))
    aggregation = SelectField(_l("Combining jurors' scores"), choices=list(AGGREGATIONS.items()), default="mean")
    calibration = SelectField(_l("Calibration of jurors"), choices=list(CALIBRATIONS.items()), default="model",
                              description=_l("The recommended method estimates each entry's quality and each juror's severity together, trusts a juror's apparent severity only as far as the reviews show it, and gives rank intervals that account for both. It combines reviews by their mean."))
    publish_ranking = SelectField(_l("Published ranking"), choices=list(RANKINGS.items()), default="all")
    open_licence = SelectField(_l("Open-source licence of entries"), choices=list(OPEN_LICENCE_LABELS.items()), default="none",
                               description=_l("Required: an entry is submitted only with an open-source licence and a public repository."))

    def fill(self, hosts=None):
        self.main_language.choices = language_choices()
        self.timezone.choices = [(z, z) for z in zone_names()]
        self.countries.choices = country_choices()
        if hosts is None:
            del self.host
        else:
            self.host.choices = [(o.id, o.name) for o in hosts]
        return self

    def validate_main_language(self, field):
        _check_language(field)

    def validate_timezone(self, field):
        if not is_zone(field.data):
            raise ValidationError(_l("Choose a time zone from the list."))

    def validate_countries(self, field):
        bad = [c for c in field.data or [] if not is_country(c)]
        if bad:
            # gettext, not _l: a lazy string formatted with what was typed would count as safe HTML.
            raise ValidationError(gettext("Unknown country code: %(codes)s.", codes=", ".join(bad)))
        if self.countries_mode.data == COUNTRIES_LIST and not field.data:
            raise ValidationError(_l("Choose at least one country, or open the challenge to every country."))

    def validate_calibration(self, field):
        if field.data == "model" and self.aggregation.data != "mean":
            raise ValidationError(_l("The recommended calibration combines reviews by their mean: choose the mean, or another calibration."))

    def validate_team_max(self, field):
        if self.team_min.data is not None and field.data is not None and field.data < self.team_min.data:
            raise ValidationError(_l("The largest team cannot be smaller than the smallest."))

    def tag_list(self):
        return [t.strip()[:40] for t in (self.tags.data or "").split(",") if t.strip()][:20]


class TranslationForm(TextsForm):
    language = SelectField(_l("Language"), validate_choice=False)

    def fill(self, exclude=()):
        self.language.choices = [(c, n) for c, n in language_choices() if c not in exclude]
        return self

    def validate_language(self, field):
        _check_language(field)


def _positive(form, field):
    if field.data is not None and field.data <= 0:
        raise ValidationError(_l("The weight must be greater than zero."))


class StageForm(FlaskForm):
    name = StringField(_l("Name of the stage"), filters=NAME_FILTERS, validators=[DataRequired(), Length(max=120), readable_name], description=_l("For example: Application, Prototype, Final."))
    description = TextAreaField(_l("What entrants hand in"), validators=[Optional(), Length(max=5000)])
    opens_at = MomentField(_l("Opens"), validators=[DataRequired(message=_l("Give the opening date and time.")), plausible_moment])
    closes_at = MomentField(_l("Closes"), validators=[DataRequired(message=_l("Give the closing date and time.")), plausible_moment])

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("A stage must close after it opens."))


class CriterionForm(FlaskForm):
    name = StringField(_l("Criterion"), filters=NAME_FILTERS, validators=[DataRequired(), Length(max=120), readable_name])
    description = TextAreaField(_l("What the jury looks for"), validators=[Optional(), Length(max=5000)])
    weight = FloatField(_l("Weight"), default=1.0, validators=[InputRequired(message=_l("Give a weight.")), finite, _positive, NumberRange(max=1000)])
    scale_min = IntegerField(_l("Lowest score"), default=0, validators=[InputRequired(), NumberRange(min=-1000, max=1000)])
    scale_max = IntegerField(_l("Highest score"), default=10, validators=[InputRequired(), NumberRange(min=-1000, max=1000)])
    anchors = TextAreaField(_l("Labelled points of the scale"), validators=[Optional(), Length(max=3000)],
                            description=_l("One per line: score, a colon, the label. For example “0: Absent”."))
    threshold = FloatField(_l("Minimum score to stay in the running"), validators=[Optional(), finite])
    informational = BooleanField(_l("For information only (not counted)"))
    round_number = IntegerField(_l("Jury round"), default=1, validators=[InputRequired(), NumberRange(min=1, max=10)])

    def validate_scale_max(self, field):
        if self.scale_min.data is not None and field.data is not None and self.scale_min.data >= field.data:
            raise ValidationError(_l("The lowest score must be below the highest."))

    def validate_threshold(self, field):
        if field.data is None or self.scale_min.data is None or self.scale_max.data is None:
            return
        if not self.scale_min.data <= field.data <= self.scale_max.data:
            raise ValidationError(_l("The minimum score must lie on the scale."))

    def validate_anchors(self, field):
        self.parsed_anchors = {}
        for line in (field.data or "").splitlines():
            if not line.strip():
                continue
            point, sep, label = line.partition(":")
            try:
                value = int(point.strip())
            except ValueError:
                raise ValidationError(_l("Write each point as “score: label”, for example “0: Absent”.")) from None
            if not sep or not label.strip():
                raise ValidationError(_l("Write each point as “score: label”, for example “0: Absent”."))
            lo, hi = self.scale_min.data, self.scale_max.data
            if lo is not None and hi is not None and not lo <= value <= hi:
                raise ValidationError(_l("The point %(value)s is not on the scale.", value=value))
            self.parsed_anchors[str(value)] = label.strip()[:200]


class PrizeForm(FlaskForm):
    place = IntegerField(_l("Place"), validators=[Optional(), NumberRange(min=1, max=100)], description=_l("Leave empty for a special award."))
    name = StringField(_l("Name of the prize"), filters=NAME_FILTERS, validators=[DataRequired(), Length(max=120), readable_name])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=3000)])
    amount = DecimalField(_l("Amount"), places=2, validators=[Optional(), finite, NumberRange(min=Decimal("0"), max=Decimal("999999999999"))])
    currency = SelectField(_l("Currency"), validate_choice=False)

    def fill(self):
        self.currency.choices = [("", _l("No amount"))] + currency_choices()
        return self

    def validate_currency(self, field):
        if field.data and not is_currency(field.data):
            raise ValidationError(_l("Choose a currency from the list (ISO 4217)."))
        if self.amount.data is not None and not field.data:
            raise ValidationError(_l("Give the currency of the amount."))


class InviteForm(FlaskForm):
    organisation = SelectField(_l("Public body to invite"), coerce=int, validate_choice=True)


class AttachmentForm(FlaskForm):
    title = StringField(_l("Title"), filters=NAME_FILTERS, validators=[DataRequired(), Length(max=200), readable_name])
    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose a file."))],
                     description=_l("PDF, office documents, images, text, CSV or ZIP."))


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Comment to the hosts"), validators=[Optional(), Length(max=5000)])


class QuestionForm(FlaskForm):
    question = TextAreaField(_l("Your question"), validators=[DataRequired(), Length(max=3000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=5000)])

