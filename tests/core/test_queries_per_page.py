"""Queries per page stay constant from a small challenge to a ten times bigger one, on every page the load
benchmark reads: the home page, the catalogue (plain, searched, filtered, signed in), a challenge page, the API list, a
results page, a team's entry page, a juror's list and review page, the chair's jury dashboard and the jurors of
the challenge. The same pages at 3 and at 30 entries (and 3 and 30 more challenges) run the same number of
SQL statements."""
import pytest

from govchallenge.extensions import db
from govchallenge.jury.models import Assignment
from tests.conftest import IsolatedClient
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
    assignment = Assignment.query.filter_by(juror_id=jury["jurors"][1].id, state="active").first()
    entry = jury["submissions"][0]
    anonymous = app.test_client()
    reviewer, review_page = login_as(juror), f"/jury/review/{assignment.public_id}"
    reviewer.get(review_page)  # the first view of a file inspects it once (one row per distinct file, then reused)
    return {
        "home": queries(anonymous, "/"),
        "catalogue": queries(anonymous, "/challenges/"),
        "catalogue search": queries(anonymous, "/challenges/?q=challenge"),
        "catalogue filters": queries(anonymous, "/challenges/?country=GR&domain=environment"),
        "catalogue, signed in": queries(login_as(juror), "/challenges/"),
        "challenge page": queries(anonymous, f"/challenges/{judged.challenge.slug}"),
        "API list": queries(anonymous, "/api/v1/challenges"),
        "results page": queries(anonymous, f"/challenges/{judged.challenge.slug}/results"),
        "chair dashboard": queries(login_as(jury["chair"]), f"/jury/{jury['challenge'].slug}/dashboard"),
        "team's entry page": queries(login_as(entry.team.lead.user), f"/entries/{entry.public_id}"),
        "juror list": queries(login_as(juror), f"/jury/{jury['challenge'].slug}/reviews"),
        "juror's review page": queries(reviewer, review_page),
        "jurors of the challenge": queries(login_as(jury["chair"]), f"/jury/{jury['challenge'].slug}/members"),
    }


@pytest.mark.single_db
def test_queries_per_page_do_not_grow_with_the_challenge(app, people, login_as):
    app.test_client_class = IsolatedClient  # each request its own `g`, as in production: no signed-in user leaks
    small = measure(app, login_as, *world(SMALL, people["ministry"]))
    large = measure(app, login_as, *world(LARGE, people["ministry"]))
    print("queries per page", {page: (small[page], large[page]) for page in small})
    assert large == small
