"""Schemathesis against the app in this process (WSGI, no server): every operation of /api/v1/openapi.json with
valid and invalid input, checked for server errors, answers outside the description (status, content type, fields,
headers), invalid input accepted, valid input refused, and undeclared methods not answered 405 with `Allow`.

Deterministic: Hypothesis derandomized and without an example database (tests/conftest.py keeps none), so a run
that passed once passes again and a failure found once is found every time; the number of examples is fixed.

The coverage phase (every boundary and every enumerated value, one request each) runs for every operation but the
catalogue: its country and language parameters list some 700 codes, a request each, which would make this test
last minutes. tests/api/test_openapi_drift.py checks each listed value against the code instead, and the fuzzing
phase still draws the catalogue's parameters, valid and invalid."""
import contextvars

import hypothesis
import pytest
import schemathesis

from govchallenge.api.openapi import SLUG_PARAMETER
from govchallenge.extensions import db
from tests.support import factories
from tests.support.results_factories import judged_challenge, publish

EXAMPLES = 25


@pytest.fixture
def api_schema(app, request):
    # Schemathesis 4.32's pytest loader reads `node._nodeid`, which pytest 9 no longer has: give it the node id.
    request.node._nodeid = request.node.nodeid
    # The description's example slug names this world's published challenge, so the examples answer 200.
    publish(judged_challenge(slug=SLUG_PARAMETER["example"], special="Special prize"))
    factories.make_challenge(stages=2)
    db.session.commit()

    def isolated(environ, start_response):
        """Each request in its own context, as in production (see tests/conftest.py's IsolatedClient)."""
        return contextvars.Context().run(app, environ, start_response)

    config = schemathesis.config.SchemathesisConfig.from_dict({
        "operations": [{"include-name": "GET /api/v1/challenges", "phases": {"coverage": {"enabled": False}}}],
    })
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis.settings(derandomize=True, database=None, max_examples=EXAMPLES, deadline=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_api_answers_as_described(case):
    case.call_and_validate()
