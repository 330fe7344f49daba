import pytest

from govchallenge.extensions import db
from tests.reuse import samples
from tests.support import factories
from tests.support.results_factories import judged_challenge, publish


@pytest.fixture
def published(app):
    """A judged challenge with published results: entry 0 won (EUPL-1.2 OR MIT, a valid publiccode.yml), entry 1
    came second, entry 2 won nothing. The team of entry 0 works in Greek."""
    members = [[factories.make_user(name="Ελένη Παπαδοπούλου", language="el", country="GR")],
               [factories.make_user(language="de", country="DE")], [factories.make_user(language="fr", country="FR")]]
    judged = judged_challenge(entries=3, members=members)
    first = judged.submissions[0]
    first.licence, first.repository_url, first.publiccode = "EUPL-1.2 OR MIT", "https://git.example.eu/bus", samples.VALID
    third = judged.submissions[2]
    third.licence, third.repository_url = "GPL-3.0-or-later", "https://git.example.eu/third"
    publish(judged)
    db.session.commit()
    return judged


@pytest.fixture
def adopter(app):
    """An officer of a verified public body in a third country (France), writing in French."""
    officer = factories.make_user(name="Amélie Officier", language="fr", country="FR")
    body = factories.make_public_body(country="FR", officer=officer, name="Ville de Lyon")
    db.session.commit()
    return officer, body
