"""Sign-in through a real OpenID Connect provider in a real browser, and the identity pages under axe in the
five languages."""
import pytest

from govchallenge.extensions import db
from tests.identity.conftest import ACCOUNTS, CLIENT_ID, CLIENT_SECRET
from tests.oidc.server import OidcProvider
from tests.support import factories
from tests.support.browser import assert_accessible
from tests.support.services import LiveServer

pytestmark = pytest.mark.browser
LANGUAGES = ["en", "pl", "el", "de", "fr"]


@pytest.fixture
def identity_site(make_app):
    """A live app whose own provider is a real oidc-provider registered with the live server's callback."""
    app = make_app(WTF_CSRF_ENABLED=True, OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET=CLIENT_SECRET,
                   OIDC_LABEL="Test ID")
    server = LiveServer(app)
    provider = OidcProvider([{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                              "redirect_uris": [server.url + "/login/idp/callback"]}], ACCOUNTS).start()
    app.config.update(SERVER_NAME_FOR_LINKS=server.url, OIDC_ISSUER=provider.issuer)
    server.start()
    app.live_url = server.url
    try:
        with app.app_context():
            yield app
    finally:
        server.stop()
        provider.stop()


def test_a_first_sign_in_through_the_provider_creates_the_account(playwright_browser, identity_site):
    context = playwright_browser.new_context(base_url=identity_site.live_url, locale="en-GB")
    page = context.new_page()
    page.goto("/login")
    page.get_by_role("link", name="Sign in with Test ID").click()
    page.locator("input[name=login]").fill("nina")  # the provider's own development form
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name="Continue").click()  # the provider's consent page
    page.get_by_role("heading", name="Create your account").wait_for()
    assert_accessible(page, "new account after a provider's sign-in")
    page.get_by_label("Country").select_option("GR")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(identity_site.live_url + "/")
    page.goto("/account")
    assert page.locator("#name").input_value() == "Nina Νέα"
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_no_violation_on_the_identity_pages(playwright_browser, identity_site, language):
    admin = factories.make_user(email="admin@platform.eu", name="Ada Admin", admin=True)
    factories.make_public_body(country="PL", verified=True, name="Ministry of Digital Affairs")
    admin.language = language
    db.session.commit()
    context = playwright_browser.new_context(base_url=identity_site.live_url, locale=language)
    page = context.new_page()
    page.goto("/login")
    assert page.locator(".signin-options a").count() == 1
    assert_accessible(page, f"sign-in page with a provider in {language}")
    page.goto("/login/idp/callback?state=forged&code=x")
    assert_accessible(page, f"refused sign-in in {language}")
    page.goto("/login")
    page.locator("#email").fill("admin@platform.eu")
    page.locator("#password").fill(factories.PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(identity_site.live_url + "/")
    page.goto("/admin/identity-providers")
    assert_accessible(page, f"identity providers in {language}")
    page.locator("main a[href*='/admin/identity-providers/']").first.click()
    assert_accessible(page, f"a body's provider form in {language}")
    page.locator("#issuer").fill("http://not-https.example")
    page.locator("form.form button[type=submit]").click()
    assert_accessible(page, f"a body's provider form with errors in {language}")
    context.close()
