import re
import secrets
import unicodedata

_GREEK = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω", "a b g d e z i th i k l m n x o p r s s t y f ch ps o".split()))
_EXTRA = {"ł": "l", "Ł": "l", "ß": "ss", "ø": "o", "đ": "d", "æ": "ae"}


def _transliterate(text):
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    for digraph, latin in (("ου", "ou"), ("αι", "ai"), ("ει", "ei"), ("οι", "oi"), ("μπ", "b"), ("ντ", "d")):
        text = text.replace(digraph, latin)
    return "".join(_GREEK.get(c, _EXTRA.get(c, c)) for c in text)


def slugify(text, max_length=60):
    ascii_text = _transliterate(text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:max_length].strip("-")
    return slug or secrets.token_hex(4)


def unique_slug(text, exists):
    """`exists(slug)` says whether a slug is taken; a short random suffix settles clashes."""
    base = slugify(text)
    slug = base
    while exists(slug):
        slug = f"{base}-{secrets.token_hex(2)}"
    return slug


def new_public_id():
    """An opaque, unguessable id for URLs. It never starts with "-" or "_", so a command line never reads it as
    an option (about one token in 32 would otherwise)."""
    while True:
        token = secrets.token_urlsafe(12)
        if token[0].isalnum():
            return token
