"""What a running job knows of itself: the outbox row it runs under. Jobs report their progress here
(the page shows it while they run) and name the messages they send after that row, so a run repeated
after a failure sends the same Message-IDs. Imports nothing of the runner or the relay."""
import contextvars
import secrets
import time
from contextlib import contextmanager

import sqlalchemy as sa

from govchallenge.core import mail
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db

from .models import OutboxJob

_current_job = contextvars.ContextVar("current_outbox_job", default=None)


@contextmanager
def running(job):
    """While the body runs, `job` (an OutboxJob) is the current one."""
    token = _current_job.set((job.id, job.created_at))
    try:
        yield
    finally:
        _current_job.reset(token)


def current_job_id():
    current = _current_job.get()
    return current[0] if current else None


def delivery_key():
    """'outbox:<id>:<created at>' for the running row: the same at every attempt of that row, and never the
    same for two rows, even when ids start again from 1 (a new database under the same BASE_URL)."""
    current = _current_job.get()
    if current is None:
        return None
    outbox_id, created_at = current
    return f"outbox:{outbox_id}:{created_at.isoformat() if created_at else ''}"


def message_id(kind, *ids):
    """The Message-ID of a mail the running job sends: `kind` (the template) and the ids of the recipient
    within this row's work. Outside an outbox job (no retry can repeat it) a random part keeps it unique."""
    key = delivery_key() or f"unqueued:{secrets.token_hex(16)}"
    return mail.stable_message_id(kind, key, *ids)


def report_progress(done, total):
    """Jobs call this; it is written on its own connection so the page sees it while the job runs.
    It also renews the claim, so a long job is never taken for one whose worker died."""
    outbox_id = current_job_id()
    if outbox_id is None:
        return
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(OutboxJob).where(OutboxJob.id == outbox_id)
            .values(progress_done=done, progress_total=total, claimed_at=utcnow())
        )


class ThrottledProgress:
    """A long job's progress, written at most every `every_seconds` (each report is a commit of its own, so
    reporting every item of 20,000 would cost as much as the work)."""

    def __init__(self, done, total, every_seconds=0.5):
        self.done, self.total, self.every_seconds, self._reported_at = done, total, every_seconds, 0.0
        self.report()

    def advance(self, by=1):
        self.done += by
        if time.monotonic() - self._reported_at >= self.every_seconds:
            self.report()

    def report(self):
        report_progress(self.done, self.total)
        self._reported_at = time.monotonic()
