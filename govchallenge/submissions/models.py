"""Entries: one submission per team per stage, its files, and every submitted state kept as a version."""
import sqlalchemy as sa
from govchallenge.core.i18n import lazy_text as _l

from govchallenge.core.timeutil import UTCDateTime, utcnow
from govchallenge.core.stored_files import StoredFileColumns
from govchallenge.extensions import db
from govchallenge.core.slugs import new_public_id

DRAFT, SUBMITTED, WITHDRAWN = "draft", "submitted", "withdrawn"
STATE_LABELS = {DRAFT: _l("Draft"), SUBMITTED: _l("Submitted"), WITHDRAWN: _l("Withdrawn")}


class Submission(db.Model):
    __tablename__ = "submission"

    id = db.Column(db.Integer, primary_key=True)
    public_id = db.Column(db.String(24), nullable=False, unique=True, default=new_public_id)
    team_id = db.Column(db.Integer, db.ForeignKey("team.id", ondelete="CASCADE"), nullable=False)
    stage_id = db.Column(db.Integer, db.ForeignKey("stage.id", ondelete="CASCADE"), nullable=False, index=True)
    state = db.Column(db.String(10), nullable=False, default=DRAFT, index=True)
    title = db.Column(db.String(200), nullable=False, default="")
    summary = db.Column(db.Text, nullable=False, default="")
    description = db.Column(db.Text, nullable=False, default="")
    links = db.Column(db.JSON, nullable=False, default=dict)  # {"code": url, "video": url, "demo": url}
    # Openness, declared by the team: an SPDX expression as normalised by submissions/licences.py, the public
    # repository (http(s)) and a publiccode.yml as typed. The team's and the hosts': never on a juror's page.
    licence = db.Column(db.String(300), nullable=False, default="", server_default="")
    repository_url = db.Column(db.String(500), nullable=False, default="", server_default="")
    publiccode = db.Column(db.Text, nullable=False, default="", server_default="")
    # Raised on every save; a form carrying an older value is refused, never silently overwriting.
    lock_version = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    submitted_at = db.Column(UTCDateTime, nullable=True)  # of the newest submitted version

    team = db.relationship("Team")
    stage = db.relationship("Stage")
    files = db.relationship("SubmissionFile", back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionFile.id")
    versions = db.relationship("SubmissionVersion", back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionVersion.number")

    __table_args__ = (sa.UniqueConstraint("team_id", "stage_id"),)

    @property
    def latest_version(self):
        return self.versions[-1] if self.versions else None

    @property
    def state_label(self):
        return STATE_LABELS.get(self.state, self.state)


class SubmissionFile(StoredFileColumns, db.Model):
    """A file of the current draft. Content lives in storage by SHA-256, so versions keep theirs."""

    __tablename__ = "submission_file"

    id = db.Column(db.Integer, primary_key=True)
    public_id = db.Column(db.String(24), nullable=False, unique=True, default=new_public_id)
    submission_id = db.Column(db.Integer, db.ForeignKey("submission.id", ondelete="CASCADE"), nullable=False, index=True)

    submission = db.relationship("Submission", back_populates="files")


class SubmissionVersion(db.Model):
    """A submitted state, frozen: its content, its files' manifest, and the receipt digest."""

    __tablename__ = "submission_version"

    id = db.Column(db.Integer, primary_key=True)
    submission_id = db.Column(db.Integer, db.ForeignKey("submission.id", ondelete="CASCADE"), nullable=False)
    number = db.Column(db.Integer, nullable=False)
    title = db.Column(db.String(200), nullable=False)
    summary = db.Column(db.Text, nullable=False)
    description = db.Column(db.Text, nullable=False)
    links = db.Column(db.JSON, nullable=False, default=dict)
    files = db.Column(db.JSON, nullable=False, default=list)  # [{"filename", "mime_type", "size", "sha256"}]
    # The openness the team declared, as submitted (the digest covers it: operations.openness_of).
    licence = db.Column(db.String(300), nullable=False, default="", server_default="")
    repository_url = db.Column(db.String(500), nullable=False, default="", server_default="")
    publiccode = db.Column(db.Text, nullable=False, default="", server_default="")
    sha256 = db.Column(db.String(64), nullable=False)
    submitted_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    submitted_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    late_grant_id = db.Column(db.Integer, db.ForeignKey("late_entry_grant.id"), nullable=True)

    submission = db.relationship("Submission", back_populates="versions")
    submitted_by = db.relationship("User")

    __table_args__ = (sa.UniqueConstraint("submission_id", "number"),)


class LateEntryGrant(db.Model):
    """A host's permission for one team to submit to one stage after its deadline, until `expires_at`."""

    __tablename__ = "late_entry_grant"

    id = db.Column(db.Integer, primary_key=True)
    team_id = db.Column(db.Integer, db.ForeignKey("team.id", ondelete="CASCADE"), nullable=False, index=True)
    stage_id = db.Column(db.Integer, db.ForeignKey("stage.id", ondelete="CASCADE"), nullable=False)
    code_hash = db.Column(db.String(64), nullable=False)
    reason = db.Column(db.Text, nullable=False)
    granted_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = db.Column(UTCDateTime, nullable=False)
    used_at = db.Column(UTCDateTime, nullable=True)


class FileInspection(db.Model):
    """What one file's bytes say (core/filemeta.py), kept by content: its texts (metadata and content, cut at
    filemeta.MAX_TEXT), its state, and the SHA-256 of its copy without metadata, the one blind jurors get.
    A file is read once, whichever entries and versions hold it."""

    __tablename__ = "file_inspection"

    id = db.Column(db.Integer, primary_key=True)
    sha256 = db.Column(db.String(64), nullable=False, unique=True)
    mime_type = db.Column(db.String(120), nullable=False)
    status = db.Column(db.String(20), nullable=False)  # filemeta.CLEANED, UNREADABLE, TOO_LARGE, NOT_INSPECTED
    clean_sha256 = db.Column(db.String(64), nullable=True)  # None: nothing fit to hand to blind jurors
    texts = db.Column(db.JSON, nullable=False, default=list)  # [[place, label, text], ...]
    inspected_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


class EntryScreening(db.Model):
    """What in one state of an entry would name its team (submissions/anonymity.py), computed when that
    state is saved. `sha256` is the content digest of that state: a submitted version's `sha256`, or the
    working copy's (operations.working_digest), so a page finds its findings without computing them again.

    findings: [{"where", "label", "kind", "value", "file"}] — `value` names the team (shown to the team only;
    the chair sees `where` and `kind`); kinds "unreadable" and "not_inspected" are files that were not read."""

    __tablename__ = "entry_screening"

    id = db.Column(db.Integer, primary_key=True)
    submission_id = db.Column(db.Integer, db.ForeignKey("submission.id", ondelete="CASCADE"), nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    findings = db.Column(db.JSON, nullable=False, default=list)
    checked_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("submission_id", "sha256"),)
