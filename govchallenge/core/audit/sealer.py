"""The sealer: chains committed events in the order it finds them, away from the writers' path.

Why not chain in `record()`: each writer would have to read the last link and hold a lock until its
commit, so every audited write of the platform (logins, submissions, reviews) would wait for every other
one. Measured on PostgreSQL (bench/bench_audit_writes.py, README): with 10 ms of work between the audit
write and the commit the global lock holds 8 writers to the rate of one (49 writes/s, p50 164 ms), while
writers that only insert reach 129/s (p50 32 ms). Chains per challenge would not help where it matters:
a deadline burst writes to one challenge.

How it works:
- `record()` inserts the event with its own MAC and a row in audit_pending, in the writer's transaction.
  No lock, no read of other rows.
- `seal()` takes the lock that only sealers take (a PostgreSQL advisory lock; SQLite serialises writers
  itself), reads the pending events that are committed, and appends for each, in id order, a seal:
  the next `seq` and MAC(seq, event id, event MAC, moment, previous MAC). Then it deletes their pending
  rows, all in one transaction. An event whose own MAC is wrong was not written by this application: it
  is left unsealed for `audit verify` to name.
- Order: the chain follows the order in which the sealer sees commits, not ids. A transaction that took
  id 10 and commits after id 11 was sealed is simply sealed next, at a later seq; nothing waits for
  transactions still in flight, and no committed event can be skipped.

When it runs, and the window before sealing: after a commit that recorded events (at once in the
embedded default; at most once per AUDIT_SEAL_INTERVAL seconds per process otherwise, never waiting for
another sealer: a seal run on every audited request costs writers more than it saves, see the
benchmark), in the worker's loop, by `flask audit seal`, and at the start of `flask audit verify`. So
while the platform writes, an event is sealed within AUDIT_SEAL_INTERVAL seconds (1 by default) of its
commit; in a quiet moment the last events wait for the worker's next sweep (5 s) or the next write.
After sealing, `checkpoints` anchors the head outside the database.
"""
import logging
import threading
import time

import sqlalchemy as sa
from flask import current_app, has_request_context

from govchallenge.extensions import db

from ..timeutil import utcnow
from . import checkpoints, signing
from .models import AuditEvent, AuditPending, AuditSeal, event_payload

log = logging.getLogger(__name__)

SEALER_LOCK = 7240002  # pg advisory lock key; only sealers take it
BATCH = 1000
MAX_ROUNDS = 100  # a run stops after this many batches; the next run goes on

# One sealer per process at a time. The after-commit hook runs while the writer still holds its own
# connection: were every writer of a burst to seal, each would ask the pool for a second connection and
# a full pool would wait for itself. So a burst asks for one extra connection, not one per writer.
_PROCESS_SEALER = threading.Lock()
_missed = threading.Event()  # a commit found the process's sealer busy: it must look once more
_last_run = [float("-inf")]  # time.monotonic() of this process's last sealer run


def seconds_since_last_seal():
    return time.monotonic() - _last_run[0]


def audit_key():
    config = current_app.config
    return signing.derive_key(config.get("AUDIT_KEY", ""), config["SECRET_KEY"])


def checkpoint_folder():
    return current_app.config["AUDIT_CHECKPOINT_DIR"]


def seal(wait=True, force_checkpoint=False):
    """Seal every committed pending event; then write a checkpoint if one is due. Returns how many
    were sealed. `wait=False` (after a commit) gives up at once when another sealer is at work."""
    if not _PROCESS_SEALER.acquire(blocking=wait):
        _missed.set()
        return 0
    try:
        return _seal_and_anchor(wait, force_checkpoint)
    finally:
        _last_run[0] = time.monotonic()
        _PROCESS_SEALER.release()


def _seal_and_anchor(wait, force_checkpoint):
    """Passes of up to BATCH events until one comes back short and no commit of this process found the
    sealer busy meanwhile: one transaction in the usual case."""
    key = audit_key()
    sealed, last_head = 0, None
    for _ in range(MAX_ROUNDS):
        _missed.clear()
        outcome = _seal_batch(key, wait)
        if outcome is None:  # another process's sealer holds the lock
            break
        count, pass_head = outcome
        sealed, last_head = sealed + count, pass_head or last_head
        if count < BATCH and not _missed.is_set():
            break
    if sealed or wait or force_checkpoint:  # after a commit that sealed nothing, the busy sealer anchors
        _checkpoint(key, last_head, force=force_checkpoint)
    if not has_request_context() and current_app.config.get("AUDIT_CHECKPOINT_EMAIL"):
        checkpoints.mail_unsent(checkpoint_folder(), current_app.config["AUDIT_CHECKPOINT_EMAIL"])
    return sealed


def _take_lock(connection, wait):
    if connection.dialect.name != "postgresql":
        return True
    if wait:
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEALER_LOCK})
        return True
    return bool(connection.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": SEALER_LOCK}).scalar())


def head(connection):
    """(seq, chain MAC, event id) of the last seal, or (0, GENESIS, None) before the first."""
    row = connection.execute(
        sa.select(AuditSeal.seq, AuditSeal.mac, AuditSeal.event_id).order_by(AuditSeal.seq.desc()).limit(1)
    ).first()
    return tuple(row) if row else (0, signing.GENESIS, None)


def _seal_batch(key, wait, attempts=3):
    """One transaction: None if the lock is busy, else (pending rows taken, sealed or refused; the head
    after them). Two SQLite sealers may race to the same seq: the loser's insert fails on the key and
    it tries again."""
    try:
        with db.engine.begin() as connection:
            if not _take_lock(connection, wait):
                return None
            events = connection.execute(
                sa.select(AuditEvent.__table__)
                .join(AuditPending.__table__, AuditPending.event_id == AuditEvent.id)
                .order_by(AuditEvent.id)
                .limit(BATCH)
            ).all()
            if not events:
                return 0, None
            return len(events), _append_seals(connection, key, events)
    except sa.exc.IntegrityError:
        log.info("another sealer appended the same seals first; trying again")
        return _seal_batch(key, wait, attempts - 1) if wait and attempts > 1 else (0, None)


def _append_seals(connection, key, events):
    """Chain `events` after the head; returns the new head (seq, chain MAC, event id)."""
    seq, prev, event_id = head(connection)
    seals, refused = [], []
    for event in events:
        if not signing.same(signing.event_mac(key, event_payload(event)), event.mac):
            refused.append(event.id)
            continue
        seq, event_id, sealed_at = seq + 1, event.id, utcnow()
        prev = signing.seal_mac(key, seq, event.id, event.mac, sealed_at, prev)
        seals.append({"seq": seq, "event_id": event.id, "sealed_at": sealed_at, "mac": prev})
    if seals:
        connection.execute(sa.insert(AuditSeal), seals)
    connection.execute(sa.delete(AuditPending).where(AuditPending.event_id.in_([e.id for e in events])))
    if refused:
        log.error("audit events %s carry a MAC this key did not make: left unsealed, `audit verify` names them", refused)
    return seq, prev, event_id


def _checkpoint(key, known_head=None, force=False):
    """Anchor the committed head outside the database when a checkpoint is due (or `force`). The head
    the last pass left is committed; without one (nothing sealed here) it is read."""
    folder = checkpoint_folder()
    config = current_app.config
    if known_head is None:
        with db.engine.connect() as connection:
            known_head = head(connection)
    seq, mac, event_id = known_head
    last = checkpoints.newest(folder)
    now = utcnow()
    if force and seq and (last is None or int(last["seq"]) != seq or last["head"] != mac):
        due = True
    else:
        due = checkpoints.is_due(last, seq, now, config["AUDIT_CHECKPOINT_EVERY"], config["AUDIT_CHECKPOINT_SECONDS"])
    if due:
        return checkpoints.append(folder, checkpoints.make(key, seq, event_id, mac, now))
    return None
