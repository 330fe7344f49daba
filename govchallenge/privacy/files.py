"""The files that hold personal data outside the database: the mail folder of the embedded default
(MAIL_FILE_DIR, one .eml per message) and the prepared exports (EXPORT_DIR, one ZIP per export)."""
import email
import email.policy
import time
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from govchallenge.extensions import db

from .models import DataExport


def export_dir():
    folder = Path(current_app.config["EXPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_path(export):
    return export_dir() / export.file_name


def remove(path):
    """1 when the file was there and is gone, else 0."""
    try:
        Path(path).unlink()
        return 1
    except FileNotFoundError:
        return 0


CHUNK = 256 * 1024


def stream_once(path):
    """The file as a storage.Stream that removes the file once it has been read to the end (or the response
    was closed early: a retention purge removes what is left)."""
    from govchallenge.core.storage import Stream

    path = Path(path)

    def chunks():
        with path.open("rb") as handle:
            while piece := handle.read(CHUNK):
                yield piece
        remove(path)

    return Stream(size=path.stat().st_size, chunks=chunks())


def delete_exports_of(user_id):
    nonces = db.session.execute(sa.select(DataExport.nonce).where(DataExport.user_id == user_id)).scalars().all()
    return sum(remove(export_dir() / f"{nonce}.zip") for nonce in nonces)


def mail_files():
    folder = Path(current_app.config["MAIL_FILE_DIR"])
    return sorted(folder.glob("*.eml")) if folder.is_dir() else []


def names_address(path, address):
    """True when the mail file is addressed to `address` or mentions it anywhere (headers decoded too)."""
    raw = path.read_bytes()
    address = address.lower()
    if address.encode("utf-8") in raw.lower():
        return True
    message = email.message_from_bytes(raw, policy=email.policy.default)
    headers = " ".join(str(value) for value in message.values()).lower()
    if address in headers:
        return True
    return any(address in (part.get_content() or "").lower() for part in message.walk()
               if part.get_content_maintype() == "text")


def delete_mail_files_naming(address):
    return sum(remove(path) for path in mail_files() if names_address(path, address))


def delete_files_older_than(paths, seconds):
    """Files last written more than `seconds` ago: removed; returns how many."""
    limit = time.time() - seconds
    return sum(remove(path) for path in paths if path.stat().st_mtime < limit)
