"""The query of /api/v1/challenges: one table that checks each request and is printed, as it stands, in the OpenAPI
description, so the description never promises what the code refuses, nor the reverse.

A malformed query is refused whole (400, JSON, naming each parameter at fault): an unknown parameter, a parameter
given twice, or a value outside its schema. Nothing is dropped silently: a partner's typo (`sate=open`, `state=Open`)
would otherwise return every challenge as if it were the filtered list. The HTML catalogue stays forgiving (it
ignores what it does not know); the API is a contract."""
from dataclasses import dataclass, field
from functools import cache

from govchallenge.challenges import catalogue as cat
from govchallenge.challenges.models import DOMAINS, PUBLIC_STATES
from govchallenge.core.geo import country_codes
from govchallenge.core.languages import language_codes
from govchallenge.core.pagination import MAX_PAGE

MAX_PER_PAGE, DEFAULT_PER_PAGE = 100, 20
MAX_SEARCH_LENGTH = 200
WITHOUT_NUL = "^[^\\u0000]*$"  # the app refuses a NUL byte anywhere in a request (core/urls.py)


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    schema: dict = field(hash=False)

    def accepts(self, raw):
        """Whether the query-string text `raw` is a value of this parameter's schema (the shapes used below:
        an enumeration, a bounded whole number written in ASCII digits, a bounded string without NUL)."""
        schema = self.schema
        if "enum" in schema:
            return raw in schema["enum"]
        if schema["type"] == "integer":
            return raw.isascii() and raw.isdecimal() and len(raw) <= 9 and schema["minimum"] <= int(raw) <= schema["maximum"]
        return len(raw) <= schema["maxLength"] and "\x00" not in raw

    def value(self, raw):
        return int(raw) if self.schema["type"] == "integer" else raw


def _enum(values, default=None):
    schema = {"type": "string", "enum": list(values)}
    if default is not None:
        schema["default"] = default
    return schema


@cache
def challenge_list_parameters():
    return (
        Parameter("q", "Words that must all appear in the challenge's texts (any language), case-insensitive.",
                  {"type": "string", "maxLength": MAX_SEARCH_LENGTH, "pattern": WITHOUT_NUL}),
        Parameter("state", "Only challenges in this public state, on the server's clock.", _enum(PUBLIC_STATES)),
        Parameter("country", "Only challenges with an accepted host from this country (ISO 3166-1 alpha-2, upper case).",
                  _enum(country_codes())),
        Parameter("domain", "Only challenges of this domain.", _enum(DOMAINS)),
        Parameter("language", "Only challenges written in this language (ISO 639-1, lower case): the main language "
                  "or a translated title.", _enum(language_codes())),
        Parameter("eligible", "Only challenges that entrants from this country (ISO 3166-1 alpha-2, upper case) may "
                  "enter.", _enum(country_codes())),
        Parameter("sort", "`closing`: still open first, soonest deadline first; `newest`: newest first.",
                  _enum(cat.SORTS, default="closing")),
        Parameter("page", "The page to show, from 1. A page past the last one is empty.",
                  {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
        Parameter("per_page", f"How many challenges a page holds, at most {MAX_PER_PAGE}.",
                  {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}),
    )


@cache
def solution_list_parameters():
    from govchallenge.reuse.catalogue import FAMILIES
    from govchallenge.reuse.models import MATURITIES

    return (
        Parameter("q", "Words that must all appear in the solution's name or descriptions (any language), case-insensitive.",
                  {"type": "string", "maxLength": MAX_SEARCH_LENGTH, "pattern": WITHOUT_NUL}),
        Parameter("licence", "Only solutions whose licence (or one of its choices) is of this family: `permissive`, "
                  "`copyleft` or `eupl` (EUPL-compatible).", _enum(FAMILIES)),
        Parameter("country", "Only solutions used by a public body of this country or hosted by one (ISO 3166-1 "
                  "alpha-2, upper case).", _enum(country_codes())),
        Parameter("language", "Only solutions available in this language (ISO 639-1, lower case).", _enum(language_codes())),
        Parameter("maturity", "Only solutions of this maturity (publiccode.yml `developmentStatus`).", _enum(MATURITIES)),
        Parameter("domain", "Only solutions from challenges of this domain.", _enum(DOMAINS)),
        Parameter("page", "The page to show, from 1. A page past the last one is empty.",
                  {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
        Parameter("per_page", f"How many solutions a page holds, at most {MAX_PER_PAGE}.",
                  {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}),
    )


@dataclass
class QueryProblems(Exception):
    unknown: list
    repeated: list
    invalid: list


def read_query(args, parameters):
    """{name: value} of the parameters given in `args` (a MultiDict); raises QueryProblems naming every fault."""
    known = {p.name: p for p in parameters}
    unknown = sorted(name for name in args if name not in known)
    repeated = sorted(name for name, values in args.lists() if name in known and len(values) > 1)
    invalid = [p.name for p in parameters if p.name in args and p.name not in repeated and not p.accepts(args[p.name])]
    if unknown or repeated or invalid:
        raise QueryProblems(unknown, repeated, invalid)
    return {p.name: p.value(args[p.name]) for p in parameters if p.name in args}
