"""Files kept by content hash in a local folder (the default) or, with STORAGE_BACKEND=s3, in an
S3-compatible bucket. Types are decided by the content, never by the name."""
import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
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
    from .s3 import MIB, S3Settings

    def setting(name, default=""):
        return current_app.config.get(name) or os.environ.get(name, default)

    if str(setting("STORAGE_BACKEND", "local")).lower() != "s3":
        return None
    return S3Settings(
        endpoint=setting("S3_ENDPOINT_URL", "https://s3.amazonaws.com"), bucket=setting("S3_BUCKET"),
        region=setting("S3_REGION", "us-east-1"), access_key=setting("S3_ACCESS_KEY_ID"),
        secret_key=setting("S3_SECRET_ACCESS_KEY"), prefix=setting("S3_PREFIX"),
        addressing_style=setting("S3_ADDRESSING_STYLE", "path"),
        multipart_threshold=int(setting("S3_MULTIPART_THRESHOLD_MB", 8)) * MIB,
        max_attempts=int(setting("S3_MAX_ATTEMPTS", 3)), timeout=float(setting("S3_TIMEOUT", 30)),
    )


def _object_key(sha256):
    """The same layout in the bucket (after S3_PREFIX) as in the local folder, so files can be copied across."""
    return f"{sha256[:2]}/{sha256}"


# Downloads leave in pieces of this size, so a large file is never whole in a worker's memory.
CHUNK_BYTES = 256 * 1024


@dataclass(frozen=True)
class Stream:
    """A stored file on its way out: its size and an iterator over its bytes."""
    size: int
    chunks: Iterator[bytes]


class _LocalFolder:
    def exists(self, sha256):
        return path_for(sha256).exists()

    def put(self, sha256, data, mime_type):
        target = path_for(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)

    def read(self, sha256):
        return path_for(sha256).read_bytes()

    def stream(self, sha256):
        handle = path_for(sha256).open("rb")  # FileNotFoundError here, before the response starts

        def pieces():
            with handle:
                while piece := handle.read(CHUNK_BYTES):
                    yield piece

        return Stream(os.fstat(handle.fileno()).st_size, pieces())


class _Bucket:
    def __init__(self, settings):
        from .s3 import S3Client

        self.client = S3Client(settings)

    def exists(self, sha256):
        return self.client.exists(_object_key(sha256))

    def put(self, sha256, data, mime_type):
        self.client.put(_object_key(sha256), data, mime_type)

    def read(self, sha256):
        return self.client.get(_object_key(sha256))

    def stream(self, sha256):
        return Stream(*self.client.stream(_object_key(sha256), CHUNK_BYTES))


def _backend():
    bucket = s3_settings()
    return _LocalFolder() if bucket is None else _Bucket(bucket)


def save(data, mime_type):
    """Keeps `data` under its SHA-256 (once: the same content saved again is not written again).
    With S3, raises S3Error when the bucket cannot be used."""
    digest = hashlib.sha256(data).hexdigest()
    backend = _backend()
    if not backend.exists(digest):
        backend.put(digest, data, mime_type)
    return StoredFile(sha256=digest, size=len(data), mime_type=mime_type)


def open_bytes(sha256):
    """The stored bytes; FileNotFoundError when missing, whichever the backend."""
    return _backend().read(sha256)


def open_stream(sha256):
    """The stored file as a Stream, for `download_response`; FileNotFoundError when missing."""
    return _backend().stream(sha256)


def stored_download(sha256, filename, mime_type):
    """The download of a stored file, streamed from its backend; FileNotFoundError when missing."""
    return download_response(open_stream(sha256), filename, mime_type)


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
    """The response for a file download: the bytes (or a Stream) as `mime_type`, saved under `filename`,
    and `nosniff` so no browser runs an uploaded file as a page or script whatever it contains."""
    if isinstance(data, Stream):
        response = Response(data.chunks, mimetype=mime_type or "application/octet-stream")
        response.content_length = data.size
    else:
        response = Response(data, mimetype=mime_type or "application/octet-stream")
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
