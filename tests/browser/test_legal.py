"""The legal and help pages, and the admins' forms for them, pass axe in the five interface languages."""
import pytest

from govchallenge.core.languages import INTERFACE_LANGUAGES
from govchallenge.extensions import db
from govchallenge.legal.models import LegalText
from tests.legal.test_html import OPERATOR
from tests.support.browser import assert_accessible
from tests.support.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser

PUBLIC = ("/accessibility", "/privacy", "/cookies", "/contact")


@pytest.mark.parametrize("language", list(INTERFACE_LANGUAGES))
def test_the_legal_pages_and_their_forms_pass_axe(playwright_browser, live_app, language):
    make_user(email=f"admin-{language}@platform.eu", admin=True, language=language)
    # One page with an operator text in English only, so the fallback notice is checked too.
    db.session.add(LegalText(page="contact", body={"en": "Ring us on **+30 210 000 0000**."}))
    db.session.add(OPERATOR())  # with a contact address, so the contact form shows
    db.session.commit()
    context = playwright_browser.new_context(base_url=live_app.live_url, locale=language)
    page = context.new_page()
    page.set_default_timeout(10_000)
    for path in PUBLIC:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page, f"{path} in {language}")
    page.locator("textarea[name=message]").fill("x")
    page.locator("form.form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert_accessible(page, f"the contact form with errors in {language}")

    page.goto("/login")
    page.locator("input[name=email]").fill(f"admin-{language}@platform.eu")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    for path in ("/admin/legal", "/admin/legal/privacy"):
        page.goto(path)
        assert_accessible(page, f"{path} in {language}")
    page.locator("textarea[name=text_en]").fill("")
    page.locator("form.form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert_accessible(page, f"the legal text form with errors in {language}")
    page.goto("/admin/legal")
    page.locator("input[name=contact_email]").fill("not an address")
    page.locator("form.form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert_accessible(page, f"the operator's details with errors in {language}")
    context.close()
