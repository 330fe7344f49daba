"""A person's requests for their data: one row per export, from the request to the download."""
import secrets

import sqlalchemy as sa

from govchallenge.core.timeutil import UTCDateTime, utcnow
from govchallenge.extensions import db

PENDING, READY, USED, FAILED, EXPIRED = "pending", "ready", "used", "failed", "expired"


class DataExport(db.Model):
    """An export of everything the platform holds about one person, built by a job into a ZIP file
    (`EXPORT_DIR/<nonce>.zip`). The download link is signed with the id and the nonce and works once."""

    __tablename__ = "data_export"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    state = db.Column(db.String(10), nullable=False, default=PENDING)
    nonce = db.Column(db.String(32), nullable=False, unique=True, default=lambda: secrets.token_hex(16))
    outbox_job_id = db.Column(db.Integer, nullable=True)
    size = db.Column(db.Integer, nullable=True)
    requested_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    ready_at = db.Column(UTCDateTime, nullable=True)
    expires_at = db.Column(UTCDateTime, nullable=True)
    mailed_at = db.Column(UTCDateTime, nullable=True)
    downloaded_at = db.Column(UTCDateTime, nullable=True)

    user = db.relationship("User")

    # One export in preparation per person, held by the database itself: two requests at the same moment
    # cannot both start a job.
    __table_args__ = (
        sa.Index("uq_data_export_pending", "user_id", unique=True,
                 sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'")),
    )

    @property
    def file_name(self):
        return f"{self.nonce}.zip"
