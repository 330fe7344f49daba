"""Files kept by content hash in a local folder (the default) or, with STORAGE_BACKEND=s3, in an
S3-compatible bucket. Types are decided by the content, never by the name."""
import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import puremagic
from flask import Response, current_app

from .names import NOT_DECOMPOSED, clean_filename

# What we accept, by the type the bytes say they are.
DOCUMENT_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/zip": ".zip",
    "text/plain": ".txt",
    "text/csv": ".csv",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
}

_OOXML_HINTS = {
    b"word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    b"xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    b"ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


class FileRejected(ValueError):
    """Carries a message fit for the user (already translated by the caller's form)."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    mime_type: str


def sniff(data):
    """The MIME type the content itself declares, or None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if _looks_like_text(data):
        return "text/plain"
    try:
        return puremagic.from_string(data, mime=True) or None
    except puremagic.PureError:
        return None


def _zip_kind(data):
    head = data[:4096]
    if b"mimetypeapplication/vnd.oasis.opendocument.text" in head:
        return "application/vnd.oasis.opendocument.text"
    if b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in head:
        return "application/vnd.oasis.opendocument.spreadsheet"
    for hint, mime in _OOXML_HINTS.items():
        if hint in data[:65536]:
            return mime
    return "application/zip"


def _looks_like_text(data):
    sample = data[:8192]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start > len(sample) - 4  # a multi-byte character cut by the sample
    return True


def check(data, allowed_types, max_bytes):
    if not data:
        raise FileRejected("empty")
    if len(data) > max_bytes:
        raise FileRejected("too_large")
    mime = sniff(data)
    if mime not in allowed_types:
        raise FileRejected("type")
    return mime


def _root():
    return Path(current_app.config["STORAGE_DIR"])


def path_for(sha256):
    return _root() / sha256[:2] / sha256


def s3_settings():
    """The bucket when STORAGE_BACKEND is "s3" (app config first, then the environment), else None."""
    from .s3 import S3Settings

    def setting(name, default=""):
        return current_app.config.get(name) or os.environ.get(name, default)

    if setting("STORAGE_BACKEND", "local").lower() != "s3":
        return None
    return S3Settings(
        endpoint=setting("S3_ENDPOINT_URL", "https://s3.amazonaws.com"), bucket=setting("S3_BUCKET"),
        region=setting("S3_REGION", "us-east-1"), access_key=setting("S3_ACCESS_KEY_ID"),
        secret_key=setting("S3_SECRET_ACCESS_KEY"), prefix=setting("S3_PREFIX"),
    )


def _object_key(sha256):
    return f"{sha256[:2]}/{sha256}"


def save(data, mime_type):
    digest = hashlib.sha256(data).hexdigest()
    bucket = s3_settings()
    if bucket is not None:
        from .s3 import S3Client

        client = S3Client(bucket)
        if not client.exists(_object_key(digest)):
            client.put(_object_key(digest), data, mime_type)
        return StoredFile(sha256=digest, size=len(data), mime_type=mime_type)
    target = path_for(digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    return StoredFile(sha256=digest, size=len(data), mime_type=mime_type)


def open_bytes(sha256):
    """The stored bytes; FileNotFoundError when missing, whichever the backend."""
    bucket = s3_settings()
    if bucket is not None:
        from .s3 import S3Client

        return S3Client(bucket).get(_object_key(sha256))
    return path_for(sha256).read_bytes()


# --- downloads ---------------------------------------------------------------------------------
# Every file the platform hands out (attachments, entries' files, exports, open data) leaves
# through `download_response`, so each one gets the same safe headers.

# RFC 5987 attr-char: what may stand unescaped in `filename*=`.
_ATTR_CHARS = "!#$&+-.^_`|~"


def _ascii_fallback(name, default):
    """A plain-ASCII version of `name` for clients that ignore `filename*=`: accents dropped
    (Łódź -> Lodz), other letters as `_`, never a quote, backslash or control character."""
    chars = []
    for char in unicodedata.normalize("NFKD", name.translate(NOT_DECOMPOSED)):
        if char.isascii() and char.isprintable() and char not in '"\\':
            chars.append(char)
        elif not unicodedata.category(char).startswith("M"):
            chars.append("_")
    stem, dot, extension = "".join(chars).rpartition(".")
    if not dot:
        stem, extension = extension, ""
    return (stem if stem.strip("_ ") else default) + dot + extension


def content_disposition(filename, default="download"):
    """`attachment; filename="ascii"; filename*=UTF-8''...` (RFC 6266 with RFC 5987 encoding).

    The header must be Latin-1 on the wire (gunicorn answers 500 otherwise), so the real name goes
    percent-encoded in `filename*`, and a plain-ASCII fallback in `filename` for old clients.
    Hidden characters (a right-to-left override could disguise the extension) are removed first."""
    name = clean_filename(filename, default=default)
    fallback = _ascii_fallback(name, default)
    header = f'attachment; filename="{fallback}"'
    if fallback != name:
        header += "; filename*=UTF-8''" + quote(name, safe=_ATTR_CHARS)
    return header


def download_response(data, filename, mime_type):
    """The response for a file download: the bytes as `mime_type`, saved under `filename`, and
    `nosniff` so no browser runs an uploaded file as a page or script whatever it contains."""
    response = Response(data, mimetype=mime_type or "application/octet-stream")
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
