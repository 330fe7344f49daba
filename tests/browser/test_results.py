"""The results page in a real browser: the chair proposes, the hosts confirm, and the published
page (ranking, charts, digest) passes axe; the digest equals the SHA-256 of the JSON export."""
import hashlib

import pytest

from govchallenge.extensions import db
from tests.support.browser import assert_accessible, sign_in, sign_out
from tests.support.results_factories import judged_challenge

pytestmark = pytest.mark.browser


def test_propose_confirm_publish_and_check_the_digest(page, live_app):
    judged = judged_challenge(entries=4, calibration="offset", special="Best open-source entry")
    judged.cohost_officer.language = "en"  # the labels below are the English ones
    db.session.commit()
    slug = judged.challenge.slug
    chair, officer, cohost = judged.chair, judged.officer, judged.cohost_officer

    sign_in(page, chair)
    page.goto(f"/challenges/{slug}/results")
    page.get_by_role("heading", name="Propose the ranking").wait_for()
    assert_accessible(page, "results preview (chair)")
    # the chair of a blind evaluation chooses among entries, not teams (jury.permissions.kept_blind)
    page.get_by_label("Special award: Best open-source entry").select_option(label="Entry 003")
    page.get_by_role("button", name="Propose this ranking to the hosts").click()
    page.get_by_text("The ranking is proposed").wait_for()
    sign_out(page)

    for host in (officer, cohost):
        sign_in(page, host)
        page.goto(f"/challenges/{slug}/results")
        assert_accessible(page, "results proposal (host)")
        page.get_by_role("link", name="Confirm this ranking for my organisation").click()
        page.get_by_role("heading", name="Confirm this ranking for your organisation?").wait_for()
        assert_accessible(page, "confirmation before publishing the results")
        page.get_by_role("button", name="Confirm the ranking").click()
        page.get_by_text("confirm").first.wait_for()
        sign_out(page)

    page.goto(f"/challenges/{slug}/results")
    page.get_by_role("heading", name="Winners").wait_for()
    assert_accessible(page, "published results")
    digest = page.locator("#results-digest").inner_text()
    exported = page.request.get(f"/challenges/{slug}/results.json")
    assert hashlib.sha256(exported.body()).hexdigest() == digest
    assert page.get_by_role("img", name="Distribution of entry scores").count() == 1
