"""A person in a real browser: register, verify by the e-mail the SMTP server received, sign out and in."""
import re

import pytest

from tests.support.browser import assert_accessible, register

pytestmark = pytest.mark.browser


def test_register_verify_sign_out_and_in(page, live_app, smtp):
    page.goto("/register")
    register(page, "Jonas Petraitis", "jonas@startup.lt", "Vilnius-old-town-2026", "LT", "Europe/Vilnius")

    [message] = smtp.wait_for("jonas@startup.lt")
    link = re.search(r"https?://\S+/verify/\S+", message.text).group(0)
    page.goto("/verify/" + link.rsplit("/verify/", 1)[1])
    page.get_by_text("Your e-mail address is confirmed").wait_for()

    page.get_by_label("E-mail address").fill("jonas@startup.lt")
    page.get_by_label("Password").fill("Vilnius-old-town-2026")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()
    page.goto("/login")
    page.get_by_label("E-mail address").fill("jonas@startup.lt")
    page.get_by_label("Password").fill("Vilnius-old-town-2026")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Jonas Petraitis").wait_for()


def test_a_wrong_password_repeated_gets_429(page, live_app):
    from govchallenge.extensions import db
    from tests.support.factories import make_user

    make_user(email="victim@startup.lt")
    db.session.commit()
    statuses = []
    for attempt in range(6):
        page.goto("/login")
        page.get_by_label("E-mail address").fill("victim@startup.lt")
        page.get_by_label("Password").fill(f"wrong-password-{attempt}")
        with page.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST") as info:
            page.get_by_role("button", name="Sign in").click()
        statuses.append(info.value.status)
    assert statuses == [400] * 5 + [429]
    page.get_by_role("heading", name="Too many attempts").wait_for()
    assert_accessible(page, "429 page")


@pytest.mark.parametrize("language", ["en", "pl", "el"])
def test_axe_finds_no_violation(playwright_browser, live_app, language):
    context = playwright_browser.new_context(base_url=live_app.live_url, locale=language)
    page = context.new_page()
    for path in ("/", "/register", "/login", "/reset", "/organisations/", "/solutions/", "/no-such-page", "/accessibility",
                 "/privacy", "/cookies", "/contact"):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page, f"{path} in {language}")
    page.goto("/register")
    page.get_by_role("button").last.click()  # an empty form: the error state must be accessible too
    assert_accessible(page, f"register with errors in {language}")
    context.close()


def test_the_layout_works_on_a_phone(playwright_browser, live_app):
    context = playwright_browser.new_context(base_url=live_app.live_url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto("/register")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
    assert_accessible(page, "register on a phone")
    context.close()


def test_the_axe_check_does_catch_violations(playwright_browser):
    page = playwright_browser.new_page()
    page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
    with pytest.raises(AssertionError, match="WCAG 2.1 AA violation"):
        assert_accessible(page, "a page made to fail")
    page.close()
