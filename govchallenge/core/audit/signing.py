"""The MACs of the audit trail: one key, one canonical serialisation, three labelled uses.

Every MAC is HMAC-SHA256 over a label and the RFC 8785 (JSON Canonicalization Scheme) form of a small
dict, so the bytes signed never depend on key order, spacing or the database's JSON type. The label
keeps the three uses apart: an event's MAC can never pass for a seal's or a checkpoint's.

The key is `AUDIT_KEY` (hex or any text); without it, a key derived from SECRET_KEY with the label
below. Operators should set a separate AUDIT_KEY and keep it outside the database: whoever holds the key
can rewrite the chain so that it verifies, and only the checkpoints kept elsewhere would still tell.
Pure module: no Flask, no database.
"""
import hashlib
import hmac
import json

import rfc8785

GENESIS = "0" * 64

EVENT_LABEL = b"govchallenge.audit.event.v1\n"
SEAL_LABEL = b"govchallenge.audit.seal.v1\n"
CHECKPOINT_LABEL = b"govchallenge.audit.checkpoint.v1\n"
DERIVATION_LABEL = b"govchallenge.audit.key-from-secret-key.v1"
KEY_ID_LABEL = b"govchallenge.audit.key-id.v1"


class UnsignableDetail(ValueError):
    """An audit detail JSON cannot carry exactly (NaN, integers beyond 2^53): a programming error."""


def derive_key(audit_key, secret_key):
    """The AUDIT_KEY setting as bytes, else HMAC(SECRET_KEY, label): never SECRET_KEY itself."""
    if audit_key:
        return audit_key.encode("utf-8")
    return hmac.new(secret_key.encode("utf-8"), DERIVATION_LABEL, hashlib.sha256).digest()


def key_id(key):
    """A short public fingerprint of the key, written in checkpoints so a wrong key is named as such."""
    return hmac.new(key, KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


def canonical(document):
    """RFC 8785 bytes of a JSON document (dict, list, str, int < 2^53, float, bool, None)."""
    try:
        return rfc8785.dumps(document)
    except rfc8785.CanonicalizationError as error:
        raise UnsignableDetail(f"the audit trail cannot sign this value exactly: {error}") from error


def as_json(value):
    """What a JSON column gives back for `value`: the form the MAC must cover, checked signable now."""
    try:
        normal = json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise UnsignableDetail(f"audit detail is not plain JSON: {error}") from error
    canonical(normal)
    return normal


def _mac(key, label, document):
    return hmac.new(key, label + canonical(document), hashlib.sha256).hexdigest()


def event_mac(key, payload):
    """The MAC of one event's payload (every field the event shows, its nonce included)."""
    return _mac(key, EVENT_LABEL, payload)


def seal_mac(key, seq, event_id, event_mac_value, sealed_at, prev):
    """The link of the chain: position, event, the event's own MAC, the moment, and the link before."""
    return _mac(key, SEAL_LABEL, {
        "seq": seq, "event_id": event_id, "event_mac": event_mac_value,
        "sealed_at": sealed_at.isoformat(), "prev": prev,
    })


def checkpoint_signature(key, checkpoint):
    """The signature of a checkpoint: every field but the signature itself."""
    return _mac(key, CHECKPOINT_LABEL, {k: v for k, v in checkpoint.items() if k != "sig"})


def same(a, b):
    return hmac.compare_digest(str(a), str(b))
