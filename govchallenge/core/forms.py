"""Form pieces every domain uses: the bare CSRF form and validators for numbers and moments."""
import math
from decimal import Decimal

from govchallenge.core.i18n import lazy_text as _l
from flask_wtf import FlaskForm
from wtforms.validators import StopValidation

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
