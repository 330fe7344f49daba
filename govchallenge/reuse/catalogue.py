"""The public reuse catalogue: its filters, read once for the HTML page and the API, and its query.

Filters: q (words in the name or descriptions, any language), licence family (permissive / copyleft /
EUPL-compatible, submissions/licences.py), country (where the solution is used, or where it came from),
language (of the solution), maturity, domain (of its challenge)."""
import sqlalchemy as sa

from govchallenge.challenges.models import DOMAINS, Challenge, ChallengeHost, ACCEPTED
from govchallenge.core.geo import is_country
from govchallenge.core.languages import language_codes
from govchallenge.organisations.models import Organisation

from .models import APPROVED, DECLINED, MATURITIES, USE, Adoption, Listing

FAMILIES = {"permissive": Listing.permissive, "copyleft": Listing.copyleft, "eupl": Listing.eupl_compatible}
FILTER_NAMES = ("q", "licence", "country", "language", "maturity", "domain")
MAX_SEARCH = 200


def clean_filters(args):
    """-> ({name: value} of the filters given and valid, [names given but invalid])."""
    values, invalid = {}, []
    checks = {
        "q": lambda v: len(v) <= MAX_SEARCH,
        "licence": lambda v: v in FAMILIES,
        "country": is_country,
        "language": lambda v: v in language_codes(),
        "maturity": lambda v: v in MATURITIES,
        "domain": lambda v: v in DOMAINS,
    }
    for name in FILTER_NAMES:
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        if name == "country":
            raw = raw.upper()
        if checks[name](raw):
            values[name] = raw
        else:
            invalid.append(name)
    return values, invalid


def public_condition():
    return sa.and_(Listing.state == APPROVED, Listing.team_choice != DECLINED)


def query(filters):
    statement = sa.select(Listing).where(public_condition())
    for word in (filters.get("q") or "").lower().split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Listing.search_text.like(f"%{escaped}%", escape="\\"))
    if "licence" in filters:
        statement = statement.where(FAMILIES[filters["licence"]].is_(True))
    if "language" in filters:
        statement = statement.where(Listing.language_codes.like(f"%,{filters['language']},%"))
    if "maturity" in filters:
        statement = statement.where(Listing.maturity == filters["maturity"])
    if "domain" in filters:
        statement = statement.where(Listing.challenge_id.in_(sa.select(Challenge.id).where(Challenge.domain == filters["domain"])))
    if "country" in filters:
        country = filters["country"]
        used = sa.select(Adoption.listing_id).join(Organisation, Organisation.id == Adoption.organisation_id).where(
            Adoption.kind == USE, Adoption.withdrawn_at.is_(None), Organisation.country == country)
        hosted = sa.select(ChallengeHost.challenge_id).join(Organisation, Organisation.id == ChallengeHost.organisation_id).where(
            ChallengeHost.state == ACCEPTED, Organisation.country == country)
        statement = statement.where(sa.or_(Listing.id.in_(used), Listing.challenge_id.in_(hosted)))
    return statement.options(*list_options()).order_by(Listing.approved_at.desc(), Listing.id.desc())


def list_options():
    return (sa.orm.selectinload(Listing.adoptions).joinedload(Adoption.organisation),
            sa.orm.joinedload(Listing.challenge).selectinload(Challenge.hosts).joinedload(ChallengeHost.organisation),
            sa.orm.joinedload(Listing.challenge).joinedload(Challenge.based_on))


def used_in(listing):
    """{country: number of bodies} that record using the solution (withdrawn records left out)."""
    counts = {}
    for adoption in listing.active_adoptions:
        if adoption.kind == USE:
            counts[adoption.organisation.country] = counts.get(adoption.organisation.country, 0) + 1
    return dict(sorted(counts.items()))


def adoption_records(listing):
    """The public records of bodies that use or want the solution (withdrawn ones left out), oldest first."""
    return [{"body": a.organisation.name, "body_slug": a.organisation.slug, "country": a.organisation.country,
             "kind": a.kind, "recorded_on": a.created_at.date().isoformat()} for a in listing.active_adoptions]


def summary(listing, url_for):
    """The JSON of one listing (the API and the dataset): plain data; `url_for(endpoint, **values)` makes links."""
    hosts = [h.organisation for h in listing.challenge.hosts if h.state == ACCEPTED]
    return {
        "slug": listing.slug,
        "name": listing.name,
        "descriptions": {code: {"short": d["short"], "long": d["long"]} for code, d in listing.descriptions.items()},
        "languages": list(listing.languages),
        "licence": listing.licence,
        "licence_families": [name for name, column in FAMILIES.items() if getattr(listing, column.key)],
        "repository_url": listing.repository_url,
        "maturity": listing.maturity,
        "winner": listing.is_winner,
        "challenge": {"slug": listing.challenge.slug, "title": {k: v for k, v in listing.challenge.title.items() if v},
                      "domain": listing.challenge.domain,
                      "based_on": listing.challenge.based_on.slug if listing.challenge.based_on is not None else None},
        "public_bodies": [{"name": o.name, "slug": o.slug, "country": o.country} for o in hosts],
        "used_in": used_in(listing),
        "interested": sorted({a.organisation.country for a in listing.active_adoptions if a.kind != USE}),
        "adoptions": adoption_records(listing),
        "contact": {"name": listing.contact_name, "email": listing.contact_email},
        "approved_at": listing.approved_at.isoformat() if listing.approved_at else None,
        "url": url_for("reuse.show", slug=listing.slug),
        "publiccode_url": url_for("reuse.publiccode_yml", slug=listing.slug),
    }
