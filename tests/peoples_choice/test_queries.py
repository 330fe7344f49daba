"""The People's Choice pages run as many queries with 3 shortlisted entries and 3 votes as with 30 and 30."""
from datetime import timedelta

import pytest

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.peoples_choice import operations
from tests.conftest import login
from tests.support.pchoice_factories import award_world, voter
from tests.support.queries import queries


def _measure(app, size):
    world = award_world(entries=size)
    for index in range(size):
        operations.cast_vote(voter(), world.award, world.entries[index].public_id, 0, f"192.0.2.{index}")
    world.award.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    slug = world.judged.challenge.slug
    host, public = login(app.test_client(), world.judged.officer), app.test_client()
    measured = {"award page (host, after close)": queries(host, f"/challenges/{slug}/peoples-choice"),
                "hosts' page": queries(host, f"/challenges/{slug}/peoples-choice/manage")}
    operations.publish(world.judged.officer, world.award)
    db.session.commit()
    measured["award page (published)"] = queries(public, f"/challenges/{slug}/peoples-choice")
    measured["entry page"] = queries(public, f"/challenges/{slug}/peoples-choice/entries/{world.entries[0].public_id}")
    return measured


@pytest.mark.single_db
def test_queries_per_page_do_not_grow_with_the_shortlist(app):
    small, large = _measure(app, 3), _measure(app, 30)
    print("people's choice queries per page", {page: (small[page], large[page]) for page in small})
    assert large == small
