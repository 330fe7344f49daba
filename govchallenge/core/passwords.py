"""Password rules, in one place: length, not built from the person's own name or address, not common."""
import re
from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 12
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
    return problems
