"""What a change of a legal text or of the operator's details stores and audits, on legal/operations.py directly
(fast enough to run per mutant, tools/mutation.toml)."""
import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.legal import operations
from govchallenge.legal.models import LegalSettings, text_row
from tests.support import factories


def events(action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).scalars().all()


def test_saving_a_page_text_stores_the_languages_given_and_audits_what_changed(app):
    admin = factories.make_user(email="admin@platform.eu", name="Ada Admin", admin=True)
    row = operations.save_page_text("contact", {"en": "Ring.", "pl": "Zadzwoń.", "el": ""}, admin)
    assert text_row("contact") is row and row.body == {"en": "Ring.", "pl": "Zadzwoń."}
    assert row.updated_by_id == admin.id
    [first] = events("legal.text_saved")
    assert first.actor_id == admin.id and first.object_type == "legal_text" and first.object_id == "contact"
    assert first.detail["languages"] == ["en", "pl"] and first.detail["changed"] == ["en", "pl"]
    assert first.detail["first"] is True

    other = factories.make_user(email="other@platform.eu", name="Otto Other", admin=True)
    again = operations.save_page_text("contact", {"en": "Ring.", "de": "Rufen Sie an.", "pl": ""}, other)
    assert again is row and row.body == {"en": "Ring.", "de": "Rufen Sie an."} and row.updated_by_id == other.id
    second = events("legal.text_saved")[-1]
    assert second.detail["changed"] == ["de", "pl"]  # pl removed, de added, en the same
    assert second.detail["languages"] == ["de", "en"] and second.detail["first"] is False
    assert len(events("legal.text_saved")) == 2


def test_saving_the_settings_stores_them_and_audits_the_fields_that_changed(app):
    admin = factories.make_user(email="admin@platform.eu", name="Ada Admin", admin=True)
    row = operations.save_settings({"operator_name": "Δήμος", "contact_email": "a@b.gr"}, admin)
    assert db.session.get(LegalSettings, 1) is row and row.operator_name == "Δήμος" and row.updated_by_id == admin.id
    [first] = events("legal.settings_saved")
    assert first.actor_id == admin.id and first.object_type == "legal_settings" and first.object_id == "1"
    assert first.detail["changed"] == ["contact_email", "operator_name"]
    other = factories.make_user(email="other@platform.eu", name="Otto Other", admin=True)
    again = operations.save_settings({"operator_name": "Δήμος", "contact_email": "c@d.gr"}, other)
    assert again is row and row.contact_email == "c@d.gr" and row.updated_by_id == other.id
    assert events("legal.settings_saved")[-1].detail["changed"] == ["contact_email"]
