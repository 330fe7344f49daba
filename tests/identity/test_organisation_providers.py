"""A public body's own provider: set by platform admins only; it vouches only for its domains; officers of a
body that requires it sign in only through it."""
import pytest
import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.identity.models import IdentityLink, IdentityProvider
from tests.conftest import count_rows, login
from tests.support import factories

from .conftest import CLIENT_ID, CLIENT_SECRET, oidc_settings, sign_in_through, signed_in_as

START = "/login/idp/{slug}"


@pytest.fixture
def app(make_app, idp):
    """The instance's own provider is set too: the bodies' come beside it."""
    app = make_app(**oidc_settings(idp))
    with app.app_context():
        yield app


def provider_form(idp, **changes):
    return {"issuer": idp.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "scopes": "openid email profile", "email_domains": "ministry.gov.pl",
            "required_for_officers": "y", **changes}


@pytest.fixture
def ministry_provider(app, people, idp, client_for):
    """The ministry's provider, saved through the admin's form."""
    response = client_for("admin").post(f"/admin/identity-providers/{people['ministry'].slug}", data=provider_form(idp))
    assert response.status_code == 302, response.get_data(as_text=True)
    return START.format(slug=people["ministry"].slug)


@pytest.mark.parametrize("role, status", [("anonymous", 302), ("participant", 403), ("officer", 403),
                                          ("member", 403), ("admin", 200)])
def test_only_admins_see_the_provider_pages(client_for, people, role, status):
    client = client_for(role)
    assert client.get("/admin/identity-providers").status_code == status
    assert client.get(f"/admin/identity-providers/{people['ministry'].slug}").status_code == status


@pytest.mark.parametrize("role", ["anonymous", "participant", "officer", "member"])
def test_nobody_but_an_admin_sets_or_removes_a_provider(client_for, people, idp, role):
    client = client_for(role)  # signed in before the provider is required of officers
    slug = people["ministry"].slug
    assert client_for("admin").post(f"/admin/identity-providers/{slug}", data=provider_form(idp)).status_code == 302
    client.post(f"/admin/identity-providers/{slug}", data=provider_form(idp, email_domains="evil.example"))
    client.post(f"/admin/identity-providers/{slug}/remove")
    db.session.expire_all()
    assert db.session.execute(sa.select(IdentityProvider.email_domains)).scalar_one() == "ministry.gov.pl"


def test_saving_and_removing_is_audited_and_the_secret_is_never_shown(client_for, people, idp, ministry_provider):
    admin = client_for("admin")
    page = admin.get(f"/admin/identity-providers/{people['ministry'].slug}").get_data(as_text=True)
    assert CLIENT_SECRET not in page and "http://localhost/login/idp/callback" in page
    admin.post(f"/admin/identity-providers/{people['ministry'].slug}", data=provider_form(idp, client_secret=""))
    db.session.expire_all()
    assert db.session.execute(sa.select(IdentityProvider.client_secret)).scalar_one() == CLIENT_SECRET  # kept
    assert admin.post(f"/admin/identity-providers/{people['ministry'].slug}/remove").status_code == 302
    assert count_rows(IdentityProvider) == 0
    saved = db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.action.like("identity.%"))
                              .order_by(AuditEvent.id)).scalars().all()
    assert saved == ["identity.provider_saved", "identity.provider_saved", "identity.provider_removed"]


@pytest.mark.parametrize("changes, message", [
    ({"issuer": "http://idp.example.org"}, "Give an https:// address"),
    ({"issuer": "https://idp.example.org/<b>x</b>"}, "Give an https:// address"),
    ({"client_id": "<script>"}, "Use only letters, digits"),
    ({"scopes": "openid \"email\""}, "Use only letters, digits"),
    ({"scopes": "email profile"}, "must include openid"),
    ({"email_domains": "not a domain!"}, "Give domain names"),
    ({"email_domains": ""}, "This field is required"),
])
def test_bad_provider_settings_come_back_on_the_form(client_for, people, idp, changes, message):
    response = client_for("admin").post(f"/admin/identity-providers/{people['ministry'].slug}",
                                        data=provider_form(idp, **changes))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count_rows(IdentityProvider) == 0


def test_an_issuer_where_no_provider_answers_is_refused_on_the_form(client_for, people):
    from tests.support.services import free_port

    response = client_for("admin").post(f"/admin/identity-providers/{people['ministry'].slug}",
                                        data={"issuer": f"http://127.0.0.1:{free_port()}", "client_id": "x",
                                              "scopes": "openid", "email_domains": "ministry.gov.pl"})
    assert response.status_code == 400 and "No OpenID Connect provider answered" in response.get_data(as_text=True)
    assert count_rows(IdentityProvider) == 0


def test_only_a_verified_public_body_gets_a_provider(client_for, people, idp):
    startup = factories.make_organisation(kind="startup", country="DK", name="Another Startup")
    db.session.commit()
    response = client_for("admin").post(f"/admin/identity-providers/{startup.slug}", data=provider_form(idp))
    assert response.status_code == 409 and "Only a verified public body" in response.get_data(as_text=True)
    assert count_rows(IdentityProvider) == 0


def test_the_body_is_offered_on_the_sign_in_page(app, ministry_provider, people):
    page = app.test_client().get("/login").get_data(as_text=True)
    assert f'href="{ministry_provider}"' in page and "Sign in with Ministry of Digital Affairs" in page


def test_an_officer_of_a_body_that_requires_its_provider_signs_in_only_through_it(app, people, ministry_provider):
    response = app.test_client().post("/login", data={"email": people["officer"].email,
                                                      "password": factories.PASSWORD})
    assert response.status_code == 403
    assert "As an officer of Ministry of Digital Affairs you sign in through its identity provider" \
        in response.get_data(as_text=True)
    client = app.test_client()
    assert sign_in_through(client, "olga", start=ministry_provider).status_code == 302
    assert signed_in_as(client) == people["officer"].email
    # A member who is no officer keeps their password.
    assert signed_in_as(login(app.test_client(), people["member"])) == people["member"].email


def test_the_officer_may_not_use_the_instances_provider_instead(app, people, ministry_provider):
    client = app.test_client()
    response = sign_in_through(client, "olga")
    assert response.status_code == 403
    assert "As an officer of Ministry of Digital Affairs" in response.get_data(as_text=True)
    assert signed_in_as(client) is None and count_rows(IdentityLink) == 0


def test_a_bodys_provider_vouches_only_for_its_own_domains(app, people, ministry_provider):
    client = app.test_client()
    response = sign_in_through(client, "pat", start=ministry_provider)
    assert response.status_code == 403 and "only addresses of its own organisation" in response.get_data(as_text=True)
    assert signed_in_as(client) is None and count_rows(IdentityLink) == 0


def test_a_body_without_a_provider_has_no_sign_in_route(app, people):
    assert app.test_client().get(START.format(slug=people["ministry"].slug)).status_code == 404
    assert app.test_client().get(START.format(slug="no-such-body")).status_code == 404
