"""The digest of a published results document, by the rule it was published under.

A publication records its rule (`Publication.digest_scheme`) beside its digest, so a rule can change
without breaking what was published before:

- `RFC8785` (every publication from revision 0008 on): SHA-256 of the document's RFC 8785 (JSON
  Canonicalization Scheme) bytes, through the maintained `rfc8785` package. Any language recomputes it:
  parse the JSON, canonicalise it with an RFC 8785 implementation, hash the bytes.
- `LEGACY` (publications made before): SHA-256 of the platform's own canonical form, with floats written
  with six decimals. It depends on whether a number was written with a decimal point, which parsers
  outside Python do not keep; it stays only so that those publications keep verifying, frozen here.

Numbers are made safe by construction (`as_published`): a JSON parser in another language reads every
number as an IEEE 754 double, and Python's reads `2.0**60` written by RFC 8785 as "1152921504606846976"
back as an integer that RFC 8785 refuses. So every number of a published document is finite and of
magnitude at most 2^53 - 1 (`SAFE_INTEGER`), and whatever JCS cannot represent (NaN, lone surrogates,
keys that are not text) is refused before anything is published. Pure module: no Flask, no database
(scoring is pure too).
"""
import hashlib
import json

import rfc8785

from . import scoring

RFC8785 = "rfc8785-sha256"
LEGACY = "six-decimals-sha256"
CURRENT = RFC8785

SAFE_INTEGER = 2**53 - 1  # Number.MAX_SAFE_INTEGER: the largest n such that n and n + 1 are both doubles

# Written into each new document (and so covered by its digest), in English for every reader: a translated
# rule would give every language its own digest.
RFC8785_RULE = (
    "The digest is the lower-case hexadecimal SHA-256 of this document in its RFC 8785 (JSON Canonicalization "
    "Scheme) form: the UTF-8 bytes of the document with no whitespace, object members sorted by the UTF-16 code "
    "units of their names, strings escaped as RFC 8785 prescribes and numbers written as ECMAScript writes a "
    "double (3.0 as 3, 0.5 as 0.5). The results.json download is already in that form, so `sha256sum "
    "results.json` prints the digest; from any other copy, parse the JSON, canonicalise it with any RFC 8785 "
    "implementation (`canonicalize` in JavaScript, `rfc8785` in Python) and hash the bytes. Every number in "
    "the document is finite and at most 2^53 - 1 in magnitude, so reading the numbers as doubles changes none."
)
LEGACY_RULE = ("SHA-256 of the canonical JSON: keys sorted, no whitespace, UTF-8, numbers with a "
               "decimal point written with exactly six decimals")
RULES = {RFC8785: RFC8785_RULE, LEGACY: LEGACY_RULE}


class NotCanonical(ValueError):
    """The document holds a value its digest rule cannot represent exactly; the message says where."""


def as_published(document):
    """The document as the database's JSON column will give it back (tuples as lists, keys as text), refused
    with `NotCanonical` when any value could not be read back exactly in another language."""
    try:
        normal = json.loads(json.dumps(document, allow_nan=False, ensure_ascii=False))
    except (TypeError, ValueError) as error:
        raise NotCanonical(f"not plain JSON: {error}") from error
    _check_numbers(normal, "document")
    canonical_bytes(normal, RFC8785)
    return normal


def _check_numbers(value, where):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, (int, float)):
        if not abs(value) <= SAFE_INTEGER:  # NaN fails this test too
            raise NotCanonical(f"{where} is {value!r}: a published number must be finite and at most 2^53 - 1 "
                               "in magnitude, so that every JSON reader gets it back exactly")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _check_numbers(item, f"{where}.{key}")
        return
    for index, item in enumerate(value):
        _check_numbers(item, f"{where}[{index}]")


def canonical_bytes(document, scheme):
    """The bytes the digest of `scheme` hashes (the JSON export is exactly these bytes)."""
    if scheme == RFC8785:
        try:
            return rfc8785.dumps(document)
        except rfc8785.CanonicalizationError as error:
            raise NotCanonical(f"no RFC 8785 form: {error}") from error
    if scheme == LEGACY:
        return _legacy(document).encode("utf-8")
    raise NotCanonical(f"unknown digest rule {scheme!r}")


def digest(document, scheme):
    return hashlib.sha256(canonical_bytes(document, scheme)).hexdigest()


def rule(scheme):
    return RULES.get(scheme, "")


# --- the rule of publications made before revision 0008: frozen, never to change --------------------------

def _legacy(document):
    """The platform's own canonical form, as it stood when those publications were made (kept in the scoring
    engine, scoring.canonical_json; test_digest pins it with a worked example so that it cannot drift)."""
    try:
        return scoring.canonical_json(document)
    except scoring.ScoringError as error:
        raise NotCanonical(str(error)) from error
