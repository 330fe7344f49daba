"""Schemathesis against the app in this process (WSGI, no server): every operation of /api/v1/openapi.json, with
valid and invalid input, checked for server errors, answers outside the description, invalid input accepted and
valid input refused. Deterministic (derandomized Hypothesis, no example database), so a run that passed once passes
again and a failure found once is found every time."""
import contextvars

import hypothesis
import pytest
import schemathesis

from govchallenge.extensions import db
from tests.support import factories
from tests.support.results_factories import judged_challenge, publish


@pytest.fixture
def api_schema(app, request):
    # Schemathesis 4.32's pytest loader reads `node._nodeid`, which pytest 9 no longer has: give it the node id.
    request.node._nodeid = request.node.nodeid
    published = judged_challenge(special="Special prize")
    publish(published)
    factories.make_challenge(stages=2)
    db.session.commit()

    def isolated(environ, start_response):
        """Each request in its own context, as in production (see tests/conftest.py's IsolatedClient)."""
        return contextvars.Context().run(app, environ, start_response)

    config = schemathesis.config.SchemathesisConfig.from_dict({
        "generation": {"deterministic": True, "max-examples": 25},
        "operations": [{"include-name": "GET /api/v1/challenges", "phases": {"coverage": {"enabled": False}}}],
    })
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis.settings(derandomize=True, database=None, max_examples=25, deadline=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_api_answers_as_described(case):
    case.call_and_validate()
