"""Demo-day judging on a phone: a juror makes ten comparisons, one of them while offline, sent once when the
network returns; axe on the juror's page, the ranked ballot and the chair's standings and Schulze tables."""
import pytest
import sqlalchemy as sa

from tests.support.browser import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def final_round(kind, n_entries, n_jurors=3):
    from govchallenge.extensions import db
    from govchallenge.jury import finals
    from tests.support.jury_factories import make_jury_setup

    setup = make_jury_setup(n_entries=n_entries, n_jurors=n_jurors)
    finals.set_round_kind(setup["round"], kind, setup["chair"])
    db.session.commit()
    return setup


def votes_of(juror):
    from govchallenge.extensions import db
    from govchallenge.jury.models import PairwiseShowing

    db.session.expire_all()
    return db.session.execute(sa.select(PairwiseShowing).where(
        PairwiseShowing.juror_id == juror.id, PairwiseShowing.voted_at.is_not(None))).scalars().all()


def test_a_juror_makes_ten_comparisons_on_a_phone_one_of_them_offline(playwright_browser, live_app):
    setup = final_round("pairwise", n_entries=11)
    juror, user = setup["jurors"][1], setup["users"][1]
    url = f"/jury/{setup['challenge'].slug}/rounds/1/pairwise"
    context = playwright_browser.new_context(base_url=live_app.live_url, locale="en-GB", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, user)
    page.goto(url)
    assert_accessible(page, "demo-day page, before the first finalist")
    page.get_by_role("button", name="Show the first finalist").click()
    page.get_by_role("button", name="I have seen it: show the next finalist").click()
    for n in range(10):
        page.get_by_text("Which was better?").wait_for()
        if n == 0:
            assert_accessible(page, "demo-day page, comparing")
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        button = "Current better" if n % 2 else "Previous better"
        if n == 4:
            context.set_offline(True)
            page.get_by_role("button", name=button).click()
            page.get_by_text("You are offline: your answer is kept").wait_for()
            assert len(votes_of(juror)) == 4  # kept in the page, not sent
            context.set_offline(False)
        else:
            page.get_by_role("button", name=button).click()
        if n < 9:
            page.get_by_text(f"{n + 1} comparisons made" if n else "1 comparison made").wait_for()
    page.get_by_text("You have seen every finalist. Thank you.").first.wait_for()
    votes = votes_of(juror)
    assert len(votes) == 10  # the offline answer counted once
    assert sorted(v.position for v in votes) == list(range(2, 12))
    assert page.evaluate("window.localStorage.length") == 0
    assert_accessible(page, "demo-day page, every finalist seen")
    context.close()


@pytest.mark.parametrize("language", ["en", "el"])
def test_the_ballot_and_the_chairs_pages_pass_axe(playwright_browser, live_app, language):
    from govchallenge.extensions import db
    from govchallenge.jury import finals
    from govchallenge.jury.models import CURRENT

    ranked = final_round("ranked", n_entries=3)
    pairwise = final_round("pairwise", n_entries=4)
    rnd, juror, user = pairwise["round"], pairwise["jurors"][1], pairwise["users"][1]
    finals.show_next(rnd, juror, user)
    second = finals.show_next(rnd, juror, user)
    finals.cast_pairwise_vote(rnd, juror, second.public_id, CURRENT, user)
    for setup in (ranked, pairwise):
        setup["chair"].language = language
    ranked["users"][1].language = language
    db.session.commit()

    context = playwright_browser.new_context(base_url=live_app.live_url, locale="en-GB", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, ranked["users"][1])
    page.goto(f"/jury/{ranked['challenge'].slug}/rounds/1/ballot")
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page, f"ballot in {language}")
    page.locator("main select").first.select_option("1")
    page.locator("main form button[type=submit]").click()
    page.locator(".banner--success").wait_for()
    assert_accessible(page, f"ballot saved in {language}")
    context.close()

    for setup in (ranked, pairwise):
        context = playwright_browser.new_context(base_url=live_app.live_url, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, setup["chair"])
        page.goto(f"/jury/{setup['challenge'].slug}/rounds/1/finals")
        assert page.locator("html").get_attribute("lang") == language
        page.locator("main table").first.wait_for()
        assert_accessible(page, f"chair's finals page ({setup['round'].kind}) in {language}")
        context.close()


@pytest.mark.parametrize("kind", ["pairwise", "ranked"])
def test_the_results_of_a_final_round_pass_axe_for_the_chair_and_the_public(playwright_browser, live_app, kind):
    """The chair's preview with a tie to decide (ranked) and the published page with the method's section."""
    from govchallenge.extensions import db
    from govchallenge.results import operations
    from tests.support.finals_factories import judged_final

    ballots = [[[0], [1], [2]], [[1], [0], [2]], [[0], [1], [2]], [[1], [0], [2]]] if kind == "ranked" else None
    final = judged_final(kind, n_entries=3, ballots=ballots)
    url = f"/challenges/{final['challenge'].slug}/results"
    context = playwright_browser.new_context(base_url=live_app.live_url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, final["chair"])
    page.goto(url)
    page.locator("main table.ranking").first.wait_for()
    assert_accessible(page, f"chair's preview of a {kind} final")
    context.close()
    publication = operations.propose(final["challenge"], final["chair"])
    operations.confirm(publication, final["officer"])
    db.session.commit()
    for language in ("en-GB", "el"):
        context = playwright_browser.new_context(base_url=live_app.live_url, locale=language)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(url)
        page.locator("#final-round").wait_for()
        assert_accessible(page, f"published results of a {kind} final ({language})")
        context.close()
