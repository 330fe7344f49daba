"""Download my data: a request starts one job; the job builds the ZIP, the person gets an e-mail with a
signed link that expires (EXPORT_LINK_HOURS) and works once.

Rules, each held here: one export in preparation per person (also held by a unique index, so two requests at
the same instant cannot both pass); only the person downloads (the link alone is not enough: the signed-in
account must be its owner); a link used once, or past its time, opens nothing but a page saying so.
"""
import json
import zipfile
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from govchallenge.core import audit, mail, storage
from govchallenge.core.timeutil import utcnow
from govchallenge.core.urls import external_url
from govchallenge.extensions import db
from govchallenge.jobs import message_id, outbox
from govchallenge.jobs.models import OutboxJob
from govchallenge.jobs.progress import report_progress

from . import collect, files
from .models import FAILED, PENDING, READY, USED, DataExport

EXPORT_JOB = "govchallenge.privacy.exports.build_export"
LINK_SALT = "govchallenge.data-export"
FIXED_TIME = (2000, 1, 1, 0, 0, 0)


class ExportRefused(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def pending_export(user):
    return db.session.execute(
        sa.select(DataExport).where(DataExport.user_id == user.id, DataExport.state == PENDING)
    ).scalar_one_or_none()


def latest_export(user):
    return db.session.execute(
        sa.select(DataExport).where(DataExport.user_id == user.id).order_by(DataExport.id.desc()).limit(1)
    ).scalar_one_or_none()


def job_of(export):
    return db.session.get(OutboxJob, export.outbox_job_id) if export and export.outbox_job_id else None


def already_pending_message():
    return _("Your data is already being prepared. You will receive an e-mail when it is ready; there is no need "
             "to ask again.")


def request_export(user):
    """Starts one export job for `user` (flushes). Refused while one is being prepared."""
    if pending_export(user) is not None:
        raise ExportRefused("pending", already_pending_message())
    export = DataExport(user_id=user.id, state=PENDING)
    db.session.add(export)
    db.session.flush()
    job = outbox.enqueue(EXPORT_JOB, export.id, max_attempts=3)
    db.session.flush()
    export.outbox_job_id = job.id
    audit.record("privacy.export_requested", user, actor=user, export_id=export.id)
    return export


# --- the job -----------------------------------------------------------------------------------------------

def build_export(export_id):
    """Idempotent: an export already built only has its e-mail sent if that did not happen yet."""
    export = db.session.get(DataExport, export_id)
    if export is None or export.state not in (PENDING, READY):
        return "nothing to do"
    if export.state == PENDING:
        _build(export)
        db.session.commit()  # the file and its row exist before the mail points at them
    if export.mailed_at is None:
        _mail(export)
        export.mailed_at = utcnow()
    return {"export": export.id, "size": export.size}


def _build(export):
    user = export.user
    attachments = collect.files_to_include(user)
    total = len(collect.SECTIONS) + len(attachments)
    path = files.export_path(export)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for done, (name, section) in enumerate(collect.SECTIONS, start=1):
            _add(bundle, name, json.dumps(section(user), ensure_ascii=False, indent=2, sort_keys=True).encode())
            report_progress(done, total)
        for done, (sha256, filename) in enumerate(attachments, start=len(collect.SECTIONS) + 1):
            name = f"files/{sha256[:12]}-{_safe(filename)}"
            try:
                _add(bundle, name, storage.open_bytes(sha256))
            except FileNotFoundError:
                _add(bundle, name + ".missing.txt", b"file missing from storage")
            report_progress(done, total)
    now = utcnow()
    export.state, export.ready_at, export.size = READY, now, path.stat().st_size
    export.expires_at = now + timedelta(hours=current_app.config["EXPORT_LINK_HOURS"])
    audit.record("privacy.export_ready", export.user, export_id=export.id, size=export.size)


def _mail(export):
    user = export.user
    message = mail.render("data_export_ready", user.language, user.email, lambda: _("Your govchallenge data is ready"),
                          message_id=message_id("data_export_ready", user.id, export.id), user=user,
                          link=external_url("privacy.download", token=make_link_token(export)),
                          expires_at=export.expires_at)
    mail.send(message)


def _add(bundle, name, data):
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, data)


def _safe(name):
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip(".-")
    return cleaned[:80] or "file"


# --- the link ------------------------------------------------------------------------------------------------

def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def make_link_token(export):
    return _serializer().dumps({"e": export.id, "n": export.nonce})


def open_link(token, user):
    """The export a download link names, for `user`; ExportRefused(code) with code one of: "invalid" (not a
    link of ours, or its export is gone), "expired", "used", "not_yours"."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["EXPORT_LINK_HOURS"] * 3600)
    except SignatureExpired as error:
        raise ExportRefused("expired", _("This download link has expired. Ask for your data again.")) from error
    except BadSignature as error:
        raise ExportRefused("invalid", _("This download link is not valid.")) from error
    export = db.session.get(DataExport, data.get("e")) if isinstance(data, dict) and isinstance(data.get("e"), int) else None
    if export is None or export.nonce != data.get("n"):
        raise ExportRefused("invalid", _("This download link is not valid."))
    if export.user_id != user.id:
        raise ExportRefused("not_yours", _("This download link belongs to another account."))
    if export.state == USED:
        raise ExportRefused("used", _("This download link has already been used. Ask for your data again."))
    if export.state != READY or export.expires_at is None or export.expires_at <= utcnow():
        raise ExportRefused("expired", _("This download link has expired. Ask for your data again."))
    return export


def mark_downloaded(export, user):
    """The link works once: the file is handed out by the view, then removed."""
    export.state, export.downloaded_at = USED, utcnow()
    audit.record("privacy.export_downloaded", user, actor=user, export_id=export.id)


def mark_failed_exports():
    """Exports whose job gave up: shown as failed, so the person may ask again."""
    from govchallenge.jobs.models import FAILED as JOB_FAILED

    failed = sa.select(OutboxJob.id).where(OutboxJob.state == JOB_FAILED)
    db.session.execute(sa.update(DataExport).where(DataExport.state == PENDING, DataExport.outbox_job_id.in_(failed))
                       .values(state=FAILED))
