"""Every page of every demo role, in all five languages: no page is wider than its viewport (wide tables scroll
inside their own region, long words wrap, the header folds away). English, Polish and Greek at 320, 390 and
1280 CSS px, English also at 768 px (a tablet); German and French (long compound words, long phrases) at the
two phone widths, where they would break first. In Greek (the longest words of the first three), each page is
checked too with WCAG 1.4.12 text spacing at 320 px and with text at 200 % at 768 px.

The walk follows the links each person sees (tests/support/widths.py), so a new page is checked as soon as a
link leads to it. One browser context per person, the viewport set per page. A page the same as one another
person already saw (same path, same text in <main>: the legal pages, the catalogues) is checked once per
language. On the way the test takes screenshots of the catalogue, a challenge page, the entry form and the
chair's dashboard at 390 and 1280 px, and runs axe on them: into a temporary folder, or into the folder that
GOVCHALLENGE_SCREENSHOTS names (`make screenshots` refreshes docs/screenshots/, named in the README, that way).
And no page has more than one primary button (the design system's hierarchy: templates/_components/ui.html)."""
import hashlib
import os
import time
from pathlib import Path

import pytest

from govchallenge.demo import PASSWORD, load_demo
from govchallenge.extensions import db
from tests.support.browser import assert_accessible
from tests.support.services import LiveServer
from tests.support.widths import HEIGHT, WIDTHS, endpoint_of, too_wide, walk

pytestmark = pytest.mark.browser

# The widths each language is measured at (tests/support/widths.py measures, in any order).
WIDTHS_OF = {"en": (320, 390, 768, 1280), "pl": WIDTHS, "el": WIDTHS, "de": (320, 390), "fr": (320, 390)}
LANGUAGES = tuple(WIDTHS_OF)
PEOPLE = {  # one demo person per role (govchallenge/demo.py says what each does)
    "anonymous": None,
    "admin": "admin@govchallenge.example",
    "host officer and chair": "anna.kowalska@cyfryzacja.example.pl",
    "member of a public body": "piotr.nowak@cyfryzacja.example.pl",
    "team lead": "mads.jensen@nordlys.example.dk",
    "juror": "sophie.martin@jury.example.fr",
}
# (who, endpoint) -> the screenshot's name: the first such page the walk meets, in English.
SHOTS = {
    ("anonymous", "challenges.catalogue"): "catalogue",
    ("anonymous", "challenges.show"): "challenge",
    ("team lead", "submissions.edit"): "entry-form",
    ("host officer and chair", "jury.dashboard"): "chair-dashboard",
}
SHOT_WIDTHS = (390, 1280)
# WCAG 1.4.12: line height 1.5, paragraphs 2 x, letters 0.12 x, words 0.16 x the font size.
TEXT_SPACING = ("* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }"
                " p { margin-bottom: 2em !important; }")
LARGE_TEXT = "html { font-size: 200% !important; }"
STRICTEST = "el"


@pytest.fixture
def demo_app(make_app):
    """The demo data served live, CSRF on; static files cached by the browser (the walk opens ~400 pages)."""
    app = make_app(WTF_CSRF_ENABLED=True, SEND_FILE_MAX_AGE_DEFAULT=3600)
    with app.app_context():
        load_demo()
        db.session.commit()
        server = LiveServer(app).start()
        app.live_url = server.url
        yield app
        server.stop()


def _sign_in(page, email):
    page.goto("/login")
    page.locator("main input[name=email]").fill(email)
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/login" not in url)


def _choose_language(page, language):
    page.set_viewport_size({"width": 1280, "height": HEIGHT})
    page.goto("/")
    page.select_option("#language-switcher", language)
    page.locator("form.language-switcher button[type=submit]").click()
    page.wait_for_function(f"document.documentElement.lang === '{language}'")


def _with_style(page, css, width):
    """Overflow at `width` with `css` added to the page (a constructed style sheet, which the page's Content
    Security Policy allows; removed again afterwards)."""
    page.evaluate("css => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);"
                  " document.adoptedStyleSheets = [sheet]; }", css)
    try:
        return too_wide(page, (width,))
    finally:
        page.evaluate("() => { document.adoptedStyleSheets = []; }")


SPENT = {"measuring": 0.0, "screenshots and axe": 0.0}


def _problems(page, language):
    started = time.monotonic()
    problems = too_wide(page, WIDTHS_OF[language])
    if language == STRICTEST:
        problems += [f"with text spacing: {p}" for p in _with_style(page, TEXT_SPACING, 320)]
        problems += [f"with 200 % text: {p}" for p in _with_style(page, TEXT_SPACING + LARGE_TEXT, 768)]
    SPENT["measuring"] += time.monotonic() - started
    return problems


def _fingerprint(page, path):
    text = page.evaluate("() => (document.querySelector('main') || document.body).textContent")
    return path, hashlib.sha256(text.encode()).hexdigest()


def _shoot(page, name, folder):
    started = time.monotonic()
    for width in SHOT_WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    assert_accessible(page, f"{name} (screenshot page)")
    SPENT["screenshots and axe"] += time.monotonic() - started


@pytest.fixture
def screenshots(tmp_path):
    """Where the screenshots go: tests write only into temporary folders, unless asked for docs/screenshots/."""
    folder = Path(os.environ.get("GOVCHALLENGE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_no_page_of_any_demo_role_is_wider_than_the_screen(playwright_browser, demo_app, screenshots):
    failures, counts, checked, shot, started = [], {}, set(), set(), time.monotonic()
    for who, email in PEOPLE.items():
        context = playwright_browser.new_context(base_url=demo_app.live_url, locale="en-GB",
                                                 viewport={"width": WIDTHS[-1], "height": HEIGHT})
        page = context.new_page()
        page.set_default_timeout(15_000)
        if email:
            _sign_in(page, email)
        own = []  # the paths of pages this person alone saw so far: revisited in the other languages

        def visit(path):
            fingerprint = _fingerprint(page, path)
            if fingerprint in checked:
                return
            checked.add(fingerprint)
            own.append(path)
            failures.extend(f"{who}, en, {path}: {problem}" for problem in _problems(page, "en"))
            primaries = page.locator(".button--primary").count()
            if primaries > 1:
                failures.append(f"{who}, en, {path}: {primaries} primary buttons (one a page at most)")
            name = SHOTS.get((who, endpoint_of(demo_app, path)))
            if name and name not in shot:
                shot.add(name)
                _shoot(page, name, screenshots)

        _choose_language(page, "en")
        counts[who] = len(walk(page, demo_app, demo_app.live_url, ["/"], visit))
        for language in LANGUAGES[1:]:
            _choose_language(page, language)
            for path in own:
                page.goto(path)
                failures.extend(f"{who}, {language}, {path}: {problem}" for problem in _problems(page, language))
        context.close()
    print(f"\nwidths: {sum(counts.values())} pages walked, {len(checked)} different, x {len(LANGUAGES)} languages,"
          f" in {time.monotonic() - started:.1f} s ({', '.join(f'{k} {v:.1f} s' for k, v in SPENT.items())}): {counts}")
    assert shot == set(SHOTS.values()), f"no page for the screenshots {set(SHOTS.values()) - shot}"
    assert {p.name for p in screenshots.glob("*.png")} >= {f"{n}-{w}.png" for n in SHOTS.values() for w in SHOT_WIDTHS}
    assert all(counts.values()), counts
    assert not failures, f"{len(failures)} page(s) wider than the screen:\n" + "\n".join(failures)
