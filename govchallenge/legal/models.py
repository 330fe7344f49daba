"""What the operator of an instance writes: one text per page (every language in one JSON field) and the
operator's particulars the pages quote (controller, contacts, enforcement and supervisory bodies)."""
import sqlalchemy as sa

from govchallenge.core.timeutil import UTCDateTime, utcnow
from govchallenge.extensions import db

SETTINGS_ID = 1


class LegalText(db.Model):
    """The operator's text of one page, {"en": markdown, "pl": ...}; no row: the shipped default."""

    __tablename__ = "legal_text"

    id = db.Column(db.Integer, primary_key=True)
    page = db.Column(db.String(30), nullable=False, unique=True)
    body = db.Column(db.JSON, nullable=False, default=dict)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)


class LegalSettings(db.Model):
    """One row: the operator's particulars. Empty fields are said to be unset on the pages, never invented."""

    __tablename__ = "legal_settings"

    id = db.Column(db.Integer, primary_key=True)
    operator_name = db.Column(db.String(200), nullable=False, default="")
    operator_address = db.Column(db.String(500), nullable=False, default="")
    contact_email = db.Column(db.String(254), nullable=False, default="")
    protection_officer_email = db.Column(db.String(254), nullable=False, default="")
    # The body that enforces the accessibility directive, and the data protection supervisory authority.
    enforcement_name = db.Column(db.String(200), nullable=False, default="")
    enforcement_url = db.Column(db.String(500), nullable=False, default="")
    supervisory_name = db.Column(db.String(200), nullable=False, default="")
    supervisory_url = db.Column(db.String(500), nullable=False, default="")
    conformance = db.Column(db.String(10), nullable=False, default="partial")
    statement_prepared_on = db.Column(db.Date, nullable=True)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)


def text_row(page):
    return db.session.execute(sa.select(LegalText).where(LegalText.page == page)).scalar_one_or_none()


def current_settings():
    """The row, or an unsaved one with the defaults (reading a page never writes)."""
    row = db.session.get(LegalSettings, SETTINGS_ID)
    if row is None:
        row = LegalSettings(id=SETTINGS_ID, operator_name="", operator_address="", contact_email="",
                            protection_officer_email="", enforcement_name="", enforcement_url="",
                            supervisory_name="", supervisory_url="", conformance="partial")
    return row


def operator_name():
    """Who runs this instance, for the header of every page ("" until the operator says). The error pages use
    the header too: when the database cannot answer, the page still shows, without the name."""
    try:
        return current_settings().operator_name
    except sa.exc.SQLAlchemyError:
        return ""
