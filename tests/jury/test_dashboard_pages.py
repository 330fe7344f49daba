"""The chair's dashboard of a big round: each entry's row lists its own assignments only (grouped by entry once,
never scanned per entry), and the entries come a page at a time with the same queries on every page."""
import re

import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.jury import chair_views
from govchallenge.jury.models import ACTIVE, Assignment
from tests.support.jury_factories import make_jury_setup
from tests.support.queries import queries


def rows(html):
    return re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)


def test_each_entry_row_lists_its_own_assignments(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4, reviews=2, anonymous=False)
    chair = login_as(setup["chair"])
    html = chair.get(f"/jury/{setup['challenge'].slug}/dashboard").get_data(as_text=True)
    for submission in setup["submissions"]:
        jurors = db.session.execute(sa.select(Assignment).where(
            Assignment.submission_id == submission.id, Assignment.state == ACTIVE)).scalars().all()
        [row] = [r for r in rows(html) if submission.title in r]
        assert row.count("Reassign from") == len(jurors) == 2
        for a in jurors:
            assert f"/assignments/{a.public_id}/reassign" in row


def test_the_entries_come_a_page_at_a_time(app, login_as, monkeypatch):
    monkeypatch.setattr(chair_views, "ENTRIES_PER_PAGE", 2)
    setup = make_jury_setup(n_entries=5, n_jurors=3, reviews=2, anonymous=False)
    slug = setup["challenge"].slug
    chair = login_as(setup["chair"])
    first = chair.get(f"/jury/{slug}/dashboard").get_data(as_text=True)
    last = chair.get(f"/jury/{slug}/dashboard?page=3").get_data(as_text=True)
    titles = [s.title for s in setup["submissions"]]
    first_rows, last_rows = " ".join(rows(first)), " ".join(rows(last))  # the table's rows (warnings name entries too)
    assert [t for t in titles if t in first_rows] == titles[:2] and "Entries 1 to 2 of 5." in first
    assert [t for t in titles if t in last_rows] == titles[4:] and "Entries 5 to 5 of 5." in last
    assert "Page 1 of 3" in first and 'rel="next"' in first and f"/jury/{slug}/dashboard?page=2" in first
    assert chair.get(f"/jury/{slug}/dashboard?page=99").status_code == 200  # past the end: the last page
    assert chair.get(f"/jury/{slug}/dashboard?page=x").status_code == 200  # not a number: the first page
    assert queries(chair, f"/jury/{slug}/dashboard") == queries(chair, f"/jury/{slug}/dashboard?page=3")


def test_a_page_of_a_big_round_warns_of_the_whole_round_design_not_of_the_entries_shown(app, login_as, monkeypatch):
    """Two entries a page of five, every entry with its two reviewers and every review in: the design is sound.
    Read from the page's assignments alone, the three entries not shown looked unassigned and "short"."""
    from govchallenge.jury import operations as ops
    from tests.jury.test_design_warnings import _warnings
    from tests.support.jury_factories import submit_all_reviews

    monkeypatch.setattr(chair_views, "ENTRIES_PER_PAGE", 2)
    setup = make_jury_setup(n_entries=5, n_jurors=3, reviews=2, anonymous=False)
    submit_all_reviews(setup["round"])
    db.session.commit()
    chair = login_as(setup["chair"])
    for page in (1, 3):
        html = chair.get(f"/jury/{setup['challenge'].slug}/dashboard?page={page}").get_data(as_text=True)
        shown = _warnings(html, "design-warnings-1")
        assert "fewer reviews" not in shown and "share no juror" not in shown and "single review" not in shown
    assert ops.design_warnings(setup["round"]) == []
