"""Your data in a real browser, in the five languages: the page, an export prepared and downloaded, the erasure
form with its errors, a refusal, the admin's pages, a refused link. axe finds nothing on any of them."""
import pytest

from govchallenge.extensions import db
from tests.support import factories
from tests.support.browser import assert_accessible, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "pl", "el", "de", "fr"])
def test_the_pages_of_your_data_are_accessible(playwright_browser, live_app, language):
    person = factories.make_user(name="Αλεξάνδρα Κ.", language=language)
    officer = factories.make_user(language=language)
    factories.make_challenge(host=factories.make_public_body(officer=officer, name="Δήμος Πάτρας"))
    admin = factories.make_user(admin=True, language=language)
    db.session.commit()
    context = playwright_browser.new_context(base_url=live_app.live_url, locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)

    sign_in(page, person)
    page.goto("/my-data")
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page, f"your data in {language}")
    page.locator("form[action$='/my-data/export'] input[name=password]").fill(factories.PASSWORD)
    page.locator("form[action$='/my-data/export'] button").click()
    page.locator("#export-state a.button").wait_for()
    assert_accessible(page, f"your data, export ready, in {language}")
    with page.expect_download() as download:
        page.locator("#export-state a.button").click()
    assert download.value.suggested_filename == "govchallenge-my-data.zip"
    page.goto("/my-data/download/not-a-token")
    assert_accessible(page, f"a refused link in {language}")
    page.goto("/my-data")
    page.locator("form[action$='/my-data/erase'] button").click()  # no confirmation: errors
    page.locator(".error-summary").wait_for()
    assert_accessible(page, f"erasure with errors in {language}")
    page.locator("form[action='/logout'] button, form[action$='/logout'] button").first.click()

    sign_in(page, officer)
    page.goto("/my-data")
    page.locator("#blockers").wait_for()
    assert_accessible(page, f"erasure refused in {language}")
    page.locator("form[action$='/logout'] button").first.click()

    sign_in(page, admin)
    page.goto(f"/admin/erase-account?email=nobody%40nowhere.eu")
    assert_accessible(page, f"admin: find an account in {language}")
    page.goto(f"/admin/users/{officer.id}/erase")
    page.locator("form.form button").click()
    page.locator("#reason-error").wait_for()
    assert_accessible(page, f"admin: erase an account, refused and with errors, in {language}")
    context.close()
