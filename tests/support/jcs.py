"""RFC 8785 (JSON Canonicalization Scheme) written again from the RFC, for the tests: an oracle that shares no
code with the application (which calls the `rfc8785` package). Numbers follow ECMAScript's Number::toString
(ECMA-262 7.1.12.1) on the shortest digits that read back as the same double (Python's repr gives them)."""
import json
from decimal import Decimal


def _number(value):
    if value == 0:
        return "0"
    if value < 0:
        return "-" + _number(-value)
    sign, digits, exponent = Decimal(repr(float(value))).normalize().as_tuple()
    s = "".join(map(str, digits))
    k = len(s)
    n = exponent + k  # value = 0.s × 10^n
    if k <= n <= 21:
        return s + "0" * (n - k)
    if 0 < n <= 21:
        return s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + s
    power = f"e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return (s if k == 1 else s[0] + "." + s[1:]) + power


def _utf16(key):
    return key.encode("utf-16-be")


def canonical(value):
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # escapes exactly \" \\ \b \f \n \r \t and \u00xx below 0x20
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canonical(value[k])
                          for k in sorted(value, key=_utf16)) + "}"


def canonical_bytes(value):
    return canonical(value).encode("utf-8")
