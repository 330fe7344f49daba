"""Erasure: who may erase, the re-authentication, the refusals (last officer of a body with an open challenge,
juror of an open round) and what an erasure records. The whole record's fate: test_erasure_record.py."""
import pytest
import sqlalchemy as sa

from govchallenge.accounts.models import User
from govchallenge.core import audit
from govchallenge.extensions import db
from govchallenge.jury.models import Juror, Round
from govchallenge.organisations.models import ACTIVE, OFFICER, Membership
from govchallenge.privacy import erasure
from govchallenge.privacy.pseudonyms import pseudonym_email, pseudonym_name
from tests.conftest import login
from tests.support import factories

ERASE = {"password": factories.PASSWORD, "understood": "y"}


@pytest.fixture
def request_context(app):
    """The refusals are sentences in the reader's language: asked outside a page, they need a request."""
    with app.test_request_context():
        yield


def erased(user_id):
    db.session.expire_all()
    return db.session.get(User, user_id).erased_at is not None


def officer_with_open_challenge(status="approved"):
    officer = factories.make_user(name="Lone Officer")
    body = factories.make_public_body(officer=officer, name="Lonely Ministry")
    challenge = factories.make_challenge(host=body, status=status)
    db.session.commit()
    return officer, body, challenge


def juror_of(challenge, user, round_state):
    db.session.add(Juror(challenge_id=challenge.id, user_id=user.id, email=user.email, name=user.name, state="accepted"))
    db.session.add(Round(challenge_id=challenge.id, number=1, reviews_per_entry=2, state=round_state))
    db.session.commit()


# --- who may ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [
    ("get", "/my-data"), ("post", "/my-data/erase"), ("post", "/my-data/export"),
    ("get", "/my-data/download/anything"), ("get", "/admin/erase-account"), ("get", "/admin/users/1/erase"),
    ("post", "/admin/users/1/erase"),
])
def test_signed_out_visitors_are_sent_to_sign_in(app, method, path):
    answer = getattr(app.test_client(), method)(path)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


@pytest.mark.parametrize("role", ["officer", "member", "participant"])
def test_only_admins_erase_someone_else(client_for, people, role):
    client = client_for(role)
    target = people["participant" if role != "participant" else "member"]
    assert client.get("/admin/erase-account").status_code == 403
    assert client.get(f"/admin/users/{target.id}/erase").status_code == 403
    assert client.post(f"/admin/users/{target.id}/erase", data={"reason": "Because I want to", "understood": "y"}).status_code == 403
    assert not erased(target.id)


def test_an_admin_erases_with_a_recorded_reason(client_for, people):
    admin, target = client_for("admin"), people["participant"]
    for reason in ("", "   ", "too short"):
        answer = admin.post(f"/admin/users/{target.id}/erase", data={"reason": reason, "understood": "y"})
        assert answer.status_code == 400 and not erased(target.id)
    answer = admin.post(f"/admin/users/{target.id}/erase", data={"reason": "Asked in writing, letter of 1 Dec"})
    assert answer.status_code == 400 and not erased(target.id)  # the confirmation box
    answer = admin.post(f"/admin/users/{target.id}/erase", data={"reason": "Asked in writing, letter of 1 Dec", "understood": "y"})
    assert answer.status_code == 302 and erased(target.id)
    event = db.session.execute(sa.select(audit.AuditEvent).where(audit.AuditEvent.action == "account.erased")).scalar_one()
    assert event.actor_id == people["admin"].id and event.object_id == str(target.id)
    assert event.detail["reason"] == "Asked in writing, letter of 1 Dec" and event.detail["by_admin"] is True
    assert event.shown_actor == "admin@platform.eu"  # the admin's own address stays (it is not theirs to erase)
    # An erased account cannot be erased again, nor found.
    assert admin.get(f"/admin/users/{target.id}/erase").status_code == 403
    assert admin.get("/admin/users/999999/erase").status_code == 404


def test_an_admin_finds_the_account_by_its_address(client_for, people):
    admin = client_for("admin")
    answer = admin.get("/admin/erase-account", query_string={"email": "PAT@startup.dk "})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/admin/users/{people['participant'].id}/erase")
    answer = admin.get("/admin/erase-account", query_string={"email": "nobody@nowhere.eu"})
    assert answer.status_code == 400 and "No account has this address." in answer.get_data(as_text=True)
    assert admin.get("/admin/erase-account", query_string={"email": "not an address"}).status_code == 400


# --- the person themself ------------------------------------------------------------------------------------------

def test_the_person_erases_themself_and_is_signed_out_everywhere(app, people):
    user = people["participant"]
    elsewhere = login(app.test_client(), user)
    client = login(app.test_client(), user)
    answer = client.post("/my-data/erase", data=ERASE)
    assert answer.status_code == 302 and erased(user.id)
    for c in (client, elsewhere):
        assert c.get("/my-data").status_code == 302
    account = db.session.get(User, user.id)
    assert (account.name, account.email) == (pseudonym_name(user.id), pseudonym_email(user.id))
    assert not account.is_verified and not account.is_admin
    assert db.session.execute(sa.select(Membership).where(Membership.user_id == user.id)).first() is None
    event = db.session.execute(sa.select(audit.AuditEvent).where(audit.AuditEvent.action == "account.erased")).scalar_one()
    assert event.actor_id is None and event.detail["by_admin"] is False and event.personal is None


def test_the_pseudonym_is_stable_and_depends_on_the_key(app):
    first = pseudonym_name(7)
    assert first == pseudonym_name(7) != pseudonym_name(8) and pseudonym_email(7) != pseudonym_email(8)
    assert pseudonym_email(7).endswith("@erased.invalid")
    app.config["SECRET_KEY"] = "another-key"
    assert pseudonym_name(7) != first


def test_without_a_recent_sign_in_the_password_is_asked_again(make_app):
    app = make_app(REAUTH_SECONDS=0)
    with app.app_context():
        user = factories.make_user(name="Slow Reader")
        db.session.commit()
        client = login(app.test_client(), user)
        answer = client.post("/my-data/erase", data={"understood": "y"})
        assert answer.status_code == 400 and "Type your password again" in answer.get_data(as_text=True)
        answer = client.post("/my-data/erase", data={"password": "not-my-password-at-all", "understood": "y"})
        assert answer.status_code == 400 and "This is not your current password." in answer.get_data(as_text=True)
        assert not erased(user.id)
        assert client.post("/my-data/erase", data=ERASE).status_code == 302 and erased(user.id)


def test_a_recent_sign_in_stands_for_the_password_but_a_wrong_one_never_does(app):
    user = factories.make_user(name="Quick Reader")
    db.session.commit()
    client = login(app.test_client(), user)
    answer = client.post("/my-data/erase", data={"password": "wrong-password-typed", "understood": "y"})
    assert answer.status_code == 400 and not erased(user.id)
    assert client.post("/my-data/erase", data={"understood": ""}).status_code == 400 and not erased(user.id)
    assert client.post("/my-data/erase", data={"understood": "y"}).status_code == 302 and erased(user.id)


# --- refusals -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["in_review", "approved", "in_evaluation"])
def test_the_last_officer_of_a_body_with_an_open_challenge_is_refused(app, status):
    officer, body, challenge = officer_with_open_challenge(status)
    client = login(app.test_client(), officer)
    assert "Lonely Ministry" in client.get("/my-data").get_data(as_text=True)
    answer = client.post("/my-data/erase", data=ERASE)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 409 and "last officer of Lonely Ministry" in text and challenge.slug in text
    assert not erased(officer.id)
    assert db.session.execute(sa.select(Membership).where(Membership.user_id == officer.id)).first() is not None


@pytest.mark.usefixtures("request_context")
def test_another_officer_or_a_finished_challenge_lifts_the_refusal(app):
    officer, body, challenge = officer_with_open_challenge()
    assert erasure.erasure_blockers(officer)
    db.session.add(Membership(organisation=body, user=factories.make_user(), role=OFFICER, state=ACTIVE))
    db.session.commit()
    assert erasure.erasure_blockers(officer) == []
    other, other_body, finished = officer_with_open_challenge("results_published")
    assert erasure.erasure_blockers(other) == []
    draft_officer, _, _ = officer_with_open_challenge("draft")
    assert erasure.erasure_blockers(draft_officer) == []


@pytest.mark.usefixtures("request_context")
def test_an_officer_not_yet_approved_is_not_held(app):
    officer, body, challenge = officer_with_open_challenge()
    db.session.execute(sa.update(Membership).where(Membership.user_id == officer.id).values(state="pending"))
    db.session.commit()
    assert erasure.erasure_blockers(officer) == []


@pytest.mark.usefixtures("request_context")
def test_an_account_is_erased_once(app):
    user = factories.make_user()
    erasure.erase_account(user, user)
    db.session.commit()
    with pytest.raises(erasure.ErasureRefused) as refused:
        erasure.erase_account(user, user)
    assert refused.value.reasons == ["This account has already been erased."]


@pytest.mark.usefixtures("request_context")
def test_a_member_who_is_not_an_officer_is_not_held_by_the_body(app):
    officer, body, challenge = officer_with_open_challenge()
    member = factories.make_user()
    db.session.add(Membership(organisation=body, user=member, role="member", state=ACTIVE))
    db.session.commit()
    assert erasure.erasure_blockers(member) == [] and erasure.erasure_blockers(officer)


def test_a_juror_of_an_open_round_is_refused_until_it_closes(app, people):
    challenge = factories.make_challenge(status="in_evaluation")
    user = people["participant"]
    juror_of(challenge, user, "open")
    client = login(app.test_client(), user)
    answer = client.post("/my-data/erase", data=ERASE)
    assert answer.status_code == 409 and "jury round is still open" in answer.get_data(as_text=True)
    admin = login(app.test_client(), people["admin"])
    answer = admin.post(f"/admin/users/{user.id}/erase", data={"reason": "Asked in writing, letter of 1 Dec", "understood": "y"})
    assert answer.status_code == 409 and "jury round is still open" in answer.get_data(as_text=True)
    assert not erased(user.id)
    db.session.execute(sa.update(Round).values(state="closed"))
    db.session.commit()
    assert client.post("/my-data/erase", data=ERASE).status_code == 302 and erased(user.id)


@pytest.mark.usefixtures("request_context")
def test_an_invited_or_declined_juror_is_not_held(app):
    challenge = factories.make_challenge(status="in_evaluation")
    user = factories.make_user()
    db.session.add(Juror(challenge_id=challenge.id, user_id=user.id, email=user.email, name=user.name, state="declined"))
    db.session.add(Round(challenge_id=challenge.id, number=1, reviews_per_entry=2, state="open"))
    db.session.commit()
    assert erasure.erasure_blockers(user) == []


@pytest.mark.usefixtures("request_context")
def test_a_refused_erasure_changes_nothing(app):
    officer, body, challenge = officer_with_open_challenge()
    before = db.session.execute(sa.select(sa.func.count(audit.AuditEvent.id))).scalar_one()
    with pytest.raises(erasure.ErasureRefused):
        erasure.erase_account(officer, officer)
    db.session.rollback()
    assert db.session.get(User, officer.id).name == "Lone Officer"
    assert db.session.execute(sa.select(sa.func.count(audit.AuditEvent.id))).scalar_one() == before
