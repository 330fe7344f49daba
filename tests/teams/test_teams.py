import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from govchallenge.core.audit import AuditEvent
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.teams.models import Team, TeamInvitation, TeamMember
from govchallenge.teams.tokens import make_token
from tests.conftest import login
from tests.support import factories


@pytest.fixture
def challenge(app):
    challenge = factories.make_challenge(team_max=3)
    db.session.commit()
    return challenge


def _invitation_link(smtp, address):
    [message] = smtp.to(address)
    return re.search(r"https?://\S+/teams/invitations/\S+", message.text).group(0).rsplit("/teams", 1)[1]


def test_create_invite_accept_and_one_team_per_person(mail_app, smtp):
    app = mail_app

    def login_as(user):
        db.session.commit()
        return login(app.test_client(), user)

    challenge = factories.make_challenge(team_max=3)
    lead = factories.make_user(country="PL")
    org = factories.make_organisation(kind="startup", country="PL", officer=lead)
    response = login_as(lead).post(f"/teams/enter/{challenge.slug}", data={"name": "Baltic Bytes", "organisation": str(org.id)})
    assert response.status_code == 302
    team = db.session.execute(sa.select(Team).where(Team.name == "Baltic Bytes")).scalar_one()
    assert team.lead.user_id == lead.id and team.lead.organisation_id == org.id

    client = login_as(lead)
    response = client.post(f"/teams/{team.public_id}/invite", data={"email": "Ana@Example.PT "}, follow_redirects=True)
    assert "An invitation is sent to ana@example.pt" in response.get_data(as_text=True)
    link = _invitation_link(smtp, "ana@example.pt")

    # Someone not registered yet: the link shows the invitation and remembers it across sign-up.
    anonymous = app.test_client()
    page = anonymous.get("/teams" + link)
    assert page.status_code == 200 and "Sign in or create an account" in page.get_data(as_text=True)
    ana = factories.make_user(email="ana@example.pt", country="PT")
    db.session.commit()
    login(anonymous, ana)
    landing = anonymous.get("/")
    assert landing.status_code == 302 and landing.headers["Location"].endswith(link)
    assert anonymous.post(f"/teams{link}/accept", data={"organisation": ""}).status_code == 302
    db.session.expire_all()
    assert sorted(m.user.country for m in team.members) == ["PL", "PT"]
    # Reused link.
    assert "already been answered" in anonymous.get("/teams" + link).get_data(as_text=True)

    # A person is in at most one team per challenge.
    other = login_as(ana).post(f"/teams/enter/{challenge.slug}", data={"name": "Second", "organisation": ""})
    assert other.status_code == 302 and other.headers["Location"].endswith(f"/teams/{team.public_id}")
    db.session.add(TeamMember(team=factories.make_team(challenge), user=ana, challenge_id=challenge.id))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_invitation_problems_are_explained(app, challenge, login_as):
    lead, invited, stranger = factories.make_user(), factories.make_user(email="inv@example.eu"), factories.make_user()
    team = factories.make_team(challenge, [lead])
    invitation = TeamInvitation(team=team, email="inv@example.eu", expires_at=utcnow() + timedelta(days=7))
    db.session.add(invitation)
    db.session.commit()
    token = make_token(invitation)
    assert "another e-mail address" in login_as(stranger).get(f"/teams/invitations/{token}").get_data(as_text=True)
    assert login_as(stranger).post(f"/teams/invitations/{token}/accept", data={"organisation": ""}).status_code == 400
    tampered = login_as(invited).get(f"/teams/invitations/{token[:-3]}abc")
    assert tampered.status_code == 400 and "not valid" in tampered.get_data(as_text=True)
    with time_machine.travel(utcnow() + timedelta(days=8)):
        expired = login_as(invited).get(f"/teams/invitations/{token}")
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    assert login_as(invited).post(f"/teams/invitations/{token}/decline").status_code == 302
    assert "already been answered" in login_as(invited).post(f"/teams/invitations/{token}/accept").get_data(as_text=True)


def test_invitation_refused_when_team_full_or_duplicate(app, challenge, login_as):
    lead, a, b = factories.make_user(), factories.make_user(), factories.make_user()
    team = factories.make_team(challenge, [lead, a, b])
    db.session.commit()
    response = login_as(lead).post(f"/teams/{team.public_id}/invite", data={"email": "x@example.eu"}, follow_redirects=True)
    assert "largest size" in response.get_data(as_text=True)
    response = login_as(lead).post(f"/teams/{team.public_id}/invite", data={"email": "not-an-address"}, follow_redirects=True)
    assert "e-mail address" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(TeamInvitation.id))).scalar() == 0


def test_leave_remove_and_hand_over(app, challenge, login_as):
    lead, a, b = factories.make_user(), factories.make_user(), factories.make_user()
    team = factories.make_team(challenge, [lead, a, b])
    db.session.commit()
    lead_member, a_member, b_member = team.members
    client = login_as(lead)
    assert "Hand the lead over" in client.post(f"/teams/{team.public_id}/members/{lead_member.id}/remove", follow_redirects=True).get_data(as_text=True)
    assert client.post(f"/teams/{team.public_id}/members/{b_member.id}/remove").status_code == 302
    assert client.post(f"/teams/{team.public_id}/members/{a_member.id}/lead").status_code == 302
    db.session.expire_all()
    assert team.lead.user_id == a.id and len(team.members) == 2
    assert login_as(lead).post(f"/teams/{team.public_id}/members/{lead_member.id}/remove").status_code == 302
    # a is now alone, with a submitted entry: cannot close the team by leaving.
    factories.make_submission(team)
    db.session.commit()
    db.session.expire_all()
    response = login_as(a).post(f"/teams/{team.public_id}/members/{a_member.id}/remove", follow_redirects=True)
    assert "withdraw it" in response.get_data(as_text=True)
    actions = db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.action.like("team.%"))).scalars().all()
    assert {"team.member_removed", "team.lead_handed_over", "team.member_left"} <= set(actions)


def test_teams_are_frozen_after_the_challenge_closes(app, login_as):
    challenge = factories.make_challenge(opens_in_days=-10, closes_in_days=-1)
    lead, a = factories.make_user(), factories.make_user()
    team = factories.make_team(challenge, [lead, a])
    db.session.commit()
    response = login_as(lead).post(f"/teams/{team.public_id}/invite", data={"email": "late@example.eu"}, follow_redirects=True)
    assert "can no longer change" in response.get_data(as_text=True)
    assert login_as(factories.make_user()).get(f"/teams/enter/{challenge.slug}").status_code == 403


def test_bad_team_name_is_refused(app, challenge, login_as):
    factories.make_team(challenge, name="Taken")
    user = factories.make_user()
    db.session.commit()
    response = login_as(user).post(f"/teams/enter/{challenge.slug}", data={"name": "taken", "organisation": ""})
    assert response.status_code == 400 and "already has this name" in response.get_data(as_text=True)
    response = login_as(user).post(f"/teams/enter/{challenge.slug}", data={"name": "", "organisation": ""})
    assert response.status_code == 400
    response = login_as(user).post(f"/teams/enter/{challenge.slug}", data={"name": "Ok", "organisation": "999999"})
    assert response.status_code == 400


def test_the_lead_renames_the_team(app, challenge, login_as):
    lead, mate = factories.make_user(), factories.make_user()
    team = factories.make_team(challenge, [lead, mate])
    factories.make_team(challenge, name="Taken")
    db.session.commit()
    assert login_as(mate).post(f"/teams/{team.public_id}/rename", data={"name": "Mine"}).status_code == 403
    assert "already has this name" in login_as(lead).post(f"/teams/{team.public_id}/rename", data={"name": "TAKEN"},
                                                          follow_redirects=True).get_data(as_text=True)
    assert login_as(lead).post(f"/teams/{team.public_id}/rename", data={"name": "Hanseatic"}).status_code == 302
    db.session.expire_all()
    assert team.name == "Hanseatic"


def test_rename_and_invite_problems_stand_beside_their_field_and_keep_what_was_typed(app, challenge, login_as):
    lead, mate = factories.make_user(), factories.make_user()
    team = factories.make_team(challenge, [lead, mate], name="Hanse")
    factories.make_team(challenge, name="Taken")
    db.session.commit()
    client = login_as(lead)
    response = client.post(f"/teams/{team.public_id}/invite", data={"email": "not-an-address"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="email-error"' in html and 'value="not-an-address"' in html
    assert 'aria-invalid="true"' in html and "<title>Error:" in html
    response = client.post(f"/teams/{team.public_id}/rename", data={"name": "TAKEN"})
    html = response.get_data(as_text=True)
    assert response.status_code in (400, 409) and 'id="name-error"' in html and 'value="TAKEN"' in html
    assert "already has this name" in html.split('id="name-error"')[1][:300]
    db.session.expire_all()
    assert db.session.get(type(team), team.id).name == "Hanse"
