"""Form pieces every domain uses: the bare CSRF form, validators for numbers and moments, and the moment field."""
import math
from datetime import datetime
from decimal import Decimal

from govchallenge.core.i18n import lazy_text as _l
from flask_wtf import FlaskForm
from wtforms.fields import Field
from wtforms.utils import unset_value
from wtforms.validators import Length, StopValidation

EARLIEST_YEAR, LATEST_YEAR = 2000, 2200


class EmptyForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


def finite(form, field):
    """Refuses NaN and infinity, which float() and Decimal() accept from text."""
    value = field.data
    if value is None:
        return
    if (isinstance(value, Decimal) and not value.is_finite()) or (isinstance(value, float) and not math.isfinite(value)):
        field.errors[:] = []
        raise StopValidation(_l("Give an ordinary number."))


def plausible_moment(form, field):
    """Keeps dates within years any time zone can convert, so a typo cannot break a public page."""
    if field.data is not None and not EARLIEST_YEAR <= field.data.year <= LATEST_YEAR:
        field.errors[:] = []
        raise StopValidation(_l("Give a date between the years %(first)s and %(last)s.", first=EARLIEST_YEAR, last=LATEST_YEAR))


class MomentField(Field):
    """A moment typed as day, month and year and a time on a 24-hour clock (four inputs, GOV.UK's date
    pattern), never the browser's locale-dependent picker. It reads the moment in a zone the page states
    (`zone`, shown beside the inputs); its data is a naive datetime in that zone, as DateTimeLocalField's.

    Its inputs are named NAME-day, NAME-month, NAME-year and NAME-time; a single NAME=YYYY-MM-DDTHH:MM is read
    too (scripts, the API's clients, forms of before). A moment that cannot be read is refused with what is
    wrong, before any other check, and what was typed is shown again."""

    PARTS = ("day", "month", "year", "time")
    LEGACY_FORMAT = "%Y-%m-%dT%H:%M"

    def __init__(self, label=None, validators=None, zone=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.zone = zone
        self.typed = None
        self.unreadable = None

    @property
    def parts(self):
        """What the inputs show: what was typed, else the moment held."""
        if self.typed is not None:
            return self.typed
        if self.data is None:
            return dict.fromkeys(self.PARTS, "")
        return {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year),
                "time": self.data.strftime("%H:%M")}

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.unreadable, self.typed = None, None
        super().process(formdata, data, extra_filters)
        typed = {part: (formdata.get(f"{self.name}-{part}") or "").strip() for part in self.PARTS} if formdata else {}
        if any(typed.values()):
            self.typed = typed
            self.data = self._read(typed)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = datetime.strptime(valuelist[0].strip(), self.LEGACY_FORMAT)
            except ValueError:
                self.unreadable = _l("Give the date as day, month and year, and the time as hours and minutes.")

    def _read(self, typed):
        if not (typed["day"] and typed["month"] and typed["year"]):
            self.unreadable = _l("Give the day, the month and the year.")
            return None
        if not typed["time"]:
            self.unreadable = _l("Give the time, for example 09:00 or 17:30.")
            return None
        hours, _sep, minutes = typed["time"].replace(".", ":").partition(":")
        try:
            numbers = [int(typed[part]) for part in ("year", "month", "day")] + [int(hours), int(minutes or 0)]
        except ValueError:
            self.unreadable = _l("Give the date and the time in figures.")
            return None
        if len(typed["year"]) != 4:
            self.unreadable = _l("Give the year with four figures, for example 2030.")
            return None
        try:
            return datetime(*numbers)
        except ValueError:
            self.unreadable = _l("This date or time does not exist: check the day, the month and the time.")
            return None

    def pre_validate(self, form):
        if self.unreadable:
            self.errors[:] = []
            raise StopValidation(self.unreadable)

    def _value(self):
        return self.data.strftime(self.LEGACY_FORMAT) if self.data else ""


def character_limit(field):
    """The most characters a field takes (from its Length validator), or None: stated beside the field."""
    return next((v.max for v in field.validators if isinstance(v, Length) and v.max not in (None, -1)), None)
