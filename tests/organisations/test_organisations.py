import pytest
import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.organisations import permissions as can
from govchallenge.organisations.models import ACTIVE, OFFICER, PENDING, Membership, Organisation, by_slug
from tests.support.factories import make_organisation, make_user

NEW = {"name": "Ljubljana Data Lab", "kind": "startup", "country": "SI", "website": "https://lab.example.si", "description": "We **map** things."}


def test_a_verified_user_creates_an_organisation_and_becomes_its_officer(client_for, people):
    client = client_for("participant")
    response = client.post("/organisations/new", data=NEW)
    assert response.status_code == 302
    organisation = by_slug("ljubljana-data-lab")
    assert organisation.country == "SI" and not organisation.is_verified
    assert can.is_officer(people["participant"], organisation)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>map</strong>" in page


@pytest.mark.parametrize(
    "field, value, message",
    [("country", "XX", "Choose a country"), ("website", "not a url", "full address"), ("name", "", "required"), ("kind", "cartel", "Not a valid choice")],
)
def test_bad_organisation_input_is_refused_clearly(client_for, field, value, message):
    response = client_for("participant").post("/organisations/new", data={**NEW, field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert by_slug("ljubljana-data-lab") is None


def test_join_request_is_approved_by_an_officer(client_for, people):
    ministry = people["ministry"]
    response = client_for("participant").post(f"/organisations/{ministry.slug}/join")
    assert response.status_code == 302
    membership = db.session.execute(
        sa.select(Membership).where(Membership.user_id == people["participant"].id, Membership.organisation_id == ministry.id)
    ).scalar_one()
    assert membership.state == PENDING and not can.is_member(people["participant"], ministry)
    assert client_for("officer").post(f"/organisations/{ministry.slug}/members/{membership.id}/approve").status_code == 302
    db.session.expire_all()
    assert can.is_member(people["participant"], ministry)


def test_the_last_officer_cannot_leave_or_step_down(client_for, people):
    ministry = people["ministry"]
    officer_membership = db.session.execute(
        sa.select(Membership).where(Membership.user_id == people["officer"].id, Membership.organisation_id == ministry.id)
    ).scalar_one()
    client = client_for("officer")
    response = client.post(f"/organisations/{ministry.slug}/members/{officer_membership.id}/role", data={"role": "member"}, follow_redirects=True)
    assert "at least one officer" in response.get_data(as_text=True)
    response = client.post(f"/organisations/{ministry.slug}/members/{officer_membership.id}/remove", follow_redirects=True)
    assert "at least one officer" in response.get_data(as_text=True)
    db.session.expire_all()
    assert officer_membership.role == OFFICER and officer_membership.state == ACTIVE


def test_an_admin_verifies_a_public_body(client_for, people):
    body = make_organisation(kind="public_body", country="GR", name="Δήμος Πάτρας", officer=make_user())
    db.session.commit()
    assert client_for("officer").post(f"/organisations/{body.slug}/verify").status_code == 403
    assert client_for("admin").post(f"/organisations/{body.slug}/verify").status_code == 302
    db.session.expire_all()
    assert body.is_verified


def test_only_officers_of_verified_public_bodies_may_publish(app, people):
    startup = make_organisation(kind="startup", verified=True, officer=people["participant"])
    unverified_body = make_organisation(kind="public_body", verified=False, officer=people["participant"])
    assert can.can_publish_challenges_for(people["officer"], people["ministry"])
    assert not can.can_publish_challenges_for(people["member"], people["ministry"])
    assert not can.can_publish_challenges_for(people["participant"], startup)
    assert not can.can_publish_challenges_for(people["participant"], unverified_body)


def test_verified_kind_and_country_are_locked(client_for, people):
    ministry = people["ministry"]
    data = {"name": ministry.name, "kind": "startup", "country": "PL", "website": "", "description": ""}
    response = client_for("officer").post(f"/organisations/{ministry.slug}/edit", data=data)
    assert response.status_code == 400 and "cannot change" in response.get_data(as_text=True)


def test_organisation_names_in_greek_get_readable_slugs(client_for):
    client_for("participant").post("/organisations/new", data={**NEW, "name": "Δήμος Ηρακλείου", "country": "GR"})
    assert db.session.execute(sa.select(Organisation.slug).where(Organisation.country == "GR")).scalar() == "dimos-irakleiou"


def test_unknown_organisation_and_foreign_membership_ids_get_404(client_for, people):
    other = make_organisation(officer=make_user())
    db.session.commit()
    foreign = db.session.execute(sa.select(Membership).where(Membership.organisation_id == other.id)).scalar_one()
    client = client_for("officer")
    assert client.get("/organisations/no-such-org").status_code == 404
    assert client.post(f"/organisations/{people['ministry'].slug}/members/{foreign.id}/approve").status_code == 404


ROUTES = [
    ("GET", "/organisations/new"),
    ("POST", "/organisations/new"),
    ("GET", "/organisations/{slug}/edit"),
    ("POST", "/organisations/{slug}/edit"),
    ("POST", "/organisations/{slug}/verify"),
    ("POST", "/organisations/{slug}/members/{membership}/approve"),
    ("POST", "/organisations/{slug}/members/{membership}/role"),
    ("GET", "/admin/"),
]
# role -> expected outcome per route: "ok" (not refused), "login" (sent to sign in), "forbidden".
EXPECTED = {
    "anonymous": ["login"] * 8,
    "unverified": ["forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden"],
    "participant": ["ok", "ok", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden"],
    "member": ["ok", "ok", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden"],
    "officer": ["ok", "ok", "ok", "ok", "forbidden", "ok", "ok", "forbidden"],
    "admin": ["ok", "ok", "ok", "ok", "forbidden", "ok", "ok", "ok"],  # the ministry is already verified
}


def _outcome(response):
    """Allowed ("ok": shown, a form error, or done and redirected), "login", "forbidden"; any other status is
    itself the outcome, so an unexpected 404 or 500 fails the test instead of passing as allowed."""
    if response.status_code == 302:
        return "login" if "/login" in response.headers.get("Location", "") else "ok"
    return {200: "ok", 400: "ok", 403: "forbidden"}.get(response.status_code, str(response.status_code))


@pytest.mark.parametrize("role", list(EXPECTED))
def test_every_role_on_every_route(app, people, role, login_as):
    ministry = people["ministry"]
    membership = db.session.execute(
        sa.select(Membership).where(Membership.organisation_id == ministry.id, Membership.user_id == people["member"].id)
    ).scalar_one()
    if role == "anonymous":
        client = app.test_client()
    elif role == "unverified":
        client = app.test_client()
        # Unverified people cannot sign in at all; sign them in directly to prove the routes refuse them too.
        with client.session_transaction() as session:
            session["_user_id"] = people["unverified"].get_id()
            session["_fresh"] = True
        app.login_manager.session_protection = None
    else:
        client = login_as(people[role])
    for (method, template), expected in zip(ROUTES, EXPECTED[role]):
        path = template.format(slug=ministry.slug, membership=membership.id)
        response = client.open(path, method=method, data={"role": "member"})
        outcome = _outcome(response)
        assert outcome == expected, f"{role} {method} {path}: {response.status_code}"
