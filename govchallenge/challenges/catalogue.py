"""The catalogue query, shared by the HTML catalogue and the JSON API. The derived states become SQL
conditions on the same clock, so a filter on "open" agrees with `Challenge.state`."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from govchallenge.core.geo import EU_MEMBER_STATES, is_country
from govchallenge.core.languages import is_language
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.organisations.models import Organisation

from .models import (
    ACCEPTED, APPROVED, ARCHIVED, CLOSED, COUNTRIES_ALL, COUNTRIES_EU, COUNTRIES_LIST, DOMAINS, IN_EVALUATION, OPEN,
    PUBLIC_STATES, PUBLISHED, RESULTS_PUBLISHED, Challenge, ChallengeHost,
)

SORTS = ("closing", "newest")


def _published(now):
    return sa.and_(Challenge.status == APPROVED, sa.or_(Challenge.publish_at.is_(None), Challenge.publish_at <= now))


def state_condition(state, now):
    if state == PUBLISHED:
        return sa.and_(_published(now), sa.or_(Challenge.opens_at.is_(None), Challenge.opens_at > now))
    if state == OPEN:
        return sa.and_(_published(now), Challenge.opens_at <= now, sa.or_(Challenge.closes_at.is_(None), Challenge.closes_at > now))
    if state == CLOSED:
        return sa.and_(_published(now), Challenge.closes_at <= now)
    return Challenge.status == state


def public_condition(now):
    return sa.or_(_published(now), Challenge.status.in_((IN_EVALUATION, RESULTS_PUBLISHED, ARCHIVED)))


def next_change(now):
    """The next moment any challenge's derived state changes (it is published, opens or closes): lists decided
    in SQL by the clock leave rows out, so a page kept from them must end there (core.page_cache.valid_until)."""
    soonest = [sa.select(sa.func.min(column)).where(column > now).scalar_subquery()
               for column in (Challenge.publish_at, Challenge.opens_at, Challenge.closes_at)]
    return min((moment for moment in db.session.execute(sa.select(*soonest)).one() if moment), default=None)


def _json_has_key(column, key):
    # JSON is stored as text with json.dumps' default separators on both databases.
    return sa.cast(column, sa.Text).like(f'%"{key}": %')


def open_to_country_condition(country):
    country = country.upper()
    conditions = [Challenge.countries_mode == COUNTRIES_ALL,
                  sa.and_(Challenge.countries_mode == COUNTRIES_LIST, sa.cast(Challenge.countries, sa.Text).like(f'%"{country}"%'))]
    if country in EU_MEMBER_STATES:
        conditions.append(Challenge.countries_mode == COUNTRIES_EU)
    return sa.or_(*conditions)


# filter -> (how its value is written, whether a value is known, the value when absent or unknown)
FILTERS = {
    "state": (str, lambda v: v in PUBLIC_STATES, ""),
    "country": (str.upper, is_country, ""),
    "domain": (str, lambda v: v in DOMAINS, ""),
    "language": (str.lower, is_language, ""),
    "eligible": (str.upper, is_country, ""),
    "sort": (str, lambda v: v in SORTS, "closing"),
}


def clean_filters(args):
    """Only known values survive; the rest are ignored (and reported by the API)."""
    filters, invalid = {"q": (args.get("q") or "").strip()[:200]}, []
    for name, (written, known, absent) in FILTERS.items():
        value = written(args.get(name) or "") or absent
        if value != absent and not known(value):
            invalid.append(name)
            value = absent
        filters[name] = value
    return filters, invalid


def query(filters, now=None):
    now = now or utcnow()
    statement = sa.select(Challenge).where(public_condition(now))
    for word in filters["q"].lower().split()[:10]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Challenge.search_text.like(f"%{escaped}%", escape="\\"))
    if filters["state"]:
        statement = statement.where(state_condition(filters["state"], now))
    if filters["domain"]:
        statement = statement.where(Challenge.domain == filters["domain"])
    if filters["country"]:
        hosted_there = (
            sa.select(ChallengeHost.id).join(Organisation, Organisation.id == ChallengeHost.organisation_id)
            .where(ChallengeHost.challenge_id == Challenge.id, ChallengeHost.state == ACCEPTED, Organisation.country == filters["country"])
        )
        statement = statement.where(hosted_there.exists())
    if filters["language"]:
        statement = statement.where(sa.or_(Challenge.main_language == filters["language"], _json_has_key(Challenge.title, filters["language"])))
    if filters["eligible"]:
        statement = statement.where(open_to_country_condition(filters["eligible"]))
    if filters["sort"] == "newest":
        statement = statement.order_by(Challenge.created_at.desc(), Challenge.id.desc())
    else:
        upcoming = sa.case((Challenge.closes_at > now, 0), else_=1)
        statement = statement.order_by(upcoming, sa.case((Challenge.closes_at.is_(None), 1), else_=0),
                                       sa.case((Challenge.closes_at > now, Challenge.closes_at)), Challenge.closes_at.desc(), Challenge.id)
    return statement.options(
        selectinload(Challenge.hosts).selectinload(ChallengeHost.organisation),
        selectinload(Challenge.stages),
    )


def detail_options():
    return (
        selectinload(Challenge.hosts).selectinload(ChallengeHost.organisation),
        selectinload(Challenge.stages), selectinload(Challenge.criteria), selectinload(Challenge.prizes),
        selectinload(Challenge.attachments),
    )
