"""Every role on every route of the challenges domain, and guessed ids."""
import pytest

from govchallenge.challenges.models import DRAFT, IN_REVIEW
from govchallenge.extensions import db
from tests.support import factories

ROLES = ("anonymous", "participant", "member", "other_officer", "admin", "officer")

# (method, path template, who may) — "{s}" is the challenge's slug, "{stage}", "{criterion}"… its children.
AUTHORING = [  # the pages that change nothing or change a part in place first: later ones remove parts
    ("GET", "/challenges/{s}/submit"), ("GET", "/challenges/{s}/withdraw"),
    ("GET", "/challenges/{s}/stages/{stage}/edit"), ("POST", "/challenges/{s}/stages/{stage}/edit"),
    ("GET", "/challenges/{s}/criteria/{criterion}/edit"), ("POST", "/challenges/{s}/criteria/{criterion}/edit"),
    ("GET", "/challenges/{s}/prizes/{prize}/edit"), ("POST", "/challenges/{s}/prizes/{prize}/edit"),
    ("GET", "/challenges/{s}/stages/{stage}/remove"), ("GET", "/challenges/{s}/criteria/{criterion}/remove"),
    ("GET", "/challenges/{s}/prizes/{prize}/remove"), ("GET", "/challenges/{s}/translations?language=el"),
    ("GET", "/challenges/{s}/edit"), ("POST", "/challenges/{s}/edit"),
    ("GET", "/challenges/{s}/translations"), ("POST", "/challenges/{s}/translations"),
    ("POST", "/challenges/{s}/translations/el/remove"),
    ("GET", "/challenges/{s}/stages"), ("POST", "/challenges/{s}/stages"),
    ("POST", "/challenges/{s}/stages/{stage}/remove"),
    ("GET", "/challenges/{s}/criteria"), ("POST", "/challenges/{s}/criteria"),
    ("POST", "/challenges/{s}/criteria/{criterion}/remove"),
    ("GET", "/challenges/{s}/prizes"), ("POST", "/challenges/{s}/prizes"),
    ("POST", "/challenges/{s}/prizes/{prize}/remove"),
    ("GET", "/challenges/{s}/attachments"), ("POST", "/challenges/{s}/attachments"),
    ("GET", "/challenges/{s}/hosts"), ("POST", "/challenges/{s}/hosts"),
    ("POST", "/challenges/{s}/hosts/{cohost}/remove"),
    ("POST", "/challenges/{s}/submit"), ("POST", "/challenges/{s}/withdraw"),
    ("GET", "/challenges/{s}/history"),
]


@pytest.fixture
def world(app, people):
    other_officer = factories.make_user(email="other@city.example.gr", country="GR")
    other_body = factories.make_public_body(country="GR", officer=other_officer)
    people["other_officer"] = other_officer
    draft = factories.make_challenge(host=people["ministry"], status=DRAFT, slug="the-draft")
    published = factories.make_challenge(host=people["ministry"], slug="the-open-one")
    review = factories.make_challenge(host=people["ministry"], status=IN_REVIEW, slug="in-review")
    from govchallenge.challenges.models import ChallengeHost, Prize

    for challenge in (draft, published):
        challenge.prizes.append(Prize(name={"en": "P"}, place=1))
        challenge.title = {**challenge.title, "el": "Πρόκληση"}
        challenge.hosts.append(ChallengeHost(organisation=factories.make_public_body(country="CY"), state="accepted"))
    db.session.commit()
    return {"draft": draft, "published": published, "review": review, "other_body": other_body, "people": people}


def _client(app, world, role):
    from tests.conftest import login

    if role == "anonymous":
        return app.test_client()
    return login(app.test_client(), world["people"][role])


def _path(template, challenge):
    cohost = next(h for h in challenge.hosts if h.role != "lead")
    return template.format(s=challenge.slug, stage=challenge.stages[0].id, criterion=challenge.criteria[0].id,
                           prize=challenge.prizes[0].id, cohost=cohost.id)


@pytest.mark.parametrize("role", ROLES)
def test_authoring_routes_only_for_host_officers(app, world, role):
    client = _client(app, world, role)
    for which in ("draft", "published"):
        challenge = world[which]
        for method, template in AUTHORING:
            path = _path(template, challenge)
            response = client.open(path, method=method, data={})
            if role == "officer" or (role == "admin" and template.endswith("/history")):
                assert response.status_code in (200, 302, 400), (role, method, path, response.status_code)
            elif role == "anonymous":  # sent to sign in, never refused for not being signed in
                assert response.status_code == 302 and response.headers["Location"].startswith("/login"), (method, path)
            else:
                assert response.status_code == 403, (role, method, path, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_pages_and_review_by_role(app, world, role):
    client = _client(app, world, role)
    draft, published, review = world["draft"], world["published"], world["review"]
    code = lambda path, method="GET": client.open(path, method=method, data={}).status_code  # noqa: E731
    assert code("/challenges/") == 200
    assert code(f"/challenges/{published.slug}") == 200
    assert code("/challenges/feed.atom") == 200
    refused = 302 if role == "anonymous" else 403  # the anonymous visitor is sent to sign in
    assert code(f"/challenges/{draft.slug}") == (200 if role in ("officer", "admin") else 302 if role == "anonymous" else 404)
    assert code("/challenges/new") == (200 if role in ("officer", "other_officer") else refused)
    assert code("/challenges/review") == (200 if role == "admin" else refused)
    assert code("/challenges/mine") == (302 if role == "anonymous" else 200)
    assert code(f"/challenges/{review.slug}/request-changes", "POST") == (302 if role == "admin" else refused)
    if role == "admin":
        assert code(f"/challenges/{review.slug}/approve", "POST") == 403  # no longer in review
    for action in ("approve", "request-changes"):
        assert code(f"/challenges/{draft.slug}/{action}", "POST") == refused  # not in review
    assert code(f"/challenges/{published.slug}/follow", "POST") == 302  # followed, or sent to sign in
    assert code(f"/challenges/{draft.slug}/follow", "POST") == (
        302 if role == "anonymous" else 404 if role not in ("officer", "admin") else 403)
    assert code(f"/challenges/{published.slug}/questions", "POST") == 302


def test_guessed_ids_and_slugs_are_404(app, world, login_as):
    officer = login_as(world["people"]["officer"])
    other = factories.make_challenge(host=world["other_body"], status=DRAFT)
    db.session.commit()
    draft = world["draft"]
    assert officer.get("/challenges/no-such-thing").status_code == 404
    assert officer.get("/challenges/no-such-thing/edit").status_code == 404
    assert officer.post(f"/challenges/{draft.slug}/stages/{other.stages[0].id}/remove").status_code == 404
    assert officer.post(f"/challenges/{draft.slug}/criteria/{other.criteria[0].id}/remove").status_code == 404
    assert officer.post(f"/challenges/{draft.slug}/prizes/999999/remove").status_code == 404
    assert officer.get(f"/challenges/{draft.slug}/attachments/999999").status_code == 404
    assert officer.post(f"/challenges/{draft.slug}/questions/999999/answer", data={"answer": "x"}).status_code == 404
    assert officer.get(f"/challenges/{other.slug}").status_code == 404
    assert officer.get(f"/challenges/{other.slug}/edit").status_code == 403
