"""Playwright on Debian's Chromium, and an axe check that fails on any WCAG 2.1 AA violation."""
import os

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def launch(playwright):
    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def assert_accessible(page, context=""):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    if results.violations_count:
        raise AssertionError(f"axe found {results.violations_count} WCAG 2.1 AA violation(s) on {context or page.url}:\n"
                             + results.generate_report())


def sign_in(page, who, password=None, open_form=True):
    """Signs in through the form, found by its fields' names so it works in any language. `who` is a user or an
    e-mail address; `open_form=False` when the page already shows the form (a detour keeps its `next`)."""
    from tests.support.factories import PASSWORD

    if open_form:
        page.goto("/login")
    page.locator("main input[name=email]").fill(getattr(who, "email", who))
    page.locator("main input[name=password]").fill(password or PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def sign_out(page):
    page.locator("form[action$='/logout'] button").click()
    page.wait_for_load_state()


def register(page, name, email, password, country, zone, language="en"):
    """Fills and sends the registration form on the page that shows it, and waits for "Check your e-mail"."""
    page.get_by_label("Full name").fill(name)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat the password").fill(password)
    page.get_by_label("Country").select_option(country)
    page.get_by_label("Preferred language").select_option(language)
    page.get_by_label("Time zone").select_option(zone)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
