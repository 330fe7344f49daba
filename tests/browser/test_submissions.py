"""Done when: a team of three from two countries forms by invitation, drafts, submits, gets its receipt
e-mail, edits and resubmits before the deadline, and is refused after it (the server clock moved)."""
import re
from datetime import timedelta

import pytest
import time_machine

from govchallenge.extensions import db
from tests.support import factories
from tests.support.browser import assert_accessible, register, sign_in

pytestmark = pytest.mark.browser


def invitation_path(smtp, address):
    [message] = smtp.wait_for(address)
    return "/teams" + re.search(r"https?://\S+/teams(/invitations/\S+)", message.text).group(1)


def test_a_team_of_three_enters_and_the_deadline_holds(playwright_browser, live_app, page, smtp):
    challenge = factories.make_challenge(slug="border-data", closes_in_days=0.02, team_max=3, countries_mode="eu")
    stage = challenge.stages[0]
    factories.make_user(email="lena@aegean.example.gr", name="Lena Georgiou", country="GR")
    factories.make_user(email="piotr@vistula.example.pl", name="Piotr Zieliński", country="PL")
    db.session.commit()

    # The lead creates the team and invites one registered and one not yet registered person.
    sign_in(page, "lena@aegean.example.gr")
    page.goto(f"/teams/enter/{challenge.slug}")
    page.get_by_label("Team name").fill("Aegean-Vistula")
    page.get_by_role("button", name="Create the team").click()
    page.get_by_role("heading", name="Team Aegean-Vistula").wait_for()
    for address in ("piotr@vistula.example.pl", "zofia@vistula.example.pl"):
        page.get_by_label("E-mail address of the person to invite").fill(address)
        page.get_by_role("button", name="Send the invitation").click()
        page.get_by_text(f"An invitation is sent to {address}").wait_for()
    assert_accessible(page, "team page")

    # Piotr signs in from the invitation and lands back on it.
    piotr = playwright_browser.new_context(base_url=live_app.live_url, locale="en-GB").new_page()
    piotr.goto(invitation_path(smtp, "piotr@vistula.example.pl"))
    piotr.get_by_role("link", name="Sign in").last.click()
    sign_in(piotr, "piotr@vistula.example.pl", open_form=False)
    piotr.get_by_role("button", name="Accept and join the team").click()
    piotr.get_by_text("Welcome to the team Aegean-Vistula").wait_for()

    # Zofia registers from the invitation, confirms her address, signs in and lands on it.
    zofia = playwright_browser.new_context(base_url=live_app.live_url, locale="en-GB").new_page()
    zofia.goto(invitation_path(smtp, "zofia@vistula.example.pl"))
    assert_accessible(zofia, "invitation for someone not registered")
    zofia.get_by_role("link", name="Create an account").click()
    register(zofia, "Zofia Wójcik", "zofia@vistula.example.pl", "Gdansk-harbour-cranes-7", "PL", "Europe/Warsaw")
    verification = [m for m in smtp.wait_for("zofia@vistula.example.pl", 2) if "/verify/" in m.text][0]
    zofia.goto("/verify/" + re.search(r"/verify/(\S+)", verification.text).group(1))
    sign_in(zofia, "zofia@vistula.example.pl", "Gdansk-harbour-cranes-7", open_form=False)
    zofia.get_by_role("button", name="Accept and join the team").click()
    zofia.get_by_text("Welcome to the team Aegean-Vistula").wait_for()

    # The lead drafts, then submits the entry.
    page.reload()
    assert page.get_by_role("cell", name="Poland").count() == 2 and page.get_by_role("cell", name="Greece").count() == 1
    page.get_by_role("link", name="Prepare your entry").click()
    page.get_by_label("Title", exact=True).fill("Cross-border parking data")
    page.get_by_label("Summary").fill("Parking occupancy shared between twin cities.")
    page.get_by_label("Description").fill("We *publish* occupancy every minute.")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved").wait_for()
    assert_accessible(page, "submission page")
    page.get_by_role("button", name="Save and check the entry").click()
    page.get_by_role("heading", name="Check your entry before submitting it").wait_for()
    assert page.locator("dd", has_text="Parking occupancy shared between twin cities.").count() == 1
    assert_accessible(page, "check page")
    page.get_by_role("button", name="Submit entry").click()
    page.get_by_role("heading", name="Receipt of your entry").wait_for()
    digest = page.locator("code.digest").first.inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert_accessible(page, "receipt page")
    for address in ("lena@aegean.example.gr", "piotr@vistula.example.pl", "zofia@vistula.example.pl"):
        receipts = [m for m in smtp.wait_for(address) if m.subject.startswith("Receipt")]
        assert receipts and digest in receipts[0].text

    # Edit and resubmit before the deadline: version 2, with version 1 kept.
    page.get_by_role("link", name="Back to the entry").click()
    page.get_by_role("link", name="Edit the entry").click()
    page.get_by_label("Title", exact=True).fill("Cross-border parking and charging data")
    page.get_by_role("button", name="Save and check the entry").click()
    page.get_by_role("link", name="Change Summary").click()  # back to the field, then to the check page again
    page.get_by_label("Summary").fill("Parking and charging shared between twin cities.")
    page.get_by_role("button", name="Save and check the entry").click()
    page.get_by_role("heading", name="Check your entry before submitting it").wait_for()
    assert page.locator("dd", has_text="Parking and charging shared between twin cities.").count() == 1
    page.get_by_role("button", name="Submit entry").click()
    page.get_by_role("heading", name="Receipt of your entry").wait_for()
    page.get_by_role("link", name="Back to the entry").click()
    page.get_by_role("link", name="Version 1").wait_for()
    page.get_by_role("link", name="Version 2").wait_for()

    # After the deadline by the server's clock: refused, and the text typed is kept in the form.
    piotr.goto(page.url)
    piotr.get_by_role("link", name="Edit the entry").click()
    with time_machine.travel(stage.closes_at + timedelta(seconds=5)):
        piotr.reload()
        piotr.get_by_label("Title", exact=True).fill("Too late")
        piotr.get_by_role("button", name="Save and check the entry").click()
        piotr.get_by_text("The deadline has passed: the entry can no longer change").wait_for()
        assert piotr.get_by_label("Title", exact=True).input_value() == "Too late"
    db.session.expire_all()
    from govchallenge.submissions.models import Submission

    entry = db.session.query(Submission).one()
    assert [v.title for v in entry.versions] == ["Cross-border parking data", "Cross-border parking and charging data"]
