"""Password rules, in one place: length, not built from the person's own name or address, not common,
not easy to guess. The demo's published password is in the common list: it never protects a real account."""
import re
from functools import lru_cache
from pathlib import Path

from zxcvbn import zxcvbn

MIN_LENGTH = 12
# zxcvbn's scale: 0-2 fall to an online or a slow offline attack (repeats, keyboard rows, dates, l33t words).
MIN_STRENGTH = 3
# zxcvbn's cost grows fast with length; what follows a strong beginning cannot weaken it.
STRENGTH_CHECKED_CHARACTERS = 72
_LIST = Path(__file__).parent / "data" / "common-passwords.txt"


@lru_cache(maxsize=1)
def common_passwords():
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def _personal_fragments(name, email):
    local = (email or "").split("@")[0]
    words = re.split(r"[\W_]+", f"{name or ''} {local}".lower())
    fragments = {w for w in words if len(w) >= 3}
    if len(local) >= 3:
        fragments.add(local.lower())
    return fragments


def password_problems(password, name="", email=""):
    """Problem codes, empty when the password is acceptable. Views turn codes into translated messages."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append("too_short")
    lowered = password.lower()
    if any(fragment in lowered for fragment in _personal_fragments(name, email)):
        problems.append("personal")
    if lowered in common_passwords():
        problems.append("common")
    elif strength(password) < MIN_STRENGTH:
        problems.append("weak")
    return problems


def strength(password):
    """zxcvbn's score, 0 (guessed at once) to 4. Its English feedback is not shown: views give our own message.
    No `user_inputs`: zxcvbn keeps them in a module-wide dictionary, unsafe across threads, and the
    personal rule above covers them."""
    return zxcvbn(password[:STRENGTH_CHECKED_CHARACTERS])["score"]
