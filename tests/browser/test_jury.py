"""A juror scores an entry in a real browser and the chair sees the progress; the chair closes a round with a
decision for the entry short of reviews and confirms who advances; axe on the jury pages, the close and
shortlist confirmation pages in English and Greek."""
import pytest

from tests.support.browser import assert_accessible, sign_in, sign_out
from tests.support.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_a_juror_scores_and_the_chair_sees_progress(page, live_app):
    import sqlalchemy as sa

    from govchallenge.extensions import db
    from govchallenge.jury.models import Assignment, Juror
    from tests.support.jury_factories import make_jury_setup

    setup = make_jury_setup(n_entries=3, n_jurors=4)
    slug = setup["challenge"].slug
    chair_juror = setup["jurors"][0]
    assignment = db.session.execute(
        sa.select(Assignment).where(Assignment.round_id == setup["round"].id, Assignment.juror_id != chair_juror.id)
        .order_by(Assignment.id)
    ).scalars().first()
    juror = db.session.get(Juror, assignment.juror_id)
    juror_user = juror.user
    criteria = setup["round"].criteria
    db.session.commit()

    sign_in(page, juror_user)
    page.goto(f"/jury/{slug}/reviews")
    assert_accessible(page, "my reviews")
    page.get_by_role("link", name=db.session.get(type(assignment.submission), assignment.submission_id).title).click()
    page.get_by_role("heading", name="Your review").wait_for()
    assert_accessible(page, "review page")
    for index, c in enumerate(criteria):
        page.get_by_label("Criterion %d" % (index + 1), exact=True).fill(str(6 + index))
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved.").wait_for()
    # Submitting without the required overall comment is refused, and the scores stay in the form.
    page.get_by_role("button", name="Submit review").click()
    page.get_by_text("A comment is required to submit.").first.wait_for()
    assert page.get_by_label("Criterion 1", exact=True).input_value() == "6"
    assert_accessible(page, "review with errors")
    page.get_by_label("Overall comment").fill("Convincing pilot plan; data governance needs detail.")
    page.get_by_role("button", name="Submit review").click()
    page.get_by_text("Review submitted.").wait_for()
    page.goto(f"/jury/{slug}/declare")
    assert_accessible(page, "declare conflicts")
    sign_out(page)

    sign_in(page, setup["chair"])
    page.goto(f"/jury/{slug}/dashboard")
    page.get_by_role("heading", name="Round 1 · Open").wait_for()
    progress = page.get_by_role("progressbar", name=juror.display_name)
    assert progress.get_attribute("value") == "1"
    assert_accessible(page, "chair dashboard")
    page.goto(f"/jury/{slug}/conflicts")
    assert_accessible(page, "conflicts")
    page.goto(f"/jury/{slug}/members")
    assert_accessible(page, "jurors")


def test_the_chair_moves_the_closing_moment_and_picks_round_two_jurors(page, live_app):
    from datetime import timedelta

    import sqlalchemy as sa

    from govchallenge.core.timeutil import utcnow
    from govchallenge.extensions import db
    from govchallenge.jury import operations as ops
    from govchallenge.jury.models import Round, RoundJuror
    from tests.support.jury_factories import make_jury_setup, submit_all_reviews

    setup = make_jury_setup(n_entries=4, n_jurors=5)
    slug = setup["challenge"].slug
    jurors = setup["jurors"]
    names = [j.display_name for j in jurors]
    db.session.commit()

    sign_in(page, setup["chair"])
    page.goto(f"/jury/{slug}/dashboard")
    # A closing moment in the past is refused, and what was typed stays in the field.
    closing = page.get_by_label("Closes at (UTC)")
    closing.fill("2001-01-01T10:00")
    page.get_by_role("button", name="Save the closing moment").click()
    page.get_by_text("Choose a closing moment in the future.").first.wait_for()
    assert page.get_by_label("Closes at (UTC)").input_value() == "2001-01-01T10:00"
    assert_accessible(page, "dashboard with a refused closing moment")
    moment = (utcnow() + timedelta(days=12)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Closes at (UTC)").fill(moment)
    page.get_by_role("button", name="Save the closing moment").click()
    page.get_by_text("The closing moment is saved").wait_for()

    submit_all_reviews(db.session.get(Round, setup["round"].id))
    ops.close_round(db.session.get(Round, setup["round"].id), setup["chair"])
    db.session.commit()
    page.goto(f"/jury/{slug}/dashboard")
    page.get_by_role("group", name="Jurors of the next round").wait_for()
    for name in names:
        assert page.get_by_role("checkbox", name=name, exact=True).is_checked()
    assert_accessible(page, "dashboard with the shortlist form")
    page.get_by_role("checkbox", name=names[4], exact=True).uncheck()
    page.get_by_label("How many entries (top N)").fill("2")
    page.get_by_label("Reviews per entry").fill("2")
    page.get_by_role("button", name="See who advances").click()
    page.get_by_role("heading", name="Who advances to round 2").wait_for()
    page.get_by_role("button", name="Confirm and open round 2").click()
    page.get_by_role("heading", name="Round 2 · Open").wait_for()
    db.session.expire_all()
    second = db.session.execute(sa.select(Round).where(Round.challenge_id == setup["challenge"].id, Round.number == 2)).scalar_one()
    sitting = set(db.session.execute(sa.select(RoundJuror.juror_id).where(RoundJuror.round_id == second.id)).scalars())
    assert sitting == {j.id for j in jurors[:4]}


@pytest.mark.parametrize("language", ["en", "el"])
def test_the_close_and_shortlist_confirmation_pages_pass_axe(playwright_browser, live_app, language):
    """The close form (with an entry short of reviews, then refused for want of a decision) and the shortlist
    confirmation page, in the chair's language: html lang says it, and axe finds nothing."""
    import sqlalchemy as sa

    from govchallenge.extensions import db
    from govchallenge.jury import operations as ops
    from govchallenge.jury.models import Round, RoundEntry
    from tests.support.jury_factories import make_jury_setup

    setup = make_jury_setup(n_entries=4, n_jurors=5)
    slug = setup["challenge"].slug
    rnd = db.session.get(Round, setup["round"].id)
    short = rnd.entries[0]
    criteria = rnd.criteria
    for a in ops.active_assignments(rnd):
        if a.submission_id != short.submission_id:  # one entry left without its reviews
            score = 4 + a.submission_id % 4  # distinct per entry: the top two are two
            ops.save_review(a, a.juror.user, {c.id: score for c in criteria}, {"overall": "Clear plan."}, 0, submit=True)
    setup["chair"].language = language
    short_id, short_submission = short.id, short.submission_id
    db.session.commit()

    context = playwright_browser.new_context(base_url=live_app.live_url, locale="en-GB", timezone_id="Europe/Athens")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login")  # anonymous, in the browser's English; the chair's own language once signed in
    page.get_by_label("E-mail address").fill(setup["chair"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("form[action$='/logout']").wait_for(state="attached")  # folded into "Menu" on a phone

    page.goto(f"/jury/{slug}/rounds/1/close")
    assert page.locator("html").get_attribute("lang") == language
    page.locator(f"fieldset#close-decision_{short_id}").wait_for()
    assert_accessible(page, f"close form in {language}")
    page.locator("main form button[type=submit]").click()
    page.locator(f"#close-decision_{short_id}-error").wait_for()
    assert_accessible(page, f"close form refused in {language}")
    page.locator(f"input[name='close-decision_{short_id}'][value='exclude']").check()
    page.locator(f"#close-kind_{short_id}").select_option(index=1)
    page.locator(f"#close-reason_{short_id}").fill("Two jurors withdrew and nobody else was free.")
    page.locator("main form button[type=submit]").click()
    page.locator("#s1-top_n").wait_for()

    page.locator("#s1-top_n").fill("2")
    page.locator("#s1-reviews_per_entry").fill("2")
    page.locator("form[action$='/rounds/1/shortlist'] button[type=submit]").click()
    page.locator("input[name='s1-confirm']").wait_for(state="attached")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("main table").count() == 2
    assert_accessible(page, f"shortlist confirmation in {language}")
    page.locator("main form button[type=submit]").click()
    page.locator("form[action$='/rounds/2/close'], a[href$='/rounds/2/close']").first.wait_for()
    db.session.expire_all()
    assert db.session.get(RoundEntry, short_id).excluded_at is not None
    second = db.session.execute(sa.select(Round).where(Round.challenge_id == setup["challenge"].id, Round.number == 2)).scalar_one()
    assert len(second.entries) == 2 and short_submission not in {e.submission_id for e in second.entries}
    context.close()


@pytest.mark.parametrize("language", ["en", "el"])
def test_the_design_warnings_on_the_dashboard_and_close_page_pass_axe(playwright_browser, live_app, language):
    """A disconnected design with single reviews: the warnings show on the open round's dashboard and close page,
    in the chair's language, and axe finds nothing."""
    from govchallenge.extensions import db
    from tests.support.jury_factories import make_jury_setup

    setup = make_jury_setup(n_entries=4, n_jurors=2, reviews=1)
    setup["chair"].language = language
    slug = setup["challenge"].slug
    db.session.commit()
    context = playwright_browser.new_context(base_url=live_app.live_url, locale="en-GB", timezone_id="Europe/Athens")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login")
    page.get_by_label("E-mail address").fill(setup["chair"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("form[action$='/logout']").wait_for(state="attached")  # folded into "Menu" on a phone
    for url, anchor in ((f"/jury/{slug}/dashboard", "#design-warnings-1"), (f"/jury/{slug}/rounds/1/close", "#design-warnings")):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator(f"{anchor} li").count() == 2
        assert_accessible(page, f"design warnings on {url} in {language}")
    context.close()


def test_the_chair_follows_a_big_rounds_assignment_job(page, live_app):
    """A round counted as big (JURY_ASSIGN_JOB_FROM lowered): the chair's run is a job; the dashboard names its
    outcome and the job's own page shows it; axe on both."""
    from govchallenge.extensions import db
    from tests.support.jury_factories import make_jury_setup

    live_app.config["JURY_ASSIGN_JOB_FROM"] = 1
    setup = make_jury_setup(n_entries=3, n_jurors=4, reviews=2)
    slug = setup["challenge"].slug
    db.session.commit()
    sign_in(page, setup["chair"])
    page.goto(f"/jury/{slug}/dashboard")
    page.get_by_role("button", name="Run the assignment again (keeps existing reviews)").click()
    page.get_by_text("runs in the background").first.wait_for()
    page.get_by_text("Last assignment, finished").wait_for()
    assert_accessible(page, "dashboard with the assignment job")
    page.goto(f"/jury/{slug}/rounds/1/assignment")
    page.get_by_role("heading", name="Assignment of Round 1").wait_for()
    assert_accessible(page, "assignment job page")
