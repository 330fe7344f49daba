"""People's Choice in a real browser: a resident reads the shortlist and an entry's public page and votes, then
changes the vote; a team chooses what is public; after the close the host reviews a flagged burst, discounts it
with a reason and publishes; the results page shows the count. Every page passes axe and the Nu HTML checker."""
from datetime import timedelta

import pytest

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.peoples_choice import operations
from tests.browser.test_results import sign_in, sign_out
from tests.support.browser import assert_accessible
from tests.support.htmlcheck import html_errors
from tests.support.pchoice_factories import award_world, voter
from tests.support.results_factories import publish

pytestmark = pytest.mark.browser


def test_vote_release_review_publish(page, live_app, tmp_path):
    world = award_world()
    publish(world.judged)
    resident = voter()
    burst = [operations.cast_vote(voter(created_days_ago=0), world.award, world.entries[1].public_id, 0, "192.0.2.99")
             for _ in range(10)]
    db.session.commit()
    slug, first, second = world.judged.challenge.slug, world.entries[0], world.entries[1]
    pages = {}

    def check(name):
        assert_accessible(page, name)
        pages[name] = page.content()

    sign_in(page, resident)
    page.goto(f"/challenges/{slug}/peoples-choice")
    check("award page, before voting")
    page.get_by_role("link", name=first.title).click()
    page.get_by_role("img").first.wait_for()
    check("entry's public page")
    page.get_by_role("button", name="Vote for this entry").click()
    page.get_by_text("Your vote is recorded.").wait_for()
    check("award page, after voting")
    page.get_by_role("button", name="Change my vote to this entry").first.click()
    page.get_by_text("Your vote is recorded.").wait_for()
    sign_out(page)

    lead = world.entries[2].team.members[0].user
    sign_in(page, lead)
    page.goto(f"/entries/{world.entries[2].public_id}/public-release")
    check("the team's release")
    page.get_by_label("Show the summary").check()
    page.get_by_role("button", name="Save what the public sees").click()
    page.get_by_text("Saved: the public sees what you ticked").wait_for()
    page.goto(f"/challenges/{slug}/peoples-choice/entries/{first.public_id}")
    page.get_by_text("This is your team").count()  # not theirs: the button shows
    sign_out(page)

    world.award.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    sign_in(page, world.judged.officer)
    page.goto(f"/challenges/{slug}/peoples-choice/manage")
    check("hosts' page with flagged votes")
    page.get_by_label("Reason, recorded and published with the count").fill("Ten new accounts on one address in minutes")
    page.get_by_role("button", name="Discount the chosen votes").click()
    page.get_by_text("10 votes discounted").wait_for()
    page.get_by_role("button", name="Publish the count").click()
    page.get_by_text("The People's Choice count is published").wait_for()
    check("hosts' page, published")
    page.goto(f"/challenges/{slug}/results")
    page.get_by_role("heading", name="People's Choice").wait_for()
    assert_accessible(page, "results page with the People's Choice count")
    # The results page's own markup is the results domain's; the section this module adds is checked alone.
    section = page.locator("section[aria-labelledby=pchoice-results-heading]").evaluate("node => node.outerHTML")
    pages["results page's People's Choice section"] = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>s</title></head><body><main>{section}</main></body></html>')
    page.goto(f"/challenges/{slug}/peoples-choice")
    check("award page, published")
    assert burst and html_errors(pages, tmp_path) == {}
