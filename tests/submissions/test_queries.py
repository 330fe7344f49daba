"""Pages run a number of queries that does not grow with the rows shown."""
from datetime import timedelta

import pytest
import time_machine

from govchallenge.extensions import db
from tests.support import factories
from tests.support.queries import counting


def _queries(client, path):
    with counting() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.single_db
def test_hosts_list_and_team_page_queries_do_not_grow(app, login_as, people):
    challenge = factories.make_challenge(host=people["ministry"])
    lead = factories.make_user()
    team = factories.make_team(challenge, [lead, factories.make_user()])
    factories.make_submission(team)
    db.session.commit()
    host, member = login_as(people["officer"]), login_as(lead)
    closed = challenge.stages[0].closes_at + timedelta(minutes=1)
    with time_machine.travel(closed):
        _queries(host, f"/entries/hosts/{challenge.slug}")  # warm: the clock's jump lets the embedded default sweep due jobs
        few = _queries(host, f"/entries/hosts/{challenge.slug}")
    team_few = _queries(member, f"/teams/{team.public_id}")
    for _ in range(12):
        other = factories.make_team(challenge, [factories.make_user(), factories.make_user()])
        factories.make_submission(other)
    for _ in range(2):
        team.members.append(type(team.members[0])(user=factories.make_user(), challenge_id=challenge.id))
    db.session.commit()
    # Later than the first visit (a session cookie signed in the future is refused), and within the
    # embedded default's 30 s between sweeps of due jobs, which would add a query of their own.
    with time_machine.travel(closed + timedelta(seconds=15)):
        assert _queries(host, f"/entries/hosts/{challenge.slug}") == few
    assert _queries(member, f"/teams/{team.public_id}") == team_few


def test_the_entry_page_loads_its_challenge_with_the_entry(app, login_as, people):
    challenge = factories.make_challenge(host=people["ministry"])
    lead = factories.make_user()
    team = factories.make_team(challenge, [lead, factories.make_user()])
    entry = factories.make_submission(team)
    db.session.commit()
    client = login_as(lead)
    with counting() as statements:
        assert client.get(f"/entries/{entry.public_id}").status_code == 200
    assert not [s for s in statements if s.lstrip().startswith("SELECT challenge.")]
