"""The canonical form of results published before RFC 8785: sorted keys, floats with six decimals, integers as
integers, no whitespace, UTF-8. Kept only so that those publications' digests can still be checked; new ones
use RFC 8785 (`digests`)."""
import hashlib
import json
import math

from .aggregation import FLOAT_FORMAT, ScoringError


def _canonical(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ScoringError("NaN and infinity have no canonical form")
        text = FLOAT_FORMAT % value
        return "0.000000" if text == "-0.000000" else text
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ScoringError("canonical JSON keys must be strings")
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _canonical(value[k]) for k in sorted(value)) + "}"
    raise ScoringError(f"no canonical form for {type(value).__name__}")


def canonical_json(results):
    """Sorted keys, floats as fixed six decimals, integers as integers, no whitespace, UTF-8 text."""
    return _canonical(results)


def digest(results):
    return hashlib.sha256(canonical_json(results).encode("utf-8")).hexdigest()
