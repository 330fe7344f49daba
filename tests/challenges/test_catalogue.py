"""Catalogue filters and search, the JSON API agreeing with it, query counts, feed, Q&A and follower e-mails."""

import pytest
import sqlalchemy as sa

from govchallenge.challenges import operations
from govchallenge.challenges.models import ARCHIVED, DRAFT, IN_EVALUATION, IN_REVIEW
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from tests.support import factories
from tests.support.queries import counting


@pytest.fixture
def catalogue(app):
    pl = factories.make_public_body(country="PL")
    gr = factories.make_public_body(country="GR")
    de = factories.make_public_body(country="DE")
    made = {
        "open_pl": factories.make_challenge(host=pl, slug="open-pl", main_language="pl", title={"pl": "Zielone miasto", "el": "Πράσινη πόλη"},
                                            closes_in_days=10, domain="environment", cohosts=[gr]),
        "open_gr": factories.make_challenge(host=gr, slug="open-gr", title={"en": "Smart buses"}, closes_in_days=5, domain="mobility",
                                            countries_mode="list", countries=["GR", "CY"]),
        "upcoming": factories.make_challenge(host=de, slug="upcoming-de", title={"de": "Digitale Schule"}, main_language="de",
                                             opens_in_days=3, closes_in_days=40, domain="education", countries_mode="eu"),
        "closed": factories.make_challenge(host=pl, slug="closed-pl", opens_in_days=-30, closes_in_days=-2, domain="health"),
        "evaluation": factories.make_challenge(host=gr, slug="eval-gr", opens_in_days=-30, closes_in_days=-2, status=IN_EVALUATION),
        "draft": factories.make_challenge(host=pl, slug="draft-pl", status=DRAFT),
        "review": factories.make_challenge(host=pl, slug="review-pl", status=IN_REVIEW),
    }
    for challenge in made.values():
        operations.refresh_search_text(challenge)
    db.session.commit()
    return made


def _slugs(client, query=""):
    body = client.get("/api/v1/challenges" + query).get_json()
    return [item["slug"] for item in body["items"]]


@pytest.mark.parametrize("query, expected", [
    ("", ["open-gr", "open-pl", "upcoming-de", "closed-pl", "eval-gr"]),
    ("?state=open", ["open-gr", "open-pl"]),
    ("?state=published", ["upcoming-de"]),
    ("?state=closed", ["closed-pl"]),
    ("?state=in_evaluation", ["eval-gr"]),
    ("?country=GR", ["open-gr", "open-pl", "eval-gr"]),
    ("?domain=mobility", ["open-gr"]),
    ("?language=el", ["open-pl"]),
    ("?language=de", ["upcoming-de"]),
    ("?q=%CF%80%CF%81%CE%AC%CF%83%CE%B9%CE%BD%CE%B7", ["open-pl"]),  # πράσινη, in the Greek translation
    ("?q=ZIELONE", ["open-pl"]),
    ("?q=buses+smart", ["open-gr"]),
    ("?eligible=CY", ["open-gr", "open-pl", "upcoming-de", "closed-pl", "eval-gr"]),
    ("?eligible=NO", ["open-pl", "closed-pl", "eval-gr"]),
    ("?eligible=PL", ["open-pl", "upcoming-de", "closed-pl", "eval-gr"]),
    ("?sort=newest&state=open", ["open-gr", "open-pl"]),
])
def test_filters_agree_in_api_and_html(app, catalogue, query, expected):
    client = app.test_client()
    got = _slugs(client, query)
    assert sorted(got) == sorted(expected)
    if "sort=newest" not in query:  # closing soonest first; those already closed after, in any order
        upcoming = [slug for slug in expected if slug in ("open-gr", "open-pl", "upcoming-de")]
        assert got[:len(upcoming)] == upcoming
    html = client.get("/challenges/" + query).get_data(as_text=True)
    for slug in ("open-gr", "open-pl", "upcoming-de", "closed-pl", "eval-gr", "draft-pl", "review-pl"):
        assert (f'/challenges/{slug}"' in html) == (slug in expected), (query, slug)


def test_api_errors_are_json(app, catalogue):
    client = app.test_client()
    for query in ("?state=secret", "?country=ZZ", "?page=x", "?per_page=1000", "?language=qq"):
        response = client.get("/api/v1/challenges" + query)
        assert response.status_code == 400 and response.is_json and response.get_json()["error"]["message"], query
    for slug in ("nothing", "draft-pl", "review-pl"):
        response = client.get(f"/api/v1/challenges/{slug}")
        assert response.status_code == 404 and response.is_json


def test_api_detail(app, catalogue):
    body = app.test_client().get("/api/v1/challenges/open-pl").get_json()
    assert body["slug"] == "open-pl" and body["state"] == "open" and body["languages"] == ["pl", "el"]
    assert body["title"] == {"pl": "Zielone miasto", "el": "Πράσινη πόλη"}
    assert {(h["country"], h["role"]) for h in body["hosts"]} == {("PL", "lead"), ("GR", "cohost")}
    assert body["stages"][0]["opens_at"].endswith("+00:00") and body["stages"][0]["submitted_entries"] == 0
    assert [c["weight"] for c in body["criteria"]] == [1.0, 2.0, 3.0]
    assert body["teams"] == 0 and "prizes" in body


def test_pagination(app, catalogue):
    body = app.test_client().get("/api/v1/challenges?per_page=2&page=2").get_json()
    assert body["total"] == 5 and body["pages"] == 3 and len(body["items"]) == 2


@pytest.mark.single_db
def test_query_counts_do_not_grow(app, people, login_as):
    def add(n):
        for _ in range(n):
            hosts = [factories.make_public_body(country=c) for c in ("GR", "CY")]
            challenge = factories.make_challenge(host=people["ministry"], cohosts=hosts, stages=3, criteria=5,
                                                 title={"en": "T", "pl": "T", "el": "T", "de": "T"})
        db.session.commit()
        return challenge

    def measure(client, path):
        with counting() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    viewer = login_as(people["participant"])
    first = add(2)
    small = [measure(c, p) for c in (viewer, viewer) for p in ("/challenges/", "/api/v1/challenges", f"/challenges/{first.slug}", f"/api/v1/challenges/{first.slug}")][:4]
    last = add(15)
    large = [measure(viewer, p) for p in ("/challenges/", "/api/v1/challenges", f"/challenges/{last.slug}", f"/api/v1/challenges/{last.slug}")]
    print("queries (catalogue, api list, page, api detail):", small, large)
    assert large == small


@pytest.mark.single_db
def test_challenge_page_queries_do_not_grow_with_hosts_stages_criteria_or_languages(app, people, login_as):
    def measure(client, challenge):
        counts = []
        for path in (f"/challenges/{challenge.slug}", f"/api/v1/challenges/{challenge.slug}"):
            with counting() as statements:
                assert client.get(path).status_code == 200
            counts.append(len(statements))
        return counts

    viewer = login_as(people["participant"])
    lean = factories.make_challenge(host=people["ministry"], stages=1, criteria=1, title={"en": "T"})
    rich = factories.make_challenge(
        host=people["ministry"], cohosts=[factories.make_public_body(country=c) for c in ("GR", "CY", "DE", "FR", "IT", "ES")],
        stages=4, criteria=6, title={code: f"T {code}" for code in ("en", "pl", "el", "de", "fr", "it", "es")})
    db.session.commit()
    measure(viewer, lean)  # warm the per-process caches
    assert measure(viewer, rich) == measure(viewer, lean)


def test_feed_lists_public_challenges(app, catalogue):
    response = app.test_client().get("/challenges/feed.atom")
    assert response.mimetype == "application/atom+xml"
    body = response.get_data(as_text=True)
    assert "open-pl" in body and "draft-pl" not in body and "review-pl" not in body
    from xml.etree import ElementTree

    ElementTree.fromstring(response.data)


def test_questions_answers_and_follower_mail(app, catalogue, login_as):
    challenge = catalogue["open_pl"]
    officer = factories.make_user(language="pl")
    from govchallenge.organisations.operations import add_member

    add_member(officer, challenge.lead_host.organisation, officer, "officer")
    asker = factories.make_user(language="en")
    greek = factories.make_user(language="el")
    db.session.commit()
    asking = login_as(asker)
    assert login_as(greek).post(f"/challenges/{challenge.slug}/follow").status_code == 302
    assert asking.post(f"/challenges/{challenge.slug}/questions", data={"question": ""}).status_code == 302
    assert asking.post(f"/challenges/{challenge.slug}/questions", data={"question": "May SMEs enter?"}).status_code == 302
    from govchallenge.challenges.models import Clarification

    question = db.session.execute(sa.select(Clarification)).scalar_one()
    public = app.test_client().get(f"/challenges/{challenge.slug}").get_data(as_text=True)
    assert "May SMEs enter?" not in public  # not before it is answered
    assert asking.post(f"/challenges/{challenge.slug}/questions/{question.id}/answer", data={"answer": "x"}).status_code == 403
    host = login_as(officer)
    assert "May SMEs enter?" in host.get(f"/challenges/{challenge.slug}").get_data(as_text=True)
    assert host.post(f"/challenges/{challenge.slug}/questions/{question.id}/answer", data={"answer": "Yes, they may."}).status_code == 302
    public = app.test_client().get(f"/challenges/{challenge.slug}").get_data(as_text=True)
    assert "May SMEs enter?" in public and "Yes, they may." in public
    jobs = db.session.execute(sa.select(OutboxJob).where(OutboxJob.function.like("%email_follower"))).scalars().all()
    assert [j.args[0] for j in jobs] == [greek.id]


def test_follower_mail_in_their_language(mail_app, smtp):
    from govchallenge.challenges.jobs import email_follower
    from govchallenge.challenges.models import Clarification

    challenge = factories.make_challenge(title={"en": "Clean water", "el": "Καθαρό νερό"})
    greek = factories.make_user(language="el")
    operations.follow(greek, challenge)
    clarification = Clarification(challenge_id=challenge.id, question="Q?", answer="A.", language="en")
    db.session.add(clarification)
    db.session.commit()
    assert email_follower(greek.id, challenge.id, "clarification", str(clarification.id)) == "sent"
    received = smtp.to(greek.email)
    assert len(received) == 1
    message = received[0].message
    assert "Καθαρό νερό" in message["Subject"]
    assert "A." in message.get_body(("plain",)).get_content()
    operations.unfollow(greek, challenge)
    db.session.commit()
    assert email_follower(greek.id, challenge.id, "clarification", str(clarification.id)) == "no longer following"


def test_archived_is_public_but_drafts_never_in_catalogue(app, catalogue):
    operations.set_status(catalogue["evaluation"], ARCHIVED, None)
    db.session.commit()
    assert "eval-gr" in _slugs(app.test_client(), "?state=archived")


def test_answer_reaches_followers_by_mail_after_commit(mail_app, smtp):
    from tests.conftest import login

    officer = factories.make_user(language="pl")
    body = factories.make_public_body(officer=officer)
    challenge = factories.make_challenge(host=body, title={"en": "Clean water", "el": "Καθαρό νερό", "pl": "Czysta woda"})
    greek, polish = factories.make_user(language="el"), factories.make_user(language="pl")
    for user in (greek, polish):
        operations.follow(user, challenge)
    db.session.commit()
    asker = login(mail_app.test_client(), greek)
    asker.post(f"/challenges/{challenge.slug}/questions", data={"question": "Is CSV fine?"})
    from govchallenge.challenges.models import Clarification

    question = db.session.execute(sa.select(Clarification)).scalar_one()
    host = login(mail_app.test_client(), officer)
    assert host.post(f"/challenges/{challenge.slug}/questions/{question.id}/answer", data={"answer": "Yes, CSV is fine."}).status_code == 302
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (smtp.to(greek.email) and smtp.to(polish.email)):
        time.sleep(0.1)
    assert "Καθαρό νερό" in smtp.to(greek.email)[0].message["Subject"]
    assert "Czysta woda" in smtp.to(polish.email)[0].message["Subject"]
