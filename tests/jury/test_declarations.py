"""Conflicts declared against organisations and people, before and after assignment, without the juror learning
which entry belongs to whom; a review submitted before the declaration is kept, excluded and shown to the chair."""
import re

import pytest
import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.jury import conflicts
from govchallenge.jury import operations as ops
from govchallenge.jury.models import ACTIVE, RECUSED, Assignment, ConflictDeclaration, Juror, Review
from govchallenge.jury.progress import counting
from tests.support.factories import make_organisation, make_user
from tests.support.jury_factories import make_juror, make_jury_setup


def _events(action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def _active(rnd, juror):
    db.session.expire_all()
    return db.session.execute(sa.select(Assignment).where(
        Assignment.round_id == rnd.id, Assignment.juror_id == juror.id, Assignment.state == ACTIVE)).scalars().all()


def _org_of(submission):
    return submission.team.members[0].organisation


def _html(response):
    return response.get_data(as_text=True)


# --- the people a juror types ---------------------------------------------------------------------------

def test_people_are_read_one_a_line_and_repeats_kept_once():
    text = "\n  Ana   María López \n\nana.lopez@Example.org\nANA MARÍA LÓPEZ\nana maria lopez\n王小明\n"
    assert conflicts.parse_people(text) == ["Ana María López", "ana.lopez@Example.org", "王小明"]
    assert conflicts.parse_people("") == [] and conflicts.parse_people(None) == []


def test_a_person_is_compared_without_case_accents_or_extra_spaces():
    assert conflicts.person_key("José  GARCÍA") == conflicts.person_key("jose garcia") == "jose garcia"
    assert conflicts.person_key(" Lead@Team.Example.org ") == "lead@team.example.org"
    assert conflicts.person_key("Jose Garcias") != conflicts.person_key("José García")


@pytest.mark.parametrize("text, code, line", [
    ("Ana López\nnot-an-address@\n", "person_email", 2),
    ("a@b", "person_email", 1),
    ("x" * 321, "person_too_long", 1),
    ("\nJ", "person_name", 2),
    ("Ok Name\npаypal team", "person_name", 2),  # a Cyrillic "а" among Latin letters
    ("Ok Name\nA\u200bB", "person_name", 2),  # a zero-width space
])
def test_a_line_that_is_not_a_person_refuses_the_whole_box_naming_the_line(text, code, line):
    with pytest.raises(ops.JuryError) as error:
        conflicts.parse_people(text)
    assert error.value.code == code and error.value.detail["line"] == line


def test_a_line_of_exactly_the_longest_length_is_a_person():
    assert conflicts.parse_people("x" * 300 + "@example.org") == ["x" * 300 + "@example.org"]
    assert conflicts.parse_people("x" * 308 + "@example.org") == ["x" * 308 + "@example.org"]  # 320 characters


# --- which entries leave a list handed back -------------------------------------------------------------

def test_the_conflicted_entries_leave_with_others_up_to_the_cover():
    assert conflicts.COVER_MOVES == 2
    moved = conflicts.entries_to_move([7], [1, 2, 3, 7], seed=3)
    assert moved[0] == 7 and len(moved) == 2 and set(moved) <= {1, 2, 3, 7}
    none = conflicts.entries_to_move([], [1, 2, 3], seed=3)
    assert len(none) == 2 and len(set(none)) == 2 and set(none) <= {1, 2, 3}
    # As many conflicts as the cover: all of them, nothing more; repeats counted once.
    assert conflicts.entries_to_move([4, 5, 4], [1, 2, 3]) == [4, 5]
    # More conflicts than the cover: as many unrelated entries leave with them (as many as there are).
    moved = conflicts.entries_to_move([4, 5, 6, 4], [1, 2, 3, 7, 8], seed=2)
    assert moved[:3] == [4, 5, 6] and len(moved) == 6 and len(set(moved)) == 6 and set(moved[3:]) <= {1, 2, 3, 7, 8}
    few = conflicts.entries_to_move([4, 5, 6], [1, 2])
    assert few[:3] == [4, 5, 6] and sorted(few[3:]) == [1, 2]
    # Too few unstarted entries: as many as there are.
    assert conflicts.entries_to_move([], [9]) == [9]
    assert conflicts.entries_to_move([], []) == []
    assert conflicts.entries_to_move([], [1, 2, 3], cover=3, seed=1) != [] and len(conflicts.entries_to_move([], [1, 2, 3], cover=3)) == 3


def test_the_cover_is_drawn_at_random():
    draws = {tuple(conflicts.entries_to_move([], list(range(10)), seed=seed)) for seed in range(20)}
    assert len(draws) > 5


# --- everything chosen is saved, or nothing -------------------------------------------------------------

def test_an_organisation_taking_no_part_a_person_and_a_team_s_organisation_are_all_saved(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    juror = setup["jurors"][1]
    outsider = make_organisation(name="Agency Taking No Part")
    team_org = _org_of(setup["submissions"][0])
    client = login_as(juror.user)
    url = f"/jury/{setup['challenge'].slug}/declare"
    page = _html(client.get(url))
    assert "Agency Taking No Part" in page and team_org.name in page  # every organisation, not only those taking part
    for team in setup["teams"]:
        assert team.name not in page
    for submission in setup["submissions"]:
        assert submission.title not in page
    response = client.post(url, data={"organisations": [str(outsider.id), str(team_org.id)],
                                      "people": "Grace Hopper\ngrace@navy.example.mil", "kind": "personal", "note": "Old friends."},
                           follow_redirects=True)
    assert response.status_code == 200 and "4 conflicts declared." in _html(response)
    rows = db.session.execute(sa.select(ConflictDeclaration).order_by(ConflictDeclaration.id)).scalars().all()
    assert [(r.organisation_id, r.person, r.kind, r.note, r.source) for r in rows] == [
        (outsider.id, None, "personal", "Old friends.", "declared"), (team_org.id, None, "personal", "Old friends.", "declared"),
        (None, "Grace Hopper", "personal", "Old friends.", "declared"), (None, "grace@navy.example.mil", "personal", "Old friends.", "declared")]
    assert len(_events("jury.conflict")) == 4
    page = _html(client.get(url))
    assert "Agency Taking No Part" in page and "Grace Hopper" in page and "grace@navy.example.mil" in page
    # The same again: nothing stored twice, and said so.
    response = client.post(url, data={"organisations": [str(outsider.id)], "people": "GRACE HOPPER", "kind": "other"},
                           follow_redirects=True)
    assert "0 conflicts declared. 2 were declared already." in _html(response)
    assert db.session.execute(sa.select(sa.func.count(ConflictDeclaration.id))).scalar() == 4


@pytest.mark.parametrize("data, message", [
    ({"people": " \n ", "kind": "personal", "chosen": False}, "Choose at least one organisation or write at least one person"),
    ({"people": "Grace Hopper\nnot@an", "kind": "personal"}, "Line 2 of the people looks like an e-mail address"),
    ({"people": "Grace Hopper", "kind": "nonsense"}, "Not a valid choice"),
    ({"people": "Grace Hopper", "kind": "personal", "tamper": "999999"}, "Choose among the organisations listed"),
])
def test_bad_input_stores_nothing_and_says_why(app, login_as, data, message):
    setup = make_jury_setup(n_entries=2, n_jurors=3)
    org = make_organisation(name="Chosen Along")
    data = dict(data)
    organisations = ([str(org.id)] if data.pop("chosen", True) else []) + ([data.pop("tamper")] if "tamper" in data else [])
    response = login_as(setup["jurors"][1].user).post(f"/jury/{setup['challenge'].slug}/declare",
                                                     data={"organisations": organisations, **data})
    assert response.status_code == 400 and message in _html(response)
    assert "Grace Hopper" in _html(response) if "Grace" in data.get("people", "") else True  # what they typed is kept
    assert db.session.execute(sa.select(ConflictDeclaration)).first() is None
    assert db.session.get(Juror, setup["jurors"][1].id).list_held_since is None


def test_an_organisation_gone_since_the_page_was_shown_refuses_everything(app):
    setup = make_jury_setup(n_entries=2, n_jurors=3)
    with pytest.raises(ops.JuryError) as error:
        ops.declare_conflicts(setup["jurors"][1], setup["users"][1], "personal", organisation_ids=[987654],
                              people="Grace Hopper")
    assert error.value.code == "conflict_target_unknown"
    with pytest.raises(ops.JuryError) as error:
        ops.declare_conflicts(setup["jurors"][1], setup["users"][1], "bogus", people="Grace Hopper")
    assert error.value.code == "bad_kind"


def test_the_chair_declares_for_a_juror_with_the_same_form(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    target = setup["jurors"][2]
    member = setup["teams"][1].members[0].user
    url = f"/jury/{setup['challenge'].slug}/conflicts"
    client = login_as(setup["chair"])
    response = client.post(url, data={"juror": str(target.id), "people": member.email.upper(), "kind": "financial"})
    assert response.status_code == 302
    row = db.session.execute(sa.select(ConflictDeclaration)).scalar_one()
    assert row.source == "chair" and row.person == member.email.upper() and row.created_by_id == setup["chair"].id
    assert (target.id, setup["submissions"][1].id) in ops.conflict_pairs(setup["challenge"].id)
    assert member.email.upper() in _html(client.get(url))
    for user in (setup["users"][2], member, make_user()):
        assert login_as(user).post(url, data={"juror": str(target.id), "people": "X Y", "kind": "other"}).status_code == 403
    assert app.test_client().post(url, data={"juror": str(target.id), "people": "X Y", "kind": "other"}).status_code in (302, 401)
    assert db.session.execute(sa.select(sa.func.count(ConflictDeclaration.id))).scalar() == 1


# --- people and organisations reach the right entries -----------------------------------------------

def test_a_person_named_by_address_or_name_conflicts_their_team_s_entry(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4, open_round=False)
    challenge = setup["challenge"]
    j1, j2, j3 = setup["jurors"][1:4]
    lead0 = setup["teams"][0].members[0].user
    lead1 = setup["teams"][1].members[0].user
    lead1.name = "Zoë Ångström"
    ops.declare_conflicts(j1, j1.user, "personal", people=lead0.email.upper())
    ops.declare_conflicts(j2, j2.user, "personal", people="zoe   ANGSTROM")
    ops.declare_conflicts(j3, j3.user, "personal", people="Someone Else\nnobody@example.org")
    rnd, _result = ops.open_first_round(challenge, setup["chair"], 2, seed=5)
    pairs = set(ops.conflict_pairs(challenge.id))
    subs = setup["submissions"]
    assert (j1.id, subs[0].id) in pairs and (j1.id, subs[1].id) not in pairs
    assert (j2.id, subs[1].id) in pairs and (j2.id, subs[0].id) not in pairs
    assert not {p for p in pairs if p[0] == j3.id}
    assigned = {(a.juror_id, a.submission_id) for a in ops.active_assignments(rnd)}
    assert (j1.id, subs[0].id) not in assigned and (j2.id, subs[1].id) not in assigned
    # Declared before any assignment: no list to hold.
    assert all(j.list_held_since is None for j in (j1, j2, j3))


def test_a_declared_organisation_reaches_every_team_with_a_member_of_it(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4, open_round=False)
    org = _org_of(setup["submissions"][0])
    # A member of team 2 belongs to the same organisation.
    from govchallenge.teams.models import TeamMember

    extra = make_user()
    db.session.add(TeamMember(team_id=setup["teams"][2].id, user_id=extra.id, challenge_id=setup["challenge"].id,
                              organisation_id=org.id, role="member"))
    db.session.flush()
    juror = setup["jurors"][1]
    ops.declare_conflicts(juror, juror.user, "financial", organisation_ids=[org.id])
    ops.open_first_round(setup["challenge"], setup["chair"], 1, seed=2)
    mine = {p[1] for p in ops.conflict_pairs(setup["challenge"].id) if p[0] == juror.id}
    assert mine == {setup["submissions"][0].id, setup["submissions"][2].id}


# --- declaring does not reveal the entry --------------------------------------------------------------

def _juror_surface(client, slug, juror, assignments):
    """Everything the juror can read after declaring: their pages and each of their former entries."""
    pages = [_html(client.get(f"/jury/{slug}/reviews")), _html(client.get(f"/jury/{slug}/declare")),
             _html(client.get("/jury/"))]
    statuses = [client.get(f"/jury/review/{a.public_id}").status_code for a in assignments]
    statuses += [client.get(f"/jury/review/{a.public_id}/files/0").status_code for a in assignments]
    return pages, statuses


def test_declaring_a_conflict_does_not_reveal_the_entry(app, login_as):
    setup = make_jury_setup(n_entries=6, n_jurors=4, reviews=2)
    slug, rnd = setup["challenge"].slug, setup["round"]
    touched_juror, control = setup["jurors"][1], setup["jurors"][2]
    before = {j.id: _active(rnd, j) for j in (touched_juror, control)}
    target = before[touched_juror.id][0]
    target_org = _org_of(target.submission)
    outsider = make_organisation(name="Agency Taking No Part")
    db.session.commit()
    surfaces = {}
    for juror, org in ((touched_juror, target_org), (control, outsider)):
        client = login_as(juror.user)
        response = client.post(f"/jury/{slug}/declare", data={"organisations": [str(org.id)], "kind": "collaborator"})
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/jury/{slug}/declare")
        flashed = _html(client.get(response.headers["Location"]))
        assert "1 conflict declared." in flashed
        surfaces[juror.id] = _juror_surface(client, slug, juror, before[juror.id])
    secrets = [s.title for s in setup["submissions"]] + [t.name for t in setup["teams"]]
    secrets += [a.public_id for rows in before.values() for a in rows]
    for juror_id, (pages, statuses) in surfaces.items():
        for page in pages:
            for secret in secrets:
                assert secret not in page, (juror_id, secret)
        assert "Your list is held since" in pages[0]
        assert set(statuses) == {403}  # every entry of the list alike, the conflicted one no different
    # Both held lists look the same to their jurors, whatever the declaration matched.
    strip = lambda html: re.sub(r'value="[^"]*"|\d+', "", html)  # noqa: E731  (tokens and moments aside)
    assert strip(surfaces[touched_juror.id][0][0]).replace(touched_juror.display_name, "J") == \
        strip(surfaces[control.id][0][0]).replace(control.display_name, "J")

    # The chair's reassignment hands both lists back: as many entries leave each.
    chair = login_as(setup["chair"])
    dashboard = _html(chair.get(f"/jury/{slug}/dashboard"))
    assert "2 jurors&#39; lists are held" in dashboard or "2 jurors' lists are held" in dashboard
    assert chair.post(f"/jury/{slug}/rounds/1/assign").status_code == 302
    db.session.expire_all()
    for juror in (touched_juror, control):
        after = {a.id for a in _active(rnd, juror)}
        left = {a.id for a in before[juror.id]} - after
        assert len(left) == 2, juror.id
        assert db.session.get(Juror, juror.id).list_held_since is None
        page = _html(login_as(juror.user).get(f"/jury/{slug}/reviews"))
        assert "Your list last changed on" in page and "Your list is held" not in page
    assert target.id not in {a.id for a in _active(rnd, touched_juror)}
    assert db.session.get(Assignment, target.id).state == RECUSED
    handed = _events("jury.list_handed_back")
    assert len(handed) == 2 and {e.detail["conflicted"] for e in handed} == {0, 1}
    # Every entry still has its two reviews, and nobody reviews an entry they are conflicted with.
    assert {tuple(row) for row in ops.progress(rnd)["entries"].values()} == {(0, 2)}
    pairs = ops.conflict_pairs(setup["challenge"].id)
    assert not [a for a in ops.active_assignments(rnd) if (a.juror_id, a.submission_id) in pairs]


def test_a_held_juror_s_list_is_handed_back_only_by_the_chair_s_run(app, login_as):
    setup = make_jury_setup(n_entries=4, n_jurors=5)
    rnd, juror, other = setup["round"], setup["jurors"][1], setup["jurors"][2]
    ops.declare_conflicts(juror, juror.user, "other", people="Nobody Known")
    db.session.commit()
    assert juror.list_held_since is not None
    # Another juror steps back: the assignment runs, but the held list stays held.
    ops.recuse(_active(rnd, other)[0], other.user)
    db.session.commit()
    assert db.session.get(Juror, juror.id).list_held_since is not None
    with pytest.raises(ops.JuryError) as error:
        ops.close_round(rnd, setup["chair"])
    assert error.value.code == "lists_held" and error.value.detail["count"] == 1
    db.session.rollback()
    page = _html(login_as(setup["chair"]).get(f"/jury/{setup['challenge'].slug}/rounds/1/close"))
    assert "1 juror&#39;s list is held" in page or "1 juror's list is held" in page
    ops.run_assignment(rnd, setup["chair"], release=True)
    db.session.commit()
    assert db.session.get(Juror, juror.id).list_held_since is None


def test_declaring_with_no_assignment_holds_nothing(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    late = make_juror(setup["challenge"])
    db.session.commit()
    ops.declare_conflicts(late, late.user, "other", people="Nobody Known")
    assert late.list_held_since is None and not _events("jury.list_held")


# --- a review submitted before the declaration ---------------------------------------------------------

def test_a_review_submitted_before_the_declaration_is_kept_excluded_and_shown_to_the_chair(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    rnd, juror = setup["round"], setup["jurors"][1]
    a = _active(rnd, juror)[0]
    ops.save_review(a, juror.user, {c.id: 9 for c in rnd.criteria}, {"overall": "Great."}, 0, submit=True)
    db.session.commit()
    assert ops.submitted_scores(rnd)[a.submission_id]
    org = _org_of(a.submission)
    ops.declare_conflicts(juror, juror.user, "collaborator", organisation_ids=[org.id])
    db.session.commit()
    review = db.session.get(Review, a.review.id)
    assert review.state == "submitted" and review.comments == {"overall": "Great."}
    assert set(review.scores.values()) == {9}  # kept as written
    assert review.excluded_at is not None and review.exclusion_reason == "conflict:collaborator"
    event = _events("jury.review_excluded")[0]
    assert event.detail["reason"] == "conflict:collaborator" and event.detail["submission_id"] == a.submission_id
    assert (event.object_type, event.object_id, event.actor_id) == ("review", str(review.id), juror.user.id)
    assert (event.detail["assignment"], event.detail["round_id"], event.detail["juror_id"]) == (a.public_id, rnd.id, juror.id)
    [held] = _events("jury.list_held")
    assert (held.object_type, held.object_id, held.actor_id) == ("juror", str(juror.id), juror.user.id)
    assert held.detail["challenge_id"] == setup["challenge"].id and held.detail["moved"] == [a.public_id]
    assert a.submission_id not in ops.submitted_scores(rnd)
    assert ops.progress(rnd)["entries"][a.submission_id][0] == 0
    dashboard = _html(login_as(setup["chair"]).get(f"/jury/{setup['challenge'].slug}/dashboard"))
    assert "Reviews kept but not counted" in dashboard
    assert "a conflict of interest (Collaborator) was declared after it was submitted" in dashboard
    assert juror.display_name in dashboard.split("Reviews kept but not counted")[1]


def test_a_review_counts_only_when_submitted_and_not_excluded(app):
    setup = make_jury_setup(n_entries=2, n_jurors=3, reviews=1)
    a = ops.active_assignments(setup["round"])[0]
    assert counting(a) is False
    ops.save_review(a, a.juror.user, {c.id: 3 for c in setup["round"].criteria}, {"overall": "x"}, 0)
    assert counting(a) is False  # a draft
    ops.save_review(a, a.juror.user, {c.id: 3 for c in setup["round"].criteria}, {"overall": "x"}, 1, submit=True)
    assert counting(a) is True
    a.review.excluded_at = a.review.submitted_at
    assert counting(a) is False
    a.review.excluded_at = None
    a.state = RECUSED
    assert counting(a) is False


# --- the edges of the rules (each guards a mutation) --------------------------------------------------

def test_edges_of_reading_people():
    assert conflicts.parse_people("Li\n王明") == ["Li", "王明"]  # two letters are a name
    assert conflicts.parse_people("pаypal@example.org") == ["pаypal@example.org"]  # an address is not judged as a name
    with pytest.raises(ops.JuryError) as error:
        conflicts.parse_people("x" * 321)
    assert error.value.detail == {"line": 1, "max": 320}
    assert conflicts.person_key(None) == conflicts.person_key("") == ""
    assert conflicts.person_key("José@Example.org") == "josé@example.org"  # an address keeps its letters
    assert conflicts.entries_to_move([], list(range(10)), seed=4) == conflicts.entries_to_move([], list(range(10)), seed=4)


def test_conflict_pairs_name_the_kind_and_keep_to_the_entries_asked_and_the_rounds(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    challenge, subs = setup["challenge"], setup["submissions"]
    juror, same_org = setup["jurors"][1], setup["jurors"][2]
    same_org.organisation_id = _org_of(subs[2]).id
    ops.declare_conflicts(juror, juror.user, "financial", people=subs[0].team.members[0].user.email)
    # A team of the challenge whose entry is in no round: its member is declared too, and stays out of the pairs.
    from tests.support.factories import make_submission, make_team

    outsider = make_user()
    lone = make_submission(make_team(challenge, [outsider], name="Team outside the rounds"), title="Not in a round")
    ops.declare_conflicts(juror, juror.user, "personal", people=outsider.email)
    pairs = ops.conflict_pairs(challenge.id)
    assert pairs[(juror.id, subs[0].id)] == "financial"
    assert pairs[(same_org.id, subs[2].id)] == "same_organisation"  # detected ones are there too
    assert not [p for p in pairs if p[1] == lone.id]
    only = ops.conflict_pairs(challenge.id, [subs[0].id])
    assert (same_org.id, subs[2].id) not in only and (juror.id, subs[0].id) in only


def test_an_older_declaration_against_a_team_touches_that_team_only(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    juror, subs = setup["jurors"][1], setup["submissions"]
    db.session.add(ConflictDeclaration(juror_id=juror.id, team_id=setup["teams"][1].id, kind="other", note=""))
    db.session.flush()
    mine = {sid for (jid, sid) in ops.conflict_pairs(setup["challenge"].id) if jid == juror.id}
    assert mine == {subs[1].id}


def test_an_organisation_behind_three_entries_of_a_list_takes_all_away_hidden_among_as_many_others(app, login_as):
    setup = make_jury_setup(n_entries=10, n_jurors=4, reviews=3)
    rnd, juror = setup["round"], setup["jurors"][1]
    before = {a.submission_id for a in _active(rnd, juror)}
    assert len(before) >= 6
    shared = make_organisation(name="Consortium Behind Three Entries", kind="startup")
    behind = sorted(before)[:3]
    for submission in setup["submissions"]:
        if submission.id in behind:
            submission.team.members[0].organisation_id = shared.id
    db.session.commit()
    ops.declare_conflicts(juror, juror.user, "collaborator", organisation_ids=[shared.id])
    db.session.commit()
    assert not {a.submission_id for a in _active(rnd, juror)} & set(behind)  # gone at once, scores never read them
    ops.run_assignment(rnd, setup["chair"], release=True)
    db.session.commit()
    after = {a.submission_id for a in _active(rnd, juror)}
    departed = before - after
    assert set(behind) <= departed and not after & set(behind)
    assert len(departed) == 6  # three unrelated entries left with them: each departure is a coin toss to the juror
    (handed,) = _events("jury.list_handed_back")
    assert handed.detail["conflicted"] == 3 and len(handed.detail["moved"]) == 6
    # Nobody reviews an entry they are conflicted with, and every entry keeps its three reviews.
    pairs = ops.conflict_pairs(setup["challenge"].id)
    assert {(juror.id, sid) for sid in behind} <= set(pairs)
    assert not [a for a in ops.active_assignments(rnd) if (a.juror_id, a.submission_id) in pairs]
    assert {tuple(row) for row in ops.progress(rnd)["entries"].values()} == {(0, 3)}
    # The juror's own pages name neither the organisation's entries nor their teams.
    response = login_as(juror.user).get("/jury/")
    assert response.status_code == 200
    page = _html(response)
    for submission in setup["submissions"]:
        assert submission.team.name not in page


# --- the chair's run hands a held list back (rounds.hand_back_lists) ------------------------------------------

def test_an_entry_that_came_into_conflict_while_the_list_was_held_leaves_at_the_hand_back(app):
    from govchallenge.jury.rounds import hand_back_lists

    setup = make_jury_setup(n_entries=8, n_jurors=4, reviews=2)
    rnd, juror = setup["round"], setup["jurors"][1]
    ops.declare_conflicts(juror, juror.user, "personal", people="Wilhelmina Quist")  # nobody on a team yet
    db.session.commit()
    mine = _active(rnd, juror)
    assert len(mine) > conflicts.COVER_MOVES and db.session.get(Juror, juror.id).list_held_since is not None
    # The person joins the team of one of the juror's entries: that entry is now in conflict, still on the list.
    target = mine[0]
    target.submission.team.members[0].user.name = "Wilhelmina Quist"
    db.session.commit()
    moved = hand_back_lists(rnd, setup["chair"])
    db.session.commit()
    assert moved == {juror.id: conflicts.COVER_MOVES}
    assert db.session.get(Assignment, target.id).state == RECUSED
    [handed] = _events("jury.list_handed_back")
    assert handed.detail["conflicted"] == 1 and target.public_id in handed.detail["moved"]


def test_the_hand_back_moves_the_cover_and_counts_only_conflicts_since_the_hold_as_conflicted(app):
    from govchallenge.jury.rounds import hand_back_lists

    setup = make_jury_setup(n_entries=8, n_jurors=4, reviews=3)
    rnd, juror = setup["round"], setup["jurors"][1]
    ops.recuse(_active(rnd, juror)[0], juror.user, "I know this team")  # before the hold: not a conflict
    db.session.commit()
    ops.declare_conflicts(juror, juror.user, "other", people="Nobody Known")  # touches no entry
    db.session.commit()
    ops.recuse(_active(rnd, juror)[0], juror.user, "no time")  # after the hold, but not for a conflict
    db.session.commit()
    before = {a.id for a in _active(rnd, juror)}
    assert len(before) > conflicts.COVER_MOVES
    moved = hand_back_lists(rnd, setup["chair"])
    db.session.commit()
    left = before - {a.id for a in _active(rnd, juror)}
    assert moved == {juror.id: conflicts.COVER_MOVES} and len(left) == conflicts.COVER_MOVES
    assert all(db.session.get(Assignment, i).recused_at is not None for i in left)
    assert {db.session.get(Assignment, i).recusal_reason for i in left} == {"moved at the chair's reassignment"}
    [handed] = _events("jury.list_handed_back")
    assert (handed.object_type, handed.object_id, handed.actor_id) == ("juror", str(juror.id), setup["chair"].id)
    assert handed.detail["round_id"] == rnd.id and handed.detail["conflicted"] == 0
    assert sorted(handed.detail["moved"]) == sorted(db.session.get(Assignment, i).public_id for i in left)
    held = db.session.get(Juror, juror.id)
    assert held.list_held_since is None and held.list_changed_at is not None


# --- what a declaration holds (reviews.hold_list) ------------------------------------------------------------

def test_a_declaration_leaves_an_earlier_recusal_as_it_was(app):
    setup = make_jury_setup(n_entries=6, n_jurors=4, reviews=2)
    rnd, juror = setup["round"], setup["jurors"][1]
    stepped_back = _active(rnd, juror)[0]
    ops.recuse(stepped_back, juror.user, "I know this team")
    db.session.commit()
    recused_at = db.session.get(Assignment, stepped_back.id).recused_at
    org = _org_of(db.session.get(Assignment, stepped_back.id).submission)
    ops.declare_conflicts(juror, juror.user, "collaborator", organisation_ids=[org.id])
    db.session.commit()
    again = db.session.get(Assignment, stepped_back.id)
    assert (again.state, again.recusal_reason, again.recused_at) == (RECUSED, "I know this team", recused_at)
    [held] = _events("jury.list_held")
    assert stepped_back.public_id not in held.detail["moved"]


def test_a_declaration_after_the_round_closed_holds_no_list(app):
    from tests.support.jury_factories import submit_all_reviews

    setup = make_jury_setup(n_entries=3, n_jurors=4)
    rnd, juror = setup["round"], setup["jurors"][1]
    submit_all_reviews(rnd)
    ops.close_round(rnd, setup["chair"])
    db.session.commit()
    kept = _active(rnd, juror)
    ops.declare_conflicts(juror, juror.user, "collaborator", organisation_ids=[_org_of(kept[0].submission).id])
    db.session.commit()
    assert db.session.get(Juror, juror.id).list_held_since is None and _events("jury.list_held") == []
    assert {a.id for a in _active(rnd, juror)} == {a.id for a in kept}


def test_an_organisation_declared_without_note_or_people_is_one_row_with_an_empty_note(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4, open_round=False)
    juror, org = setup["jurors"][1], make_organisation(name="Agency Without Notes")
    made, already = ops.declare_conflicts(juror, juror.user, "other", organisation_ids=[org.id])
    assert already == 0 and [(c.organisation_id, c.person, c.note) for c in made] == [(org.id, None, "")]
    made, _ = ops.declare_conflicts(juror, juror.user, "other", note=None, people="Someone Named")
    assert [(c.person, c.note) for c in made] == [("Someone Named", "")]
