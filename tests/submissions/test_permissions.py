"""Every role on every team and entry route, before and after the stage closes, and guessed ids."""
import io
from datetime import timedelta

import pytest
import time_machine

from govchallenge.extensions import db
from tests.conftest import login
from tests.support import documents, factories
from tests.support.submissions_factories import entry_data, submit_checked

PDF = documents.pdf()  # a real PDF: hosts get its copy without metadata, and an unreadable file is withheld
ROLES = ("anonymous", "participant", "other_team", "team_member", "team_lead", "officer", "member", "admin")
TEAM = {"team_member", "team_lead"}
LEAD = {"team_lead"}
HOST = {"officer"}


@pytest.fixture
def world(app, people):
    challenge = factories.make_challenge(host=people["ministry"])
    lead, mate = factories.make_user(name="Lena Lead", country="GR"), factories.make_user(name="Mati Mate", country="EE")
    team = factories.make_team(challenge, [lead, mate, factories.make_user(country="PL")])
    other = factories.make_team(challenge, [factories.make_user()])
    db.session.commit()
    client = login(app.test_client(), lead)
    submit_checked(client, client.post(f"/entries/start/{team.public_id}/{challenge.stages[0].id}",
                                       data={**entry_data(action="submit"), "attachments": (io.BytesIO(PDF), "a.pdf")},
                                       content_type="multipart/form-data"))
    from govchallenge.submissions.operations import entry_of

    db.session.expire_all()
    entry = entry_of(team, challenge.stages[0])
    from govchallenge.jobs.outbox import enqueue
    from govchallenge.submissions.exports import EXPORT_JOB
    from govchallenge.teams.models import TeamInvitation
    from govchallenge.core.timeutil import utcnow

    job = enqueue(EXPORT_JOB, challenge.stages[0].id)
    invitation = TeamInvitation(team=team, email="someone@example.eu", expires_at=utcnow() + timedelta(days=1))
    db.session.add(invitation)
    db.session.commit()
    users = {**people, "team_lead": lead, "team_member": mate, "other_team": other.members[0].user}
    return {"challenge": challenge, "team": team, "entry": entry, "file": entry.files[0], "users": users,
            "stage": challenge.stages[0], "mate_member": team.members[1], "extra_member": team.members[2], "export_job": job.id, "invitation": invitation}


def _client(app, world, role):
    if role == "anonymous":
        return app.test_client()
    return login(app.test_client(), world["users"][role])


def _routes(w):
    e, t, f, s = w["entry"].public_id, w["team"].public_id, w["file"].public_id, w["stage"].id
    return [
        ("GET", f"/teams/{t}", TEAM),
        ("POST", f"/teams/{t}/invite", LEAD, {"email": "x@example.eu"}),
        ("GET", f"/entries/start/{t}/{s}", TEAM),
        ("GET", f"/entries/{e}", TEAM),
        ("GET", f"/entries/{e}/edit", TEAM),
        ("POST", f"/entries/{e}/edit", TEAM, entry_data(w["entry"].lock_version)),
        ("GET", f"/entries/{e}/receipts/1", TEAM),
        ("GET", f"/entries/{e}/files/{f}", TEAM),
        ("GET", f"/entries/{e}/versions/1/files/0", TEAM),
        ("POST", f"/entries/{e}/files/{f}/delete", TEAM, {"lock_version": "0"}),
        ("GET", f"/entries/{e}/withdraw", TEAM),
        ("POST", f"/entries/{e}/withdraw", TEAM),
        ("GET", f"/entries/hosts/{w['challenge'].slug}", HOST),
        ("GET", f"/entries/hosts/exports/{w['export_job']}", set()),  # before close, not even hosts
        ("POST", f"/teams/{t}/invitations/{w['invitation'].id}/revoke", LEAD),
        # Last, as they change the team:
        ("POST", f"/teams/{t}/members/{w['extra_member'].id}/remove", LEAD),
        ("POST", f"/teams/{t}/members/{w['mate_member'].id}/lead", LEAD),
    ]


def _status(client, route):
    method, path, _allowed, *data = route
    if method == "GET":
        return client.get(path).status_code
    return client.post(path, data=data[0] if data else {}).status_code


def _assert(role, route, status, allowed):
    if role in allowed:
        assert status in (200, 302, 400), f"{role} refused on {route[0]} {route[1]}: {status}"
    elif role == "anonymous":
        assert status == 302, f"anonymous reached {route[1]}: {status}"
    else:
        assert status in (403, 404), f"{role} reached {route[0]} {route[1]}: {status}"


@pytest.mark.parametrize("role", ROLES)
def test_before_the_stage_closes_only_the_team_sees_its_entry(app, world, role):
    client = _client(app, world, role)
    for route in _routes(world):
        _assert(role, route, _status(client, route), route[2])


@pytest.mark.parametrize("role", ROLES)
def test_after_the_stage_closes_hosts_read_submitted_entries(app, world, role):
    e = world["entry"].public_id
    after = [
        ("GET", f"/entries/{e}", TEAM | HOST),
        ("GET", f"/entries/{e}/versions/1/files/0", TEAM | HOST),
        ("GET", f"/entries/{e}/files/{world['file'].public_id}", TEAM),  # the working copy stays the team's
        ("GET", f"/entries/{e}/receipts/1", TEAM),
        ("POST", f"/entries/hosts/stages/{world['stage'].id}/export", HOST),
        ("GET", f"/entries/hosts/{world['challenge'].slug}", HOST),
    ]
    client = _client(app, world, role)
    with time_machine.travel(world["stage"].closes_at + timedelta(minutes=1)):
        for route in after:
            _assert(role, route, _status(client, route), route[2])


@pytest.mark.parametrize("role", ("team_lead", "officer", "participant"))
def test_guessed_ids_get_404(app, world, role):
    client = _client(app, world, role)
    e, t = world["entry"].public_id, world["team"].public_id
    for path in ("/teams/NoSuchTeam123", "/entries/NoSuchEntry12", f"/entries/{e}/receipts/99",
                 f"/entries/{e}/files/NoSuchFile99", f"/entries/{e}/versions/1/files/7", f"/entries/start/{t}/999999",
                 "/entries/hosts/no-such-challenge", "/entries/hosts/exports/999999", "/teams/enter/no-such-challenge"):
        # Nothing to find is 404 for whoever asks; inside someone else's entry the door is already shut (403).
        whole_object_missing = path.startswith(("/teams/NoSuch", "/entries/NoSuch", "/entries/hosts/", "/teams/enter/"))
        expected = (404,) if role == "team_lead" or whole_object_missing else (403, 404)
        assert client.get(path).status_code in expected, path
    for path in (f"/teams/{t}/members/999999/lead", f"/teams/{t}/members/999999/remove", f"/teams/{t}/invitations/999999/revoke"):
        assert client.post(path).status_code in ((404,) if role == "team_lead" else (403, 404)), path


def test_a_stage_of_another_challenge_is_not_found(app, world, login_as):
    elsewhere = factories.make_challenge()
    db.session.commit()
    client = login_as(world["users"]["team_lead"])
    assert client.get(f"/entries/start/{world['team'].public_id}/{elsewhere.stages[0].id}").status_code == 404


def test_hosts_never_read_a_withdrawn_entry(app, world, login_as):
    client = login_as(world["users"]["team_lead"])
    assert client.post(f"/entries/{world['entry'].public_id}/withdraw").status_code == 302
    officer = login_as(world["users"]["officer"])
    with time_machine.travel(world["stage"].closes_at + timedelta(minutes=1)):
        assert officer.get(f"/entries/{world['entry'].public_id}").status_code == 403


def test_a_host_officer_cannot_join_a_team_by_invitation(app, world, login_as):
    from govchallenge.teams.models import TeamInvitation
    from govchallenge.teams.tokens import make_token
    from govchallenge.core.timeutil import utcnow

    officer = world["users"]["officer"]
    invitation = TeamInvitation(team=world["team"], email=officer.email, expires_at=utcnow() + timedelta(days=1))
    db.session.add(invitation)
    db.session.commit()
    token = make_token(invitation)
    client = login_as(officer)
    page = client.get(f"/teams/invitations/{token}")
    assert page.status_code == 400 and "cannot enter its challenge" in page.get_data(as_text=True)
    response = client.post(f"/teams/invitations/{token}/accept", data={"organisation": ""})
    assert response.status_code == 400
    db.session.expire_all()
    assert all(m.user_id != officer.id for m in world["team"].members)
    assert client.get(f"/entries/{world['entry'].public_id}").status_code == 403
