"""What every uploaded file row records: kept in storage by its SHA-256 (so the same bytes are stored once and
versions keep theirs), with its type read from its content."""
from sqlalchemy.orm import declared_attr

from govchallenge.core.timeutil import UTCDateTime, utcnow
from govchallenge.extensions import db


class StoredFileColumns:
    filename = db.Column(db.String(200), nullable=False)
    mime_type = db.Column(db.String(120), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    @declared_attr
    def uploaded_by_id(cls):
        return db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
