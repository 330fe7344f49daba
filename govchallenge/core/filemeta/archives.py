"""ZIP archives: the names of the files inside, the archive's and its members' comments, and each member of a
kind the other readers know (PDF, Office, OpenDocument, images, plain text, a ZIP inside the ZIP) read as if it
had been uploaded on its own. The copy handed to blind readers holds each member's own cleaned copy, without
comments and with every timestamp set to 1980-01-01; members of other kinds are kept as they are (their names
are still read).

Bounded, because an archive can be built to unpack to far more than it weighs: at most MAX_MEMBERS members
and MAX_UNPACKED bytes declared in all (Python's zipfile never inflates a member beyond its declared size), and
archives nested at most MAX_DEPTH deep. Beyond any bound the archive is TooLarge; a member that cannot be read
makes the whole archive unreadable (a copy without it would hide the fact from its readers)."""
import posixpath

from .common import METADATA, Unreadable, open_zip, rezip

MAX_MEMBERS = 1_000
MAX_UNPACKED = 256 * 1024 * 1024
MAX_DEPTH = 3  # the upload is depth 1; a ZIP inside it is depth 2
SEPARATOR = "\x1e"  # between a member's name and the label of a text found in it

BY_EXTENSION = {
    ".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".txt": "text/plain", ".csv": "text/csv", ".zip": "application/zip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}


class TooLarge(Exception):
    """The archive has too many members, unpacks to too much, or nests archives too deep."""


def member_label(member, label):
    """The label of a text found in a member: `zip:<member name><SEPARATOR><the member's own label>`."""
    return f"zip:{member}{SEPARATOR}{label}"


def inspect_archive(data, inspect, depth=1):
    """(texts [(place, label, text)], cleaned bytes) of a ZIP archive; `inspect(data, mime_type, depth)` reads a
    member of a known kind and returns filemeta.Inspection. Raises TooLarge or Unreadable."""
    if depth > MAX_DEPTH:
        raise TooLarge(f"archives nested more than {MAX_DEPTH} deep")
    try:
        archive = open_zip(data)
    except Unreadable as error:
        raise TooLarge(str(error)) from error
    members = archive.infolist()
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
        raise TooLarge("too many members or too large once unpacked")
    texts = [(METADATA, "zip_comment", archive.comment.decode("utf-8", errors="replace"))] if archive.comment else []
    replace = {}
    for member in members:
        texts.append((METADATA, "zip_name", member.filename))
        if member.is_dir():
            continue
        if member.comment:
            texts.append((METADATA, f"zip_file_comment:{member.filename}", member.comment.decode("utf-8", errors="replace")))
        mime_type = BY_EXTENSION.get(posixpath.splitext(member.filename)[1].lower())
        if mime_type is None:
            continue
        found = inspect(archive.read(member), mime_type, depth + 1)
        if found.status == "too_large":
            raise TooLarge(f"member {member.filename}")
        if found.cleaned is None:
            raise Unreadable(f"member {member.filename} cannot be read")
        texts += [(t.place, member_label(member.filename, t.label), t.text) for t in found.texts]
        replace[member.filename] = found.cleaned
    return texts, rezip(archive, replace=replace)
