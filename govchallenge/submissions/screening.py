"""Anonymous review, on the entrants' side: each uploaded file is read once (core/filemeta.py) and a copy
without its metadata is stored beside the original; each saved state of an entry is searched once for what
would name its team (submissions/anonymity.py), and the findings are kept (EntryScreening). Flush, never
commit.

Why the metadata is removed on upload, not when a juror downloads: a file is parsed once, while the team
uploads it, instead of at every juror's download (all of them at once before the round closes); a file that
cannot be read is known while the team can still replace it, not when a juror opens it; and the team keeps
the original, which it (and the hosts, once the results are out) still download. The copy costs storage
only when there was something to remove, and is shared by every entry holding the same bytes.

Who sees what: the team sees every finding (where, and what was found) on its entry pages, so it can fix
them before the deadline; they never block a submission. The chair and the hosts' officers see, per
entry, only the kinds of finding and where (never the name found), on the jury dashboard.
"""
import hashlib

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from govchallenge.core import filemeta, storage
from govchallenge.extensions import db

from . import anonymity
from .models import EntryScreening, FileInspection, SubmissionVersion

UNREADABLE, NOT_INSPECTED, TOO_LARGE = filemeta.UNREADABLE, filemeta.NOT_INSPECTED, filemeta.TOO_LARGE
_WHERE = {filemeta.METADATA: anonymity.FILE_METADATA, filemeta.CONTENT: anonymity.FILE_TEXT}
ENTRY_FIELDS = ("title", "summary", "description")


# --- files -------------------------------------------------------------------------------------

def prepare(data, mime_type):
    """Reads an upload and stores its copy without metadata (before any database lock: parsing takes
    time). Returns the unsaved FileInspection; storage errors (S3Error) reach the caller."""
    found = filemeta.inspect(data, mime_type)
    clean_sha256 = None
    if found.cleaned is not None:
        clean_sha256 = storage.save(found.cleaned, mime_type).sha256
    return FileInspection(sha256=hashlib.sha256(data).hexdigest(), mime_type=mime_type, status=found.status,
                          clean_sha256=clean_sha256, texts=[[t.place, t.label, t.text] for t in found.texts])


def remember(inspection):
    """Keeps an inspection unless its file was inspected already (the same bytes read the same)."""
    known = _inspection(inspection.sha256)
    if known is not None:
        return known
    try:
        with db.session.begin_nested():  # another request may store the same file at the same moment
            db.session.add(inspection)
    except IntegrityError:
        return _inspection(inspection.sha256)
    return inspection


def _inspection(sha256):
    return db.session.execute(sa.select(FileInspection).where(FileInspection.sha256 == sha256)).scalar_one_or_none()


def inspection_of(sha256, mime_type):
    """The file's inspection; a file stored before inspections existed (or by the demo) is read now, once.
    None when its bytes are missing from storage."""
    known = _inspection(sha256)
    if known is not None and not _read_before_archives_were(known):
        return known
    try:
        data = storage.open_bytes(sha256)
    except FileNotFoundError:
        return known
    fresh = prepare(data, mime_type)
    if known is None:
        return remember(fresh)
    known.status, known.clean_sha256, known.texts = fresh.status, fresh.clean_sha256, fresh.texts
    return known


def _read_before_archives_were(inspection):
    """A ZIP archive stored when archives were not read (NOT_INSPECTED): it is read now, once."""
    return inspection.status == NOT_INSPECTED and inspection.mime_type == "application/zip"


def is_fit_for_blind_review(sha256, mime_type):
    """Whether a copy without metadata exists to hand to blind jurors."""
    inspection = inspection_of(sha256, mime_type)
    return inspection is not None and inspection.clean_sha256 is not None


def blind_copy(sha256, mime_type):
    """The bytes a blind juror gets: the copy without metadata; None when the file could not be read (it is
    then withheld) or is missing."""
    inspection = inspection_of(sha256, mime_type)
    if inspection is None or inspection.clean_sha256 is None:
        return None
    try:
        return storage.open_bytes(inspection.clean_sha256)
    except FileNotFoundError:
        return None


# --- entries -----------------------------------------------------------------------------------

def identity(team):
    """What would name the team: its name, its members' names and e-mail domains, their organisations."""
    organisations = [m.organisation for m in team.members if m.organisation is not None]
    return anonymity.identity(
        team.name, [m.user.name for m in team.members], [o.name for o in organisations],
        [m.user.email for m in team.members], [o.website for o in organisations if o.website])


def _pieces(content, files):
    """The texts of an entry's state: its fields and links, then each file's texts (by its manifest)."""
    pieces = [anonymity.Piece(anonymity.ENTRY_TEXT, name, content.get(name) or "") for name in ENTRY_FIELDS]
    pieces += [anonymity.Piece(anonymity.ENTRY_TEXT, f"link:{kind}", url) for kind, url in sorted((content.get("links") or {}).items())]
    unread = []
    for index, entry in enumerate(files):
        inspection = inspection_of(entry["sha256"], entry["mime_type"])
        if inspection is None or inspection.status != filemeta.CLEANED:
            unread.append({"where": "file", "label": "", "kind": inspection.status if inspection else UNREADABLE,
                           "value": "", "file": entry["filename"]})
            continue
        pieces += [anonymity.Piece(_WHERE.get(place, anonymity.FILE_TEXT), f"{entry['filename']}\x1f{label}", text)
                   for place, label, text in inspection.texts]
    return pieces, unread


def _as_dict(finding):
    filename, _sep, label = finding.label.rpartition("\x1f")
    return {"where": finding.where, "label": label, "kind": finding.kind, "value": finding.value, "file": filename}


def screen(submission, digest, content, files):
    """Searches one state of an entry (its content digest, fields and file manifest) once; returns its row."""
    row = db.session.execute(sa.select(EntryScreening).where(
        EntryScreening.submission_id == submission.id, EntryScreening.sha256 == digest)).scalar_one_or_none()
    if row is not None:
        return row
    pieces, unread = _pieces(content, files)
    findings = [_as_dict(f) for f in anonymity.find(identity(submission.team), pieces)] + unread
    row = EntryScreening(submission_id=submission.id, sha256=digest, findings=findings)
    db.session.add(row)
    _forget_old_drafts(submission, keep=digest)
    db.session.flush()
    return row


def _forget_old_drafts(submission, keep):
    """Drops the screenings of earlier working copies: only the current one and the versions' are read."""
    versions = sa.select(SubmissionVersion.sha256).where(SubmissionVersion.submission_id == submission.id)
    db.session.execute(sa.delete(EntryScreening).where(
        EntryScreening.submission_id == submission.id, EntryScreening.sha256 != keep,
        EntryScreening.sha256.not_in(versions)).execution_options(synchronize_session=False))


def findings_of(submission, digest):
    """The stored findings of a state of the entry, or None when it was never screened."""
    return db.session.execute(sa.select(EntryScreening.findings).where(
        EntryScreening.submission_id == submission.id, EntryScreening.sha256 == digest)).scalar_one_or_none()


def flags(submission_ids):
    """{submission id: sorted [(where, kind)]} of the newest submitted version of each entry that has
    findings: what the chair is told, without the names found."""
    newest = (sa.select(SubmissionVersion.submission_id, sa.func.max(SubmissionVersion.number).label("number"))
              .where(SubmissionVersion.submission_id.in_(list(submission_ids) or [0]))
              .group_by(SubmissionVersion.submission_id).subquery())
    rows = db.session.execute(
        sa.select(EntryScreening.submission_id, EntryScreening.findings)
        .join(SubmissionVersion, sa.and_(SubmissionVersion.submission_id == EntryScreening.submission_id,
                                         SubmissionVersion.sha256 == EntryScreening.sha256))
        .join(newest, sa.and_(newest.c.submission_id == SubmissionVersion.submission_id,
                              newest.c.number == SubmissionVersion.number))
    ).all()
    return {sid: sorted({(f["where"], f["kind"]) for f in findings}) for sid, findings in rows if findings}
