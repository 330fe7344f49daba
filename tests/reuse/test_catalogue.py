"""The reuse catalogue: the team's choice, the hosts' approval, the public page, filters, the API, the generated
publiccode.yml, the open dataset and its digest; and who may do each."""
import csv
import hashlib
import io

import pytest
import sqlalchemy as sa
import yaml

from govchallenge.extensions import db
from govchallenge.reuse.models import Listing
from govchallenge.submissions import publiccode
from tests.support import factories


def _listing(submission):
    db.session.expire_all()
    return db.session.execute(sa.select(Listing).where(Listing.submission_id == submission.id)).scalar_one_or_none()


def _approve(client, judged, submission):
    return client.post(f"/solutions/challenges/{judged.challenge.slug}/listings/{submission.public_id}/approve")


def _list_winner(login_as, published):
    winner = published.submissions[0]
    response = _approve(login_as(published.officer), published, winner)
    assert response.status_code == 302
    return _listing(winner)


def test_a_winner_is_listed_by_default_once_a_host_approves(app, login_as, published):
    client = login_as(published.officer)
    page = client.get(f"/solutions/challenges/{published.challenge.slug}/listings").get_data(as_text=True)
    assert "List Entry 001" in page and "List Entry 003" not in page  # entry 3 won nothing and was not offered
    listing = _list_winner(login_as, published)
    assert listing.is_public and listing.is_winner
    assert listing.name == "Δημοτικές Συγκοινωνίες"  # from the publiccode.yml
    assert sorted(listing.descriptions) == ["el", "en"] and listing.maturity == "beta"
    assert (listing.permissive, listing.copyleft, listing.eupl_compatible) == (True, True, True)
    anonymous = app.test_client()
    page = anonymous.get(f"/solutions/{listing.slug}").get_data(as_text=True)
    assert "Δημοτικές Συγκοινωνίες" in page and "Real-time bus arrivals as open data." in page
    assert "EUPL-1.2 OR MIT" in page and "https://git.example.eu/bus" in page and "Host Ministry" in page
    assert "Δημοτικές Συγκοινωνίες" in anonymous.get("/solutions/").get_data(as_text=True)


def test_a_team_that_declines_is_not_listed_and_may_unlist_later(app, login_as, published):
    winner = published.submissions[0]
    team_client = login_as(winner.team.members[0].user)
    response = team_client.post(f"/solutions/entries/{winner.public_id}/listing", data={"list_it": "no", "maturity": "beta"})
    assert response.status_code == 302
    response = _approve(login_as(published.officer), published, winner)
    assert response.status_code == 302 and not _listing(winner).is_public
    assert _listing(winner).state == "pending" and _listing(winner).approved_at is None  # refused, not approved
    # It had been listed: the team's "no" takes it out at once.
    team_client.post(f"/solutions/entries/{winner.public_id}/listing",
                     data={"list_it": "yes", "maturity": "stable", "contact_email": "team@example.eu"})
    assert _approve(login_as(published.officer), published, winner).status_code == 302 and _listing(winner).is_public
    team_client.post(f"/solutions/entries/{winner.public_id}/listing", data={"list_it": "no", "maturity": "stable"})
    listing = _listing(winner)
    assert not listing.is_public
    assert app.test_client().get(f"/solutions/{listing.slug}").status_code == 404
    assert app.test_client().get(f"/api/v1/solutions/{listing.slug}").status_code == 404


def test_another_entry_is_listed_only_when_its_team_offers_it(app, login_as, published):
    third = published.submissions[2]
    host = login_as(published.officer)
    assert _approve(host, published, third).status_code == 302
    assert _listing(third) is None  # refused: "not offered", and rolled back
    team_client = login_as(third.team.members[0].user)
    response = team_client.post(f"/solutions/entries/{third.public_id}/listing",
                                data={"list_it": "yes", "maturity": "development", "contact_name": "Équipe",
                                      "contact_email": "equipe@example.fr"})
    assert response.status_code == 302
    assert _approve(host, published, third).status_code == 302
    listing = _listing(third)
    assert listing.is_public and not listing.is_winner and listing.copyleft and not listing.permissive
    assert listing.descriptions == {"en": {"short": "A *short* summary.", "long": "## Approach\n\nThe **whole** text.", "features": []}}


@pytest.mark.parametrize("data, said", [
    ({"maturity": "beta"}, "Choose whether to list the solution."),
    ({"list_it": "yes", "maturity": "beta"}, "Give a contact for the public bodies"),
    ({"list_it": "yes", "maturity": "beta", "contact_email": "not-an-address"}, "Enter an e-mail address."),
    ({"list_it": "yes", "maturity": "ancient", "contact_email": "a@example.eu"}, 'id="maturity-error"'),
])
def test_bad_input_to_the_team_choice(app, login_as, published, data, said):
    winner = published.submissions[0]
    user = winner.team.members[0].user
    user.language = "en"  # the messages in English, for the assertions
    response = login_as(user).post(f"/solutions/entries/{winner.public_id}/listing", data=data)
    assert response.status_code == 400 and said in response.get_data(as_text=True)
    assert _listing(winner) is None


def test_who_may_decide_and_approve(app, login_as, published, client_for):
    winner = published.submissions[0]
    decide = f"/solutions/entries/{winner.public_id}/listing"
    listings = f"/solutions/challenges/{published.challenge.slug}/listings"
    approve = f"{listings}/{winner.public_id}/approve"
    anonymous = app.test_client()
    assert anonymous.get(decide).status_code == 302 and "/login" in anonymous.get(decide).headers["Location"]
    assert anonymous.post(approve).status_code == 302
    other_team = login_as(published.submissions[1].team.members[0].user)
    assert other_team.get(decide).status_code == 403
    assert other_team.get(listings).status_code == 403 and other_team.post(approve).status_code == 403
    juror = login_as(published.jurors[1])
    assert juror.get(listings).status_code == 403
    assert login_as(winner.team.members[0].user).get(decide).status_code == 200
    assert login_as(published.cohost_officer).get(listings).status_code == 200
    assert _listing(winner) is None


def test_nothing_is_listed_before_the_results_are_out(app, login_as):
    from tests.support.results_factories import judged_challenge

    judged = judged_challenge(entries=2)
    db.session.commit()
    winner = judged.submissions[0]
    assert login_as(judged.officer).get(f"/solutions/challenges/{judged.challenge.slug}/listings").status_code == 403
    assert login_as(winner.team.members[0].user).get(f"/solutions/entries/{winner.public_id}/listing").status_code == 403


def test_filters_and_the_api(app, login_as, published):
    host = login_as(published.officer)
    winner = _list_winner(login_as, published)
    third = published.submissions[2]
    login_as(third.team.members[0].user).post(f"/solutions/entries/{third.public_id}/listing",
                                              data={"list_it": "yes", "maturity": "development", "contact_email": "t@example.eu"})
    _approve(host, published, third)
    client = app.test_client()

    def names(query):
        body = client.get(f"/api/v1/solutions?{query}").get_json()
        return sorted(item["name"] for item in body["items"])

    both = sorted(["Δημοτικές Συγκοινωνίες", "Entry 003"])
    assert names("") == both
    assert names("licence=permissive") == ["Δημοτικές Συγκοινωνίες"]
    assert names("licence=copyleft") == both and names("licence=eupl") == both
    assert names("language=el") == ["Δημοτικές Συγκοινωνίες"] and names("language=de") == []
    assert names("maturity=development") == ["Entry 003"]
    assert names("q=αφίξεις") == ["Δημοτικές Συγκοινωνίες"]  # any language, case-insensitive
    assert names("country=PL") == both and names("country=FR") == []  # PL: where the hosts are
    assert names("domain=other") == both and names("domain=health") == []
    html = client.get("/solutions/?licence=permissive&country=PL").get_data(as_text=True)
    assert "Δημοτικές Συγκοινωνίες" in html and "Entry 003" not in html
    assert client.get("/solutions/?licence=nonsense").status_code == 200  # the page forgives; the API does not
    bad = client.get("/api/v1/solutions?licence=nonsense&colour=red")
    assert bad.status_code == 400 and "licence" in bad.get_json()["error"]["message"] and "colour" in bad.get_json()["error"]["message"]
    detail = client.get(f"/api/v1/solutions/{winner.slug}").get_json()
    assert detail["licence"] == "EUPL-1.2 OR MIT" and detail["licence_families"] == ["permissive", "copyleft", "eupl"]
    assert detail["public_bodies"][0]["name"] == "Host Ministry" and detail["winner"] is True


def test_the_generated_publiccode_yml(app, login_as, published):
    listing = _list_winner(login_as, published)
    response = app.test_client().get(f"/solutions/{listing.slug}/publiccode.yml")
    assert response.status_code == 200 and response.mimetype == "application/yaml"
    text = response.get_data(as_text=True)
    document, problems = publiccode.parse(text)
    assert problems == []
    assert document["legal"]["license"] == "EUPL-1.2 OR MIT" and document["url"] == "https://git.example.eu/bus"
    assert document["localisation"]["availableLanguages"] == ["el", "en"] and document["developmentStatus"] == "beta"


def test_the_dataset_and_its_digest(app, login_as, published):
    listing = _list_winner(login_as, published)
    client = app.test_client()
    response = client.get("/solutions/dataset.json")
    body = response.get_data()
    assert response.status_code == 200 and response.headers["X-Dataset-SHA256"] == hashlib.sha256(body).hexdigest()
    document = response.get_json()
    assert document["licence"] == "CC0-1.0" and document["digest_scheme"] == "rfc8785-sha256"
    assert [s["slug"] for s in document["solutions"]] == [listing.slug]
    # Recomputed by the published rule from the parsed document: the same digest.
    from govchallenge.results import digests

    assert digests.digest(document, "rfc8785-sha256") == response.headers["X-Dataset-SHA256"]
    rows = list(csv.reader(io.StringIO(client.get("/solutions/dataset.csv").get_data(as_text=True))))
    assert rows[0] == [c["name"] for c in document["columns"]] and rows[1][0] == listing.slug and rows[1][4] == "EUPL-1.2 OR MIT"
    # A change of the catalogue changes the digest; none leaves it.
    assert client.get("/solutions/dataset.json").headers["X-Dataset-SHA256"] == response.headers["X-Dataset-SHA256"]
    login_as(published.officer).post(f"/solutions/challenges/{published.challenge.slug}/listings/{published.submissions[0].public_id}/unlist")
    assert client.get("/solutions/dataset.json").headers["X-Dataset-SHA256"] != response.headers["X-Dataset-SHA256"]
    assert client.get("/solutions/dataset.xml").status_code == 404


def test_the_challenge_page_offers_the_reuse_actions(app, login_as, published, adopter):
    listing = _list_winner(login_as, published)
    slug = published.challenge.slug
    team_page = login_as(published.submissions[0].team.members[0].user).get(f"/challenges/{slug}").get_data(as_text=True)
    assert f"/solutions/entries/{published.submissions[0].public_id}/listing" in team_page
    host_page = login_as(published.officer).get(f"/challenges/{slug}").get_data(as_text=True)
    assert f"/solutions/challenges/{slug}/listings" in host_page and f"/solutions/challenges/{slug}/run-again" not in host_page
    officer_page = login_as(adopter[0]).get(f"/challenges/{slug}").get_data(as_text=True)
    assert f"/solutions/challenges/{slug}/run-again" in officer_page and f"/solutions/{listing.slug}" in officer_page


def test_the_demo_lists_a_solution_used_in_another_country(app):
    from govchallenge.demo import load_demo

    load_demo()
    load_demo()  # idempotent
    listings = db.session.execute(sa.select(Listing)).scalars().all()
    assert len(listings) == 1 and listings[0].is_public and listings[0].licence == "EUPL-1.2 OR MIT"
    assert sorted(listings[0].descriptions) == ["el", "en", "pl"]
    assert {a.organisation.country for a in listings[0].active_adoptions} == {"GR"}
