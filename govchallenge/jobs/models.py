"""The transactional outbox: a job is a row written in the same transaction as the change that caused it."""
from datetime import timedelta

import sqlalchemy as sa

from govchallenge.core.timeutil import UTCDateTime, utcnow
from govchallenge.extensions import db

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
# A row claimed this long ago whose worker reported nothing since (it died) is due again; a row handed to
# RQ this long ago and never claimed (Redis restarted empty, the job was dropped) is handed on again.
# Long jobs keep their claim fresh through progress.report_progress.
STALE_CLAIM = timedelta(minutes=10)


class OutboxJob(db.Model):
    __tablename__ = "outbox_job"

    id = db.Column(db.Integer, primary_key=True)
    function = db.Column(db.String(200), nullable=False)
    args = db.Column(db.JSON, nullable=False, default=list)
    state = db.Column(db.String(16), nullable=False, default=PENDING, index=True)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    max_attempts = db.Column(db.Integer, nullable=False, default=5)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    relayed_at = db.Column(UTCDateTime, nullable=True)
    run_after = db.Column(UTCDateTime, nullable=False, default=utcnow)
    claimed_at = db.Column(UTCDateTime, nullable=True)
    finished_at = db.Column(UTCDateTime, nullable=True)
    last_error = db.Column(db.Text, nullable=False, default="")
    progress_done = db.Column(db.Integer, nullable=False, default=0)
    progress_total = db.Column(db.Integer, nullable=False, default=0)
    result = db.Column(db.JSON, nullable=True)

    __table_args__ = (sa.Index("ix_outbox_job_due", "state", "relayed_at", "run_after"),)

    @property
    def percent(self):
        if not self.progress_total:
            return 100 if self.state == DONE else 0
        return min(100, round(100 * self.progress_done / self.progress_total))
