"""Queries per page stay constant from a small challenge to a ten times bigger one, on every page the load
benchmark reads: the catalogue, a challenge page, the API list, a results page, the chair's jury dashboard and
the juror's list. The same pages at 3 and at 30 entries (and 3 and 30 more challenges) run the same number of
SQL statements."""
import pytest

from govchallenge.extensions import db
from tests.support import factories
from tests.support.jury_factories import make_jury_setup, submit_all_reviews
from tests.support.queries import queries
from tests.support.results_factories import judged_challenge, publish

SMALL, LARGE = 3, 30


def world(size, host):
    """A published challenge with `size` entries, a jury round of `size` entries with every review in, and
    `size` more challenges in the catalogue."""
    judged = judged_challenge(entries=size, jurors=3)
    publish(judged)
    jury = make_jury_setup(host=host, n_entries=size, n_jurors=4, reviews=2)
    submit_all_reviews(jury["round"])
    for _ in range(size):
        factories.make_challenge(host=host, stages=2, criteria=3)
    db.session.commit()
    return judged, jury


def measure(app, login_as, judged, jury):
    juror = jury["users"][1]
    anonymous = app.test_client()
    return {
        "catalogue": queries(anonymous, "/challenges/"),
        "catalogue search": queries(anonymous, "/challenges/?q=challenge"),
        "challenge page": queries(anonymous, f"/challenges/{judged.challenge.slug}"),
        "API list": queries(anonymous, "/api/v1/challenges"),
        "results page": queries(anonymous, f"/challenges/{judged.challenge.slug}/results"),
        "chair dashboard": queries(login_as(jury["chair"]), f"/jury/{jury['challenge'].slug}/dashboard"),
        "juror list": queries(login_as(juror), f"/jury/{jury['challenge'].slug}/reviews"),
        "jurors of the challenge": queries(login_as(jury["chair"]), f"/jury/{jury['challenge'].slug}/members"),
    }


@pytest.mark.single_db
def test_queries_per_page_do_not_grow_with_the_challenge(app, people, login_as):
    small = measure(app, login_as, *world(SMALL, people["ministry"]))
    large = measure(app, login_as, *world(LARGE, people["ministry"]))
    print("queries per page", {page: (small[page], large[page]) for page in small})
    assert large == small
