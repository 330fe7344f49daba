"""The juror's review page with every optional part of the rubric filled, markup in what hosts write, and
access that ends the moment the chair moves an entry away."""
import re

import sqlalchemy as sa
from markupsafe import escape

from govchallenge.challenges.models import Criterion
from govchallenge.extensions import db
from govchallenge.jury.models import ACTIVE, Assignment
from govchallenge.submissions.models import Submission
from tests.support.jury_factories import make_jury_setup
from tests.support.queries import counting

HOSTILE = '<img src=x onerror="alert(1)">'


def _juror_assignment(setup):
    chair = setup["jurors"][0]
    db.session.expire_all()
    return db.session.execute(
        sa.select(Assignment).where(Assignment.round_id == setup["round"].id, Assignment.juror_id != chair.id,
                                    Assignment.state == ACTIVE).order_by(Assignment.id)
    ).scalars().first()


def _review_form(assignment, criteria):
    data = {"lock_version": "0", "comment_overall": "Fine.", "save": "1"}
    data.update({f"score_{c.id}": "5" for c in criteria})
    return data


def test_review_page_renders_every_optional_part_of_the_rubric(app, login_as):
    setup = make_jury_setup(n_entries=2, n_jurors=4, review_comment="per_criterion")
    a = _juror_assignment(setup)
    html = login_as(a.juror.user).get(f"/jury/review/{a.public_id}").get_data(as_text=True)
    criteria = setup["challenge"].criteria
    assert all(c.description for c in criteria), "the factory fills criteria descriptions"
    assert "What the jury looks for in <em>criterion 1</em>." in html
    assert "Outstanding" in html and "Absent" in html
    assert "Comment on Criterion 1" in html


def test_review_page_answers_200_with_descriptions(app, login_as):
    setup = make_jury_setup(n_entries=2, n_jurors=4)
    a = _juror_assignment(setup)
    assert login_as(a.juror.user).get(f"/jury/review/{a.public_id}").status_code == 200


def test_markup_in_a_criterion_name_is_shown_as_text_everywhere_on_the_review_page(app, login_as):
    setup = make_jury_setup(n_entries=2, n_jurors=4, review_comment="per_criterion")
    for c in db.session.execute(sa.select(Criterion).where(Criterion.challenge_id == setup["challenge"].id)).scalars():
        c.name = {"en": HOSTILE}
        c.description = {"en": HOSTILE}
        c.anchors = {"0": {"en": HOSTILE}}
    db.session.commit()
    a = _juror_assignment(setup)
    html = login_as(a.juror.user).get(f"/jury/review/{a.public_id}").get_data(as_text=True)
    assert HOSTILE not in html
    assert "<img" not in html
    assert str(escape(HOSTILE)) in html


def test_a_juror_loses_access_when_the_chair_reassigns_the_entry(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=5)
    a = _juror_assignment(setup)
    juror_client = login_as(a.juror.user)
    page, file_url = f"/jury/review/{a.public_id}", f"/jury/review/{a.public_id}/files/0"
    assert juror_client.get(page).status_code == 200
    assert juror_client.get(file_url).status_code == 200
    criteria = setup["challenge"].criteria

    moved = login_as(setup["chair"]).post(f"/jury/{setup['challenge'].slug}/assignments/{a.public_id}/reassign")
    assert moved.status_code == 302

    assert juror_client.get(page).status_code == 403
    assert juror_client.get(file_url).status_code == 403
    assert juror_client.post(page, data=_review_form(a, criteria)).status_code == 403
    assert juror_client.post(f"{page}/recuse", data={}).status_code == 403
    mine = juror_client.get(f"/jury/{setup['challenge'].slug}/reviews").get_data(as_text=True)
    assert a.public_id not in mine


def test_a_team_member_sharing_the_jurors_mail_domain_closes_the_review_page(app, login_as):
    """The conflict check reads the team from the page's own load of the entry: its members' accounts count."""
    setup = make_jury_setup(n_entries=2, n_jurors=4)
    a = _juror_assignment(setup)
    juror_user = a.juror.user
    member = db.session.get(Submission, a.submission_id).team.members[-1].user
    member.email = "someone-else@" + juror_user.email.split("@", 1)[1]
    db.session.commit()
    assert login_as(juror_user).get(f"/jury/review/{a.public_id}").status_code == 403


def test_the_review_page_reads_its_entry_and_team_once(app, login_as):
    setup = make_jury_setup(n_entries=2, n_jurors=4)
    a = _juror_assignment(setup)
    client, path = login_as(a.juror.user), f"/jury/review/{a.public_id}"
    client.get(path)  # the first view of a file inspects it once
    with counting() as statements:
        assert client.get(path).status_code == 200
    reads = lambda table: sum(1 for s in statements if re.search(rf"\bFROM {table}\b", s))  # noqa: E731
    assert (reads("submission"), reads("team_member")) == (1, 1)
