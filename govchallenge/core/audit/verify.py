"""Checking the trail: every event against its MAC, every seal against the one before, every checkpoint
against the chain. Each problem names where it is: a seq (position in the chain), an audit row id, or a
line of the checkpoint file, and says what it means.

What each kind of tampering looks like here:
- a field of an event changed (any field, detail included): its MAC no longer matches, at that seq;
- an event deleted from the middle: a seq is missing (a gap), named with the rows on either side; the
  rows after it are not blamed, since each seal links to the stored MAC before it;
- the tail deleted: a checkpoint records more sealed events than the chain holds;
- the chain rewritten from a row on: without the key, the seal MACs from there no longer match; with the
  key, a checkpoint written before records another head;
- a forged append: its MAC (event or seal) does not match; inserted without a queue row, or with a bad
  MAC, it stays unsealed and is named;
- a wrong AUDIT_KEY: checkpoints carry another key id, and no event matches.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa

from govchallenge.extensions import db

from . import checkpoints, signing
from .models import AuditEvent, AuditPending, AuditSeal, event_payload, personal_changed
from .sealer import audit_key, checkpoint_folder


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self):
        return f"BROKEN at {self.where}: {self.what}"


@dataclass
class Report:
    sealed: int = 0
    head_seq: int = 0
    pending: int = 0
    checkpoints: int = 0
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


def verify():
    """Check the whole trail as it is now (run `seal()` first so that committed events are chained)."""
    key = audit_key()
    lines = checkpoints.read(checkpoint_folder())
    report = Report(checkpoints=len(lines))
    wanted = {int(line.checkpoint["seq"]) for line in lines if line.checkpoint}
    heads = _check_chain(key, report, wanted)
    _check_unsealed(key, report)
    _check_checkpoints(key, report, lines, heads)
    return report


def _where(seq, event_id, event):
    action = f", {event.action}" if event is not None else ""
    return f"seq {seq} (audit row {event_id}{action})"


def _check_chain(key, report, wanted):
    """Walk the seals in seq order; returns {seq: chain MAC} for the seqs the checkpoints name."""
    heads = {}
    expected_seq, prev, prev_event_id = 1, signing.GENESIS, None
    content_failures = 0
    query = (
        sa.select(AuditSeal, AuditEvent)
        .outerjoin(AuditEvent, AuditEvent.id == AuditSeal.event_id)
        .order_by(AuditSeal.seq)
        .execution_options(yield_per=1000)
    )
    for seal, event in db.session.execute(query):
        report.sealed += 1
        linked = seal.seq == expected_seq
        if not linked:
            missing = f"seq {expected_seq}" if seal.seq == expected_seq + 1 else f"seq {expected_seq}-{seal.seq - 1}"
            after = f"audit row {prev_event_id}" if prev_event_id is not None else "the start"
            report.problems.append(Problem(missing, f"missing: sealed events were deleted between {after} and audit row {seal.event_id}"))
        where = _where(seal.seq, seal.event_id, event)
        if event is None:
            report.problems.append(Problem(where, "the event was deleted (its seal remains)"))
        else:
            if not signing.same(signing.event_mac(key, event_payload(event)), event.mac):
                content_failures += 1
                report.problems.append(Problem(where, "its content no longer matches its MAC: a field was changed"))
            elif personal_changed(event):
                report.problems.append(Problem(where, "its personal data (audit_personal) no longer matches the digest "
                                                      "its MAC covers: it was changed"))
            if linked and not signing.same(signing.seal_mac(key, seal.seq, seal.event_id, event.mac, seal.sealed_at, prev), seal.mac):
                report.problems.append(Problem(where, "its seal does not match the chain: the chain was rewritten or forged from here"))
        if seal.seq in wanted:
            heads[seal.seq] = seal.mac
        expected_seq, prev, prev_event_id = seal.seq + 1, seal.mac, seal.event_id
    report.head_seq = expected_seq - 1
    if report.sealed and content_failures == report.sealed:
        report.problems = [Problem("seq 1", "no event matches its MAC: AUDIT_KEY is not the key this trail was "
                                   "written with (or every row was rewritten)")]
    return heads


def _check_unsealed(key, report):
    """Events without a seal: committed a moment ago (queued, fine), or not written by this application."""
    query = (
        sa.select(AuditEvent, AuditPending.event_id)
        .outerjoin(AuditSeal, AuditSeal.event_id == AuditEvent.id)
        .outerjoin(AuditPending, AuditPending.event_id == AuditEvent.id)
        .where(AuditSeal.seq.is_(None))
        .order_by(AuditEvent.id)
    )
    for event, queued in db.session.execute(query):
        where = f"audit row {event.id} ({event.action}), not sealed"
        if not signing.same(signing.event_mac(key, event_payload(event)), event.mac):
            report.problems.append(Problem(where, "its MAC was not made with this key: forged, inserted outside the application"))
        elif queued is None:
            report.problems.append(Problem(where, "neither sealed nor queued for sealing: its seal was deleted or it was moved"))
        else:
            report.pending += 1


def _check_checkpoints(key, report, lines, heads):
    our_key_id = signing.key_id(key)
    agreed_up_to = 0
    foreign = [line for line in lines if line.checkpoint and line.checkpoint["key_id"] != our_key_id]
    if foreign:
        first = foreign[0]
        report.problems.append(Problem(
            f"checkpoint line {first.number}",
            f"{len(foreign)} checkpoint(s) signed with key id {first.checkpoint['key_id']}, the AUDIT_KEY here has "
            f"key id {our_key_id}: the wrong key is set, or the file belongs to another trail"))
    for line in lines:
        checkpoint = line.checkpoint
        where = f"checkpoint line {line.number}"
        if checkpoint is None:
            report.problems.append(Problem(where, "not a checkpoint: the file was edited"))
            continue
        if checkpoint["key_id"] != our_key_id:
            continue
        if not signing.same(signing.checkpoint_signature(key, checkpoint), checkpoint["sig"]):
            report.problems.append(Problem(where, "its signature does not match: the line was edited or forged"))
            continue
        seq = int(checkpoint["seq"])
        if seq > report.head_seq:
            report.problems.append(Problem(
                f"seq {report.head_seq + 1}",
                f"the chain ends at seq {report.head_seq}, but checkpoint line {line.number} ({checkpoint['at']}) recorded "
                f"{seq} sealed events up to audit row {checkpoint['event_id']}: seq {report.head_seq + 1}-{seq} were deleted"))
        elif heads.get(seq) != checkpoint["head"]:
            report.problems.append(Problem(
                f"seq {seq}",
                f"the chain differs from checkpoint line {line.number} ({checkpoint['at']}): it was rewritten after "
                f"seq {agreed_up_to} and at or before seq {seq}"))
        else:
            agreed_up_to = max(agreed_up_to, seq)
