"""Run this challenge again: an officer of another verified public body copies a published challenge as a draft
of their body, with new dates and currency, and a "based on" link; the original hosts see who reused it."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from govchallenge.challenges.models import Challenge
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from tests.support import factories


def _copies(source):
    db.session.expire_all()
    return db.session.execute(sa.select(Challenge).where(Challenge.based_on_id == source.id)).scalars().all()


def _local(moment, zone):
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def test_a_copy_keeps_everything_and_moves_the_dates(app, login_as, published, adopter):
    officer, body = adopter
    officer.language = "en"
    source = published.challenge
    source.title = dict(source.title, el="Πρόκληση")
    source.prizes[0].description = {"en": "For the best", "fr": "Pour le meilleur"}
    db.session.commit()
    client = login_as(officer)
    assert client.get(f"/solutions/challenges/{source.slug}/run-again").status_code == 200
    opens = (utcnow() + timedelta(days=60)).replace(second=0, microsecond=0)
    response = client.post(f"/solutions/challenges/{source.slug}/run-again",
                           data={"organisation": str(body.id), "opens_at": _local(opens, source.timezone), "currency": "PLN"})
    assert response.status_code == 302
    (copy,) = _copies(source)
    assert response.headers["Location"].endswith(f"/challenges/{copy.slug}")
    assert copy.status == "draft" and copy.lead_host.organisation_id == body.id and len(copy.hosts) == 1
    assert copy.title == source.title and copy.terms == source.terms and copy.description == source.description
    assert [(c.name, c.weight, c.scale_min, c.scale_max, c.anchors) for c in copy.criteria] == \
        [(c.name, c.weight, c.scale_min, c.scale_max, c.anchors) for c in source.criteria]
    assert (copy.countries_mode, copy.team_min, copy.team_max, copy.anonymous_review) == \
        (source.countries_mode, source.team_min, source.team_max, source.anonymous_review)
    offset = copy.stages[0].opens_at - source.stages[0].opens_at
    assert copy.stages[0].opens_at == opens
    assert [(s.closes_at - s.opens_at) for s in copy.stages] == [(s.closes_at - s.opens_at) for s in source.stages]
    assert copy.closes_at == source.closes_at + offset
    assert [(p.amount, p.currency, p.name) for p in copy.prizes] == [(p.amount, "PLN", p.name) for p in source.prizes]
    # The copy links back; the original's hosts see who reused it.
    page = client.get(f"/challenges/{copy.slug}").get_data(as_text=True)
    assert f'href="/challenges/{source.slug}"' in page and "Based on the challenge" in page
    host_page = login_as(published.officer).get(f"/challenges/{source.slug}").get_data(as_text=True)
    assert "Ville de Lyon" in host_page
    # The copy goes through the usual review.
    from govchallenge.challenges import operations as challenges

    challenges.submit_for_review(officer, copy)
    db.session.commit()
    assert _copies(source)[0].status == "in_review"


def test_a_date_in_the_past_is_refused_and_nothing_is_copied(app, login_as, published, adopter):
    officer, body = adopter
    officer.language = "en"
    source = published.challenge
    client = login_as(officer)
    past = utcnow() - timedelta(hours=1)
    response = client.post(f"/solutions/challenges/{source.slug}/run-again",
                           data={"organisation": str(body.id), "opens_at": _local(past, source.timezone), "currency": "EUR"})
    assert response.status_code == 400 and "has passed" in response.get_data(as_text=True)
    for bad in ({"opens_at": "yesterday"}, {"opens_at": "1500-01-01T10:00"}, {"currency": "XXQ"}, {"organisation": "0"}):
        data = {"organisation": str(body.id), "opens_at": _local(utcnow() + timedelta(days=9), source.timezone),
                "currency": "EUR", **bad}
        assert client.post(f"/solutions/challenges/{source.slug}/run-again", data=data).status_code == 400, bad
    assert _copies(source) == []


def test_who_may_run_a_challenge_again(app, login_as, published, people):
    source = published.challenge
    url = f"/solutions/challenges/{source.slug}/run-again"
    assert app.test_client().get(url).status_code == 302
    assert login_as(published.officer).get(url).status_code == 403  # a host edits its own challenge instead
    assert login_as(published.submissions[0].team.members[0].user).get(url).status_code == 403
    assert login_as(people["member"]).get(url).status_code == 403
    unverified = factories.make_user()
    factories.make_public_body(country="IT", verified=False, officer=unverified)
    db.session.commit()
    assert login_as(unverified).get(url).status_code == 403
    assert login_as(people["officer"]).get(url).status_code == 200  # another verified body's officer
    draft = factories.make_challenge(status="draft")
    db.session.commit()
    assert login_as(people["officer"]).get(f"/solutions/challenges/{draft.slug}/run-again").status_code == 403
    assert login_as(people["officer"]).get("/solutions/challenges/no-such/run-again").status_code == 404
