"""The catalogue as open data: every listed solution, as JSON (the RFC 8785 canonical bytes of the document, so
its SHA-256 is the digest anyone can recompute with results/digests.py's rule) and as CSV (the same rows, one
line per solution). The document carries its licence and the meaning of each column, and no clock: while the
catalogue does not change, neither do the bytes nor the digest."""
import io

import sqlalchemy as sa

from govchallenge.core import csvsafe
from govchallenge.extensions import db
from govchallenge.results import digests

from . import catalogue as cat
from .models import Listing

SCHEME = digests.RFC8785
DATA_LICENCE = "CC0-1.0"
COLUMNS = {
    "slug": "The solution's identifier in the catalogue.",
    "name": "The solution's name.",
    "languages": "The languages of the solution (ISO 639-1), separated by spaces.",
    "short_description": "The short description in the solution's first language.",
    "licence": "The solution's licence, an SPDX expression.",
    "licence_families": "permissive, copyleft and/or eupl (EUPL-compatible), separated by spaces.",
    "repository_url": "The public repository.",
    "maturity": "concept, development, beta, stable or obsolete (publiccode.yml developmentStatus).",
    "winner": "true when the entry won a place or an award in its challenge.",
    "challenge": "The slug of the challenge it came from.",
    "public_bodies": "The hosts of that challenge, as name (country), separated by ; .",
    "used_in": "Countries where public bodies record using it, as CC:number, separated by spaces.",
    "contact_email": "The team's public contact.",
    "url": "The solution's page.",
}


def listed():
    return db.session.execute(cat.query({}).order_by(None).order_by(Listing.id)).scalars().all()


def document(url_for):
    solutions = [cat.summary(listing, url_for) for listing in listed()]
    for solution in solutions:
        solution.pop("approved_at")  # a moment, not content: kept out so the digest changes only with content
    columns = [{"name": name, "description": meaning} for name, meaning in COLUMNS.items()]  # a list keeps the order
    return digests.as_published({"licence": DATA_LICENCE, "digest_scheme": SCHEME, "columns": columns,
                                 "solutions": solutions})


def json_bytes(doc):
    return digests.canonical_bytes(doc, SCHEME)


def sha256(doc):
    return digests.digest(doc, SCHEME)


def csv_text(doc):
    stream = io.StringIO()
    out = csvsafe.writer(stream)
    out.writerow(list(COLUMNS))
    for s in doc["solutions"]:
        first = s["languages"][0] if s["languages"] else next(iter(s["descriptions"]), "")
        out.writerow([
            s["slug"], s["name"], " ".join(s["languages"]), (s["descriptions"].get(first) or {}).get("short", ""),
            s["licence"], " ".join(s["licence_families"]), s["repository_url"], s["maturity"],
            "true" if s["winner"] else "false", s["challenge"]["slug"],
            "; ".join(f"{b['name']} ({b['country']})" for b in s["public_bodies"]),
            " ".join(f"{c}:{n}" for c, n in s["used_in"].items()), s["contact"]["email"], s["url"],
        ])
    return stream.getvalue()
