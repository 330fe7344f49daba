"""How long failed work is tried again: one policy for outbox jobs and for the announcement's deliveries.

The wait after each failed attempt starts at FIRST_WAIT and doubles up to LONGEST_WAIT, so a short hiccup
costs seconds and a long outage costs at most one attempt per half hour. Mail (and the announcement's
deliveries) keeps trying until the waits add up to MAIL_RETRY_HOURS (24 by default): a mail server down for
a working day loses nothing. Counting attempts rather than hours means a worker that was itself down gives
each message its full share of attempts once it is back."""
from datetime import timedelta

from flask import current_app

from govchallenge.core.mail import MailError

FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=30)
DEFAULT_RETRY_HOURS = 24
# Failures another attempt may cure: an SMTP server down or refusing for a while.
TRANSIENT_ERRORS = (MailError,)


class RunLater(Exception):  # noqa: N818 - an instruction, not an error
    """Raised by a job whose work is partly done and partly waits (deliveries waiting for their next
    attempt): the row runs again at `at`. Not a failure: it counts as no attempt."""

    def __init__(self, at, reason):
        super().__init__(reason)
        self.at = at
        self.reason = reason


def wait_after(failures):
    """The wait after the `failures`-th failed attempt: 30 s, 1 min, 2 min, … never more than 30 min."""
    doublings = min(max(failures, 1) - 1, 16)
    return min(LONGEST_WAIT, FIRST_WAIT * 2 ** doublings)


def attempts_within(hours):
    """How many attempts the policy makes before giving up: enough that their waits add up to `hours`."""
    window = timedelta(hours=max(float(hours), 0.0))
    attempts, waited = 1, timedelta(0)
    while waited < window:
        waited += wait_after(attempts)
        attempts += 1
    return attempts


def retry_hours():
    return float(current_app.config.get("MAIL_RETRY_HOURS", DEFAULT_RETRY_HOURS))


def mail_attempts():
    """Attempts a message (or a job failing on mail) gets under the current MAIL_RETRY_HOURS."""
    return attempts_within(retry_hours())


def is_transient(error):
    return isinstance(error, TRANSIENT_ERRORS)
