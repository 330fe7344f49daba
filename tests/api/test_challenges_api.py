"""The public JSON API: shape, and errors as JSON."""
from govchallenge.challenges.models import DRAFT
from govchallenge.extensions import db
from tests.support import factories


def test_list_and_detail(app):
    challenge = factories.make_challenge(title={"en": "Open data", "fr": "Données ouvertes"}, stages=2)
    factories.make_challenge(status=DRAFT)
    db.session.commit()
    client = app.test_client()
    listing = client.get("/api/v1/challenges").get_json()
    assert [i["slug"] for i in listing["items"]] == [challenge.slug]
    item = listing["items"][0]
    assert item["title"] == {"en": "Open data", "fr": "Données ouvertes"} and item["languages"] == ["en", "fr"]
    detail = client.get(item["api_url"].replace("http://localhost", "")).get_json()
    assert len(detail["stages"]) == 2 and detail["stages"][0]["closes_at"] == detail["stages"][1]["opens_at"]
    assert detail["criteria"][0]["weight"] == 1.0


def test_errors_are_json(app):
    client = app.test_client()
    response = client.get("/api/v1/challenges/nope")
    assert response.status_code == 404 and "message" in response.get_json()["error"]
    response = client.get("/api/v1/challenges?sort=random")
    assert response.status_code == 400 and "sort" in response.get_json()["error"]["message"]
