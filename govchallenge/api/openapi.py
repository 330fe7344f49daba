"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.

Kept beside the code and built from it where the code already says it: the query parameters are the table the
view checks requests with (parameters.py), the enumerations are the domains' own constants. Every object is closed
(`additionalProperties: false`) and lists all its properties as required, so the description says exactly what an
answer holds: tests/api/test_openapi_drift.py checks real answers against it, field by field, and fails on a field
added to an answer without being described here, on a described field that no answer carries, and on a route under
/api/v1 that is not described (or described but gone)."""
from functools import cache

from govchallenge.challenges.models import (
    COHOST, COUNTRIES_ALL, COUNTRIES_EU, COUNTRIES_LIST, DOMAINS, LEAD, PUBLIC_STATES,
)
from govchallenge.organisations.models import KINDS
from govchallenge.results import documents, scoring

from govchallenge.reuse.catalogue import FAMILIES
from govchallenge.reuse.models import MATURITIES

from .parameters import challenge_list_parameters, solution_list_parameters

VERSION = "1.0.0"
LANGUAGE_CODE = "^[a-z]{2}$"
SLUG = "^[a-z0-9]+(?:-[a-z0-9]+)*$"
DECIMAL = "^-?[0-9]+(?:\\.[0-9]+)?$"
TIE_RULES = ("priority_criterion", "median", "chair")

DESCRIPTION = """\
The public, read-only API of govchallenge: the published challenges and their published results.

* Every answer is JSON. Errors too: `{"error": {"status", "title", "message"}}`, the message in the language the
  request asks for (`Accept-Language`).
* Times are ISO 8601 in UTC. Multilingual texts are objects keyed by ISO 639-1 language code.
* A malformed query (an unknown parameter, one given twice, a value outside its schema) is refused with 400.
* Every successful answer carries a strong `ETag`; a published result also carries `Last-Modified`. Send
  `If-None-Match` (or `If-Modified-Since`) to get `304 Not Modified` without a body while nothing changed.
* Any web page may call the API from a browser (CORS, `GET`, `HEAD` and `OPTIONS` only, no credentials).
"""


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties, optional=(), description=None):
    schema = {"type": "object", "properties": properties, "additionalProperties": False,
              "required": sorted(set(properties) - set(optional))}
    if description:
        schema["description"] = description
    return schema


def _nullable(schema):
    """`schema` or null (JSON Schema 2020-12: a list of types; an enumeration lists null too)."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    nullable = dict(schema, type=[schema["type"], "null"])
    if "enum" in schema:
        nullable["enum"] = [*schema["enum"], None]
    return nullable


def _array(items, **more):
    return {"type": "array", "items": items, **more}


def _map(key_pattern, values, description):
    """An object whose keys follow a pattern (language codes, criterion ids): a map, not a record."""
    return {"type": "object", "propertyNames": {"pattern": key_pattern}, "additionalProperties": values,
            "description": description}


def _enum(values):
    return {"type": "string", "enum": list(values)}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
COUNT = {"type": "integer", "minimum": 0}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
TIME = {"type": "string", "format": "date-time"}
URL = {"type": "string", "format": "uri"}
LANGUAGE = {"type": "string", "pattern": LANGUAGE_CODE}
COUNTRY = {"type": "string", "pattern": "^[A-Z]{2}$"}
TEXT = _ref("TranslatedText")


def _challenge_summary_properties():
    return {
        "slug": {"type": "string", "pattern": SLUG},
        "state": _enum(PUBLIC_STATES),
        "main_language": LANGUAGE,
        "languages": _array(LANGUAGE, description="The main language first, then every translation."),
        "title": TEXT,
        "summary": TEXT,
        "domain": _enum(DOMAINS),
        "tags": _array(STRING),
        "timezone": {"type": "string", "description": "The IANA time zone the hosts work in (deadlines are UTC)."},
        "opens_at": _nullable(TIME),
        "closes_at": _nullable(TIME),
        "hosts": _array(_ref("Host")),
        "url": URL,
        "api_url": URL,
    }


def _page_of(item_schema, parameters, always=()):
    """One page of a filtered list: its items, the paging figures, and the filters applied (optional, but for
    those `always` given a default)."""
    filters = [p.name for p in parameters if p.name not in ("page", "per_page")]
    return _object({
        "items": _array(_ref(item_schema)),
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
        "total": COUNT,
        "pages": COUNT,
        "filters": _object({name: {"type": "string"} for name in filters}, optional=set(filters) - set(always),
                           description="The filters applied (those left empty are not listed)."),
    })


def _schemas():
    summary = _challenge_summary_properties()
    return {
        "TranslatedText": _map(LANGUAGE_CODE, STRING, "One text in several languages, keyed by ISO 639-1 code."),
        "Host": _object({"name": STRING, "slug": STRING, "country": COUNTRY, "role": _enum((LEAD, COHOST))}),
        "ChallengeSummary": _object(summary),
        "ChallengeList": _page_of("ChallengeSummary", challenge_list_parameters(), always=("sort",)),
        "ChallengeDetail": _object({
            **summary,
            "description": TEXT,
            "expected_outcome": TEXT,
            "terms": TEXT,
            "results_at": _nullable(TIME),
            "eligibility": _ref("Eligibility"),
            "anonymous_review": BOOLEAN,
            "teams": COUNT,
            "stages": _array(_ref("Stage")),
            "criteria": _array(_ref("Criterion")),
            "prizes": _array(_ref("Prize")),
        }),
        "Eligibility": _object({
            "countries": _enum((COUNTRIES_ALL, COUNTRIES_EU, COUNTRIES_LIST)),
            "country_list": _array(COUNTRY, description="The countries allowed when `countries` is `list`."),
            "entrant_kinds": _array(_enum(KINDS), description="Empty: every kind of entrant may enter."),
            "team_min": {"type": "integer", "minimum": 1},
            "team_max": {"type": "integer", "minimum": 1},
        }),
        "Stage": _object({
            "position": {"type": "integer", "minimum": 1}, "name": TEXT, "description": TEXT,
            "opens_at": TIME, "closes_at": TIME, "open": BOOLEAN, "teams": COUNT, "submitted_entries": COUNT,
        }),
        "Criterion": _object({
            "name": TEXT, "description": TEXT, "weight": NUMBER, "scale_min": INTEGER, "scale_max": INTEGER,
            "anchors": _map("^-?[0-9]+$", TEXT, "What a score means, keyed by the score."),
            "threshold": _nullable(NUMBER), "informational": BOOLEAN, "round": {"type": "integer", "minimum": 1},
        }),
        "Prize": _object({
            "place": _nullable({"type": "integer", "minimum": 1}), "name": TEXT, "description": TEXT,
            "amount": _nullable({"type": "string", "pattern": DECIMAL}), "currency": _nullable(STRING),
        }),
        "Results": _object({
            "digest": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                       "description": "SHA-256 of `results` written by `digest_rule`."},
            "digest_rule": STRING,
            "digest_scheme": _enum(("rfc8785-sha256", "six-decimals-sha256")),
            "published_at": TIME,
            "links": _object({"page": URL, "json": URL, "csv": URL}),
            "results": _ref("ResultsDocument"),
        }),
        **_results_document_schemas(),
        "Error": _object({"error": _object({"status": INTEGER, "title": STRING, "message": STRING})}),
        **_solution_schemas(),
    }


def _solution_schemas():
    return {
        "Solution": _object({
            "slug": STRING,
            "name": STRING,
            "descriptions": _map(LANGUAGE_CODE, _object({"short": STRING, "long": STRING}),
                                 "The solution's descriptions, keyed by ISO 639-1 code."),
            "languages": _array(STRING, description="The languages the solution is available in."),
            "licence": {"type": "string", "description": "An SPDX licence expression, normalised."},
            "licence_families": _array(_enum(FAMILIES)),
            "repository_url": STRING,
            "maturity": _enum(MATURITIES),
            "winner": BOOLEAN,
            "challenge": _object({"slug": {"type": "string", "pattern": SLUG}, "title": TEXT, "domain": _enum(DOMAINS),
                                  "based_on": _nullable({"type": "string", "pattern": SLUG,
                                                         "description": "The challenge it was run again from."})}),
            "public_bodies": _array(_object({"name": STRING, "slug": STRING, "country": COUNTRY}),
                                    description="The hosts of the challenge it came from."),
            "used_in": _map("^[A-Z]{2}$", COUNT, "How many public bodies record using it, by country."),
            "interested": _array(COUNTRY, description="Countries of public bodies that want it."),
            "adoptions": _array(_object({"body": STRING, "body_slug": STRING, "country": COUNTRY,
                                         "kind": _enum(("use", "want")), "recorded_on": {"type": "string", "format": "date"}}),
                                description="The public bodies' records (withdrawn ones left out), oldest first."),
            "contact": _object({"name": STRING, "email": STRING}),
            "approved_at": _nullable(TIME),
            "url": URL,
            "publiccode_url": URL,
        }, description="A solution listed in the reuse catalogue."),
        "SolutionList": _page_of("Solution", solution_list_parameters()),
    }


def _results_document_schemas():
    score = _nullable(NUMBER)
    return {
        "ResultsDocument": _object({
            "format": _enum((documents.FORMAT,)),
            "challenge": _object({
                "slug": STRING, "title": TEXT, "main_language": LANGUAGE,
                "aggregation": _enum(scoring.AGGREGATIONS + FINAL_METHODS), "calibration": _enum(scoring.CALIBRATIONS),
                "publish_ranking": _enum(("all", "winners")), "round": {"type": "integer", "minimum": 1},
                "based_on": _nullable({"type": "string", "pattern": SLUG,
                                       "description": "The challenge this one was run again from (absent in "
                                                      "documents published before it was recorded)."}),
            }, optional=("based_on",)),
            "criteria": _array(_object({
                "id": STRING, "name": TEXT, "weight": NUMBER, "scale_min": INTEGER, "scale_max": INTEGER,
                "threshold": _nullable(NUMBER), "informational": BOOLEAN,
            })),
            "priority_criterion": _nullable(STRING),
            "entries": _array(_ref("RankedEntry")),
            "entries_ranked": COUNT,
            "entries_total": COUNT,
            "ties": _array(_object({
                "entries": _array(STRING), "resolved_by": _nullable(_enum(TIE_RULES)), "reason": _nullable(STRING),
            })),
            "awards": _array(_object({
                "prize_id": INTEGER, "place": _nullable(INTEGER), "name": TEXT, "entry": STRING,
                "amount": _nullable({"type": "string", "pattern": DECIMAL}), "currency": STRING,
            })),
            "jury": _array(_object({"name": STRING, "chair": BOOLEAN, "organisation": STRING})),
            "agreement": _map("^(?:[0-9]+|total)$", score,
                              "Krippendorff's alpha (interval) per criterion id and on the review totals."),
            "reliability": _map("^(?:[0-9]+|total)$", _object({
                "alpha": score, "alpha_undefined": _nullable(STRING),
                "icc": _object({form: score for form in ("1_1", "2_1", "3_1", "1_k", "2_k", "3_k")}),
                "icc_undefined": _map("^[123]_[1k]$", STRING, "Why an intraclass correlation is undefined, by form."),
                "raters": score,
            }), "Alpha and the intraclass correlations (Shrout & Fleiss) on the ranked values, per criterion id and total."),
            "juror_effects": _map("^.+$", score, "Each juror's estimated severity (the model's shrunk effect)."),
            "bootstrap": _nullable(_object({"samples": COUNT, "seed": INTEGER, "level": NUMBER,
                                            "method": _enum(("posterior", "resampling"))})),
            "final_round": _final_round_schema(),
            "published_at": TIME,
            "digest_rule": STRING,
            "digest_scheme": _enum(("rfc8785-sha256", "six-decimals-sha256")),
        }, optional=("final_round",)),
        "RankedEntry": _object({
            "entry": STRING, "team": STRING, "title": STRING, "place": _nullable(INTEGER),
            "score": score, "raw_score": score,
            "interval": _nullable(_array(INTEGER, minItems=2, maxItems=2)),
            "close_call": BOOLEAN, "passed_thresholds": BOOLEAN, "failed_criteria": _array(STRING),
            "tie": _nullable(_enum(TIE_RULES + ("shared",))),
            "criteria": _map("^[0-9]+$", score, "The entry's mean score per criterion id."),
            "raw_criteria": _map("^[0-9]+$", score, "The entry's mean score per criterion id before calibration."),
            "reviews": _array(_object({"juror": STRING, "total": score, "calibrated": score})),
            "awards": _array(TEXT),
            "final": _object({"mu": NUMBER, "sigma": NUMBER, "comparisons": COUNT, "tier": INTEGER, "beats": COUNT},
                             optional=("mu", "sigma", "comparisons", "tier", "beats"),
                             description="A final round judged in pairs: the Crowd-BT estimate (mu, sigma, "
                                         "comparisons); by a ranked vote: the Schulze tier and the finalists beaten."),
        }, optional=("final",)),
    }


FINAL_METHODS = ("crowd_bt", "schulze")


def _final_round_schema():
    """The section of a document whose final round was judged in pairs (Crowd-BT) or by a ranked vote (Schulze):
    one object, the properties of each method optional (`kind` says which are there)."""
    widths = _map("^.+$", _map("^.+$", COUNT, "By the other entry's public id."), "By entry public id.")
    pairwise = {
        "parameters": _object({name: NUMBER for name in ("mu_prior", "sigma_sq_prior", "alpha_prior", "beta_prior",
                                                           "kappa", "gamma", "epsilon", "min_views")}),
        "posterior_draws": COUNT, "level": NUMBER, "seed": INTEGER,
        "votes": _array(_object({"juror": STRING, "winner": STRING, "loser": STRING})),
        "jurors": _map("^.+$", _object({"reliability": NUMBER, "alpha": NUMBER, "beta": NUMBER}),
                       "Each juror's estimated reliability, by anonymised label."),
    }
    ranked = {
        "strength": _enum(("winning_votes",)),
        "ballots": _array(_object({"juror": STRING, "ranking": _array(_array(STRING)), "abstain": _array(STRING)})),
        "d": widths, "p": widths, "order": _array(_array(STRING)), "tied_pairs": _array(_array(STRING)),
    }
    common = {"kind": _enum(("pairwise", "ranked")), "method": _enum(FINAL_METHODS), "reference": STRING,
              "computed": STRING}
    return _object({**common, **pairwise, **ranked}, optional=set(pairwise) | set(ranked),
                   description="What the final round's method computed and from what: every vote or ballot under "
                               "an anonymised juror label, so the order can be computed again.")


def _json(schema_name):
    return {"application/json": {"schema": _ref(schema_name)}}


CONDITIONAL_HEADERS = {
    "ETag": {"description": "A strong tag of the body: send it back in `If-None-Match`.", "required": True,
             "schema": STRING},
    "Cache-Control": {"description": "`public, no-cache` (`private` for a signed-in session).", "required": True,
                      "schema": STRING},
}


def _responses(ok_schema, ok_description, last_modified=False, missing=True):
    headers = dict(CONDITIONAL_HEADERS)
    if last_modified:
        headers["Last-Modified"] = {"description": "When the result was published; it never changes afterwards.",
                                    "required": True, "schema": STRING}
    responses = {
        "200": {"description": ok_description, "headers": headers, "content": _json(ok_schema)},
        "304": {"description": "Not modified: the copy named in `If-None-Match` or `If-Modified-Since` is current.",
                "headers": {"ETag": CONDITIONAL_HEADERS["ETag"]}},
        "400": {"description": "A malformed request, said in `error.message`.", "content": _json("Error")},
    }
    if missing:
        responses["404"] = {"description": "No such public challenge (or no published result yet).",
                            "content": _json("Error")}
    return responses


def _query_parameter(parameter):
    return {"name": parameter.name, "in": "query", "required": False, "description": parameter.description,
            "schema": parameter.schema}


SLUG_PARAMETER = {"name": "slug", "in": "path", "required": True, "description": "The challenge's slug.",
                  "schema": {"type": "string", "pattern": SLUG, "maxLength": 100},
                  "example": "clean-air-sensors"}  # the demo data's challenge with published results


def _paths():
    return {
        "/api/v1/openapi.json": {"get": {
            "operationId": "describeApi", "summary": "This description (OpenAPI 3.1).",
            "responses": {**_responses("OpenApiDocument", "The OpenAPI document.", missing=False)},
        }},
        "/api/v1/challenges": {"get": {
            "operationId": "listChallenges", "summary": "The public challenges, filtered and paged.",
            "parameters": [_query_parameter(p) for p in challenge_list_parameters()],
            "responses": _responses("ChallengeList", "One page of challenges.", missing=False),
        }},
        "/api/v1/challenges/{slug}": {"get": {
            "operationId": "getChallenge", "summary": "One public challenge: timeline, rubric, prizes, figures.",
            "parameters": [SLUG_PARAMETER],
            "responses": _responses("ChallengeDetail", "The challenge."),
        }},
        "/api/v1/challenges/{slug}/results": {"get": {
            "operationId": "getResults", "summary": "The published results of a challenge, with their digest.",
            "parameters": [SLUG_PARAMETER],
            "responses": _responses("Results", "The published results.", last_modified=True),
        }},
        "/api/v1/solutions": {"get": {
            "operationId": "listSolutions", "summary": "The reuse catalogue's solutions, filtered and paged.",
            "parameters": [_query_parameter(p) for p in solution_list_parameters()],
            "responses": _responses("SolutionList", "One page of solutions.", missing=False),
        }},
        "/api/v1/solutions/{slug}": {"get": {
            "operationId": "getSolution", "summary": "One listed solution.",
            "parameters": [{"name": "slug", "in": "path", "required": True, "description": "The solution's identifier.",
                            "schema": {"type": "string", "maxLength": 24}}],
            "responses": _responses("Solution", "The solution."),
        }},
    }


@cache
def description():
    """The whole OpenAPI document (a dict); built once per process, as it depends on nothing but the code."""
    schemas = _schemas()
    schemas["OpenApiDocument"] = {"type": "object", "description": "An OpenAPI 3.1 document."}
    return {
        "openapi": "3.1.0",
        "info": {"title": "govchallenge public API", "version": VERSION, "description": DESCRIPTION,
                 "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"}},
        "paths": _paths(),
        "components": {"schemas": schemas},
    }
