"""SPDX licence expressions: checked and normalised by the maintained `license-expression` library (its
copy of the SPDX licence list), never by a hand-made list of identifiers; then sorted into families for the
reuse catalogue's filters. A pure module: text in, plain data out.

Families are a reading of the expression, not legal advice:
- an `OR` lets the reuser choose, so the families of its alternatives add up;
- an `AND` binds the reuser to every part, so it is copyleft if any part is, permissive only if all are;
- EUPL-compatible: the EUPL itself, a licence of the EUPL-1.2 appendix, or a permissive licence (which an
  EUPL work may include); for `AND` every part must be, for `OR` one alternative is enough.
"""
import re
from dataclasses import dataclass, field
from functools import lru_cache

from license_expression import ExpressionError, get_spdx_licensing

PERMISSIVE, COPYLEFT, EUPL_COMPATIBLE = "permissive", "copyleft", "eupl"
FAMILIES = (PERMISSIVE, COPYLEFT, EUPL_COMPATIBLE)

_PERMISSIVE = {
    "0bsd", "apache-2.0", "bsd-2-clause", "bsd-3-clause", "bsl-1.0", "cc0-1.0", "cc-by-4.0", "isc", "mit", "mit-0",
    "postgresql", "python-2.0", "unlicense", "x11", "zlib", "artistic-2.0", "upl-1.0", "ncsa", "wtfpl",
}
_COPYLEFT_PREFIXES = ("gpl-", "lgpl-", "agpl-", "mpl-", "epl-", "eupl-", "osl-", "cecill-", "cc-by-sa-", "liliq-",
                      "cddl-", "eclipse-", "ms-rl", "cpal-")
# The appendix of the EUPL 1.2: licences an EUPL work may be distributed under when combined.
_EUPL_APPENDIX_PREFIXES = ("eupl-", "gpl-2.0", "gpl-3.0", "agpl-3.0", "lgpl-2.1", "lgpl-3.0", "osl-2.1", "osl-3.0",
                           "epl-1.0", "cecill-2.0", "cecill-2.1", "mpl-2.0", "cc-by-sa-3.0", "liliq-r")
_OPERATORS = {"and", "or", "with"}
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+:\-]*")
# Every character an SPDX expression may hold (SPDX spec, annex D: idstrings, operators, brackets, spaces).
# Anything else is refused before the library sees it: some inputs make its validator itself fail.
_SPDX_CHARACTERS = re.compile(r"^[A-Za-z0-9.+:\-() ]+$")


@dataclass
class LicenceCheck:
    normalised: str | None
    unknown: list = field(default_factory=list)  # identifiers SPDX does not know
    deprecated: list = field(default_factory=list)  # [(as written, the current identifier)]
    syntax: bool = False  # the expression does not parse

    @property
    def ok(self):
        return self.normalised is not None and not (self.unknown or self.deprecated or self.syntax)


@lru_cache(maxsize=1)
def _licensing():
    return get_spdx_licensing()


@lru_cache(maxsize=1)
def _canonical_keys():
    """Lower-case key or alias -> the current SPDX identifier."""
    keys = {}
    for symbol in _licensing().known_symbols.values():
        for alias in (symbol.key, *symbol.aliases):
            keys.setdefault(alias.lower(), symbol.key)
    return keys


def check(text):
    """-> LicenceCheck of `text`. Case is normalised silently (`mit` -> `MIT`); an identifier SPDX has replaced
    (`GPL-2.0`, `GPL-2.0+`) is reported with its replacement, so the team chooses what it means."""
    text = (text or "").strip()
    if not text or len(text) > 300 or not _SPDX_CHARACTERS.match(text):
        return LicenceCheck(None, syntax=True)
    try:
        info = _licensing().validate(text)
    except (ExpressionError, AttributeError, TypeError):  # the library's own failures on odd input
        return LicenceCheck(None, syntax=True)
    if info.invalid_symbols and any(s for s in info.invalid_symbols):
        return LicenceCheck(None, unknown=[s for s in info.invalid_symbols if s])
    if info.errors or not info.normalized_expression:
        return LicenceCheck(None, syntax=True)
    keys = _canonical_keys()
    deprecated = []
    for token in _TOKEN.findall(text):
        current = keys.get(token.lower())
        if token.lower() in _OPERATORS or current is None:
            continue
        if current.lower() != token.lower() and (token, current) not in deprecated:
            deprecated.append((token, current))
    return LicenceCheck(info.normalized_expression, deprecated=deprecated)


def _key_families(key):
    key = key.lower()
    families = set()
    if key in _PERMISSIVE:
        families |= {PERMISSIVE, EUPL_COMPATIBLE}
    elif key.startswith(_COPYLEFT_PREFIXES):
        families.add(COPYLEFT)
    if key.startswith(_EUPL_APPENDIX_PREFIXES):
        families.add(EUPL_COMPATIBLE)
    return families


def _families(node):
    from license_expression import LicenseSymbol, LicenseWithExceptionSymbol

    if isinstance(node, LicenseWithExceptionSymbol):
        return _key_families(node.license_symbol.key)
    if isinstance(node, LicenseSymbol):
        return _key_families(node.key)
    parts = [_families(arg) for arg in node.args]
    if node.__class__.__name__ == "OR":
        return set().union(*parts)
    combined = set()
    if any(COPYLEFT in p for p in parts):
        combined.add(COPYLEFT)
    elif all(PERMISSIVE in p for p in parts):
        combined.add(PERMISSIVE)
    if all(EUPL_COMPATIBLE in p for p in parts):
        combined.add(EUPL_COMPATIBLE)
    return combined


def families(normalised):
    """The families of a normalised expression: a subset of FAMILIES, empty for a licence that is not open."""
    try:
        return sorted(_families(_licensing().parse(normalised)))
    except ExpressionError:
        return []


def is_open(normalised):
    """Open: some choice the expression offers is a known free and open-source licence."""
    found = families(normalised)
    return PERMISSIVE in found or COPYLEFT in found
