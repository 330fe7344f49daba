"""What a file says about its authors, and a copy of it that says nothing: one module per kind of file.

`inspect(data, mime_type)` reads a file once and returns an `Inspection`:
- `texts`: what can be read in it, as `Text(place, label, text)` — `place` is METADATA (document info, XMP,
  Office properties, EXIF, ...) or CONTENT (the pages, paragraphs, cells, slides); `label` says where exactly
  (`pdf_info:/Author`, see below). Each piece is cut at `MAX_PIECE` characters and the whole at `MAX_TEXT`,
  so a file with megabytes of metadata costs the same as any other to store and check, and one huge field
  does not crowd out the others.
- `cleaned`: the bytes to hand to blind readers, with the metadata removed (`None` when the file could not
  be read: such a file is never handed to them).
- Labels are codes, translated where they are shown: `code` or `code:detail` (`pdf_info:/Author`, `xmp`,
  `page:3`, `exif:Artist`, `image_info:comment`, `office:author`, `office_part:docProps/app.xml`, `author`
  (of a comment or a tracked change), `text`, `table`, `header`, `sheet:Name`, `slide:2`, `odf_meta`).
- `status`: CLEANED (metadata removed or there was none to remove), UNREADABLE (corrupt, encrypted, not
  what its type says, too large once unpacked), TOO_LARGE (a ZIP archive beyond the bounds of `archives`:
  too many members, too large once unpacked, nested too deep), or NOT_INSPECTED (a type no reader knows:
  handed out as it is). A ZIP archive's members are read one by one (`archives`), their labels prefixed by
  `zip:<member name>` and archives.SEPARATOR; the names inside are `zip_name`, its comment `zip_comment`, a
  member's comment `zip_file_comment:<member name>`.

Files come from outside: every parser error, of whatever class, makes the file UNREADABLE, never an
exception for the caller. Plain data in, plain data out: no Flask, no database.
"""
import logging
from dataclasses import dataclass, field

from . import archives, images, ooxml, opendocument, pdf
from .common import CONTENT, METADATA  # noqa: F401  (the places a text comes from)

log = logging.getLogger(__name__)

CLEANED, UNREADABLE, NOT_INSPECTED, TOO_LARGE = "cleaned", "unreadable", "not_inspected", "too_large"
MAX_TEXT = 200_000  # characters kept per file, all pieces together
MAX_PIECE = 20_000  # characters kept of one piece (a metadata field, a page)


@dataclass(frozen=True)
class Text:
    place: str
    label: str
    text: str


@dataclass(frozen=True)
class Inspection:
    status: str
    cleaned: bytes | None = None
    texts: tuple = field(default_factory=tuple)


_READERS = {
    "application/pdf": pdf,
    "image/jpeg": images,
    "image/png": images,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ooxml,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ooxml,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ooxml,
    "application/vnd.oasis.opendocument.text": opendocument,
    "application/vnd.oasis.opendocument.spreadsheet": opendocument,
}
_PLAIN_TEXT = {"text/plain", "text/csv"}


def inspect(data, mime_type, depth=1):
    """The file's texts and its cleaned copy (see the module's docstring); never raises on bad content.
    `depth`: how deep in archives the file lies (1: uploaded as it is)."""
    if mime_type == "application/zip":
        return _inspect_archive(data, depth)
    if mime_type in _PLAIN_TEXT:
        return Inspection(CLEANED, data, _capped([(CONTENT, "text", data.decode("utf-8", errors="replace"))]))
    reader = _READERS.get(mime_type)
    if reader is None:
        return Inspection(NOT_INSPECTED, data)
    try:
        texts = reader.read(data, mime_type)
        cleaned = reader.strip(data, mime_type)
    except Exception:  # noqa: BLE001 — a parser may raise anything on hostile bytes; the file is then unreadable
        log.info("could not inspect a %s file", mime_type, exc_info=True)
        return Inspection(UNREADABLE)
    return Inspection(CLEANED, cleaned, _capped(texts))


def _inspect_archive(data, depth):
    try:
        texts, cleaned = archives.inspect_archive(data, inspect, depth)
    except archives.TooLarge:
        log.info("a ZIP archive beyond the bounds", exc_info=True)
        return Inspection(TOO_LARGE)
    except Exception:  # noqa: BLE001 — a broken archive, or a member that cannot be read
        log.info("could not inspect a ZIP archive", exc_info=True)
        return Inspection(UNREADABLE)
    return Inspection(CLEANED, cleaned, _capped(texts))


def _capped(pieces):
    """Texts without blanks, each at most MAX_PIECE characters, all together at most MAX_TEXT."""
    kept, budget = [], MAX_TEXT
    for place, label, text in pieces:
        text = (text or "").strip()
        if not text or budget <= 0:
            continue
        text = text[:min(budget, MAX_PIECE)]
        budget -= len(text)
        kept.append(Text(place, str(label)[:200], text))
    return tuple(kept)
