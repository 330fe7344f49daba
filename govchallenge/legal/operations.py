"""Every change to the legal pages. Operations flush, never commit; each change is audited with what changed."""
from govchallenge.core import audit
from govchallenge.extensions import db
from govchallenge.jobs import enqueue

from .models import SETTINGS_ID, LegalSettings, LegalText, text_row


def save_page_text(page, texts, actor):
    """Store the page's text for every language given; an empty language falls back to English."""
    texts = {code: text for code, text in texts.items() if text}
    row = text_row(page)
    before = dict(row.body) if row is not None else None
    if row is None:
        row = LegalText(page=page)
        db.session.add(row)
    row.body = texts
    row.updated_by_id = actor.id
    db.session.flush()
    changed = sorted(code for code in set(texts) | set(before or {}) if (before or {}).get(code) != texts.get(code))
    audit.record("legal.text_saved", actor=actor, object_type="legal_text", object_id=page,
                 languages=sorted(texts), changed=changed, first=before is None)
    return row


def save_settings(values, actor):
    row = db.session.get(LegalSettings, SETTINGS_ID)
    if row is None:
        row = LegalSettings(id=SETTINGS_ID)
        db.session.add(row)
    changed = sorted(name for name, value in values.items() if getattr(row, name) != value)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by_id = actor.id
    db.session.flush()
    audit.record("legal.settings_saved", actor=actor, object_type="legal_settings", object_id=SETTINGS_ID,
                 changed=changed)
    return row


def send_contact_message(name, email, message, language):
    """Queue the message to the operator; the job reads the operator's address when it runs. Nothing else is
    stored: the message lives in the outbox row until the mail is sent."""
    return enqueue("govchallenge.legal.jobs.send_contact_message", name, email, message, language)
