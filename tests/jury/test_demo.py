"""The jury's demo data (jury/demo.py), as designed: for two challenges a jury of three jurors and the host's
officer as chair, round 1 with three reviews per entry; half the reviews submitted and one draft per juror where
the round stays open, every review submitted and the round closed where results are to be published."""
from collections import Counter

import pytest
import sqlalchemy as sa

from govchallenge.challenges.models import by_slug
from govchallenge.core.timeutil import utcnow
from govchallenge.demo import ORGANISATIONS, USERS, ensure_organisation, ensure_user
from govchallenge.extensions import db
from govchallenge.jury import demo
from govchallenge.jury.models import ACTIVE, Assignment, Juror, Review, Round
from govchallenge.organisations.models import OFFICER
from govchallenge.organisations.models import by_slug as organisation

CHAIRS = {"smart-mobility-data": "eleni.papadopoulou@thessaloniki.example.gr",
          "clean-air-sensors": "anna.kowalska@cyfryzacja.example.pl"}


@pytest.fixture
def demo_world(app):
    """The demo's accounts, organisations, challenges, teams and entries: what the jury's step builds on."""
    from govchallenge.challenges.demo import add_demo as add_challenges
    from govchallenge.organisations.operations import add_member
    from govchallenge.teams.demo import add_demo as add_teams

    users = {row[0]: ensure_user(*row[:5]) for row in USERS}
    admin = users["admin@govchallenge.example"]
    founders = {row[6]: users[row[0]] for row in USERS if row[7] == OFFICER}
    for slug, name, kind, country, website, verified in ORGANISATIONS:
        ensure_organisation(slug, name, kind, country, website, verified, founders[slug], admin)
    for email, *_rest, slug, role in USERS:
        if slug and role != OFFICER:
            add_member(admin, organisation(slug), users[email], role)
    add_challenges(users)
    add_teams(users)
    db.session.commit()
    return users


def rows(model, *where):
    return db.session.execute(sa.select(model).where(*where)).scalars().all()


def test_the_demo_jury_of_each_challenge(demo_world):
    demo.add_demo(demo_world)
    db.session.commit()
    for slug, chair_email in CHAIRS.items():
        challenge = by_slug(slug)
        jurors = rows(Juror, Juror.challenge_id == challenge.id)
        assert sorted(j.email for j in jurors) == sorted(demo.JURORS + [chair_email]), slug
        assert all(j.state == "accepted" and j.user is not None and j.confidentiality_agreed_at for j in jurors)
        assert [j.email for j in jurors if j.is_chair] == [chair_email]
        (rnd,) = rows(Round, Round.challenge_id == challenge.id)
        assert rnd.number == 1 and rnd.reviews_per_entry == 3
        assignments = rows(Assignment, Assignment.round_id == rnd.id, Assignment.state == ACTIVE)
        entries = {e.submission_id for e in rnd.entries}
        assert len(entries) >= 3
        assert Counter(a.submission_id for a in assignments) == {entry: 3 for entry in entries}
        loads = Counter(a.juror_id for a in assignments).values()
        assert max(loads) - min(loads) <= 1 and len(loads) == 4


def test_half_the_reviews_and_one_draft_per_juror_where_the_round_stays_open(demo_world):
    demo.add_demo(demo_world)
    db.session.commit()
    rnd = rows(Round, Round.challenge_id == by_slug("smart-mobility-data").id)[0]
    assert rnd.state == "open" and rnd.closes_at > utcnow()
    reviews = rows(Review, Review.assignment_id.in_(
        sa.select(Assignment.id).where(Assignment.round_id == rnd.id)))
    by_juror = Counter()
    for review in reviews:
        by_juror[(review.assignment.juror_id, review.state)] += 1
    for juror in rows(Juror, Juror.challenge_id == rnd.challenge_id):
        load = len([a for a in rnd.assignments if a.juror_id == juror.id and a.state == ACTIVE])
        assert by_juror[(juror.id, "submitted")] == load // 2, juror.email
        assert by_juror[(juror.id, "draft")] == 1, juror.email
    _assert_plausible(reviews, rnd)


def test_every_review_submitted_and_the_round_closed_where_results_come_next(demo_world):
    demo.add_demo(demo_world)
    db.session.commit()
    rnd = rows(Round, Round.challenge_id == by_slug("clean-air-sensors").id)[0]
    assert rnd.state == "closed"
    active = [a for a in rnd.assignments if a.state == ACTIVE]
    assert active and all(a.review is not None and a.review.state == "submitted" for a in active)
    _assert_plausible([a.review for a in active], rnd)


def _assert_plausible(reviews, rnd):
    """Every score on its criterion's scale, not all alike, and a comment that is one of the demo's own."""
    criteria = {str(c.id): c for c in rnd.criteria}
    values = []
    for review in reviews:
        assert set(review.scores) == set(criteria)
        for cid, value in review.scores.items():
            assert criteria[cid].scale_min <= value <= criteria[cid].scale_max
            values.append(value)
        assert review.comments["overall"] in demo.COMMENTS
    assert len(set(values)) >= 3


def test_a_second_run_changes_nothing(demo_world):
    demo.add_demo(demo_world)
    db.session.commit()
    before = [db.session.execute(sa.select(sa.func.count()).select_from(m)).scalar() for m in (Juror, Round, Assignment, Review)]
    assert all(before)
    demo.add_demo(demo_world)
    db.session.commit()
    assert [db.session.execute(sa.select(sa.func.count()).select_from(m)).scalar()
            for m in (Juror, Round, Assignment, Review)] == before


def test_a_missing_account_leaves_that_challenge_without_a_jury(demo_world):
    users = {email: user for email, user in demo_world.items() if email != demo.JURORS[1]}
    demo.add_demo(users)
    assert rows(Round) == [] and rows(Juror) == []


@pytest.mark.parametrize("entry_index, juror_index", [(0, 0), (3, 1), (9, 2), (5, 3)])
def test_demo_scores_stay_on_the_scale(entry_index, juror_index):
    class Criterion:
        scale_min, scale_max, position = 1, 5, 2

    assert 1 <= demo._score(Criterion, entry_index, juror_index) <= 5


def test_the_demo_day_challenge_is_judged_in_pairs_and_its_outcome_published(demo_world):
    """Round 1 on the rubric, its top five judged in pairs (every juror sees every finalist they may; one of them
    contradicts the order now and then), closed; the results publish the pairwise outcome with every optional
    field filled: the special award given, the votes under juror labels, each juror's reliability."""
    from govchallenge.results import demo as results_demo
    from govchallenge.results.models import published_for

    demo.add_demo(demo_world)
    results_demo.add_demo(demo_world)
    db.session.commit()
    challenge = by_slug("cool-streets-demo-day")
    first, final = rows(Round, Round.challenge_id == challenge.id)
    assert (first.kind, first.state, final.kind, final.state) == ("rubric", "closed", "pairwise", "closed")
    assert len(final.entries) == demo.PAIRWISE_FINALS["cool-streets-demo-day"]
    document = published_for(challenge.id).document
    section = document["final_round"]
    assert section["kind"] == "pairwise" and len(section["votes"]) >= 4 * 3
    reliabilities = [j["reliability"] for j in section["jurors"].values()]
    assert len(reliabilities) == 4 and min(reliabilities) < max(reliabilities)
    assert [e["place"] for e in document["entries"]] == [1, 2, 3, 4, 5]
    assert all(e["final"]["comparisons"] > 0 and e["interval"] for e in document["entries"])
    assert {a["place"] for a in document["awards"]} == {1, 2, None}  # the special award given too
