"""What `verify()` reports, field by field and word for word: the counts of an intact trail, and each
problem with the place it names (tests/core/test_audit.py tampers through the command line)."""
import json
import logging
from datetime import datetime

import sqlalchemy as sa

from govchallenge.core import audit
from govchallenge.core.audit import AuditEvent, AuditPending, AuditSeal, Problem, checkpoints, signing
from govchallenge.core.audit.sealer import audit_key
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from tests.core.test_audit import ACTIONS, _as_owner_of_the_database, _delete, _record_events


def without_checkpoints(app):
    """Tests of the chain alone: the first commit's checkpoint would name a change at seq 1 too."""
    checkpoints.checkpoint_file(app.config["AUDIT_CHECKPOINT_DIR"]).unlink(missing_ok=True)


def checkpointed_app(make_app, **settings):
    return make_app(AUDIT_CHECKPOINT_EVERY=1, AUDIT_CHECKPOINT_SECONDS=3600, **settings)


def test_an_intact_trail_reports_its_counts_and_no_problem(make_app):
    app = checkpointed_app(make_app)
    with app.app_context():
        _record_events(3)
        report = audit.verify()
    assert (report.sealed, report.head_seq, report.pending, report.checkpoints, report.problems) == (3, 3, 0, 3, [])
    assert report.ok


def test_an_event_committed_a_moment_ago_is_pending_not_a_problem(make_app):
    app = make_app(AUDIT_SEAL_INTERVAL=3600)
    with app.app_context():
        audit.seal()
        _record_events(2)
        report = audit.verify()
    assert (report.sealed, report.pending, report.problems) == (0, 2, [])


def test_a_deleted_event_whose_seal_remains_is_named_at_its_seq(app):
    ids = _record_events(3)
    _as_owner_of_the_database(sa.delete(AuditEvent.__table__).where(AuditEvent.id == ids[1]))
    report = audit.verify()
    assert report.problems == [Problem(f"seq 2 (audit row {ids[1]})", "the event was deleted (its seal remains)")]
    assert (report.sealed, report.head_seq) == (3, 3)


def test_events_deleted_from_the_start_and_a_gap_of_two_are_named_with_their_range(app):
    ids = _record_events(5)
    _as_owner_of_the_database(*_delete(ids[0]), *_delete(ids[2], ids[3]))
    without_checkpoints(app)
    report = audit.verify()
    assert report.problems == [
        Problem("seq 1", f"missing: sealed events were deleted between the start and audit row {ids[1]}"),
        Problem("seq 3-4", f"missing: sealed events were deleted between audit row {ids[1]} and audit row {ids[4]}"),
    ]
    assert (report.sealed, report.head_seq) == (2, 5)
    assert str(report.problems[0]) == f"BROKEN at seq 1: missing: sealed events were deleted between the start and audit row {ids[1]}"


def test_a_changed_event_is_named_and_its_seal_is_not_blamed(app):
    ids = _record_events(3)
    _as_owner_of_the_database(sa.update(AuditEvent.__table__).where(AuditEvent.id == ids[2]).values(detail={"x": 1}))
    assert audit.verify().problems == [
        Problem(f"seq 3 (audit row {ids[2]}, {ACTIONS[2]})", "its content no longer matches its MAC: a field was changed"),
    ]


def test_a_seal_rewritten_alone_breaks_the_chain_there(app):
    ids = _record_events(3)
    _as_owner_of_the_database(sa.update(AuditSeal.__table__).where(AuditSeal.seq == 3).values(mac="0" * 64))
    assert audit.verify().problems == [
        Problem(f"seq 3 (audit row {ids[2]}, {ACTIONS[2]})",
                "its seal does not match the chain: the chain was rewritten or forged from here"),
    ]


def test_every_event_changed_is_one_problem_the_key(app):
    _record_events(2)
    _as_owner_of_the_database(sa.update(AuditEvent.__table__).values(actor_label="x"))
    assert audit.verify().problems == [Problem(
        "seq 1", "no event matches its MAC: AUDIT_KEY is not the key this trail was written with (or every row was rewritten)")]


def test_an_event_neither_sealed_nor_queued_is_named(app):
    ids = _record_events(2)
    _as_owner_of_the_database(*_delete(ids[1])[:2])  # its seal and its queue row go, the event stays
    report = audit.verify()
    assert report.problems == [Problem(f"audit row {ids[1]} ({ACTIONS[1]}), not sealed",
                                       "neither sealed nor queued for sealing: its seal was deleted or it was moved")]
    assert report.pending == 0


def test_an_unsealed_event_with_a_foreign_mac_is_named_forged(app):
    ids = _record_events(1)
    _as_owner_of_the_database(*_delete(ids[0])[:1],
                              sa.update(AuditEvent.__table__).where(AuditEvent.id == ids[0]).values(nonce="e" * 32))
    db.session.execute(sa.insert(AuditPending.__table__).values(event_id=ids[0]))
    db.session.commit()
    without_checkpoints(app)
    report = audit.verify()
    assert report.problems == [Problem(f"audit row {ids[0]} ({ACTIONS[0]}), not sealed",
                                       "its MAC was not made with this key: forged, inserted outside the application")]
    assert report.pending == 0


def test_the_sealer_refuses_a_queued_event_with_a_foreign_mac_and_still_seals_the_ones_after_it(make_app, caplog):
    app = make_app(AUDIT_SEAL_INTERVAL=3600)  # the commits below leave their events queued, one batch
    with app.app_context():
        audit.seal()
        ids = _record_events(3)
        _as_owner_of_the_database(sa.update(AuditEvent.__table__).where(AuditEvent.id == ids[1]).values(nonce="e" * 32))
        caplog.set_level(logging.ERROR, logger="govchallenge.core.audit.sealer")
        audit.seal()
        seals = db.session.execute(sa.select(AuditSeal.seq, AuditSeal.event_id).order_by(AuditSeal.seq)).all()
        queued = db.session.execute(sa.select(AuditPending.event_id)).scalars().all()
        report = audit.verify()
    assert [event_id for _, event_id in seals] == [ids[0], ids[2]]
    assert [seq for seq, _ in seals] == [1, 2] and queued == []
    assert report.problems == [Problem(f"audit row {ids[1]} ({ACTIONS[1]}), not sealed",
                                       "its MAC was not made with this key: forged, inserted outside the application")]
    [logged] = [r for r in caplog.records if r.name == "govchallenge.core.audit.sealer"]
    assert logged.getMessage() == (f"audit events [{ids[1]}] carry a MAC this key did not make: left unsealed, "
                                   "`audit verify` names them")


# --- the checkpoints ---------------------------------------------------------------------------------------

def rewrite_checkpoints(app, change):
    path = checkpoints.checkpoint_file(app.config["AUDIT_CHECKPOINT_DIR"])
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    path.write_text("".join(line + "\n" for line in change(lines)))


def test_a_cut_tail_and_a_rewritten_head_are_named_against_the_checkpoint_that_saw_them(make_app):
    app = checkpointed_app(make_app)
    with app.app_context():
        ids = _record_events(4)
        key = audit_key()
        written = [line.checkpoint for line in checkpoints.read(app.config["AUDIT_CHECKPOINT_DIR"])]
        forged_head = dict(written[1], head="f" * 64)
        forged_head["sig"] = signing.checkpoint_signature(key, forged_head)
        rewrite_checkpoints(app, lambda lines: [json.dumps(c) for c in (written[0], forged_head, written[2], written[3])])
        _as_owner_of_the_database(*_delete(ids[3]))
        report = audit.verify()
    at_2, at_4 = written[1]["at"], written[3]["at"]
    assert report.problems == [
        Problem("seq 2", f"the chain differs from checkpoint line 2 ({at_2}): it was rewritten after seq 1 and at or before seq 2"),
        Problem("seq 4", f"the chain ends at seq 3, but checkpoint line 4 ({at_4}) recorded 4 sealed events up to "
                         f"audit row {ids[3]}: seq 4-4 were deleted"),
    ]
    assert report.checkpoints == 4


def test_checkpoint_lines_that_are_not_checkpoints_or_of_another_key_are_named(make_app):
    app = checkpointed_app(make_app)
    with app.app_context():
        _record_events(2)
        written = [line.checkpoint for line in checkpoints.read(app.config["AUDIT_CHECKPOINT_DIR"])]
        foreign = checkpoints.make(b"another key", 2, written[1]["event_id"], written[1]["head"],
                                   datetime.fromisoformat(written[1]["at"]))
        rewrite_checkpoints(app, lambda lines: ["not json", json.dumps(written[0]), json.dumps(foreign), json.dumps(foreign)])
        report = audit.verify()
        ours = signing.key_id(audit_key())
    assert report.problems == [
        Problem("checkpoint line 3", f"2 checkpoint(s) signed with key id {foreign['key_id']}, the AUDIT_KEY here has key id "
                                     f"{ours}: the wrong key is set, or the file belongs to another trail"),
        Problem("checkpoint line 1", "not a checkpoint: the file was edited"),
    ]


# --- a checkpoint asked for (`flask audit seal --checkpoint`) -------------------------------------------------

def written_heads(app):
    return [(line.checkpoint["seq"], line.checkpoint["head"]) for line in checkpoints.read(app.config["AUDIT_CHECKPOINT_DIR"])]


def chain_head():
    seal = db.session.execute(sa.select(AuditSeal).order_by(AuditSeal.seq.desc()).limit(1)).scalar_one()
    return seal.seq, seal.mac


def rarely_checkpointed_app(make_app):
    return make_app(AUDIT_CHECKPOINT_EVERY=1000, AUDIT_CHECKPOINT_SECONDS=3600)


def test_a_checkpoint_asked_for_anchors_a_head_that_moved_though_none_is_due(make_app):
    app = rarely_checkpointed_app(make_app)
    with app.app_context():
        _record_events(3)  # the first seal writes the first checkpoint; seq 2 and 3 are not due yet
        assert [seq for seq, _ in written_heads(app)] == [1]
        audit.seal(force_checkpoint=True)
        assert written_heads(app)[1:] == [chain_head()]


def test_a_checkpoint_asked_for_is_not_written_twice_for_the_same_head(make_app):
    app = rarely_checkpointed_app(make_app)
    with app.app_context():
        _record_events(2)
        audit.seal(force_checkpoint=True)
        audit.seal(force_checkpoint=True)
        heads = written_heads(app)
        assert [seq for seq, _ in heads] == [1, 2] and heads[-1] == chain_head()


def test_a_checkpoint_asked_for_without_any_written_anchors_the_head(make_app):
    app = rarely_checkpointed_app(make_app)
    with app.app_context():
        _record_events(2)
        without_checkpoints(app)
        audit.seal(force_checkpoint=True)
        assert written_heads(app) == [chain_head()]


def test_a_checkpoint_asked_for_anchors_the_head_when_the_newest_records_another_at_the_same_seq(make_app):
    app = rarely_checkpointed_app(make_app)
    with app.app_context():
        ids = _record_events(1)
        seq, mac = chain_head()
        without_checkpoints(app)
        checkpoints.append(app.config["AUDIT_CHECKPOINT_DIR"], checkpoints.make(audit_key(), seq, ids[0], "f" * 64, utcnow()))
        audit.seal(force_checkpoint=True)
        assert written_heads(app) == [(seq, "f" * 64), (seq, mac)]


def test_a_checkpoint_asked_for_on_an_empty_chain_writes_nothing(make_app):
    app = rarely_checkpointed_app(make_app)
    with app.app_context():
        audit.seal(force_checkpoint=True)
        assert written_heads(app) == []
