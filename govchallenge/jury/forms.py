from govchallenge.core.i18n import lazy_text as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateTimeLocalField, EmailField, HiddenField, IntegerField, RadioField, SelectField, SelectMultipleField,
    StringField, SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from govchallenge.core.forms import plausible_moment
from govchallenge.core.names import NAME_FILTERS, readable_name
from .models import CONFLICT_KINDS

NONE = ""


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class InviteJurorForm(FlaskForm):
    email = EmailField(_l("E-mail address of the juror"), filters=[_strip], validators=[
        DataRequired(), Email(message=_l("Enter an e-mail address such as name@example.org.")), Length(max=320)])
    name = StringField(_l("Name"), filters=NAME_FILTERS, validators=[Optional(), Length(max=200), readable_name])
    organisation = SelectField(_l("Organisation"), choices=[], validate_choice=True,
                               description=_l("The organisation the juror belongs to, if it is on the platform: used to detect conflicts."))
    is_chair = BooleanField(_l("Chair of the jury"))


class AcceptForm(FlaskForm):
    agree = BooleanField(_l("I will keep every entry, score and deliberation confidential, and declare any conflict of interest."))
    accept = SubmitField(_l("Accept"))
    decline = SubmitField(_l("Decline"))


class ConflictForm(FlaskForm):
    """Conflicts with organisations (every one on the platform is listed, whether it takes part or not) and
    people (typed: nothing lists who takes part); never teams or entries."""
    juror = SelectField(_l("Juror"), choices=[], validate_choice=True)
    organisations = SelectMultipleField(_l("Organisations"), choices=[], coerce=str, validate_choice=False,
                                        description=_l("Every organisation on the platform, whether it takes part or not. Hold Ctrl (or ⌘) to choose several."))
    people = TextAreaField(_l("People"), validators=[Optional(), Length(max=20000)],
                           description=_l("One person a line: a full name or an e-mail address."))
    kind = SelectField(_l("Kind of conflict"), choices=[("", _l("Choose a kind"))] + list(CONFLICT_KINDS.items()),
                       validators=[DataRequired()])
    note = TextAreaField(_l("Note"), filters=[_strip], validators=[Optional(), Length(max=2000)])

    def validate_organisations(self, field):
        allowed = {str(value) for value, _label in field.choices}
        if any(value not in allowed for value in field.data or ()):
            raise ValidationError(_l("Choose among the organisations listed: reload the page and try again."))

    def organisation_ids(self):
        return [int(value) for value in self.organisations.data or ()]


class RoundForm(FlaskForm):
    reviews_per_entry = IntegerField(_l("Reviews per entry"), default=3, validators=[InputRequired(), NumberRange(1, 10)])
    closes_at = DateTimeLocalField(_l("Closes at (UTC)"), format="%Y-%m-%dT%H:%M", validators=[Optional(), plausible_moment])


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as labelled checkboxes (the template groups them in a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ShortlistForm(FlaskForm):
    rule = RadioField(_l("Shortlist"), choices=[("top", _l("The top entries")), ("thresholds", _l("Every entry above the thresholds"))],
                      default="top", validators=[DataRequired()])
    top_n = IntegerField(_l("How many entries (top N)"), default=5, validators=[Optional(), NumberRange(1, 10000)])
    reviews_per_entry = IntegerField(_l("Reviews per entry"), default=3, validators=[InputRequired(), NumberRange(1, 10)])
    closes_at = DateTimeLocalField(_l("Closes at (UTC)"), format="%Y-%m-%dT%H:%M", validators=[Optional(), plausible_moment])
    # Choices: the jury's accepted jurors, set by the view; all of them are ticked by default.
    jurors = CheckboxesField(_l("Jurors of the next round"), choices=[], coerce=str, validate_choice=False,
                             description=_l("The jurors who accepted; untick those who do not serve in the next round."))
    # Sent by the confirmation page: the entries the chair saw advance (a different result is refused).
    confirm = HiddenField()
    advancing = HiddenField()

    def validate_jurors(self, field):
        allowed = {str(value) for value, _label in field.choices}
        if not field.data:
            raise ValidationError(_l("Choose at least one juror for the next round."))
        if any(value not in allowed for value in field.data):
            raise ValidationError(_l("Choose among the jurors listed: reload the page and try again."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.rule.data == "top" and self.top_n.data is None and not self.top_n.errors:
            self.top_n.errors = list(self.top_n.errors) + [_l("Give how many entries go to the next round.")]
            valid = False
        return valid

    def juror_ids(self):
        return [int(value) for value in self.jurors.data]

    def advancing_ids(self):
        """The submission ids the confirmation page showed as advancing, or None (not confirmed yet)."""
        if self.confirm.data != "1":
            return None
        try:
            return [int(value) for value in (self.advancing.data or "").split(",") if value]
        except ValueError:
            return []


class ClosingForm(FlaskForm):
    closes_at = DateTimeLocalField(_l("Closes at (UTC)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(
        message=_l("Give the moment the round closes.")), plausible_moment])


class ManualAssignForm(FlaskForm):
    juror = SelectField(_l("Juror"), choices=[], validate_choice=True)
    entry = SelectField(_l("Entry"), choices=[], validate_choice=True)


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Written reason"), filters=[_strip], validators=[DataRequired(), Length(max=4000)])


DECISION_CHOICES = [
    ("reassign", _l("Reassign its missing reviews to other jurors, who review it until the moment below")),
    ("extend", _l("Extend the round for this entry: its jurors may submit until the moment below")),
    ("exclude", _l("Exclude it from the ranking: its team is told why")),
]


def close_form(short, exclusion_kinds, data=None):
    """The close form: for each entry short of reviews, a decision, the moment for reassign and extend, and the
    kind and words of the reason for exclude. `state` carries the fingerprint of what the page showed."""

    class CloseForm(FlaskForm):
        state = HiddenField()

        def validate(self, extra_validators=None):
            valid = super().validate(extra_validators)
            for entry, _done in short:
                decision = getattr(self, f"decision_{entry.id}").data
                needed = []
                if decision in ("reassign", "extend"):
                    needed = [(f"until_{entry.id}", _l("Give the moment until which its reviews may be submitted."))]
                elif decision == "exclude":
                    needed = [(f"kind_{entry.id}", _l("Choose why the entry is excluded.")),
                              (f"reason_{entry.id}", _l("Write the reason the entry is excluded: its team is told."))]
                for name, message in needed:
                    field = getattr(self, name)
                    if not field.data and not field.errors:
                        field.errors = list(field.errors) + [message]
                        valid = False
            return valid

    for entry, _done in short:
        setattr(CloseForm, f"decision_{entry.id}", RadioField(
            _l("Decision"), choices=DECISION_CHOICES,
            validators=[InputRequired(message=_l("Choose what happens to this entry."))]))
        setattr(CloseForm, f"until_{entry.id}", DateTimeLocalField(
            _l("Reviews may be submitted until (UTC)"), format="%Y-%m-%dT%H:%M", validators=[Optional(), plausible_moment]))
        setattr(CloseForm, f"kind_{entry.id}", SelectField(
            _l("Why it is excluded"), choices=[("", _l("Choose a reason"))] + list(exclusion_kinds.items()),
            validate_choice=False))  # checked by the operation, on the entry's own field
        setattr(CloseForm, f"reason_{entry.id}", TextAreaField(
            _l("Reason, in your words (its team reads it)"), filters=[_strip], validators=[Optional(), Length(max=4000)]))
    return CloseForm(prefix="close", **({"data": data} if data is not None else {}))


class OptionalReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), filters=[_strip], validators=[Optional(), Length(max=4000)])


class OverrideForm(FlaskForm):
    criterion = SelectField(_l("Criterion"), choices=[], validate_choice=True)
    new_value = IntegerField(_l("New score"), validators=[InputRequired()])
    justification = TextAreaField(_l("Justification"), filters=[_strip], validators=[DataRequired(), Length(max=4000)])


def review_form(criteria, comment_mode, localise, formdata=None, data=None):
    """A scoring form for `criteria`: one score per criterion (on its scale), comments, lock version."""

    class ReviewForm(FlaskForm):
        lock_version = HiddenField()
        save = SubmitField(_l("Save draft"))
        submit = SubmitField(_l("Submit review"))

    for c in criteria:
        setattr(ReviewForm, f"score_{c.id}", IntegerField(
            localise(c.name), validators=[Optional(), NumberRange(c.scale_min, c.scale_max)],
            description=_l("From %(min)s to %(max)s.", min=c.scale_min, max=c.scale_max)))
        if comment_mode != "none":
            setattr(ReviewForm, f"comment_{c.id}", TextAreaField(
                _l("Comment on %(criterion)s", criterion=localise(c.name)), filters=[_strip],
                validators=[Optional(), Length(max=5000)]))
    if comment_mode != "none":
        ReviewForm.comment_overall = TextAreaField(_l("Overall comment"), filters=[_strip], validators=[Optional(), Length(max=10000)])
    kwargs = {"data": data} if data is not None else {}
    if formdata is not None:
        kwargs["formdata"] = formdata
    return ReviewForm(**kwargs)


class RoundKindForm(FlaskForm):
    kind = RadioField(_l("How the round is judged"), choices=[], validate_choice=True)


class PairwiseVoteForm(FlaskForm):
    """The juror's answer on the finalist shown: names the showing, so a vote is for what was shown, once."""
    showing = HiddenField()
    previous = SubmitField(_l("Previous better"))
    current = SubmitField(_l("Current better"))


def ballot_form(finalist_ids, formdata=None):
    """A place (1, 2, …, or none) for each finalist; equal places are ties, finalists without one rank last."""
    class BallotForm(FlaskForm):
        pass

    choices = [(NONE, _l("Not ranked"))] + [(str(k), str(k)) for k in range(1, len(finalist_ids) + 1)]
    for sid in finalist_ids:
        setattr(BallotForm, f"place_{sid}", SelectField(_l("Place"), choices=choices, validate_choice=True, default=NONE))
    return BallotForm(formdata=formdata) if formdata is not None else BallotForm()
