"""The final rounds' pages: the juror's demo-day page and ballot, the chair's page; who may open them, bad input."""
import re

import pytest
import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.jury import finals
from govchallenge.jury.models import PAIRWISE, RANKED, PairwiseShowing, RankedBallot
from tests.support.factories import make_user
from tests.support.jury_factories import make_jury_setup
from tests.support.roles import build_world


def final_setup(kind, n_entries=4):
    setup = make_jury_setup(n_entries=n_entries, n_jurors=4)
    finals.set_round_kind(setup["round"], kind, setup["chair"])
    db.session.commit()
    return setup


def urls(setup):
    base = f"/jury/{setup['challenge'].slug}/rounds/1"
    return {"pairwise": f"{base}/pairwise", "next": f"{base}/pairwise/next", "vote": f"{base}/pairwise/vote",
            "ballot": f"{base}/ballot", "chair": f"{base}/finals", "kind": f"{base}/kind", "close": f"{base}/finals/close"}


def showing_id(page):
    return re.search(r'name="showing" type="hidden" value="([^"]+)"', page).group(1)


def test_a_juror_compares_finalists_on_the_demo_day_page(app, login_as):
    setup = final_setup(PAIRWISE)
    u = urls(setup)
    client = login_as(setup["users"][1])
    mine = client.get(f"/jury/{setup['challenge'].slug}/reviews").get_data(as_text=True)
    assert f'href="{u["pairwise"]}"' in mine and u["chair"] not in mine
    assert u["chair"] in login_as(setup["chair"]).get(f"/jury/{setup['challenge'].slug}/reviews").get_data(as_text=True)
    client = login_as(setup["users"][1])
    page = client.get(u["pairwise"]).get_data(as_text=True)
    assert "Show the first finalist" in page
    assert client.post(u["next"]).status_code == 302
    page = client.get(u["pairwise"]).get_data(as_text=True)
    assert "I have seen it: show the next finalist" in page
    client.post(u["next"])
    page = client.get(u["pairwise"]).get_data(as_text=True)
    assert "Which was better?" in page and "Previous better" in page and "Current better" in page
    first = showing_id(page)
    response = client.post(u["vote"], data={"showing": first, "current": "1"})
    assert response.status_code == 302
    assert "Counted." in client.get(u["pairwise"]).get_data(as_text=True)
    # the same vote again (a replay, a double tap): refused with a clear message, counted once
    response = client.post(u["vote"], data={"showing": first, "previous": "1"})
    assert response.status_code == 409
    assert "This comparison was already counted, once." in response.get_data(as_text=True)
    # a vote for a finalist never shown to this juror
    response = client.post(u["vote"], data={"showing": "made-up", "current": "1"})
    assert response.status_code == 400 and "was not shown to you" in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(finals.vote_stream(setup["round"])) == 1


def test_no_vote_after_the_round_closed(app, login_as):
    setup = final_setup(PAIRWISE)
    u = urls(setup)
    client = login_as(setup["users"][1])
    client.post(u["next"])
    client.post(u["next"])
    shown = showing_id(client.get(u["pairwise"]).get_data(as_text=True))
    chair = login_as(setup["chair"])
    assert chair.post(u["close"]).status_code == 302
    client = login_as(setup["users"][1])
    response = client.post(u["vote"], data={"showing": shown, "current": "1"})
    assert response.status_code == 409 and "The round is closed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert finals.vote_stream(setup["round"]) == []


def test_a_juror_files_a_ranked_ballot_with_ties(app, login_as):
    setup = final_setup(RANKED, n_entries=3)
    u = urls(setup)
    a, b, c = (s.id for s in setup["submissions"])
    client = login_as(setup["users"][2])
    page = client.get(u["ballot"]).get_data(as_text=True)
    assert "Entry title 0" in page and "Save my ballot" in page
    response = client.post(u["ballot"], data={f"place_{a}": "2", f"place_{b}": "1", f"place_{c}": "2"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.execute(sa.select(RankedBallot.ranking)).scalar() == [[b], [a, c]]
    # a place that is not offered is a form error; the saved ballot stays
    response = client.post(u["ballot"], data={f"place_{a}": "99"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.execute(sa.select(RankedBallot.ranking)).scalar() == [[b], [a, c]]
    # the chair's page shows the Schulze tables
    page = login_as(setup["chair"]).get(u["chair"]).get_data(as_text=True)
    assert "Strength of the strongest path" in page and "1 ballot counted." in page


def test_the_chair_sets_the_kind_and_sees_live_standings(app, login_as):
    setup = make_jury_setup(n_entries=4, n_jurors=4)
    u = urls(setup)
    chair = login_as(setup["chair"])
    assert chair.post(u["kind"], data={"kind": "lottery"}).status_code == 400
    assert chair.post(u["kind"], data={"kind": PAIRWISE}).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(setup["round"]), setup["round"].id).kind == PAIRWISE
    juror = login_as(setup["users"][1])
    juror.post(u["next"])
    juror.post(u["next"])
    juror.post(u["vote"], data={"showing": showing_id(juror.get(u["pairwise"]).get_data(as_text=True)), "previous": "1"})
    page = login_as(setup["chair"]).get(u["chair"]).get_data(as_text=True)
    assert "Live standings" in page and "1 comparison so far." in page and "estimated reliability" in page
    # judged: the kind no longer changes
    response = login_as(setup["chair"]).post(u["kind"], data={"kind": RANKED})
    assert response.status_code == 409


@pytest.mark.parametrize("page", ["pairwise", "chair"])
def test_who_may_open_the_pages(app, login_as, client, page):
    setup = final_setup(PAIRWISE)
    u = urls(setup)
    response = client.get(u[page])
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    outsider = login_as(make_user())
    assert outsider.get(u[page]).status_code == 403
    juror = login_as(setup["users"][1])
    assert juror.get(u["pairwise"]).status_code == 200
    assert juror.get(u["chair"]).status_code == 403
    assert juror.post(u["kind"], data={"kind": RANKED}).status_code == 403
    assert juror.get(u["ballot"]).status_code == 403  # not a ranked round


def test_posts_by_outsiders_change_nothing(app, login_as, client):
    setup = final_setup(PAIRWISE)
    u = urls(setup)
    assert client.post(u["next"]).status_code == 302  # to sign in
    outsider = login_as(make_user())
    assert outsider.post(u["next"]).status_code == 403
    assert outsider.post(u["vote"], data={"showing": "x", "current": "1"}).status_code == 403
    assert outsider.post(u["close"]).status_code == 403
    db.session.expire_all()
    assert db.session.execute(sa.select(PairwiseShowing)).first() is None


def test_who_judges_a_final_round_and_who_sees_its_standings(app):
    """Every role: only sworn jurors sitting in the round judge it, and only while it is a final round; only the
    chair sees the standings (not the hosts' officers, not an administrator)."""
    from govchallenge.jury import permissions as can
    from govchallenge.jury.models import Round, RoundJuror

    world = build_world()
    rnd = db.session.execute(sa.select(Round).where(Round.challenge_id == world.challenge.id)).scalar_one()
    for role in ("juror", "chair", "unsworn_juror"):
        db.session.add(RoundJuror(round_id=rnd.id, juror_id=world.jurors[role].id))
    db.session.flush()
    assert world.allowed(can.final_juror, rnd) == set()  # a rubric round
    rnd.kind = PAIRWISE
    assert world.allowed(can.final_juror, rnd) == {"juror", "chair"}
    world.jurors["juror"].list_held_since = rnd.created_at
    assert world.allowed(can.final_juror, rnd) == {"chair"}
    assert world.allowed(can.final_juror, None) == set()
    assert world.allowed(can.can_see_final_standings, world.challenge) == {"chair"}
