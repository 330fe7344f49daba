from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange
from wtforms.widgets import HiddenInput

from govchallenge.core.forms import plausible_moment
from govchallenge.core.i18n import lazy_text as _l
from govchallenge.jury.forms import CheckboxesField

MOMENT = "%Y-%m-%dT%H:%M"


class AwardForm(FlaskForm):
    """The hosts open the award: the window (in the challenge's time zone) and the shortlist."""

    opens_at = DateTimeLocalField(_l("Voting opens"), format=MOMENT, validators=[
        InputRequired(message=_l("Give the moment voting opens.")), plausible_moment])
    closes_at = DateTimeLocalField(_l("Voting closes"), format=MOMENT, validators=[
        InputRequired(message=_l("Give the moment voting closes.")), plausible_moment])
    entries = CheckboxesField(_l("Shortlisted entries"), choices=[], coerce=int, validate_choice=False,
                              description=_l("The entries the public may vote for. Each shows only what its team released."))


class ReleaseForm(FlaskForm):
    """The team's choice of what the public sees of its entry."""

    show_title = BooleanField(_l("Show the title"))
    show_summary = BooleanField(_l("Show the summary"))
    images = CheckboxesField(_l("Images shown to the public"), choices=[], coerce=str, validate_choice=False,
                             description=_l("Only the images you tick are shown, without their metadata (camera, place)."))


class VoteForm(FlaskForm):
    """A vote: the entry and the version of the voter's vote the page was made from (0: none yet)."""

    entry = HiddenField(validators=[InputRequired()])
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=0)])


class DiscountForm(FlaskForm):
    votes = CheckboxesField(_l("Flagged votes to discount"), choices=[], coerce=int, validate_choice=False)
    reason = TextAreaField(_l("Reason, recorded and published with the count"), validators=[
        InputRequired(message=_l("Say why these votes are discounted.")), Length(max=2000)])
