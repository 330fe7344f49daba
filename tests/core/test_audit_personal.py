"""Personal data in the audit trail lives beside the signed events (AuditPersonal): the event's MAC covers only a
salted digest of it, so erasing it leaves every MAC and the chain intact, while changing it is caught."""
import sqlalchemy as sa

from govchallenge.core import audit
from govchallenge.core.audit import signing
from govchallenge.core.audit.sealer import audit_key
from govchallenge.extensions import db
from tests.support.factories import make_user


def _recorded(**detail):
    user = make_user(email="someone@example.eu")
    db.session.commit()
    event = audit.record("team.invited", user, actor=user, **detail)
    db.session.commit()
    return user, event.id


def test_the_address_and_the_invited_address_are_kept_outside_the_signed_payload(app):
    user, event_id = _recorded(email="invited@example.eu", invitation_id=3)
    event = db.session.get(audit.AuditEvent, event_id)
    assert event.actor_label == "" and event.ip_address == "" and event.detail == {"invitation_id": 3}
    assert event.personal.data == {"actor_label": "someone@example.eu", "email": "invited@example.eu"}
    assert event.personal.user_id == user.id and event.personal.email_digest == audit.email_digest("INVITED@example.eu ")
    assert event.personal_digest == audit.personal_commitment(event.personal.salt, event.personal.data)
    assert event.shown_actor == "someone@example.eu" and event.shown_detail["email"] == "invited@example.eu"
    assert audit.event_payload(event)["personal_digest"] == event.personal_digest


def test_erasing_the_personal_part_keeps_the_trail_verifying(app):
    user, event_id = _recorded(email="invited@example.eu")
    assert audit.erase_personal_data(user.id, user.email) == 1
    db.session.commit()
    event = db.session.get(audit.AuditEvent, event_id)
    assert event.personal is None and event.shown_actor == "" and "email" not in event.shown_detail
    assert audit.seal() >= 0 and audit.verify().ok


def test_erasing_by_the_invited_address_alone(app):
    user, event_id = _recorded(email="invited@example.eu")
    assert audit.erase_personal_data(-1, "Invited@Example.eu") == 1
    db.session.commit()
    assert audit.verify().ok


def test_a_changed_personal_part_is_caught(app):
    user, event_id = _recorded(email="invited@example.eu")
    audit.seal()
    db.session.execute(sa.update(audit.AuditPersonal).values(data={"actor_label": "someone@else.eu"}))
    db.session.commit()
    report = audit.verify()
    assert not report.ok
    assert any("personal data" in str(problem) and f"audit row {event_id}" in str(problem) for problem in report.problems)


def test_an_event_without_personal_data_is_signed_as_before(app):
    event = audit.record("jobs.ping", object_type="job", object_id="x")
    db.session.commit()
    assert event.personal_digest is None and event.personal is None
    assert "personal_digest" not in audit.event_payload(event)
    assert signing.same(signing.event_mac(audit_key(), audit.event_payload(event)), event.mac)


def test_the_address_of_a_request_is_personal_data(app, client):
    make_user(email="who@where.eu")
    db.session.commit()
    client.post("/login", data={"email": "who@where.eu", "password": "wrong-password-123"},
                environ_base={"REMOTE_ADDR": "192.0.2.9"})
    event = db.session.execute(sa.select(audit.AuditEvent).where(audit.AuditEvent.action == "account.login_failed")).scalar_one()
    assert event.ip_address == "" and event.personal.data == {"ip_address": "192.0.2.9"}
    assert event.personal.user_id is not None  # about the account signed in to, so erased with it
