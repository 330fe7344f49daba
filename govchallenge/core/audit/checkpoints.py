"""Signed checkpoints of the chain's head, kept outside the database: the anchor of the audit trail.

A checkpoint is one JSON line appended to `AUDIT_CHECKPOINT_DIR/checkpoints.jsonl` (never rewritten):

    {"seq": 120, "event_id": 131, "head": "<chain MAC at seq 120>", "at": "2026-...+00:00",
     "key_id": "<fingerprint of AUDIT_KEY>", "sig": "<HMAC of the rest>"}

`seq` is also the number of sealed events, since seq runs 1, 2, 3 ... without gaps. Whoever changes the
database alone cannot make it agree with these lines again: deleting the tail leaves a checkpoint beyond
the end, rewriting the chain (even with the key) changes the head a checkpoint recorded. Send the file
elsewhere too (AUDIT_CHECKPOINT_EMAIL, a backup, a log shipper): a checkpoint is worth as much as the
distance between it and the database.

The sealer writes one when AUDIT_CHECKPOINT_EVERY events were sealed since the last one, or when
AUDIT_CHECKPOINT_SECONDS passed and the head moved. Events sealed after the newest checkpoint are
protected by the triggers and the MACs only: deleting them from the tail goes unnoticed. That is the
window, bounded by those two settings (and by how often the sealer runs, see sealer.py).
"""
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import signing

log = logging.getLogger(__name__)

FILE_NAME = "checkpoints.jsonl"
MAILED_NAME = "checkpoints.mailed"
FIELDS = ("seq", "event_id", "head", "at", "key_id", "sig")


@dataclass(frozen=True)
class Line:
    number: int
    checkpoint: dict | None  # None: the line is not a checkpoint (edited, cut)


def checkpoint_file(folder):
    return Path(folder) / FILE_NAME


def read(folder):
    """Every line of the file, numbered from 1; a line that does not parse is kept as a problem."""
    path = checkpoint_file(folder)
    if not path.exists():
        return []
    lines = []
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                lines.append(Line(number, _parse(text)))
    return lines


def _parse(text):
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or set(data) != set(FIELDS):
        return None
    return data


def newest(folder):
    """The last checkpoint written, read from the end of the file (it grows by a line a minute at most)."""
    path = checkpoint_file(folder)
    if not path.exists():
        return None
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        handle.seek(max(0, handle.tell() - 4096))
        tail = handle.read().decode("utf-8", errors="replace").strip().splitlines()
    return _parse(tail[-1]) if tail else None


def is_due(last, head_seq, now, every, seconds):
    """A checkpoint is due when the head moved past the last one by `every` events, or by any number
    of events once `seconds` passed since it."""
    if head_seq == 0:
        return False
    if last is None:
        return True
    moved = head_seq - int(last["seq"])
    if moved <= 0:
        return False
    return moved >= every or (now - datetime.fromisoformat(last["at"])).total_seconds() >= seconds


def make(key, seq, event_id, head, at):
    checkpoint = {"seq": seq, "event_id": event_id, "head": head, "at": at.isoformat(), "key_id": signing.key_id(key)}
    checkpoint["sig"] = signing.checkpoint_signature(key, checkpoint)
    return checkpoint


def append(folder, checkpoint):
    """One line, appended and flushed to disk before the sealer says it is written."""
    path = checkpoint_file(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(checkpoint, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return checkpoint


def unmailed(folder):
    """Checkpoints written since the last mail, oldest first."""
    mark = Path(folder) / MAILED_NAME
    last_mailed = int(mark.read_text().strip() or 0) if mark.exists() else 0
    return [line.checkpoint for line in read(folder) if line.checkpoint and int(line.checkpoint["seq"]) > last_mailed]


def mark_mailed(folder, seq):
    (Path(folder) / MAILED_NAME).write_text(str(seq))


def mail_unsent(folder, to):
    """Send the operator the checkpoints not mailed yet, in one message; a failure waits for the next run.
    Called by sealers outside requests (worker, CLI): SMTP must never slow a page down."""
    from flask_babel import force_locale
    from flask_babel import gettext as _
    from markupsafe import escape

    from ..languages import DEFAULT_LANGUAGE
    from ..mail import MailError, Outgoing, send

    pending = unmailed(folder)
    if not to or not pending:
        return 0
    text = "\n".join(json.dumps(checkpoint, sort_keys=True) for checkpoint in pending) + "\n"
    with force_locale(DEFAULT_LANGUAGE):  # to the operator, outside any request
        subject = _("Audit checkpoint: %(count)s events sealed", count=pending[-1]["seq"])
    try:
        send(Outgoing(to=to, subject=subject, text=text, html=f"<pre>{escape(text)}</pre>"))
    except MailError:
        log.exception("audit checkpoint mail to %s failed; it goes with the next one", to)
        return 0
    mark_mailed(folder, pending[-1]["seq"])
    return len(pending)
