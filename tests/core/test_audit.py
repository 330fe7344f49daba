import pytest
import sqlalchemy as sa

from govchallenge.core import audit
from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from tests.support.factories import make_user


def _three_events():
    user = make_user()
    for action in ("account.login", "jury.score_submitted", "results.published"):
        audit.record(action, user, actor=user, note=action)
    db.session.commit()
    return db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id)).scalars().all()


def test_each_row_carries_the_hash_of_the_one_before(app):
    events = _three_events()
    assert events[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert audit.first_broken_row() is None


def test_rows_cannot_be_changed_through_the_application(app):
    event = _three_events()[0]
    event.action = "something.else"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("column, value", [("action", "account.logout"), ("ip_address", "10.0.0.66"), ("actor_label", "x@y.z")])
def test_the_verify_command_names_the_changed_row(app, column, value):
    events = _three_events()
    tampered = events[1]
    db.session.execute(sa.update(AuditEvent.__table__).where(AuditEvent.id == tampered.id).values({column: value}))
    db.session.commit()
    db.session.expire_all()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at audit row {tampered.id}" in result.output


def test_a_deleted_row_breaks_the_next_link(app):
    events = _three_events()
    db.session.execute(sa.delete(AuditEvent.__table__).where(AuditEvent.id == events[1].id))
    db.session.commit()
    db.session.expire_all()
    assert audit.first_broken_row().id == events[2].id


def test_the_verify_command_passes_on_an_intact_chain(app):
    _three_events()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "OK: 3 audit rows" in result.output


def test_the_address_is_recorded_from_the_request(app, client):
    make_user(email="who@where.eu")
    db.session.commit()
    client.post("/login", data={"email": "who@where.eu", "password": "wrong-password-123"}, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "account.login_failed")).scalar_one()
    assert event.ip_address == "192.0.2.7"
