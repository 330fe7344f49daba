"""The OpenAPI description against the code: a valid OpenAPI 3.1 document, every route under /api/v1 described (and
nothing described that is not there), every field of real answers described, and every described field seen in a
real answer. The answers come from the hostile world (tests/support/world.py) with the optional parts it leaves
empty filled here, so each nullable field is seen with a value and each list with an item."""
import re

import jsonschema
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from govchallenge.api.openapi import description
from govchallenge.api.parameters import challenge_list_parameters
from govchallenge.challenges import catalogue
from govchallenge.extensions import db
from tests.support.results_factories import judged_challenge
from tests.support.world import build_world

BASE = "urn:govchallenge-api"
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}


def test_the_description_is_valid_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)  # raises on any error
    assert document["openapi"].startswith("3.1")


def _openapi_path(rule):
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_every_api_route_is_described_and_every_described_route_exists(app):
    served = {(_openapi_path(rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in rule.methods - IMPLICIT_METHODS}
    described = {(path, method) for path, operations in description()["paths"].items() for method in operations}
    assert served - described == set(), "served under /api/ but not described"
    assert described - served == set(), "described but not served"


def test_every_value_the_description_lists_is_one_the_code_accepts():
    """The parameters are checked by the table the description prints; here the table's lists against the
    catalogue's own rules, value by value (the fuzzing below samples them, this takes each one)."""
    for parameter in challenge_list_parameters():
        written, known, _absent = catalogue.FILTERS.get(parameter.name, (None, None, None))
        for value in parameter.schema.get("enum", ()):
            assert parameter.accepts(value)
            assert known is None or (written(value) == value and known(value)), (parameter.name, value)


# --- real answers against the description -------------------------------------------------------------------

def _validator(schema_name):
    registry = Registry().with_resource(BASE, Resource.from_contents(description(), default_specification=DRAFT202012))
    return jsonschema.Draft202012Validator({"$ref": f"{BASE}#/components/schemas/{schema_name}"}, registry=registry,
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _resolve(schema):
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = description()["components"]["schemas"][name]
    if "anyOf" in schema:  # a nullable reference: the reference
        schema = _resolve(next(s for s in schema["anyOf"] if s.get("type") != "null"))
    return schema


def described_fields(schema, path="$"):
    """Every field path the description names: `.name` for a property, `.*` for a map's values, `[]` for items."""
    schema = _resolve(schema)
    yield path
    for name, sub in schema.get("properties", {}).items():
        yield from described_fields(sub, f"{path}.{name}")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from described_fields(schema["additionalProperties"], f"{path}.*")
    if "items" in schema:
        yield from described_fields(schema["items"], f"{path}[]")


def filled_fields(value, schema, path="$"):
    """The field paths of `value` that hold something (not null, not an empty list or map)."""
    schema = _resolve(schema)
    if value is None or value == [] or value == {}:
        return
    yield path
    if isinstance(value, dict):
        for name, sub in value.items():
            if name in schema.get("properties", {}):
                yield from filled_fields(sub, schema["properties"][name], f"{path}.{name}")
            elif isinstance(schema.get("additionalProperties"), dict):
                yield from filled_fields(sub, schema["additionalProperties"], f"{path}.*")
    elif isinstance(value, list):
        for item in value:
            yield from filled_fields(item, schema["items"], f"{path}[]")


def _fill_what_the_world_leaves_empty(world):
    """The open challenge gets a country list, entrant kinds, a results date and a criterion threshold, and the
    listed solution's challenge is a copy of it; one more
    challenge is published with a tie the chair resolved, a priority criterion and an entry below a threshold."""
    from datetime import timedelta

    from govchallenge.results import operations as results

    challenge = world.challenges["open"]
    challenge.countries_mode, challenge.countries = "list", ["PL", "GR"]
    challenge.entrant_kinds = ["public_body", "startup"]
    challenge.results_at = challenge.closes_at + timedelta(days=30)
    challenge.criteria[0].threshold = 4.5
    world.rows["listing"].challenge.based_on = challenge  # a listed solution of a challenge run again
    # The second criterion gets the same score everywhere: its alpha and ICCs are undefined, with their reasons.
    tied = judged_challenge(score=lambda entry, juror, criterion: 7 if entry < 2 and criterion == 0 else 5, special="Special prize")
    tied.challenge.criteria[0].threshold = 6.0
    first, second = tied.submissions[:2]
    publication = results.propose(tied.challenge, tied.chair, priority_criterion_id=tied.challenge.criteria[1].id,
                                  chair_decisions=[{"order": [second.public_id, first.public_id], "reason": "r"}])
    results.confirm(publication, tied.officer)
    results.confirm(publication, tied.cohost_officer)
    db.session.commit()
    return tied.challenge


def _published_finals(original):
    """Two challenges whose final round was judged in pairs and by a ranked vote (with a tie the chair decided),
    published: their documents fill the final round's section. The ranked one runs `original` again, so its
    document names the challenge it was based on."""
    from govchallenge.results import operations as results
    from tests.support.finals_factories import PAIRWISE, RANKED, judged_final

    made = []
    for kind, ballots in ((PAIRWISE, None), (RANKED, [[[0, 1], [2]], [[1, 0], [2]], [[0], [1]], [[1], [0]]])):
        final = judged_final(kind, n_entries=3, ballots=ballots, conflicts=[(3, 2)])
        if kind == RANKED:
            final["challenge"].based_on = original
        decisions = [{"order": [final["submissions"][1].public_id, final["submissions"][0].public_id], "reason": "r"}]
        publication = results.propose(final["challenge"], final["chair"], chair_decisions=decisions)
        results.confirm(publication, final["officer"])
        db.session.commit()
        made.append(final["challenge"])
    return made


def _real_answers(client, world, tied):
    """(schema name, answer body) for every operation, from the world's public challenges."""
    answers = [("OpenApiDocument", client.get("/api/v1/openapi.json"))]
    every_filter = "q=challenge&state=open&country=PL&domain=other&language=en&eligible=PL&sort=newest&page=1&per_page=5"
    answers += [("ChallengeList", client.get(f"/api/v1/challenges?{query}")) for query in ("per_page=100", every_filter)]
    for challenge in (world.challenges["open"], world.challenges["published"], tied):
        answers.append(("ChallengeDetail", client.get(f"/api/v1/challenges/{challenge.slug}")))
    for challenge in (world.challenges["published"], tied, *_published_finals(world.challenges["published"])):
        answers.append(("Results", client.get(f"/api/v1/challenges/{challenge.slug}/results")))
    every_solution_filter = "q=a&licence=eupl&country=PL&language=en&maturity=beta&domain=mobility&page=1&per_page=5"
    answers += [("SolutionList", client.get(f"/api/v1/solutions?{query}")) for query in ("per_page=100", every_solution_filter)]
    answers.append(("Solution", client.get(f"/api/v1/solutions/{world.rows['listing'].slug}")))
    for name, response in answers:
        assert response.status_code == 200, (name, response.request.url, response.get_json())
    return [(name, response.get_json()) for name, response in answers]


def test_real_answers_hold_exactly_the_described_fields_and_fill_each_of_them(app):
    """A field in an answer but not in the description fails (every object is closed); a described field that
    no answer fills fails too, since the first check would then prove nothing about it (an empty list hides its
    items' shape, a null hides its type)."""
    world = build_world()
    answers = _real_answers(app.test_client(), world, _fill_what_the_world_leaves_empty(world))
    problems = [f"{name} {error.json_path}: {error.message}"
                for name, body in answers for error in _validator(name).iter_errors(body)]
    assert problems == []
    schemas = description()["components"]["schemas"]
    described = {(name, path) for name, _body in answers for path in described_fields(schemas[name])}
    filled = {(name, path) for name, body in answers for path in filled_fields(body, schemas[name])}
    assert sorted(described - filled) == []
