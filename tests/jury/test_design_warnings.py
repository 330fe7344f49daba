"""The results' warnings about a review design reach the chair's round pages while the round is open, when the
design can still be fixed: the dashboard and the close page; the shortlist page shows those of its ranking."""
import re

from govchallenge.extensions import db
from govchallenge.jury import operations as ops
from govchallenge.results import scoring
from tests.support.jury_factories import make_jury_setup, submit_all_reviews


def _warnings(html, anchor):
    block = re.search(rf'<div class="flash flash--warning" role="status" id="{anchor}">(.*?)</div>', html, re.S)
    return block.group(1) if block else ""


def test_a_disconnected_design_with_single_reviews_is_shown_on_the_dashboard_and_the_close_page(app, login_as):
    setup = make_jury_setup(n_entries=4, n_jurors=2, reviews=1)
    slug = setup["challenge"].slug
    client = login_as(setup["chair"])
    dashboard = _warnings(client.get(f"/jury/{slug}/dashboard").get_data(as_text=True), "design-warnings-1")
    assert "fall into 2 groups that share no juror" in dashboard
    assert "4 entries have a single review" in dashboard
    assert "Fix them before you close the round" in dashboard
    close = _warnings(client.get(f"/jury/{slug}/rounds/1/close").get_data(as_text=True), "design-warnings")
    assert "fall into 2 groups" in close and "single review" in close
    for s in setup["submissions"]:
        assert s.title in close  # the entries concerned are named, by their titles
        assert s.team.name not in close  # never by their teams


def test_fewer_reviews_than_asked_and_a_single_juror_are_shown_before_any_review_is_in(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=1, reviews=2)
    html = login_as(setup["chair"]).get(f"/jury/{setup['challenge'].slug}/dashboard").get_data(as_text=True)
    shown = _warnings(html, "design-warnings-1")
    assert "A single juror reviewed every entry" in shown
    assert "3 entries have fewer reviews than the 2 asked for" in shown


def test_all_equal_totals_are_shown_once_every_review_is_in_and_nothing_once_the_round_is_closed(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4, reviews=3)
    slug = setup["challenge"].slug
    client = login_as(setup["chair"])
    assert _warnings(client.get(f"/jury/{slug}/dashboard").get_data(as_text=True), "design-warnings-1") == ""
    for a in ops.active_assignments(setup["round"])[:2]:  # two equal reviews in: too early to say
        ops.save_review(a, a.juror.user, {c.id: 5 for c in setup["round"].criteria}, {"overall": "ok"}, 0, submit=True)
    db.session.commit()
    assert "same total" not in client.get(f"/jury/{slug}/rounds/1/close").get_data(as_text=True)
    submit_all_reviews(setup["round"], score=5)
    close = client.get(f"/jury/{slug}/rounds/1/close").get_data(as_text=True)
    assert "Every review gave the same total" in _warnings(close, "design-warnings")
    ops.close_round(setup["round"], setup["chair"])
    db.session.commit()
    assert 'id="design-warnings-1"' not in client.get(f"/jury/{slug}/dashboard").get_data(as_text=True)


def test_a_good_design_shows_no_warning(app, login_as):
    setup = make_jury_setup(n_entries=4, n_jurors=4, reviews=3)
    submit_all_reviews(setup["round"])
    client = login_as(setup["chair"])
    assert 'class="flash flash--warning" role="status" id="design-warnings' not in \
        client.get(f"/jury/{setup['challenge'].slug}/dashboard").get_data(as_text=True)
    assert ops.design_warnings(setup["round"]) == []


def test_the_shortlist_page_shows_the_warnings_of_its_ranking(app, login_as):
    setup = make_jury_setup(n_entries=4, n_jurors=2, reviews=1)
    submit_all_reviews(setup["round"])
    ops.close_round(setup["round"], setup["chair"])
    db.session.commit()
    page = login_as(setup["chair"]).post(
        f"/jury/{setup['challenge'].slug}/rounds/1/shortlist",
        data={"s1-rule": "top", "s1-top_n": "2", "s1-reviews_per_entry": "1",
              "s1-jurors": [str(j.id) for j in setup["jurors"]]})
    shown = _warnings(page.get_data(as_text=True), "design-warnings")
    assert page.status_code == 200 and "About the review design of this ranking" in shown and "share no juror" in shown


def test_a_juror_who_does_not_chair_sees_neither_page(app, login_as):
    setup = make_jury_setup(n_entries=4, n_jurors=2, reviews=1)
    client = login_as(setup["users"][1])
    assert client.get(f"/jury/{setup['challenge'].slug}/rounds/1/close").status_code == 403
    assert client.get(f"/jury/{setup['challenge'].slug}/dashboard").status_code == 403


def test_an_entry_with_no_review_at_all_counts_as_short():
    warnings = scoring.design_warnings({("a", "j1"): 50.0, ("b", "j1"): 60.0}, reviews_asked=2, entries=["a", "b", "c"])
    assert {"code": "fewer_reviews", "asked": 2, "entries": ["a", "b", "c"]} in warnings
    assert scoring.design_warnings({}, reviews_asked=1, entries=["a"]) == [
        {"code": "fewer_reviews", "asked": 1, "entries": ["a"]}]
    assert scoring.design_warnings({}) == []
