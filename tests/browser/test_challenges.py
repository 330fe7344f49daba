"""Done when, in a real browser: a Polish officer writes a challenge, a Greek body co-hosts it, an admin
approves it and it opens; Greek and German visitors see their language or the fallback notice; axe
finds no violation on the catalogue, the challenge page and the authoring forms."""
from datetime import timedelta

import pytest

from govchallenge.core.timeutil import to_zone, utcnow
from govchallenge.extensions import db
from tests.support import factories
from tests.support.browser import assert_accessible, sign_in, sign_out

pytestmark = pytest.mark.browser


def fill_moment(page, name, moment, zone="Europe/Warsaw"):
    """Types a moment into the day / month / year / time inputs of a moment field."""
    local = to_zone(moment, zone)
    page.locator(f"#{name}").fill(str(local.day))
    page.locator(f"#{name}-month").fill(str(local.month))
    page.locator(f"#{name}-year").fill(str(local.year))
    page.locator(f"#{name}-time").fill(local.strftime("%H:%M"))


def post_button(page, action_suffix):
    page.locator(f"form[action$='{action_suffix}'] button[type=submit]").first.click()
    page.wait_for_load_state()


def test_cross_border_challenge_from_draft_to_open(page, live_app, playwright_browser):
    admin = factories.make_user(email="admin@platform.eu", admin=True)
    anna = factories.make_user(email="anna@cyfryzacja.gov.pl", name="Anna Kowalska", country="PL", language="en")
    ministry = factories.make_public_body(country="PL", officer=anna, name="Ministerstwo Cyfryzacji")
    eleni = factories.make_user(email="eleni@thessaloniki.gr", name="Ελένη Παπαδοπούλου", country="GR", language="el", timezone="Europe/Athens")
    municipality = factories.make_public_body(country="GR", officer=eleni, name="Δήμος Θεσσαλονίκης")
    db.session.commit()
    assert ministry.id and municipality.id

    # The Polish officer writes the draft.
    sign_in(page, anna)
    page.goto("/challenges/new")
    assert_accessible(page, "new challenge form")
    page.locator("#main_language").select_option("pl")
    page.locator("#title").fill("Transgraniczne e-usługi")
    page.locator("#summary").fill("Wspólne e-usługi dla obywateli Polski i Grecji.")
    page.locator("#description").fill("Opis **wyzwania**.")
    page.locator("#domain").select_option("administration")
    page.locator("#timezone").select_option("Europe/Warsaw")
    page.locator("#countries_mode").select_option("eu")
    page.locator("main form button[type=submit]").click()
    page.get_by_role("heading", name="Transgraniczne e-usługi").wait_for()
    slug = page.url.split("#")[0].rstrip("/").rsplit("/", 1)[1]

    page.goto(f"/challenges/{slug}/new-title-check".replace("/new-title-check", "/edit"))
    page.locator("#title").fill("")
    page.locator("main form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert_accessible(page, "edit form with errors")

    page.goto(f"/challenges/{slug}/stages")
    assert_accessible(page, "stages form")
    now = utcnow()
    page.locator("#name").fill("Zgłoszenia")
    fill_moment(page, "opens_at", now - timedelta(minutes=5))
    fill_moment(page, "closes_at", now + timedelta(days=30))
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"/challenges/{slug}/criteria")
    assert_accessible(page, "criteria form")
    page.locator("#name").fill("Wpływ")
    page.locator("#weight").fill("0")
    page.locator("main form.form button[type=submit]").click()
    page.locator("#weight-error").wait_for()
    page.locator("#weight").fill("3")
    page.locator("#anchors").fill("0: Brak\n10: Ogromny")
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"/challenges/{slug}/prizes")
    assert_accessible(page, "prizes form")
    page.locator("#place").fill("1")
    page.locator("#name").fill("Pierwsze miejsce")
    page.locator("#amount").fill("50000")
    page.locator("#currency").select_option("PLN")
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_load_state()
    for language, title, summary in (("en", "Cross-border e-services", "Shared e-services for Polish and Greek citizens."),
                                     ("el", "Διασυνοριακές ηλεκτρονικές υπηρεσίες", "Κοινές ηλεκτρονικές υπηρεσίες.")):
        page.goto(f"/challenges/{slug}/translations")
        page.locator("#language").select_option(language)
        page.get_by_role("button", name="Open the translation").click()
        page.wait_for_load_state()
        page.locator("#title").fill(title)
        page.locator("#summary").fill(summary)
        page.locator("main form.form button[type=submit]").click()
        page.wait_for_load_state()
    assert_accessible(page, "translations form")

    page.goto(f"/challenges/{slug}/attachments")
    page.locator("#title").fill("Regulamin")
    page.locator("#file").set_input_files({"name": "regulamin.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00\x03\x00" + b"\x00" * 60})
    page.locator("main form.form button[type=submit]").click()
    page.locator("#file-error").wait_for()
    assert_accessible(page, "attachments form with an error")
    page.locator("#title").fill("Regulamin")
    page.locator("#file").set_input_files({"name": "regulamin.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 terms"})
    page.locator("main form.form button[type=submit]").click()
    page.get_by_role("link", name="Regulamin", exact=True).wait_for()
    page.goto(f"/challenges/{slug}/history")
    assert_accessible(page, "history")

    # Invites the Greek municipality.
    page.goto(f"/challenges/{slug}/hosts")
    assert_accessible(page, "hosts form")
    page.locator("#organisation").select_option(str(municipality.id))
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_load_state()
    sign_out(page)

    # The Greek officer accepts, in a Greek interface.
    sign_in(page, eleni)
    page.goto("/challenges/mine")
    assert_accessible(page, "my challenges with an invitation, in Greek")
    page.goto(f"/challenges/{slug}")
    assert page.locator("html").get_attribute("lang") == "el"
    post_button(page, "/accept")
    assert "Δήμος Θεσσαλονίκης" in page.locator("#hosts-heading + ul").inner_text()
    sign_out(page)

    # Sent for review; the admin approves; it opens.
    sign_in(page, anna)
    page.goto(f"/challenges/{slug}/submit")
    post_button(page, "/submit")
    sign_out(page)
    sign_in(page, admin)
    page.goto("/challenges/review")
    assert_accessible(page, "review queue")
    page.locator(f"main a[href$='/challenges/{slug}']").click()  # shown in English, the admin's language
    page.get_by_role("heading", name="Cross-border e-services").wait_for()
    assert_accessible(page, "challenge page under review")
    post_button(page, "/approve")
    sign_out(page)

    # Approved with its first stage already begun: open from the moment of approval, by the clock.
    from govchallenge.challenges.models import by_slug

    db.session.expire_all()
    assert by_slug(slug).state == "open"

    greek = playwright_browser.new_context(base_url=live_app.live_url, locale="el-GR", timezone_id="Europe/Athens")
    greek_page = greek.new_page()
    greek_page.goto(f"/challenges/{slug}")
    assert greek_page.locator("html").get_attribute("lang") == "el"
    assert greek_page.locator("h1").inner_text() == "Διασυνοριακές ηλεκτρονικές υπηρεσίες"
    assert greek_page.locator(".notice").count() == 0
    assert "state--open" in greek_page.locator(".tag.state").get_attribute("class")
    assert greek_page.locator("[data-countdown]").inner_text().strip()
    assert_accessible(greek_page, "challenge page in Greek")
    greek_page.goto("/challenges/")
    assert greek_page.get_by_role("link", name="Διασυνοριακές ηλεκτρονικές υπηρεσίες").count() == 1
    assert_accessible(greek_page, "catalogue in Greek")
    greek.close()

    german = playwright_browser.new_context(base_url=live_app.live_url, locale="de-DE")
    german_page = german.new_page()
    german_page.goto(f"/challenges/{slug}")
    assert german_page.locator("html").get_attribute("lang") == "de"
    assert german_page.locator("h1").inner_text() == "Transgraniczne e-usługi"
    assert german_page.locator(".notice").count() == 1
    assert german_page.locator("article").get_attribute("lang") == "pl"
    assert_accessible(german_page, "challenge page with fallback notice")
    german_page.goto("/challenges/?q=e-us%C5%82ugi&state=open")
    assert german_page.get_by_role("link", name="Transgraniczne e-usługi").count() == 1
    assert_accessible(german_page, "catalogue with filters")
    german.close()


def test_guided_authoring_through_the_task_list(page, live_app):
    """An officer builds a challenge from its task list: a stage changed in place, a field of the Greek
    translation changed without losing the others, and stopped by dates that do not hang together."""
    officer = factories.make_user(email="nikos@digital.gov.gr", name="Nikos Officer", country="GR", language="en")
    factories.make_public_body(country="GR", officer=officer, name="Ministry of Digital Governance")
    db.session.commit()
    sign_in(page, officer)
    page.goto("/challenges/new")
    page.locator("#title").fill("Open permits")
    page.locator("#summary").fill("Building permits online.")
    page.locator("#description").fill("The whole **story**.")
    page.locator("#timezone").select_option("Europe/Athens")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    tasks = page.locator("#tasks")
    tasks.wait_for()
    assert tasks.get_by_role("link", name="Details").count() == 1
    assert "Completed" in tasks.locator("li", has_text="Details").inner_text()
    assert "Not started" in tasks.locator("li", has_text="Stages").inner_text()
    assert "Cannot start yet" in tasks.locator("li", has_text="Submit for review").inner_text()
    assert_accessible(page, "draft page with its task list")

    # Stages, typed as day / month / year and time.
    tasks.get_by_role("link", name="Stages").click()
    page.wait_for_load_state()
    now = utcnow()
    for name, opens, closes in (("Applications", now + timedelta(days=2), now + timedelta(days=20)),
                                ("Prototypes", now + timedelta(days=20), now + timedelta(days=40))):
        page.locator("#name").fill(name)
        fill_moment(page, "opens_at", opens, "Europe/Athens")
        fill_moment(page, "closes_at", closes, "Europe/Athens")
        page.locator("main form.form button[type=submit]").click()
        page.wait_for_load_state()
    assert page.locator("table tbody tr").count() == 2

    # Stopped by a stage that overlaps another, with a message naming both; what was typed is kept.
    page.locator("#name").fill("Final")
    fill_moment(page, "opens_at", now + timedelta(days=30), "Europe/Athens")
    fill_moment(page, "closes_at", now + timedelta(days=50), "Europe/Athens")
    page.locator("main form.form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert "The stage “Final” opens before the stage “Prototypes” closes" in page.locator("#opens_at-error").inner_text()
    assert page.locator("#opens_at").get_attribute("aria-invalid") == "true"
    assert page.locator("#name").input_value() == "Final"
    assert page.title().startswith("Error:")
    assert_accessible(page, "stages form refusing overlapping dates")

    # A stage changed in place.
    page.goto(f"{page.url.split('/stages')[0]}/stages")
    page.get_by_role("link", name="Change Applications").click()
    page.wait_for_load_state()
    assert page.locator("#name").input_value() == "Applications"
    assert_accessible(page, "a stage changed in place")
    page.locator("#name").fill("Applications and ideas")
    page.get_by_role("button", name="Save the changes").click()
    page.wait_for_load_state()
    assert page.locator("table tbody tr").first.locator("th").inner_text() == "Applications and ideas"
    assert page.locator("table tbody tr").count() == 2
    slug = page.url.rstrip("/").split("/")[-2]

    # A criterion, and a removal that asks first.
    page.goto(f"/challenges/{slug}/criteria")
    page.locator("#name").fill("Impact")
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Remove Impact").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Remove the criterion “Impact”?"
    assert_accessible(page, "confirmation before removing a criterion")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_load_state()
    assert page.locator("table tbody tr", has_text="Impact").count() == 1

    # The Greek translation: written whole, then one field changed without losing the others.
    page.goto(f"/challenges/{slug}/translations")
    page.locator("#language").select_option("el")
    page.get_by_role("button", name="Open the translation").click()
    page.wait_for_load_state()
    page.locator("#title").fill("Ανοιχτές άδειες")
    page.locator("#summary").fill("Άδειες δόμησης online.")
    page.locator("#description").fill("Όλη η **ιστορία**.")
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Edit Greek").click()
    page.wait_for_load_state()
    assert page.locator("#title").input_value() == "Ανοιχτές άδειες"
    assert page.locator("#description").input_value() == "Όλη η **ιστορία**."
    assert_accessible(page, "Greek translation opened with what is saved")
    page.locator("#summary").fill("Άδειες δόμησης, εντελώς online.")
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_load_state()
    from govchallenge.challenges.models import by_slug

    db.session.expire_all()
    challenge = by_slug(slug)
    assert challenge.title["el"] == "Ανοιχτές άδειες" and challenge.description["el"] == "Όλη η **ιστορία**."
    assert challenge.summary["el"] == "Άδειες δόμησης, εντελώς online."

    # Results expected before the last stage closes: the check page says so and offers no button to send.
    page.goto(f"/challenges/{slug}/edit")
    fill_moment(page, "results_at", now + timedelta(days=30), "Europe/Athens")
    page.locator("main form button[type=submit]").click()
    page.locator("#results_at-error").wait_for()
    assert "The results must be expected after the last stage, “Prototypes”, closes." in page.locator("#results_at-error").inner_text()
    fill_moment(page, "results_at", now + timedelta(days=60), "Europe/Athens")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"/challenges/{slug}")
    page.locator("#tasks").get_by_role("link", name="Submit for review").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Check the challenge before sending it for review"
    assert_accessible(page, "check your answers")
    page.get_by_role("button", name="Send for review").click()
    page.wait_for_load_state()
    db.session.expire_all()
    assert by_slug(slug).status == "in_review"
