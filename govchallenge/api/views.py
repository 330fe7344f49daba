"""The public, read-only JSON API. Thin over the domains; errors answer JSON with a message. Its description is
openapi.py, served at /api/v1/openapi.json; validators, caching and CORS are set for every route under /api/v1
by the package's init_app."""
import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from govchallenge.challenges import catalogue as cat
from govchallenge.challenges.models import Challenge
from govchallenge.core.page_cache import cached_page, valid_until
from govchallenge.core.timeutil import utcnow
from govchallenge.core.urls import external_url
from govchallenge.submissions.counts import public_counts
from govchallenge.extensions import db

from .openapi import description
from .parameters import DEFAULT_PER_PAGE, QueryProblems, challenge_list_parameters, read_query, solution_list_parameters

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _iso(value):
    return value.isoformat() if value is not None else None


def _summary(challenge, now):
    return {
        "slug": challenge.slug,
        "state": challenge.state_at(now),
        "main_language": challenge.main_language,
        "languages": challenge.languages,
        "title": {k: v for k, v in (challenge.title or {}).items() if v},
        "summary": {k: v for k, v in (challenge.summary or {}).items() if v},
        "domain": challenge.domain,
        "tags": list(challenge.tags or []),
        "timezone": challenge.timezone,
        "opens_at": _iso(challenge.opens_at),
        "closes_at": _iso(challenge.closes_at),
        "hosts": [
            {"name": h.organisation.name, "slug": h.organisation.slug, "country": h.organisation.country, "role": h.role}
            for h in challenge.hosts if h.state == "accepted"
        ],
        "url": external_url("challenges.show", slug=challenge.slug),
        "api_url": external_url("api.challenge", slug=challenge.slug),
    }


def _bad_request(message):
    error = BadRequest()
    error.user_message = message
    return error


def _refused_query(problems, parameters=None):
    parameters = parameters or challenge_list_parameters()
    said = []
    if problems.unknown:
        said.append(_("Unknown parameter: %(names)s. This address accepts: %(known)s.",
                      names=", ".join(problems.unknown), known=", ".join(p.name for p in parameters)))
    if problems.repeated:
        said.append(_("Give each parameter only once: %(names)s.", names=", ".join(problems.repeated)))
    if problems.invalid:
        said.append(_("Not a valid value for: %(names)s. The API description (%(url)s) lists what each parameter "
                      "accepts.", names=", ".join(problems.invalid), url=external_url("api.openapi")))
    return _bad_request(" ".join(said))


@bp.route("/openapi.json")
def openapi():
    return jsonify(description())


@bp.route("/challenges")
@cached_page
def challenges():
    try:
        values = read_query(request.args, challenge_list_parameters())
    except QueryProblems as problems:
        raise _refused_query(problems) from None
    filters, _invalid = cat.clean_filters(values)  # every value is known by now: this only fills the defaults
    now = utcnow()
    valid_until(cat.next_change(now))
    page = db.paginate(cat.query(filters, now), page=values.get("page", 1), per_page=values.get("per_page", DEFAULT_PER_PAGE),
                       error_out=False)
    return jsonify({
        "items": [_summary(c, now) for c in page.items],
        "page": page.page, "per_page": page.per_page, "total": page.total, "pages": page.pages,
        "filters": {k: v for k, v in filters.items() if v},
    })


@bp.route("/challenges/<slug>")
@cached_page
def challenge(slug):
    now = utcnow()
    found = db.session.execute(
        sa.select(Challenge).where(Challenge.slug == slug, cat.public_condition(now)).options(*cat.detail_options())
    ).scalar_one_or_none()
    if found is None:
        abort(404)
    counts = public_counts(found)
    body = _summary(found, now)
    body.update({
        "description": found.description, "expected_outcome": found.expected_outcome, "terms": found.terms,
        "results_at": _iso(found.results_at),
        "eligibility": {
            "countries": found.countries_mode, "country_list": list(found.countries or []),
            "entrant_kinds": list(found.entrant_kinds or []), "team_min": found.team_min, "team_max": found.team_max,
        },
        "anonymous_review": found.anonymous_review,
        "teams": counts["teams"],
        "stages": [{
            "position": s.position, "name": s.name, "description": s.description,
            "opens_at": _iso(s.opens_at), "closes_at": _iso(s.closes_at), "open": s.is_open_at(now),
            "teams": counts["stages"][s.id]["teams"], "submitted_entries": counts["stages"][s.id]["submitted"],
        } for s in found.stages],
        "criteria": [{
            "name": c.name, "description": c.description, "weight": c.weight, "scale_min": c.scale_min,
            "scale_max": c.scale_max, "anchors": c.anchors, "threshold": c.threshold,
            "informational": c.informational, "round": c.round_number,
        } for c in found.criteria],
        "prizes": [{
            "place": p.place, "name": p.name, "description": p.description,
            "amount": str(p.amount) if p.amount is not None else None, "currency": p.currency,
        } for p in found.prizes],
    })
    return jsonify(body)


def _api_url(endpoint, **values):
    return external_url(endpoint, **values)


@bp.route("/solutions")
def solutions():
    """The reuse catalogue: listed solutions, filtered like its page and paged."""
    from govchallenge.reuse import catalogue as reuse

    parameters = solution_list_parameters()
    try:
        values = read_query(request.args, parameters)
    except QueryProblems as problems:
        raise _refused_query(problems, parameters) from None
    filters = {k: v for k, v in values.items() if k not in ("page", "per_page")}
    page = db.paginate(reuse.query(filters), page=values.get("page", 1), per_page=values.get("per_page", DEFAULT_PER_PAGE),
                       error_out=False)
    return jsonify({
        "items": [reuse.summary(listing, _api_url) for listing in page.items],
        "page": page.page, "per_page": page.per_page, "total": page.total, "pages": page.pages, "filters": filters,
    })


@bp.route("/solutions/<slug>")
def solution(slug):
    from govchallenge.reuse import catalogue as reuse
    from govchallenge.reuse.models import Listing

    found = db.session.execute(
        sa.select(Listing).where(Listing.slug == slug, reuse.public_condition()).options(*reuse.list_options())
    ).scalar_one_or_none()
    if found is None:
        abort(404)
    return jsonify(reuse.summary(found, _api_url))
