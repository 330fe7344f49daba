"""Who sees what: every role on every route, before and after publication."""
import pytest
import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.results.models import Publication, WebhookEndpoint
from tests.conftest import login
from tests.support import factories
from tests.support.results_factories import judged_challenge, publish

ROLES = ("anonymous", "outsider", "other_officer", "participant", "loser", "juror", "chair", "host", "cohost", "admin")


@pytest.fixture
def world(app):
    judged = judged_challenge(entries=4, publish_ranking="winners")
    users = {
        "outsider": factories.make_user(name="Otto Outsider"),
        "other_officer": factories.make_user(name="Other Officer"),
        "participant": judged.teams[0].members[0].user,
        "loser": judged.teams[3].members[0].user,
        "juror": judged.jurors[1],
        "chair": judged.chair,
        "host": judged.officer,
        "cohost": judged.cohost_officer,
        "admin": factories.make_user(name="Ada Admin", admin=True),
    }
    factories.make_public_body(officer=users["other_officer"], name="Unrelated Body")
    db.session.commit()

    def client(role):
        return app.test_client() if role == "anonymous" else login(app.test_client(), users[role])

    return judged, users, client


# An ordinary juror scores blind: no ranking, no team, no other juror's score before publication.
SEE_SCORES_BEFORE = {"chair", "host", "cohost"}
SEE_FULL_AFTER = SEE_SCORES_BEFORE | {"admin"}


@pytest.mark.parametrize("role", ROLES)
def test_before_publication_only_the_chair_and_hosts_see_scores(world, role):
    judged, users, client = world
    slug = judged.challenge.slug
    c = client(role)
    page = c.get(f"/challenges/{slug}/results")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert ("Entry 004" in html) == (role in SEE_SCORES_BEFORE)
    assert ('id="results-not-published"' in html) == (role not in SEE_SCORES_BEFORE)
    for path in (f"/challenges/{slug}/results.json", f"/challenges/{slug}/results.csv", f"/api/v1/challenges/{slug}/results"):
        assert c.get(path).status_code == 404


def _ranking_secrets(judged):
    """What the preview would reveal: team names and every score (entry, criterion, review)."""
    from govchallenge.results import documents

    full = documents.full_document(judged.challenge, documents.gather(judged.challenge))
    teams = {e["team"] for e in full["entries"]}
    numbers = set()
    for e in full["entries"]:
        numbers |= {e["score"], e["raw_score"], *e["criteria"].values(), *(r["total"] for r in e["reviews"])}
    return teams, {"%.2f" % n for n in numbers if n is not None}


@pytest.mark.parametrize("proposed", [False, True])
def test_an_ordinary_juror_sees_no_team_and_no_score_before_publication(app, proposed):
    judged = judged_challenge(entries=3, anonymous_review=True)
    if proposed:
        from govchallenge.results import operations

        operations.propose(judged.challenge, judged.chair)
    db.session.commit()
    assert judged.challenge.anonymous_review is True
    teams, scores = _ranking_secrets(judged)
    assert teams == {"Team 001", "Team 002", "Team 003"} and scores
    juror = login(app.test_client(), judged.jurors[1])
    slug = judged.challenge.slug
    page = juror.get(f"/challenges/{slug}/results")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="results-not-published"' in html
    leaked = [t for t in teams if t in html] + [s for s in scores if s in html]
    assert leaked == [], f"the juror's page shows {leaked}"
    assert "Entry 001" not in html
    # nor elsewhere: the challenge page's results panel and the open data
    challenge_page = juror.get(f"/challenges/{slug}").get_data(as_text=True)
    assert f"/challenges/{slug}/results" not in challenge_page
    for path in (f"/challenges/{slug}/results.json", f"/challenges/{slug}/results.csv", f"/api/v1/challenges/{slug}/results"):
        assert juror.get(path).status_code == 404
    # and the juror can neither propose nor confirm
    assert juror.post(f"/challenges/{slug}/results/propose", data={}).status_code == 403
    assert juror.post(f"/challenges/{slug}/results/confirm").status_code == 403
    # the chair, who is a juror too, does see the ranking and its scores, but in a blind evaluation not the
    # teams behind the entries (tests/security/test_blind_jury.py asks every such page)
    chair_html = login(app.test_client(), judged.chair).get(f"/challenges/{slug}/results").get_data(as_text=True)
    assert "Entry 001" in chair_html and any(s in chair_html for s in scores)
    assert not [t for t in teams if t in chair_html]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_chair_proposes(world, role):
    judged, users, client = world
    response = client(role).post(f"/challenges/{judged.challenge.slug}/results/propose", data={})
    expected = {"anonymous": 302, "chair": 302}.get(role, 403)
    assert response.status_code == expected
    if role == "anonymous":
        assert "/login" in response.headers["Location"]
    assert db.session.execute(sa.select(sa.func.count(Publication.id))).scalar() == (1 if role == "chair" else 0)


@pytest.mark.parametrize("role", ROLES)
def test_only_host_officers_confirm(world, role):
    judged, users, client = world
    from govchallenge.results import operations

    operations.propose(judged.challenge, users["chair"])
    db.session.commit()
    response = client(role).post(f"/challenges/{judged.challenge.slug}/results/confirm")
    assert response.status_code == (302 if role in {"anonymous", "host", "cohost"} else 403)
    db.session.expire_all()
    publication = db.session.execute(sa.select(Publication)).scalar_one()
    assert len(publication.confirmations) == (1 if role in {"host", "cohost"} else 0)


@pytest.mark.parametrize("role", ROLES)
def test_after_publication_everyone_sees_what_the_challenge_chose(world, role):
    judged, users, client = world
    publish(judged)
    db.session.commit()
    slug = judged.challenge.slug
    c = client(role)
    html = c.get(f"/challenges/{slug}/results").get_data(as_text=True)
    assert "Entry 001" in html and "Entry 002" in html  # the winners
    # the rest of the ranking: only to the chair and hosts (and admins), and each team its own
    sees_full = role in SEE_FULL_AFTER
    assert ("Entry 004" in html) == (sees_full or role == "loser")
    if role == "loser":
        assert "Your entry: Entry 004" in html and "Place 4 of 4" in html
    exported = c.get(f"/challenges/{slug}/results.json").get_data(as_text=True)
    assert "Entry 001" in exported and "Entry 004" not in exported
    assert c.get(f"/api/v1/challenges/{slug}/results").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_announcement_and_webhook_pages_are_for_hosts(world, role):
    judged, users, client = world
    publish(judged)
    endpoint = WebhookEndpoint(organisation_id=judged.challenge.lead_host.organisation_id, url="https://x.example/h")
    db.session.add(endpoint)
    db.session.commit()
    slug = judged.challenge.slug
    c = client(role)
    follow = {"host", "cohost", "admin"}
    manage = {"host", "cohost"}
    expected = lambda allowed: 302 if role == "anonymous" else (200 if role in allowed else 403)
    assert c.get(f"/challenges/{slug}/results/announcement").status_code == expected(follow)
    assert c.get(f"/challenges/{slug}/results/webhooks").status_code == expected(manage)
    retry = c.post(f"/challenges/{slug}/results/announcement/retry")
    assert retry.status_code == (302 if role in follow | {"anonymous"} else 403)
    deactivate = c.post(f"/challenges/{slug}/results/webhooks/{endpoint.id}/deactivate")
    assert deactivate.status_code == {"anonymous": 302, "host": 302, "cohost": 404}.get(role, 403)


def test_a_challenge_not_yet_public_has_no_results_page(app, client):
    judged = judged_challenge(status="draft")
    db.session.commit()
    assert client.get(f"/challenges/{judged.challenge.slug}/results").status_code == 404
    assert client.get("/challenges/no-such-challenge/results").status_code == 404
    assert login(app.test_client(), judged.officer).get(f"/challenges/{judged.challenge.slug}/results").status_code == 200


@pytest.mark.parametrize("path", [
    "/challenges/{slug}/results/propose", "/challenges/{slug}/results/confirm",
    "/challenges/{slug}/results/announcement/retry", "/challenges/{slug}/results/webhooks",
    "/challenges/{slug}/results/webhooks/1/deactivate",
])
def test_every_results_form_is_csrf_protected(make_app, path):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        judged = judged_challenge(entries=1)
        db.session.commit()
        slug = judged.challenge.slug
        response = app.test_client().post(path.format(slug=slug), data={"url": "https://x.example"})
        assert response.status_code == 400
        assert "not sent from this site" in response.get_data(as_text=True)
