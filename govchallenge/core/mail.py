"""E-mail: rendered from templates/emails/<name>.txt and .html in the recipient's language, sent over
SMTP, or written to files in the embedded default. Called from jobs, never from a request."""
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from .languages import DEFAULT_LANGUAGE, INTERFACE_LANGUAGES


class MailError(RuntimeError):
    """The message was not accepted; the job retries."""


@dataclass(frozen=True)
class Outgoing:
    to: str
    subject: str
    text: str
    html: str
    message_id: str = ""


def render(template, language, to, subject, **context):
    """`subject` is a callable returning a translated string, evaluated in the recipient's language."""
    language = language if language in INTERFACE_LANGUAGES else DEFAULT_LANGUAGE
    with force_locale(language):
        return Outgoing(
            to=to,
            subject=str(subject()),
            text=render_template(f"emails/{template}.txt", language=language, **context),
            html=render_template(f"emails/{template}.html", language=language, **context),
        )


def build_message(outgoing):
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = outgoing.to
    message["Subject"] = outgoing.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = outgoing.message_id or make_msgid(domain="govchallenge.localhost")
    message.set_content(outgoing.text)
    message.add_alternative(outgoing.html, subtype="html")
    return message


def send(outgoing):
    message = build_message(outgoing)
    if current_app.config.get("MAIL_SERVER"):
        _send_smtp(message)
    else:
        _write_file(message)
    return message["Message-ID"]


def _send_smtp(message):
    config = current_app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"SMTP refused or unreachable: {error}") from error


def _write_file(message):
    folder = Path(current_app.config["MAIL_FILE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    safe_id = "".join(c for c in message["Message-ID"] if c.isalnum() or c in "-._")
    (folder / f"{safe_id}.eml").write_bytes(bytes(message))
