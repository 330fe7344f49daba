"""In a real browser: the sign-in detour and back, "Your work", the 403 page, the local mailbox and the error
state of a form pass axe; after a failed submit the error summary has the focus."""
import pytest

from govchallenge.extensions import db
from tests.support import factories
from tests.support.browser import assert_accessible, register, sign_in
from tests.support.services import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def file_mail_app(make_app):
    """The embedded default's mailer (no SMTP): mail is written to files, the admin reads it at /admin/mail."""
    app = make_app(WTF_CSRF_ENABLED=True)
    server = LiveServer(app).start()
    app.live_url = server.url
    with app.app_context():
        yield app
    server.stop()


@pytest.mark.parametrize("language", ["en", "el"])
def test_the_detour_to_sign_in_your_work_the_403_page_and_the_mailbox(playwright_browser, file_mail_app, language):
    from tests.support.roles import build_world

    world = build_world()
    world.draft.status = "in_review"
    db.session.commit()
    context = playwright_browser.new_context(base_url=file_mail_app.live_url, locale=language)
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto("/challenges/review")
    assert "/login?next=" in page.url
    assert_accessible(page, f"sign-in after a detour ({language})")
    sign_in(page, world.users["admin"], open_form=False)
    page.wait_for_url("**/challenges/review")
    page.goto("/")
    page.locator("h1").wait_for()
    assert_accessible(page, f"your work, admin ({language})")
    for role in ("juror", "chair", "member", "officer"):
        context.clear_cookies()
        sign_in(page, world.users[role])
        page.locator(".work-section").first.wait_for()
        assert_accessible(page, f"your work, {role} ({language})")
    page.goto("/challenges/review")  # the officer may not: the 403 page says why
    assert_accessible(page, f"403 page ({language})")

    context.clear_cookies()
    page.goto("/register")
    page.get_by_role("button").last.click()
    page.locator("#error-summary").wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.title().split()[0] in ("Error:", "Σφάλμα:")

    from govchallenge.core import mail

    mail.send(mail.Outgoing(to="new@example.org", subject="Ελένη, confirm your address", text="Open https://x.example/verify/abc",
                            html="<p>x</p>", message_id=mail.stable_message_id("browser", 1)))
    sign_in(page, world.users["admin"])
    page.goto("/admin/mail")
    assert_accessible(page, f"mailbox ({language})")
    page.locator("tbody a").first.click()
    page.locator("pre.mail-body").wait_for()
    assert_accessible(page, f"one e-mail ({language})")
    context.close()


def test_a_verification_link_read_in_the_mailbox_works(playwright_browser, file_mail_app):
    admin = factories.make_user(admin=True)
    db.session.commit()
    context = playwright_browser.new_context(base_url=file_mail_app.live_url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/register")
    register(page, "Rūta Žemaitė", "ruta@startup.lt", "Vilnius-old-town-2026", "LT", "Europe/Vilnius")
    sign_in(page, admin)
    page.goto("/admin/mail")
    page.get_by_role("row").filter(has_text="ruta@startup.lt").get_by_role("link").click()
    link = page.locator("pre.mail-body a[href*='/verify/']")
    href = link.get_attribute("href")
    assert href.startswith("http://localhost/verify/")  # BASE_URL of the tests; the path is what counts
    context.clear_cookies()
    page.goto(href.replace("http://localhost", ""))
    page.get_by_text("Your e-mail address is confirmed").wait_for()
    context.close()
