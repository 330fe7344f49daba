""""We use this" / "We want this": only officers of verified public bodies record them; the team and the
original hosts get an e-mail in their language; records are public, audited and withdrawable."""
import pytest
import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.reuse.models import Adoption, Listing
from tests.support import factories


def _list(login_as, published):
    winner = published.submissions[0]
    login_as(published.officer).post(f"/solutions/challenges/{published.challenge.slug}/listings/{winner.public_id}/approve")
    db.session.expire_all()
    return db.session.execute(sa.select(Listing).where(Listing.submission_id == winner.id)).scalar_one()


def _adoptions():
    db.session.expire_all()
    return db.session.execute(sa.select(Adoption).order_by(Adoption.id)).scalars().all()


def test_an_officer_records_adoption_and_everyone_is_told_in_their_language(mail_app, smtp):
    from tests.conftest import login

    judged, (officer, body) = _published_world(), _adopter()
    listing = _list(lambda user: login(mail_app.test_client(), user), judged)
    response = login(mail_app.test_client(), officer).post(
        f"/solutions/{listing.slug}/adoptions", data={"organisation": str(body.id), "kind": "use", "note": "Depuis mars 2027."})
    assert response.status_code == 302
    adoption = _adoptions()[0]
    assert adoption.kind == "use" and adoption.organisation_id == body.id and adoption.withdrawn_at is None
    assert db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "reuse.adoption_recorded")).scalar_one()
    team_user = judged.submissions[0].team.members[0].user
    messages = {mail.recipients[0]: mail.message for mail in smtp.received}
    assert set(messages) == {team_user.email, judged.officer.email, judged.cohost_officer.email}
    greek = messages[team_user.email]
    assert "Ville de Lyon" in greek["Subject"] and "χρησιμοποιεί" in greek["Subject"]  # the team's language
    assert "uses" in messages[judged.officer.email]["Subject"]  # the host's (English)
    page = mail_app.test_client().get(f"/solutions/{listing.slug}").get_data(as_text=True)
    assert "Ville de Lyon" in page and "France" in page and "Depuis mars 2027." in page


def _published_world():
    from tests.reuse import samples
    from tests.support.results_factories import judged_challenge, publish

    members = [[factories.make_user(name="Ελένη Παπαδοπούλου", language="el", country="GR")],
               [factories.make_user(language="de", country="DE")]]
    judged = judged_challenge(entries=2, members=members)
    judged.submissions[0].licence, judged.submissions[0].publiccode = "EUPL-1.2 OR MIT", samples.VALID
    publish(judged)
    db.session.commit()
    return judged


def _adopter():
    officer = factories.make_user(name="Amélie Officier", language="fr", country="FR")
    body = factories.make_public_body(country="FR", officer=officer, name="Ville de Lyon")
    db.session.commit()
    return officer, body


def test_withdrawal_keeps_the_record_and_is_audited(app, login_as, published, adopter):
    officer, body = adopter
    listing = _list(login_as, published)
    client = login_as(officer)
    client.post(f"/solutions/{listing.slug}/adoptions", data={"organisation": str(body.id), "kind": "want"})
    adoption = _adoptions()[0]
    assert client.get("/api/v1/solutions/" + listing.slug).get_json()["interested"] == ["FR"]
    # Another officer of another body may not withdraw it.
    stranger = factories.make_user()
    factories.make_public_body(country="DE", officer=stranger)
    db.session.commit()
    assert login_as(stranger).post(f"/solutions/{listing.slug}/adoptions/{adoption.id}/withdraw").status_code == 403
    assert client.post(f"/solutions/{listing.slug}/adoptions/{adoption.id}/withdraw").status_code == 302
    adoption = _adoptions()[0]
    assert adoption.withdrawn_at is not None and adoption.withdrawn_by_id == officer.id
    assert db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "reuse.adoption_withdrawn")).scalar_one()
    assert "withdrawn" in app.test_client().get(f"/solutions/{listing.slug}").get_data(as_text=True)
    assert client.get("/api/v1/solutions/" + listing.slug).get_json()["interested"] == []
    # Twice: refused, nothing changes.
    assert client.post(f"/solutions/{listing.slug}/adoptions/{adoption.id}/withdraw").status_code == 403


def test_who_may_record(app, login_as, published, adopter, people):
    officer, body = adopter
    listing = _list(login_as, published)
    url = f"/solutions/{listing.slug}/adoptions"
    data = {"organisation": str(body.id), "kind": "use"}
    assert app.test_client().post(url, data=data).status_code == 302  # to sign in
    team_member = published.submissions[0].team.members[0].user
    assert login_as(team_member).post(url, data=data).status_code == 403
    assert login_as(people["member"]).post(url, data=data).status_code == 403  # a member, not an officer
    unverified = factories.make_user()
    factories.make_public_body(country="IT", verified=False, officer=unverified)
    startup = factories.make_user()
    factories.make_organisation(kind="startup", country="IT", officer=startup)
    db.session.commit()
    assert login_as(unverified).post(url, data=data).status_code == 403
    assert login_as(startup).post(url, data=data).status_code == 403
    # Somebody else's body: not a choice of the form.
    other = factories.make_public_body(country="ES", officer=factories.make_user())
    db.session.commit()
    response = login_as(officer).post(url, data={"organisation": str(other.id), "kind": "use"})
    assert response.status_code == 400 and _adoptions() == []


def test_bad_input_and_duplicates(app, login_as, published, adopter):
    officer, body = adopter
    officer.language = "en"
    listing = _list(login_as, published)
    client = login_as(officer)
    url = f"/solutions/{listing.slug}/adoptions"
    assert client.post(url, data={"organisation": str(body.id), "kind": "maybe"}).status_code == 400
    assert client.post(url, data={"organisation": "x", "kind": "use"}).status_code == 400
    assert client.post(url, data={"organisation": str(body.id), "kind": "use", "note": "n" * 2001}).status_code == 400
    assert _adoptions() == []
    assert client.post(url, data={"organisation": str(body.id), "kind": "use"}).status_code == 302
    again = client.post(url, data={"organisation": str(body.id), "kind": "use"})
    assert again.status_code == 409 and "already recorded" in again.get_data(as_text=True)
    assert len(_adoptions()) == 1
    assert client.post(f"/solutions/{listing.slug}/adoptions/999999/withdraw").status_code == 404


def test_an_unlisted_solution_takes_no_adoption(app, login_as, published, adopter):
    officer, body = adopter
    listing = _list(login_as, published)
    login_as(published.officer).post(f"/solutions/challenges/{published.challenge.slug}/listings/{published.submissions[0].public_id}/unlist")
    response = login_as(officer).post(f"/solutions/{listing.slug}/adoptions", data={"organisation": str(body.id), "kind": "use"})
    assert response.status_code == 404 and _adoptions() == []
    # A host sees the unlisted page, but may not record on it either.
    host_body = published.challenge.lead_host.organisation
    response = login_as(published.officer).post(f"/solutions/{listing.slug}/adoptions",
                                                data={"organisation": str(host_body.id), "kind": "use"})
    assert response.status_code == 403 and _adoptions() == []
    from govchallenge.reuse import operations
    from govchallenge.reuse.operations import ReuseError

    with pytest.raises(ReuseError):
        operations.record_adoption(officer, listing, body, "use")


def test_the_country_filter_counts_adopters(app, login_as, published, adopter):
    officer, body = adopter
    listing = _list(login_as, published)
    client = app.test_client()
    assert client.get("/api/v1/solutions?country=FR").get_json()["total"] == 0
    login_as(officer).post(f"/solutions/{listing.slug}/adoptions", data={"organisation": str(body.id), "kind": "use"})
    body_json = client.get("/api/v1/solutions?country=FR").get_json()
    assert body_json["total"] == 1 and body_json["items"][0]["used_in"] == {"FR": 1}
