"""The embedded default's mailbox, read back: the messages the file mailer wrote to MAIL_FILE_DIR, so the local
operator can open a verification or invitation link without reading .eml files. Plain data out; the bodies are
decoded (quoted-printable, base64, any charset) by the standard library's e-mail parser."""
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from markupsafe import Markup, escape

FILE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,200}\.eml$")
# An address in a text body ends at white space or at a character that closes a sentence or a bracket.
LINK = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
LISTED = 200


@dataclass(frozen=True)
class Message:
    name: str
    to: str
    subject: str
    sent: datetime
    text: str


def _parse(path):
    with path.open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle)
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    try:
        sent = parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        sent = None
    if sent is None:
        sent = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
    return Message(path.name, str(message["To"] or ""), str(message["Subject"] or ""), sent, text)


def messages(folder, limit=LISTED):
    """The newest `limit` messages of the folder, newest first (none when it does not exist yet)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    paths = sorted((p for p in folder.iterdir() if FILE_NAME.match(p.name)), key=lambda p: p.stat().st_mtime,
                   reverse=True)
    return [_parse(path) for path in paths[:limit]]


def message(folder, name):
    """One message by its file name, or None: only a plain name of a file in the folder is ever opened."""
    if not FILE_NAME.match(name or ""):
        return None
    path = Path(folder) / name
    return _parse(path) if path.is_file() else None


def linkify(text):
    """The text, escaped, with each http(s) address made a link (the same characters, so it copies right)."""
    parts, last = [], 0
    for match in LINK.finditer(text):
        parts.append(escape(text[last:match.start()]))
        url = escape(match.group(0))
        parts.append(Markup(f'<a href="{url}">{url}</a>'))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)
