"""What the chair's dashboard reads once per page at #EUvsVirus scale keeps its meaning: the chair's conflicts are
checked for the chair alone and the entries shown, and still flag the right rows on every page; the "all totals
equal" warning reads totals only while they are equal; the rows' links are made from one url_for each."""
import re

import pytest

from govchallenge.extensions import db
from govchallenge.jury import chair_views, conflicts, progress
from govchallenge.jury import operations as ops
from tests.jury.test_design_warnings import _warnings
from tests.support.jury_factories import make_jury_setup, submit_all_reviews

NOTE = "you have a conflict of interest with this entry"


def _rows(html):
    return re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)


def _flagged(html, titles):
    return [t for t in titles if any(t in row and NOTE in row for row in _rows(html))]


@pytest.fixture
def paged(monkeypatch):
    monkeypatch.setattr(chair_views, "ENTRIES_PER_PAGE", 2)


def _conflicted_chair(setup):
    """The chair shares the organisation of entry 1 (page 1, detected) and declared its conflict with the lead
    of entry 4 (page 3)."""
    chair = setup["jurors"][0]
    chair.organisation_id = setup["teams"][1].members[0].organisation_id
    lead = setup["teams"][4].members[0].user
    ops.declare_conflicts(chair, setup["chair"], "personal", people=lead.email, source="chair")
    db.session.commit()
    return chair


def test_the_chair_s_conflicts_flag_their_own_rows_on_every_page(app, login_as, paged):
    setup = make_jury_setup(n_entries=5, n_jurors=3, reviews=2, anonymous=False)
    _conflicted_chair(setup)
    titles = [s.title for s in setup["submissions"]]
    client = login_as(setup["chair"])
    slug = setup["challenge"].slug
    pages = {n: client.get(f"/jury/{slug}/dashboard?page={n}").get_data(as_text=True) for n in (1, 2, 3)}
    assert _flagged(pages[1], titles) == [titles[1]]  # detected: the organisation shared
    assert _flagged(pages[2], titles) == []
    assert _flagged(pages[3], titles) == [titles[4]]  # declared: a member named, on another page than the first
    row = [r for r in _rows(pages[3]) if titles[4] in r][0]
    assert "Change a score" not in row and "Exclude the entry" not in row  # nor any action on its scores


def test_the_one_juror_s_conflicts_are_those_the_assignment_reads(app):
    setup = make_jury_setup(n_entries=5, n_jurors=3, reviews=2, anonymous=False)
    chair = _conflicted_chair(setup)
    ids = [s.id for s in setup["submissions"]]
    everyone = {sid for jid, sid in conflicts.conflict_pairs(chair.challenge_id) if jid == chair.id}
    assert everyone == {ids[1], ids[4]}
    assert ops.conflicted_entries(chair) == everyone
    assert ops.conflicted_entries(chair, ids[:2]) == {ids[1]}  # only the entries asked about
    assert ops.conflicted_entries(chair, ids[2:4]) == set()
    assert ops.conflicted_entries(chair, [ids[4]]) == {ids[4]}
    assert ops.is_conflicted(chair, ids[4]) and not ops.is_conflicted(chair, ids[0])
    other = setup["jurors"][1]
    assert ops.conflicted_entries(other, ids) == set()


class Criterion:
    def __init__(self, cid):
        self.id, self.weight, self.scale_min, self.scale_max, self.threshold, self.informational = cid, 1, 0, 10, None, False


def test_totals_are_read_while_they_are_equal():
    criteria = [Criterion(1), Criterion(2)]
    equal = [(1, 7, {"1": 5, "2": 5}), (2, 7, {"1": 4, "2": 6}), (3, 8, {1: 6, 2: 4})]
    assert progress.totals_while_equal(equal, criteria) == {(1, 7): 50.0, (2, 7): 50.0, (3, 8): 50.0}
    differs = [(1, 7, {"1": 5, "2": 5}), (2, 7, {"1": 5, "2": 6}), (3, 8, {"1": 5, "2": 5})]
    assert progress.totals_while_equal(differs, criteria) == {(1, 7): 50.0}
    incomplete = [(1, 7, {"1": 5, "2": 5}), (2, 7, {"1": 5}), (3, 8, {"1": 5, "2": 5})]
    assert progress.totals_while_equal(incomplete, criteria) == {(1, 7): 50.0}
    assert progress.totals_while_equal([], criteria) == {}


def test_one_different_total_among_equal_ones_warns_of_nothing(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4, reviews=3)
    submit_all_reviews(setup["round"], score=5)
    client = login_as(setup["chair"])
    url = f"/jury/{setup['challenge'].slug}/dashboard"
    assert "Every review gave the same total" in _warnings(client.get(url).get_data(as_text=True), "design-warnings-1")
    last = max(ops.active_assignments(setup["round"]), key=lambda a: a.id)
    last.review.scores = {str(c.id): 6 for c in setup["round"].criteria}
    db.session.commit()
    assert "same total" not in _warnings(client.get(url).get_data(as_text=True), "design-warnings-1")
    assert ops.design_warnings(setup["round"]) == []


def test_the_rows_link_to_their_own_entry_and_assignments(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4, reviews=2, anonymous=False)
    submit_all_reviews(setup["round"])
    html = login_as(setup["chair"]).get(f"/jury/{setup['challenge'].slug}/dashboard").get_data(as_text=True)
    slug = setup["challenge"].slug
    for entry in setup["round"].entries:
        [row] = [r for r in _rows(html) if entry.submission.title in r]
        assert f'action="/jury/{slug}/rounds/1/entries/{entry.id}/exclude"' in row
        for a in ops.active_assignments(setup["round"]):
            inside = f'href="/jury/{slug}/assignments/{a.public_id}/override"' in row
            assert inside == (a.submission_id == entry.submission_id)
            assert (f'action="/jury/{slug}/assignments/{a.public_id}/reassign"' in row) == inside


def test_a_row_link_is_the_one_url_for_makes(app):
    with app.test_request_context():
        make = chair_views.url_maker("jury.exclude", "entry_id", slug="a-slug", number=2)
        assert make(41) == chair_views.url_for("jury.exclude", slug="a-slug", number=2, entry_id=41)
        override = chair_views.url_maker("jury.override", "public_id", slug="a-slug")
        assert override("Ab-_9") == chair_views.url_for("jury.override", slug="a-slug", public_id="Ab-_9")
