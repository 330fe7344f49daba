"""Checking a published result end to end: the stored document, its digest, the digest the audit trail
recorded when it was published, and the trail itself.

    stored document --(its rule)--> recomputed digest == stored digest == audited digest, trail intact

Each link catches another change: the document alone (the recomputed digest differs from the stored one),
the document and its stored digest together (both differ from the audited one), the audit event (its MAC
no longer matches, or its seal breaks the chain). Each problem says which values differ and where.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa

from govchallenge.core import audit
from govchallenge.core.audit import signing
from govchallenge.core.audit.sealer import audit_key
from govchallenge.extensions import db

from . import digests

PUBLISHED_ACTION = "results.published"
# A published document changed afterwards by the erasure of an account it named (privacy/erasure.py): the
# event records the digest before and after, so the chain of digests still leads back to publication.
REDACTED_ACTION = "results.redacted"


@dataclass
class Check:
    stored: str = ""
    recomputed: str = ""
    audited: str = ""
    scheme: str = ""
    audit_row: int = None
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


def published_events(publication):
    """The audit events written when the publication was published: one, unless something wrote another."""
    return db.session.execute(
        sa.select(audit.AuditEvent).where(audit.AuditEvent.action == PUBLISHED_ACTION,
                                          audit.AuditEvent.object_type == "publication",
                                          audit.AuditEvent.object_id == str(publication.id))
        .order_by(audit.AuditEvent.id)
    ).scalars().all()


def redaction_events(publication):
    return db.session.execute(
        sa.select(audit.AuditEvent).where(audit.AuditEvent.action == REDACTED_ACTION,
                                          audit.AuditEvent.object_type == "publication",
                                          audit.AuditEvent.object_id == str(publication.id))
        .order_by(audit.AuditEvent.id)
    ).scalars().all()


def _follow_redactions(publication, digest, result):
    """The digest after every recorded redaction, each checked against its MAC and the digest before it."""
    for event in redaction_events(publication):
        where = f"audit row {event.id} of {event.created_at.isoformat()}"
        if not signing.same(signing.event_mac(audit_key(), audit.event_payload(event)), event.mac):
            result.problems.append(f"the redaction's audit event ({where}) no longer matches its MAC: it was changed")
        detail = event.detail or {}
        if detail.get("previous") != digest:
            result.problems.append(f"the redaction recorded at {where} starts from {detail.get('previous')}, but the "
                                   f"digest before it was {digest}")
        digest = detail.get("digest") or ""
    return digest


def check(publication):
    """Every link of the chain above for one published publication (seal the trail first: `audit.seal()`)."""
    result = Check(stored=publication.digest or "", scheme=publication.digest_scheme or "")
    _check_document(publication, result)
    _check_audited(publication, result)
    trail = audit.verify()
    result.problems += [f"the audit trail is broken: {problem}" for problem in trail.problems]
    return result


def _check_document(publication, result):
    if not result.scheme:
        result.problems.append("the publication records no digest rule (digest_scheme): it was changed, or "
                               "written outside the application")
        return
    try:
        result.recomputed = digests.digest(publication.document, result.scheme)
    except digests.NotCanonical as error:
        result.problems.append(f"the stored document cannot be hashed by its rule {result.scheme}: {error}")
        return
    if result.recomputed != result.stored:
        result.problems.append(
            f"the stored document hashes to {result.recomputed} under its rule {result.scheme}, but the stored "
            f"digest is {result.stored}: the document was changed after publication")


def _check_audited(publication, result):
    events = published_events(publication)
    if not events:
        result.problems.append(f"the audit trail holds no {PUBLISHED_ACTION} event for publication {publication.id}: "
                               "the digest cannot be checked against what was recorded at publication")
        return
    if len(events) > 1:
        result.problems.append(f"the audit trail holds {len(events)} {PUBLISHED_ACTION} events for publication "
                               f"{publication.id} (audit rows {', '.join(str(e.id) for e in events)}): a publication "
                               "is published once; the first is the one checked")
    event = events[0]
    result.audit_row = event.id
    detail = event.detail or {}
    result.audited = _follow_redactions(publication, detail.get("digest") or "", result)
    where = f"audit row {event.id} of {event.created_at.isoformat()}"
    if not signing.same(signing.event_mac(audit_key(), audit.event_payload(event)), event.mac):
        result.problems.append(f"the publication's audit event ({where}) no longer matches its MAC: it was changed")
    if result.audited != result.stored:
        together = result.recomputed == result.stored
        result.problems.append(
            f"the stored digest {result.stored} differs from the digest recorded in the audit trail at publication, "
            f"{result.audited} ({where}): "
            + ("the document and its stored digest were changed together" if together else "the stored digest was changed"))
    audited_scheme = detail.get("digest_scheme", digests.LEGACY)  # events from before revision 0008 name none
    if audited_scheme != result.scheme:
        result.problems.append(f"the publication's digest rule {result.scheme or '(none)'} differs from the rule "
                               f"recorded at publication, {audited_scheme} ({where})")
