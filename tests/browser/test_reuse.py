"""Solutions that travel, in a real browser: a team submits with `EUPL-1.2 OR MIT` and a valid publiccode.yml
(and first sees each problem of a broken one with its field); after publication the hosts list the winner; an
officer of a body in a third country records adoption and the team receives the e-mail in its language; an
officer of another body runs the challenge again with new dates and currency and sends it for review. Every new
page passes axe."""
from datetime import timedelta

import pytest

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from tests.reuse import samples
from tests.support import factories
from tests.support.browser import assert_accessible, sign_in, sign_out
from tests.support.results_factories import judged_challenge, publish
from tests.support.submissions_factories import open_team

pytestmark = pytest.mark.browser


def test_a_team_declares_the_openness_of_its_entry(page, live_app):
    challenge, team, (lead, _member) = open_team(open_licence="require")
    db.session.commit()
    sign_in(page, lead)
    page.goto(f"/entries/start/{team.public_id}/{challenge.stages[0].id}")
    page.get_by_label("Title").fill("Open bus data")
    page.get_by_label("Summary").fill("Real-time arrivals as open data.")
    page.get_by_label("Description").fill("We publish GTFS-RT feeds.")
    page.get_by_label("Licence of the solution (SPDX expression)").fill("GPL-2.0+")
    page.get_by_label("Public repository").fill("https://git.example.eu/bus")
    page.get_by_label("publiccode.yml", exact=True).fill(samples.WRONG_LICENCE)
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Write GPL-2.0-or-later instead.").first.wait_for()
    assert page.get_by_text("maintenance.type: must be one of").count() >= 1  # in the summary and at the field
    assert_accessible(page, "entry form with openness problems")
    page.get_by_label("Licence of the solution (SPDX expression)").fill("EUPL-1.2 OR MIT")
    page.get_by_label("publiccode.yml", exact=True).fill(samples.VALID)
    page.get_by_role("button", name="Save and check the entry").click()
    page.get_by_text("EUPL-1.2 OR MIT", exact=True).wait_for()  # the check page shows the openness declared
    page.get_by_role("button", name="Submit entry").click()
    page.get_by_text("Your entry is submitted.").wait_for()
    db.session.expire_all()
    assert team.challenge.stages[0] and db.session.get(type(team), team.id)
    from govchallenge.submissions.models import Submission
    import sqlalchemy as sa

    entry = db.session.execute(sa.select(Submission).where(Submission.team_id == team.id)).scalar_one()
    assert entry.licence == "EUPL-1.2 OR MIT" and entry.state == "submitted"


def test_list_adopt_and_run_again(page, live_app, smtp):
    greek = factories.make_user(name="Ελένη Παπαδοπούλου", language="el", country="GR")
    judged = judged_challenge(entries=2, members=[[greek], [factories.make_user()]])
    winner = judged.submissions[0]
    winner.licence, winner.repository_url, winner.publiccode = "EUPL-1.2 OR MIT", "https://git.example.eu/bus", samples.VALID
    publish(judged)
    adopter = factories.make_user(name="Amélie Officier", language="en", country="FR")
    factories.make_public_body(country="FR", officer=adopter, name="Ville de Lyon")
    reuser = factories.make_user(name="Jan Urzędnik", language="en", country="PL")
    factories.make_public_body(country="PL", officer=reuser, name="Urząd Miasta Gdańska")
    greek_member = factories.make_user(language="en")
    greek.language = "el"
    db.session.commit()
    slug = judged.challenge.slug

    # The team's page to choose (the Greek member reads it in Greek; a second look in English passes axe too).
    sign_in(page, judged.officer)
    page.goto(f"/solutions/challenges/{slug}/listings")
    assert_accessible(page, "hosts' listings")
    page.get_by_role("button", name="List Entry 001").click()
    page.get_by_text("The solution is listed in the reuse catalogue.").wait_for()
    sign_out(page)

    page.goto("/solutions/")
    page.get_by_role("link", name="Δημοτικές Συγκοινωνίες").click()
    assert_accessible(page, "solution page (anonymous)")
    page.goto("/solutions/?licence=permissive&language=el")
    page.get_by_role("link", name="Δημοτικές Συγκοινωνίες").wait_for()
    assert_accessible(page, "catalogue with filters")

    sign_in(page, adopter)
    page.goto("/solutions/")
    page.get_by_role("link", name="Δημοτικές Συγκοινωνίες").click()
    page.get_by_label("We use this").check()
    page.get_by_label("A note for the team and the hosts").fill("In use since March.")
    assert_accessible(page, "solution page with the adoption form")
    page.get_by_role("button", name="Record", exact=True).click()
    page.get_by_text("Recorded. The team and the hosts are told by e-mail.").wait_for()
    page.get_by_text("In use since March.").wait_for()
    mails = smtp.to(greek.email)
    assert mails and "χρησιμοποιεί" in mails[0].subject and "Ville de Lyon" in mails[0].subject
    sign_out(page)

    sign_in(page, reuser)
    page.goto(f"/challenges/{slug}")
    page.get_by_role("link", name="Run this challenge again for your body").click()
    assert_accessible(page, "run again form")
    page.get_by_label("The first stage opens on").fill((utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Copy as a draft").click()
    page.get_by_text("The new opening date has passed").first.wait_for()
    assert_accessible(page, "run again form with an error")
    page.get_by_label("The first stage opens on").fill((utcnow() + timedelta(days=45)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Currency of the prizes").select_option("PLN")
    page.get_by_role("button", name="Copy as a draft").click()
    page.get_by_text("The copy is saved as a draft of your body.").wait_for()
    page.get_by_text("Based on the challenge").wait_for()
    page.get_by_role("link", name="Submit for review").click()  # the task list's last part: check, then send
    page.get_by_role("button", name="Send for review").click()
    page.get_by_text("In review").first.wait_for()
    sign_out(page)

    sign_in(page, judged.officer)
    page.goto(f"/challenges/{slug}")
    page.get_by_text("Urząd Miasta Gdańska").first.wait_for()
    del greek_member


def test_the_team_chooses_in_a_real_browser(page, live_app):
    member = factories.make_user(language="en")
    judged = judged_challenge(entries=2, members=[[member], [factories.make_user()]])
    publish(judged)
    db.session.commit()
    sign_in(page, member)
    page.goto(f"/solutions/entries/{judged.submissions[0].public_id}/listing")
    page.get_by_role("button", name="Save the choice").click()
    page.get_by_text("Choose whether to list the solution.").first.wait_for()
    assert_accessible(page, "team's choice with errors")
    page.get_by_label("Yes, list it").check()
    page.get_by_label("Public contact e-mail").fill("team@example.eu")
    page.get_by_role("button", name="Save the choice").click()
    page.get_by_text("Your choice is saved.").wait_for()
    assert_accessible(page, "team's choice")
