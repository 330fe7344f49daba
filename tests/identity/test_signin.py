"""Sign-in through the instance's OpenID Connect provider, against a real provider process."""
import sqlalchemy as sa

from govchallenge.accounts.models import User, find_by_email
from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.identity.models import IdentityLink
from tests.conftest import count_rows, login
from tests.support import factories

from .conftest import ACCOUNTS, at_provider, sign_in_through, signed_in_as


def actions(object_id=None):
    """(action, detail) of the events, the detail with its personal part (the subject) put back."""
    query = sa.select(AuditEvent)
    if object_id is not None:
        query = query.where(AuditEvent.object_type == "user", AuditEvent.object_id == str(object_id))
    return [(e.action, e.shown_detail) for e in db.session.execute(query.order_by(AuditEvent.id)).scalars()]


def test_first_sign_in_links_the_verified_account_and_later_ones_follow_the_subject(oidc_app, people, idp):
    client = oidc_app.test_client()
    response = sign_in_through(client, "olga")
    assert response.status_code == 302 and response.location == "/"
    assert signed_in_as(client) == "officer@ministry.gov.pl"
    db.session.expire_all()
    link = db.session.execute(sa.select(IdentityLink)).scalar_one()
    assert (link.user_id, link.issuer, link.subject) == (people["officer"].id, idp.issuer, "olga")
    events = actions(people["officer"].id)
    assert ("account.identity_linked", {"issuer": idp.issuer, "subject": "olga"}) in events
    assert ("account.login", {"method": "oidc", "issuer": idp.issuer}) in events

    # The provider now gives another address for the same subject: the same person, the same account.
    idp.set_accounts({**ACCOUNTS, "olga": {"email": "olga.new@ministry.gov.pl", "email_verified": True}})
    other = oidc_app.test_client()
    try:
        moved = sign_in_through(other, "olga")
    finally:
        idp.set_accounts(ACCOUNTS)
    assert moved.status_code == 302 and moved.location == "/"
    assert signed_in_as(other) == "officer@ministry.gov.pl"
    assert count_rows(IdentityLink) == 1 and find_by_email("olga.new@ministry.gov.pl") is None


def test_a_first_sign_in_without_an_account_creates_a_confirmed_linked_one(oidc_app, people, idp):
    client = oidc_app.test_client()
    response = sign_in_through(client, "nina")
    assert response.status_code == 302 and response.location == "/login/idp/new-account"
    assert find_by_email("nina@ministry.gov.pl") is None  # nothing yet: the person has not chosen
    page = client.get("/login/idp/new-account").get_data(as_text=True)
    assert "nina@ministry.gov.pl" in page and 'value="Nina Νέα"' in page
    assert '<option selected value="el">' in page and '<option selected value="Europe/Athens">' in page

    refused = client.post("/login/idp/new-account", data={"name": "Nina Νέα", "country": "", "language": "el",
                                                           "timezone": "Europe/Athens"})
    assert refused.status_code == 400 and find_by_email("nina@ministry.gov.pl") is None

    done = client.post("/login/idp/new-account", data={"name": "Nina Νέα", "country": "GR", "language": "el",
                                                        "timezone": "Europe/Athens"})
    assert done.status_code == 302 and done.location == "/"
    db.session.expire_all()
    user = find_by_email("nina@ministry.gov.pl")
    assert user.is_verified and (user.country, user.language, user.timezone) == ("GR", "el", "Europe/Athens")
    link = db.session.execute(sa.select(IdentityLink)).scalar_one()
    assert (link.user_id, link.issuer, link.subject) == (user.id, idp.issuer, "nina")
    assert [a for a, _ in actions(user.id)] == ["account.registered", "account.identity_linked", "account.login"]
    assert signed_in_as(client) == "nina@ministry.gov.pl"
    # The pending identity was used up: the page cannot create a second account.
    assert client.post("/login/idp/new-account", data={"name": "X", "country": "GR", "language": "el",
                                                       "timezone": "UTC"}).status_code == 400
    assert count_rows(User) == 6


def test_no_account_is_created_when_accounts_come_only_from_registration(make_app, idp):
    from .conftest import oidc_settings

    app = make_app(**oidc_settings(idp, OIDC_CREATE_ACCOUNTS=False))
    with app.app_context():
        client = app.test_client()
        response = sign_in_through(client, "nina")
        assert response.status_code == 403
        assert "accounts cannot be created through Test ID" in response.get_data(as_text=True)
        assert count_rows(User) == 0 and count_rows(IdentityLink) == 0


def test_an_address_the_provider_did_not_verify_is_never_joined_to_an_account(oidc_app, people):
    client = oidc_app.test_client()
    response = sign_in_through(client, "pat-unconfirmed")
    assert response.status_code == 403
    assert "did not confirm your e-mail address" in response.get_data(as_text=True)
    assert count_rows(IdentityLink) == 0 and signed_in_as(client) is None


def test_an_account_whose_address_was_never_confirmed_here_is_not_joined(oidc_app, people):
    client = oidc_app.test_client()
    response = sign_in_through(client, "una")
    assert response.status_code == 409
    assert "its address was never confirmed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert count_rows(IdentityLink) == 0 and signed_in_as(client) is None
    assert not people["unverified"].is_verified
    assert ("account.login_failed", {"method": "oidc", "issuer": oidc_app.config["OIDC_ISSUER"],
                                     "reason": "account_unverified"}) in actions(people["unverified"].id)


def test_a_second_identity_at_the_same_provider_is_refused_not_merged(oidc_app, people):
    assert sign_in_through(oidc_app.test_client(), "olga").status_code == 302
    client = oidc_app.test_client()
    response = sign_in_through(client, "olga-twin")
    assert response.status_code == 409 and "already joined to another identity" in response.get_data(as_text=True)
    assert count_rows(IdentityLink) == 1 and signed_in_as(client) is None


def test_next_is_followed_only_to_a_page_of_this_site(oidc_app, people):
    client = oidc_app.test_client()
    assert client.get(at_provider(client, "pat", start="/login/idp?next=/organisations/")).location == "/organisations/"
    client = oidc_app.test_client()
    assert client.get(at_provider(client, "pat", start="/login/idp?next=//evil.example/")).location == "/"


def test_the_sign_in_page_offers_the_provider_in_the_visitors_language(oidc_app, make_app, idp):
    page = oidc_app.test_client().get("/login").get_data(as_text=True)
    assert 'href="/login/idp"' in page and "Sign in with Test ID" in page
    german = oidc_app.test_client().get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Test ID" in german and "Sign in with Test ID" not in german
    from .conftest import oidc_settings

    app = make_app(**oidc_settings(idp, OIDC_LABEL="<b>Bold</b> ID"))
    with app.app_context():
        page = app.test_client().get("/login").get_data(as_text=True)
    assert "&lt;b&gt;Bold&lt;/b&gt; ID" in page and "<b>Bold</b>" not in page


def test_without_a_provider_the_sign_in_page_has_only_the_password_form(app):
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "/login/idp" not in page
    assert app.test_client().get("/login/idp").status_code == 404


def test_discovery_and_keys_are_fetched_once_for_many_sign_ins(oidc_app, people, monkeypatch):
    from govchallenge.identity import oidc

    fetched = []
    original = oidc._get_json
    monkeypatch.setattr(oidc, "_get_json", lambda url, provider: fetched.append(url) or original(url, provider))
    for login_name in ("olga", "pat", "marek"):
        assert sign_in_through(oidc_app.test_client(), login_name).status_code == 302
    assert sorted(url.rsplit("/", 1)[-1] for url in fetched) == ["jwks", "openid-configuration"]


def test_local_passwords_still_work_beside_the_provider(oidc_app, people):
    client = login(oidc_app.test_client(), people["participant"])
    assert signed_in_as(client) == "pat@startup.dk"
