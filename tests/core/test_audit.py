"""The audit trail: every kind of tampering is caught and named where it happened, on both databases;
the database itself refuses changes; writers never wait for each other (real concurrent PostgreSQL)."""
import json
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from govchallenge.core import audit
from govchallenge.core.audit import AuditEvent, AuditPending, AuditSeal, checkpoints, signing, triggers
from govchallenge.core.audit.sealer import audit_key
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from tests.support.factories import make_user

ACTIONS = ("account.login", "jury.score_submitted", "results.published", "challenge.approved")


def _record_events(count=3):
    """`count` events, each committed on its own (as requests do); returns their ids in order."""
    user = make_user()
    db.session.commit()
    ids = []
    for n in range(count):
        ids.append(audit.record(ACTIONS[n % len(ACTIONS)], user, actor=user, note=f"event {n}", score=n).id)
        db.session.commit()
    return ids


def _verify(app):
    db.session.commit()
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def _as_owner_of_the_database(*statements):
    """What an attacker who owns the database can do: drop the triggers (and on PostgreSQL skip the
    foreign keys too), change rows, put the triggers back."""
    db.session.commit()
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
        triggers.drop(connection)
        for statement in statements:
            connection.execute(statement)
        triggers.create(connection)
    db.session.expire_all()


def _event(event_id):
    return db.session.get(AuditEvent, event_id)


def _seal_of(event_id):
    return db.session.execute(sa.select(AuditSeal).where(AuditSeal.event_id == event_id)).scalar_one()


def _columns_of(event_id):
    event = _event(event_id)
    return {c.name: getattr(event, c.name) for c in AuditEvent.__table__.columns if c.name not in ("id", "mac")}


def _delete(*event_ids):
    return [
        sa.delete(AuditSeal.__table__).where(AuditSeal.event_id.in_(event_ids)),
        sa.delete(AuditPending.__table__).where(AuditPending.event_id.in_(event_ids)),
        sa.delete(AuditEvent.__table__).where(AuditEvent.id.in_(event_ids)),
    ]


# --- what an intact trail looks like ----------------------------------------------------------------

def test_each_commit_seals_its_events_into_the_chain_in_order(app):
    ids = _record_events(3)
    seals = db.session.execute(sa.select(AuditSeal).order_by(AuditSeal.seq)).scalars().all()
    assert [(s.seq, s.event_id) for s in seals] == [(1, ids[0]), (2, ids[1]), (3, ids[2])]
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditPending)).scalar() == 0
    assert audit.verify().ok


def test_within_the_seal_interval_a_commit_leaves_its_events_to_a_later_sealer(make_app):
    app = make_app(AUDIT_SEAL_INTERVAL=3600)
    with app.app_context():
        audit.seal()  # this process sealed just now
        event_id = _record_events(1)[0]
        assert db.session.execute(sa.select(AuditPending.event_id)).scalars().all() == [event_id]
        result = _verify(app)  # verify seals first
    assert result.exit_code == 0, result.output
    assert "OK: 1 audit rows sealed" in result.output


def test_the_verify_command_passes_on_an_intact_trail(app):
    _record_events(3)
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "OK: 3 audit rows sealed" in result.output


def test_the_mac_covers_every_column_but_the_id_and_the_mac_itself(app):
    # The id is covered by the seal (event_id); a new column left out of event_payload fails here.
    event = _event(_record_events(1)[0])
    columns = {c.name for c in AuditEvent.__table__.columns}
    assert set(audit.event_payload(event)) == columns - {"id", "mac"}


# --- tampering, one kind at a time ------------------------------------------------------------------

TAMPERED = {
    "id": 999_999,
    "created_at": utcnow() - timedelta(days=3),
    "actor_id": 424_242,
    "actor_label": "someone@else.eu",
    "action": "account.logout",
    "object_type": "team",
    "object_id": "77",
    "detail": {"note": "event 1", "score": 100},
    "ip_address": "10.0.0.66",
    "nonce": "f" * 32,
    "mac": "a" * 64,
    "personal_digest": "b" * 64,
}


@pytest.mark.parametrize("column", [c.name for c in AuditEvent.__table__.columns])
def test_a_change_to_any_field_of_an_event_is_named(app, column):
    assert column in TAMPERED, f"add a tampered value for the new column {column!r}"
    ids = _record_events(3)
    if column == "id":
        _as_owner_of_the_database(
            sa.delete(AuditPending.__table__),
            sa.text("UPDATE audit_event SET id = :new WHERE id = :old").bindparams(new=TAMPERED["id"], old=ids[1]),
        )
    else:
        _as_owner_of_the_database(sa.update(AuditEvent.__table__).where(AuditEvent.id == ids[1]).values({column: TAMPERED[column]}))
    result = _verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at seq 2 (audit row {ids[1]}" in result.output
    assert "seq 1 " not in result.output and "seq 3 " not in result.output


def test_a_row_deleted_in_the_middle_is_blamed_on_the_gap_not_on_the_next_row(app):
    ids = _record_events(4)
    _as_owner_of_the_database(*_delete(ids[1]))
    result = _verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at seq 2: missing: sealed events were deleted between audit row {ids[0]} and audit row {ids[2]}" in result.output
    assert "seq 3" not in result.output and "seq 4" not in result.output


def test_rows_deleted_from_the_tail_are_caught_by_the_checkpoint(make_app):
    app = make_app(AUDIT_CHECKPOINT_EVERY=1)
    with app.app_context():
        ids = _record_events(4)
        _as_owner_of_the_database(*_delete(ids[2], ids[3]))
        result = _verify(app)
    assert result.exit_code == 1
    assert "BROKEN at seq 3: the chain ends at seq 2, but checkpoint line" in result.output
    assert "seq 3-4 were deleted" in result.output


def _reseal_from(seq, key, ids):
    """Rewrite the seals from `seq` on, consistently, with `key` (the attacker's own, or the real one)."""
    seals = db.session.execute(sa.select(AuditSeal).where(AuditSeal.seq < seq).order_by(AuditSeal.seq.desc()).limit(1)).scalar()
    prev = seals.mac if seals else signing.GENESIS
    statements = []
    for position, event_id in enumerate(ids[seq - 1:], start=seq):
        seal, event = _seal_of(event_id), _event(event_id)
        prev = signing.seal_mac(key, position, event_id, event.mac, seal.sealed_at, prev)
        statements.append(sa.update(AuditSeal.__table__).where(AuditSeal.seq == position).values(mac=prev))
    return statements


def _rewrite_event(event_id, key, **changes):
    event = _event(event_id)
    payload = {**audit.event_payload(event), **changes}
    return sa.update(AuditEvent.__table__).where(AuditEvent.id == event_id).values(**changes, mac=signing.event_mac(key, payload))


def test_a_chain_rewritten_from_a_row_on_without_the_key_breaks_there(app):
    # Events untouched (their MACs hold), their order in the chain swapped from seq 2 on, the seals
    # recomputed with a key of the forger's own: the break is at seq 2, the first rewritten seal.
    ids = _record_events(4)
    reordered = [ids[0], ids[2], ids[1], ids[3]]
    _as_owner_of_the_database(
        sa.update(AuditSeal.__table__).where(AuditSeal.seq == 2).values(event_id=-1),
        sa.update(AuditSeal.__table__).where(AuditSeal.seq == 3).values(event_id=ids[1]),
        sa.update(AuditSeal.__table__).where(AuditSeal.seq == 2).values(event_id=ids[2]),
    )
    _as_owner_of_the_database(*_reseal_from(2, b"not-the-audit-key", reordered))
    result = _verify(app)
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if line.startswith("BROKEN")]
    assert problems[0] == f"BROKEN at seq 2 (audit row {ids[2]}, {ACTIONS[2]}): its seal does not match the chain: the chain was rewritten or forged from here"
    assert "seq 1 " not in result.output and "content" not in result.output


def test_a_chain_rewritten_with_the_key_disagrees_with_the_checkpoints(make_app):
    app = make_app(AUDIT_CHECKPOINT_EVERY=2)
    with app.app_context():
        ids = _record_events(4)  # checkpoints at seq 1 (the first seal) and seq 3
        key = audit_key()
        _as_owner_of_the_database(_rewrite_event(ids[2], key, action="account.logout"))
        _as_owner_of_the_database(*_reseal_from(3, key, ids))
        result = _verify(app)
    assert result.exit_code == 1
    assert "BROKEN at seq 3: the chain differs from checkpoint line 2" in result.output
    assert "rewritten after seq 1 and at or before seq 3" in result.output


def test_a_forged_sealed_append_is_named(app):
    ids = _record_events(2)
    forged = _columns_of(ids[1]) | {"action": "results.published", "nonce": "e" * 32}
    _as_owner_of_the_database(
        sa.insert(AuditEvent.__table__).values(id=ids[1] + 100, mac="b" * 64, **forged),
        sa.insert(AuditSeal.__table__).values(seq=3, event_id=ids[1] + 100, sealed_at=utcnow(), mac="c" * 64),
    )
    result = _verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at seq 3 (audit row {ids[1] + 100}, results.published): its content no longer matches" in result.output


def test_a_forged_event_slipped_into_the_queue_is_never_sealed_and_is_named(app):
    ids = _record_events(2)
    forged = _columns_of(ids[1]) | {"nonce": "d" * 32}
    forged_id = ids[1] + 50
    db.session.execute(sa.insert(AuditEvent.__table__).values(id=forged_id, mac="b" * 64, **forged))
    db.session.execute(sa.insert(AuditPending.__table__).values(event_id=forged_id))
    result = _verify(app)  # seals first: the sealer refuses the forged row
    assert result.exit_code == 1
    assert f"BROKEN at audit row {forged_id} ({ACTIONS[1]}), not sealed" in result.output and "forged" in result.output
    assert db.session.execute(sa.select(AuditSeal).where(AuditSeal.event_id == forged_id)).scalar() is None


def test_a_wrong_key_is_named_as_such(make_app):
    app = make_app(AUDIT_CHECKPOINT_EVERY=1)
    with app.app_context():
        _record_events(2)
        db.session.commit()
    other = make_app(AUDIT_KEY="another-key-entirely")
    with other.app_context():
        result = _verify(other)
    assert result.exit_code == 1
    assert "signed with key id" in result.output and "the wrong key is set" in result.output
    assert "AUDIT_KEY is not the key this trail was written with" in result.output


def test_an_edited_checkpoint_line_is_named(make_app):
    app = make_app(AUDIT_CHECKPOINT_EVERY=1)
    with app.app_context():
        _record_events(2)
        path = checkpoints.checkpoint_file(app.config["AUDIT_CHECKPOINT_DIR"])
        lines = path.read_text().splitlines()
        edited = json.loads(lines[0]) | {"seq": 2}
        path.write_text("\n".join([json.dumps(edited)] + lines[1:]) + "\n")
        result = _verify(app)
    assert result.exit_code == 1
    assert "BROKEN at checkpoint line 1: its signature does not match" in result.output


# --- the database refuses changes -------------------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event",
    "UPDATE audit_seal SET mac = 'x'", "DELETE FROM audit_seal",
])
def test_the_database_refuses_to_change_the_trail(app, statement):
    _record_events(2)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(sa.text(statement))
    assert audit.verify().ok


def test_rows_cannot_be_changed_through_the_application(app):
    event = _event(_record_events(1)[0])
    event.action = "something.else"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()


def test_details_json_cannot_carry_exactly_are_refused_when_recorded(app):
    for detail in ({"big": 2**53}, {"nan": float("nan")}):
        with pytest.raises(audit.UnsignableDetail):
            audit.record("account.login", **detail)
        db.session.rollback()


def test_details_are_signed_as_the_database_gives_them_back(app):
    # A tuple comes back a list, an integer key a string: the MAC must cover what is read later.
    user = make_user()
    audit.record("team.created", user, actor=user, pair=(1, 2), scores={3: "x"}, ratio=0.5, flag=None)
    db.session.commit()
    assert _verify(app).exit_code == 0


# --- checkpoints --------------------------------------------------------------------------------------

def test_checkpoints_are_written_every_n_events_and_signed(make_app):
    app = make_app(AUDIT_CHECKPOINT_EVERY=2, AUDIT_CHECKPOINT_SECONDS=3600)
    with app.app_context():
        ids = _record_events(5)
        key = audit_key()
        written = [line.checkpoint for line in checkpoints.read(app.config["AUDIT_CHECKPOINT_DIR"])]
    # The first commit anchors at once; then every second event.
    assert [(c["seq"], c["event_id"]) for c in written] == [(1, ids[0]), (3, ids[2]), (5, ids[4])]
    assert all(signing.same(signing.checkpoint_signature(key, c), c["sig"]) for c in written)
    assert {c["key_id"] for c in written} == {signing.key_id(key)}


@pytest.mark.parametrize("last_seq, last_age, head, due", [
    (None, 0, 0, False),   # nothing sealed yet
    (None, 0, 1, True),    # the first seal is anchored at once
    (10, 5, 10, False),    # the head did not move
    (10, 5, 11, False),    # one event, young checkpoint
    (10, 5, 20, True),     # `every` events
    (10, 61, 11, True),    # one event, old checkpoint
    (10, 61, 9, False),    # the chain is shorter: never anchor a cut tail over the evidence
])
def test_when_a_checkpoint_is_due(last_seq, last_age, head, due):
    now = utcnow()
    last = None if last_seq is None else {"seq": last_seq, "at": (now - timedelta(seconds=last_age)).isoformat()}
    assert checkpoints.is_due(last, head, now, every=10, seconds=60) is due


def test_checkpoints_are_mailed_to_the_operator_from_the_command_line(make_app, smtp):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, AUDIT_CHECKPOINT_EMAIL="audit@operator.eu")
    with app.app_context():
        ids = _record_events(2)
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["audit", "seal", "--checkpoint"])
    assert result.exit_code == 0, result.output
    # Outside requests each sealer mails the checkpoints not mailed yet: here the first commit's, then the forced one.
    bodies = [mail.message.get_body(("plain",)).get_content() for mail in smtp.to("audit@operator.eu")]
    mailed = [json.loads(line) for body in bodies for line in body.splitlines()]
    assert [(c["seq"], c["event_id"]) for c in mailed] == [(1, ids[0]), (2, ids[1])]


# --- concurrency on PostgreSQL --------------------------------------------------------------------------

def _in_another_session(app, work):
    """Run `work` in a thread with its own app context, hence its own database session and connection."""
    outcome = {}

    def run():
        with app.app_context():
            try:
                outcome["value"] = work()
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


@pytest.mark.only_db("postgresql")
def test_a_writer_does_not_wait_for_another_writers_open_transaction(app):
    user = make_user()
    db.session.commit()
    first = audit.record("account.login", user, actor=user).id  # this transaction stays open

    def second_writer():
        event = audit.record("jury.score_submitted", user, actor=user)
        db.session.commit()
        return event.id

    thread, outcome = _in_another_session(app, second_writer)
    thread.join(timeout=5)
    finished_while_first_open = not thread.is_alive()
    db.session.commit()  # the lower id commits after the higher one was sealed
    thread.join(timeout=10)
    assert finished_while_first_open, "a writer waited for another writer's transaction: a global lock is back"
    second = outcome["value"]
    assert second > first
    audit.seal()
    seals = db.session.execute(sa.select(AuditSeal.seq, AuditSeal.event_id).order_by(AuditSeal.seq)).all()
    assert [tuple(s) for s in seals] == [(1, second), (2, first)]
    assert audit.verify().ok


@pytest.mark.only_db("postgresql")
def test_concurrent_writers_leave_a_complete_valid_chain(app):
    user = make_user()
    db.session.commit()
    user_id = user.id
    writers, per_writer = 6, 15

    def write():
        from govchallenge.accounts.models import User

        author = db.session.get(User, user_id)
        for n in range(per_writer):
            audit.record("account.login", author, actor=author, n=n)
            db.session.commit()
        return True

    started = [_in_another_session(app, write) for _ in range(writers)]
    for thread, _ in started:
        thread.join(timeout=60)
    assert all(outcome.get("value") for _, outcome in started)
    audit.seal()
    report = audit.verify()
    assert report.ok, [str(p) for p in report.problems]
    assert (report.sealed, report.head_seq, report.pending) == (writers * per_writer, writers * per_writer, 0)


# --- the upgrade adopts the rows of the old chain -------------------------------------------------------

def _load_migration(name):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / name
    spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.only_db("sqlite")  # builds its own SQLite file from revision 0006, whatever the backend
def test_events_written_before_the_upgrade_are_adopted_and_the_downgrade_restores_the_old_chain(make_app, tmp_path):
    from flask_migrate import downgrade, upgrade

    url = f"sqlite:///{tmp_path / 'legacy.sqlite'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=url, DATABASE_URL=url)
    migration = _load_migration("0007_audit_seal.py")
    with app.app_context():
        upgrade(revision="0006_results")
        legacy = migration._events(["prev_hash", "hash"])
        prev = migration.LEGACY_GENESIS
        for n in range(3):
            row = dict(id=n + 1, created_at=utcnow().replace(microsecond=0), actor_id=None, actor_label="", action=f"old.{n}",
                       object_type="", object_id="", detail={"n": n}, ip_address="")
            digest = migration._legacy_hash(prev, SimpleNamespace(**row))
            db.session.execute(sa.insert(legacy).values(**row, prev_hash=prev, hash=digest))
            prev = digest
        db.session.commit()
        upgrade()
        assert audit.seal() == 3
        report = audit.verify()
        assert report.ok and report.sealed == 3, [str(p) for p in report.problems]
        downgrade(revision="0006_results")
        rows = db.session.execute(sa.select(legacy).order_by(legacy.c.id)).all()
        assert rows[-1].hash == prev and [r.action for r in rows] == ["old.0", "old.1", "old.2"]
        db.session.remove()
        db.engine.dispose()


def test_the_address_is_recorded_from_the_request(app, client):
    make_user(email="who@where.eu")
    db.session.commit()
    client.post("/login", data={"email": "who@where.eu", "password": "wrong-password-123"}, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "account.login_failed")).scalar_one()
    assert event.shown_ip == "192.0.2.7" and event.ip_address == ""
    assert audit.verify().ok
