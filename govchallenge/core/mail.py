"""E-mail: rendered from templates/emails/<name>.txt and .html in the recipient's language, sent over
SMTP, or written to files in the embedded default. Called from jobs, never from a request.

Every message carries a Message-ID derived from its delivery (`stable_message_id`), never a random one:
a job that runs again after a failure sends the same Message-ID, so a mail system that received the
first copy recognises the second."""
import hashlib
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from .languages import DEFAULT_LANGUAGE, INTERFACE_LANGUAGES

log = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 15
FALLBACK_DOMAIN = "govchallenge.localhost"


class MailError(RuntimeError):
    """The message was not accepted; the job retries."""


class ConnectionLost(MailError):
    """The server closed the connection before it accepted the message."""


@dataclass(frozen=True)
class Outgoing:
    to: str
    subject: str
    text: str
    html: str
    message_id: str = ""


def message_domain():
    """The right-hand side of our Message-IDs: the host of BASE_URL, so ids of two installations differ."""
    return urlsplit(current_app.config.get("SERVER_NAME_FOR_LINKS") or "").hostname or FALLBACK_DOMAIN


def stable_message_id(kind, *ids):
    """`<sha256(kind:id:id…)@host of BASE_URL>`: the same delivery gives the same id, whatever the attempt.
    `ids` must name the delivery (its row, or the outbox row and the recipient), not the moment of sending."""
    key = ":".join(str(part) for part in (kind, *ids))
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()}@{message_domain()}>"


def render(template, language, to, subject, message_id="", **context):
    """`subject` is a callable returning a translated string, evaluated in the recipient's language.
    `message_id` names the delivery (see stable_message_id); every sender of the platform passes one."""
    language = language if language in INTERFACE_LANGUAGES else DEFAULT_LANGUAGE
    with force_locale(language):
        return Outgoing(
            to=to,
            subject=str(subject()),
            text=render_template(f"emails/{template}.txt", language=language, **context),
            html=render_template(f"emails/{template}.html", language=language, **context),
            message_id=message_id,
        )


def build_message(outgoing):
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = outgoing.to
    message["Subject"] = outgoing.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = outgoing.message_id or make_msgid(domain=message_domain())
    message.set_content(outgoing.text)
    message.add_alternative(outgoing.html, subtype="html")
    return message


def send(outgoing):
    """Hands one message over on its own connection; raises MailError when it was not accepted. Returns its
    Message-ID. A job sending many messages uses a Postbox instead, to keep one connection for them."""
    with Postbox() as postbox:
        return postbox.send(outgoing)


class Postbox:
    """Sends messages over one SMTP connection, opened at the first message and renewed after
    MAIL_MESSAGES_PER_CONNECTION messages (servers limit them) or after any failure (a connection that failed
    once is never trusted again). Without MAIL_SERVER, writes files, as `send` does.

    A message is delivered once the server accepted its DATA. Only what fails up to that point raises
    MailError (the job tries again); trouble when saying goodbye afterwards (a QUIT answered with 421, a
    dropped connection) is logged and changes nothing: sending again would duplicate an accepted message.
    A kept connection the server closed while idle is reopened once, at once, when it fails before the
    message was handed over (the server never had it)."""

    def __init__(self):
        config = current_app.config
        self._smtp_wanted = bool(config.get("MAIL_SERVER"))
        self._per_connection = max(1, int(config.get("MAIL_MESSAGES_PER_CONNECTION", 100)))
        self._smtp = None
        self._sent_on_connection = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, outgoing):
        message = build_message(outgoing)
        if self._smtp_wanted:
            self._send_smtp(message)
        else:
            _write_file(message)
        return message["Message-ID"]

    def close(self):
        if self._smtp is not None:
            _close(self._smtp)
            self._smtp = None

    def _send_smtp(self, message):
        if self._sent_on_connection >= self._per_connection:
            self.close()
        reused = self._smtp is not None
        try:
            self._hand_over(message)
        except ConnectionLost:
            if not reused:
                raise
            self._hand_over(message)  # the kept connection had gone stale while idle: one fresh try

    def _hand_over(self, message):
        try:
            if self._smtp is None:
                self._smtp = _connect()
                self._sent_on_connection = 0
                _open(self._smtp)
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise MailError(f"SMTP unreachable: {error}") from error
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPServerDisconnected as error:
            self._drop()
            raise ConnectionLost(f"SMTP server closed the connection: {error}") from error
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise MailError(f"SMTP refused or unreachable: {error}") from error
        self._sent_on_connection += 1

    def _drop(self):
        """Closes a connection that failed, without waiting for a polite goodbye."""
        if self._smtp is not None:
            try:
                self._smtp.close()
            finally:
                self._smtp = None


def _connect():
    config = current_app.config
    return smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS)


def _open(smtp):
    """What a new connection needs before its first message."""
    config = current_app.config
    if config.get("MAIL_USE_TLS"):
        smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])


def _close(smtp):
    try:
        code, answer = smtp.docmd("QUIT")
        if code != 221:
            log.info("SMTP server answered QUIT with %s %r; what it accepted stays delivered", code, answer)
    except (smtplib.SMTPException, OSError) as error:
        log.info("SMTP connection ended badly after the exchange (%s); what it accepted stays delivered", error)
    finally:
        smtp.close()


def _write_file(message):
    """The embedded default's mailbox: one file per Message-ID, so a repeated delivery replaces its copy."""
    folder = Path(current_app.config["MAIL_FILE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    safe_id = "".join(c for c in message["Message-ID"] if c.isalnum() or c in "-._")
    (folder / f"{safe_id}.eml").write_bytes(bytes(message))
