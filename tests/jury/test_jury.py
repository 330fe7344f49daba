"""The jury app: invitations, conflicts, blind review, scoring rules, rounds, chair's tools, permissions."""
import re

import pytest
import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.jury import operations as ops
from govchallenge.jury.models import ACTIVE, RECUSED, Assignment, ConflictDeclaration, Juror, Review, Round, ScoreOverride
from govchallenge.jury.tokens import make_token
from tests.support.factories import make_user
from tests.support.jury_factories import close_excluding_short, make_juror, make_jury_setup


def _assignments(rnd, juror=None):
    db.session.expire_all()
    query = sa.select(Assignment).where(Assignment.round_id == rnd.id)
    if juror is not None:
        query = query.where(Assignment.juror_id == juror.id)
    return db.session.execute(query.order_by(Assignment.id)).scalars().all()


def _not_chair_assignment(setup):
    chair = setup["jurors"][0]
    return next(a for a in _assignments(setup["round"]) if a.juror_id != chair.id and a.state == ACTIVE)


def _form(a, criteria, scores=None, comment="Solid work.", submit=False, lock=None):
    data = {"lock_version": str(lock if lock is not None else (a.review.lock_version if a.review else 0))}
    for c in criteria:
        value = (scores or {}).get(c.id, 5)
        data[f"score_{c.id}"] = "" if value is None else str(value)
    data["comment_overall"] = comment
    data["submit" if submit else "save"] = "1"
    return data


def _events(action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


# --- invitations ---------------------------------------------------------------------------------

def test_host_officer_invites_and_the_juror_accepts_with_confidentiality(app, people, client_for, login_as):
    setup = make_jury_setup(host=people["ministry"], open_round=False)
    slug = setup["challenge"].slug
    response = client_for("officer").post(f"/jury/{slug}/members", data={"email": "Expert@Cities.example.eu", "name": "Eve Expert", "organisation": ""})
    assert response.status_code == 302
    juror = db.session.execute(sa.select(Juror).where(Juror.email == "expert@cities.example.eu")).scalar_one()
    assert juror.state == "invited"
    assert db.session.execute(sa.select(OutboxJob).where(OutboxJob.function == "govchallenge.jury.jobs.send_invitation")).scalars().first()
    # Same address twice: refused clearly.
    response = client_for("officer").post(f"/jury/{slug}/members", data={"email": "expert@cities.example.eu", "organisation": ""})
    assert response.status_code == 400 and "already invited" in response.get_data(as_text=True)

    expert = make_user(email="expert@cities.example.eu", name="Eve Expert")
    client = login_as(expert)
    token = make_token(juror)
    assert client.get(f"/jury/invitation/{token}").status_code == 200
    response = client.post(f"/jury/invitation/{token}", data={"accept": "1"})
    assert response.status_code == 400 and "confidential" in response.get_data(as_text=True)
    db.session.expire_all()
    assert juror.state == "invited"
    response = client.post(f"/jury/invitation/{token}", data={"accept": "1", "agree": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert juror.state == "accepted" and juror.user_id == expert.id and juror.confidentiality_agreed_at
    assert _events("jury.accept")
    assert client.get(f"/jury/invitation/{token}").status_code == 409  # used
    assert client.get("/jury/invitation/garbage").status_code == 400
    # Someone else cannot answer it.
    other = make_juror(setup["challenge"], accepted=False, email="x@y.example.eu")
    db.session.commit()
    assert client.get(f"/jury/invitation/{make_token(other)}").status_code == 403


def test_decline_and_chair_naming(app, people, client_for, login_as):
    setup = make_jury_setup(host=people["ministry"], open_round=False)
    user = make_user()
    juror = make_juror(setup["challenge"], accepted=False, email=user.email)
    client = login_as(user)
    assert client.post(f"/jury/invitation/{make_token(juror)}", data={"decline": "1"}).status_code == 302
    db.session.expire_all()
    assert juror.state == "declined"
    second = setup["jurors"][1]
    assert client_for("officer").post(f"/jury/{setup['challenge'].slug}/members/{second.id}/chair").status_code == 302
    db.session.expire_all()
    chairs = [j for j in setup["jurors"] if j.is_chair]
    assert chairs == [second]


def test_invitation_email_is_sent(app, people):
    setup = make_jury_setup(host=people["ministry"], open_round=False)
    ops.invite_juror(setup["challenge"], "newjuror@example.eu", "New", people["officer"])
    db.session.commit()
    from govchallenge.jury import jobs

    juror = db.session.execute(sa.select(Juror).where(Juror.email == "newjuror@example.eu")).scalar_one()
    assert jobs.send_invitation(juror.id) in ("sent",)
    juror.state = "declined"
    assert jobs.send_invitation(juror.id) == "nothing to do"


# --- conflicts ------------------------------------------------------------------------------------

def test_automatic_conflicts_are_never_assigned(app):
    setup = make_jury_setup(open_round=False, n_entries=4, n_jurors=5)
    challenge, teams, subs = setup["challenge"], setup["teams"], setup["submissions"]
    org0 = teams[0].members[0].organisation
    same_org = make_juror(challenge, organisation=org0)
    same_domain = make_juror(challenge, make_user(email=f"someone@team1-{challenge.id}.example.org"))
    member = make_juror(challenge, teams[2].members[0].user)
    rnd, result = ops.open_first_round(challenge, setup["chair"], 3, seed=4)
    db.session.commit()
    pairs = {(a.juror_id, a.submission_id) for a in _assignments(rnd)}
    assert (same_org.id, subs[0].id) not in pairs
    assert (same_domain.id, subs[1].id) not in pairs
    assert (member.id, subs[2].id) not in pairs
    detected = ops.detected_conflicts(challenge.id)
    assert detected[(same_org.id, subs[0].id)] == "same_organisation"
    assert detected[(same_domain.id, subs[1].id)] == "same_email_domain"
    assert detected[(member.id, subs[2].id)] == "member"
    assert result.stats()["conflicts_broken"] == 0 and result.short == {}


def test_declared_conflict_holds_the_list_until_the_chair_reassigns(app, login_as):
    setup = make_jury_setup(n_entries=4, n_jurors=5)
    a = _not_chair_assignment(setup)
    juror = db.session.get(Juror, a.juror_id)
    org_id = db.session.get(type(a.submission), a.submission_id).team.members[0].organisation_id
    client = login_as(juror.user)
    response = client.post(f"/jury/{setup['challenge'].slug}/declare", data={"organisations": [str(org_id)], "people": "", "kind": "collaborator", "note": "We co-wrote a paper."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Assignment, a.id).state == RECUSED
    assert client.get(f"/jury/review/{a.public_id}").status_code == 403
    assert login_as(setup["chair"]).post(f"/jury/{setup['challenge'].slug}/rounds/1/assign").status_code == 302
    db.session.expire_all()
    active = [x for x in _assignments(setup["round"]) if x.submission_id == a.submission_id and x.state == ACTIVE]
    assert len(active) == 3 and juror.id not in {x.juror_id for x in active}
    assert db.session.get(Juror, juror.id).list_held_since is None
    assert client.get(f"/jury/review/{a.public_id}").status_code == 403


def test_chair_adds_a_conflict_and_sees_detected_ones(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    client = login_as(setup["chair"])
    target = setup["jurors"][2]
    org = setup["teams"][0].members[0].organisation
    assert client.get(f"/jury/{setup['challenge'].slug}/conflicts").status_code == 200
    response = client.post(f"/jury/{setup['challenge'].slug}/conflicts", data={"juror": str(target.id), "organisations": [str(org.id)], "people": "", "kind": "financial", "note": ""})
    assert response.status_code == 302
    c = db.session.execute(sa.select(ConflictDeclaration)).scalar_one()
    assert c.source == "chair" and c.kind == "financial" and c.organisation_id == org.id
    sub0 = setup["submissions"][0]
    assert not [x for x in _assignments(setup["round"], target) if x.submission_id == sub0.id and x.state == ACTIVE]
    assert org.name in client.get(f"/jury/{setup['challenge'].slug}/conflicts").get_data(as_text=True)


def test_recusal_triggers_reassignment(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=5)
    a = _not_chair_assignment(setup)
    client = login_as(db.session.get(Juror, a.juror_id).user)
    response = client.post(f"/jury/review/{a.public_id}/recuse", data={"recuse-reason": "I know them."})
    assert response.status_code == 302
    active = [x for x in _assignments(setup["round"]) if x.submission_id == a.submission_id and x.state == ACTIVE]
    assert len(active) == 3 and a.juror_id not in {x.juror_id for x in active}
    assert _events("jury.recuse")


def test_manual_assignment_that_breaks_a_conflict_is_refused(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4, reviews=1)
    challenge = setup["challenge"]
    conflicted = make_juror(challenge, setup["teams"][0].members[0].user)  # a member of team 0
    db.session.add(__import__("govchallenge.jury.models", fromlist=["RoundJuror"]).RoundJuror(round_id=setup["round"].id, juror_id=conflicted.id))
    db.session.commit()
    client = login_as(setup["chair"])
    sub0 = setup["submissions"][0]
    response = client.post(f"/jury/{challenge.slug}/rounds/1/manual", data={"m1-juror": str(conflicted.id), "m1-entry": str(sub0.id)}, follow_redirects=True)
    assert "conflict of interest" in response.get_data(as_text=True)
    assert not [x for x in _assignments(setup["round"], conflicted) if x.submission_id == sub0.id]
    # A legal manual assignment passes.
    free = next(s for s in setup["submissions"][1:] if not [x for x in _assignments(setup["round"], conflicted) if x.submission_id == s.id])
    response = client.post(f"/jury/{challenge.slug}/rounds/1/manual", data={"m1-juror": str(conflicted.id), "m1-entry": str(free.id)})
    assert response.status_code == 302
    assert [x for x in _assignments(setup["round"], conflicted) if x.submission_id == free.id and x.source == "manual"]


# --- blind review -------------------------------------------------------------------------------

def test_blind_review_html_hides_the_team(app, login_as):
    from govchallenge.core import storage

    setup = make_jury_setup(n_entries=3, n_jurors=4)
    a = _not_chair_assignment(setup)
    sub = db.session.get(type(a.submission), a.submission_id)
    stored = storage.save(b"hello", "text/plain")
    sub.versions[-1].files = [{"filename": "Team-Xylophone-secret.txt", "mime_type": "text/plain", "size": stored.size, "sha256": stored.sha256}]
    db.session.commit()
    client = login_as(db.session.get(Juror, a.juror_id).user)
    html = client.get(f"/jury/review/{a.public_id}").get_data(as_text=True)
    assert sub.title in html
    team = sub.team
    forbidden = [team.name, "Xylophone", "Team-Xylophone-secret"]
    for m in team.members:
        forbidden += [m.user.name, m.user.email, m.user.email.split("@")[1]]
        if m.organisation:
            forbidden.append(m.organisation.name)
    for other in setup["teams"]:
        forbidden.append(other.name)
    for text in forbidden:
        assert text not in html, text
    download = client.get(f"/jury/review/{a.public_id}/files/0")
    assert download.status_code == 200 and download.data == b"hello"
    disposition = download.headers["Content-Disposition"]
    assert "Xylophone" not in disposition and re.search(r"entry-[\w-]+-file-1\.txt", disposition)
    assert client.get(f"/jury/review/{a.public_id}/files/5").status_code == 404


def test_non_anonymous_review_shows_the_team(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4, anonymous=False)
    a = _not_chair_assignment(setup)
    client = login_as(db.session.get(Juror, a.juror_id).user)
    html = client.get(f"/jury/review/{a.public_id}").get_data(as_text=True)
    assert db.session.get(type(a.submission), a.submission_id).team.name in html


# --- scoring ---------------------------------------------------------------------------------

def test_draft_then_submit_then_change_until_close(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    a = _not_chair_assignment(setup)
    criteria = setup["round"].criteria
    client = login_as(db.session.get(Juror, a.juror_id).user)
    url = f"/jury/review/{a.public_id}"
    page = client.get(url).get_data(as_text=True)
    assert "Save draft" in page
    assert client.post(url, data=_form(a, criteria, {criteria[0].id: 7, criteria[1].id: None}, comment="")).status_code == 302
    db.session.expire_all()
    review = db.session.execute(sa.select(Review).where(Review.assignment_id == a.id)).scalar_one()
    assert review.state == "draft" and review.scores == {str(criteria[0].id): 7, str(criteria[2].id): 5}
    a = db.session.get(Assignment, a.id)
    assert client.post(url, data=_form(a, criteria, submit=True)).status_code == 302
    db.session.expire_all()
    assert review.state == "submitted" and review.submitted_at
    db.session.expire_all()
    assert client.post(url, data=_form(db.session.get(Assignment, a.id), criteria, {criteria[0].id: 9}, submit=True)).status_code == 302
    db.session.expire_all()
    assert review.scores[str(criteria[0].id)] == 9
    assert len(_events("jury.review_submit")) == 2 and _events("jury.review_save")


@pytest.mark.parametrize("case", ["out_of_scale", "missing_comment", "missing_score", "stale", "tampered_lock", "not_a_number"])
def test_bad_scoring_input_is_refused_and_the_draft_kept(app, login_as, case):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    a = _not_chair_assignment(setup)
    criteria = setup["round"].criteria
    client = login_as(db.session.get(Juror, a.juror_id).user)
    url = f"/jury/review/{a.public_id}"
    assert client.post(url, data=_form(a, criteria, {c.id: 4 for c in criteria}, comment="first draft")).status_code == 302
    db.session.expire_all()
    a = db.session.get(Assignment, a.id)
    data = _form(a, criteria, {c.id: 6 for c in criteria}, comment="my precious words", submit=True)
    if case == "out_of_scale":
        data[f"score_{criteria[0].id}"] = "11"
    elif case == "missing_comment":
        data["comment_overall"] = ""
    elif case == "missing_score":
        data[f"score_{criteria[1].id}"] = ""
    elif case == "stale":
        data["lock_version"] = "0"
    elif case == "tampered_lock":
        data["lock_version"] = "abc"
    elif case == "not_a_number":
        data[f"score_{criteria[0].id}"] = "ten"
    response = client.post(url, data=data)
    assert response.status_code in (400, 409)
    html = response.get_data(as_text=True)
    assert "my precious words" in html or case == "missing_comment"  # what they typed is shown back
    db.session.expire_all()
    review = db.session.execute(sa.select(Review).where(Review.assignment_id == a.id)).scalar_one()
    assert review.state == "draft" and review.comments == {"overall": "first draft"}
    assert set(review.scores.values()) == {4}
    if case == "out_of_scale":
        assert "between 0 and 10" in html
    if case == "missing_comment":
        assert "comment is required" in html


def test_review_after_close_is_refused(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    a = _not_chair_assignment(setup)
    close_excluding_short(setup["round"], setup["chair"], reason="Deadline")
    db.session.commit()
    client = login_as(db.session.get(Juror, a.juror_id).user)
    response = client.post(f"/jury/review/{a.public_id}", data=_form(a, setup["round"].criteria, submit=True))
    assert response.status_code == 409 and "closed" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(Review)).first() is None


def test_per_criterion_comments_required(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4, review_comment="per_criterion")
    a = _not_chair_assignment(setup)
    criteria = setup["round"].criteria
    with pytest.raises(ops.JuryError) as error:
        ops.save_review(a, a.juror.user, {c.id: 3 for c in criteria}, {"overall": "x"}, 0, submit=True)
    assert set(error.value.detail["fields"]) == {f"comment_{c.id}" for c in criteria}
    ops.save_review(a, a.juror.user, {c.id: 3 for c in criteria}, {c.id: "ok" for c in criteria}, 0, submit=True)


@pytest.mark.parametrize("allowed", [True, False])
def test_others_scores_only_after_submitting_and_if_allowed(app, login_as, allowed):
    setup = make_jury_setup(n_entries=2, n_jurors=3, jurors_see_others=allowed)
    criteria = setup["round"].criteria
    mine = [x for x in _assignments(setup["round"]) if x.submission_id == setup["submissions"][0].id]
    first, second = mine[0], mine[1]
    ops.save_review(second, second.juror.user, {c.id: 9 for c in criteria}, {"overall": "other"}, 0, submit=True)
    db.session.commit()
    client = login_as(first.juror.user)
    url = f"/jury/review/{first.public_id}"
    assert "Other jurors" not in client.get(url).get_data(as_text=True)
    client.post(url, data=_form(first, criteria, {c.id: 2 for c in criteria}, submit=True))
    html = client.get(url).get_data(as_text=True)
    assert ("Other jurors" in html) is allowed
    assert second.juror.user.name not in html.split("Other jurors")[-1] if allowed else True


# --- rounds, chair ---------------------------------------------------------------------------------

def _submit_all(rnd):
    criteria = rnd.criteria
    for i, a in enumerate(ops.active_assignments(rnd)):
        base = (a.submission_id * 3) % 11
        ops.save_review(a, a.juror.user, {c.id: min(10, base) for c in criteria}, {"overall": "ok"},
                        a.review.lock_version if a.review else 0, submit=True)
    db.session.commit()


def test_close_needs_all_reviews_or_a_decision_and_shortlist_top_n_after_confirmation(app, login_as):
    setup = make_jury_setup(n_entries=4, n_jurors=4)
    slug = setup["challenge"].slug
    client = login_as(setup["chair"])
    page = client.get(f"/jury/{slug}/rounds/1/close").get_data(as_text=True)
    assert "4 entries have fewer reviews than the round asks for" not in page  # said on the dashboard
    assert page.count('type="radio"') == 4 * 3
    response = client.post(f"/jury/{slug}/rounds/1/close", data={})
    assert response.status_code == 400 and "Choose what happens to this entry." in response.get_data(as_text=True)
    db.session.expire_all()
    assert setup["round"].state == "open"
    _submit_all(setup["round"])
    page = client.get(f"/jury/{slug}/rounds/1/close").get_data(as_text=True)
    assert "Every entry has the reviews the round asks for" in page and 'type="radio"' not in page
    state = re.search(r'name="close-state"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="close-state"', page)
    assert client.post(f"/jury/{slug}/rounds/1/close", data={"close-state": state.group(1)}).status_code == 302
    db.session.expire_all()
    assert setup["round"].state == "closed"
    rule = {"s1-rule": "top", "s1-top_n": "2", "s1-reviews_per_entry": "2", "s1-jurors": [str(j.id) for j in setup["jurors"]]}
    response = client.post(f"/jury/{slug}/rounds/1/shortlist", data=rule)
    assert response.status_code == 200 and "Who advances to round 2" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(Round).where(Round.number == 2)).first() is None  # nothing before confirming
    totals = ops.entry_totals(setup["round"])
    means = sorted(((sum(v) / len(v), sid) for sid, v in totals.items()), reverse=True)
    advancing = ",".join(str(sid) for _m, sid in means[:2])
    response = client.post(f"/jury/{slug}/rounds/1/shortlist", data={**rule, "s1-confirm": "1", "s1-advancing": advancing})
    assert response.status_code == 302
    second = db.session.execute(sa.select(Round).where(Round.number == 2)).scalar_one()
    assert len(second.entries) == 2 and second.reviews_per_entry == 2
    assert {e.submission_id for e in second.entries} == {sid for _m, sid in means[:2]}
    assert len(ops.active_assignments(second)) == 4
    assert _events("jury.shortlist") and _events("jury.round_close")


def test_override_and_exclude_need_a_justification(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    _submit_all(setup["round"])
    a = ops.active_assignments(setup["round"])[0]
    c = setup["round"].criteria[0]
    client = login_as(setup["chair"])
    url = f"/jury/{setup['challenge'].slug}/assignments/{a.public_id}/override"
    assert client.get(url).status_code == 200
    assert client.post(url, data={"criterion": str(c.id), "new_value": "3", "justification": ""}).status_code == 400
    assert client.post(url, data={"criterion": str(c.id), "new_value": "30", "justification": "typo"}).status_code == 400
    assert client.post(url, data={"criterion": str(c.id), "new_value": "3", "justification": "Typo confirmed by the juror."}).status_code == 302
    db.session.expire_all()
    o = db.session.execute(sa.select(ScoreOverride)).scalar_one()
    assert o.new_value == 3 and a.review.scores[str(c.id)] == 3 and _events("jury.override")
    entry = setup["round"].entries[0]
    response = client.post(f"/jury/{setup['challenge'].slug}/rounds/1/entries/{entry.id}/exclude", data={"x1-reason": ""})
    assert response.status_code == 400 and "Write a justification" in response.get_data(as_text=True)
    db.session.expire_all()
    assert entry.excluded_at is None
    client.post(f"/jury/{setup['challenge'].slug}/rounds/1/entries/{entry.id}/exclude", data={"x1-reason": "Ineligible: not an SME."})
    db.session.expire_all()
    assert entry.excluded_at is not None and _events("jury.exclude")


def test_dashboard_progress_flags_and_reminders(app, login_as, client_for, people):
    setup = make_jury_setup(host=people["ministry"], n_entries=3, n_jurors=4)
    rnd = setup["round"]
    criteria = rnd.criteria
    entry = setup["submissions"][0]
    on_entry = [a for a in ops.active_assignments(rnd) if a.submission_id == entry.id]
    ops.save_review(on_entry[0], on_entry[0].juror.user, {c.id: 0 for c in criteria}, {"overall": "weak"}, 0, submit=True)
    ops.save_review(on_entry[1], on_entry[1].juror.user, {c.id: 10 for c in criteria}, {"overall": "great"}, 0, submit=True)
    db.session.commit()
    html = login_as(setup["chair"]).get(f"/jury/{setup['challenge'].slug}/dashboard").get_data(as_text=True)
    assert "<progress" in html and "disagree strongly" in html
    host_html = client_for("officer").get(f"/jury/{setup['challenge'].slug}/dashboard").get_data(as_text=True)
    assert "<progress" in host_html and "Change a score" not in host_html
    response = login_as(setup["chair"]).post(f"/jury/{setup['challenge'].slug}/rounds/1/remind")
    assert response.status_code == 302
    jobs = db.session.execute(sa.select(OutboxJob).where(OutboxJob.function == "govchallenge.jury.jobs.send_reminder")).scalars().all()
    assert len(jobs) == 4  # every juror still has reviews to submit
    scheduled = db.session.execute(sa.select(OutboxJob).where(OutboxJob.function == "govchallenge.jury.jobs.remind_round")).scalars().all()
    assert len(scheduled) == 1 and scheduled[0].run_after > rnd.created_at
    from govchallenge.jury import jobs as jury_jobs

    assert jury_jobs.send_reminder(rnd.id, setup["jurors"][1].id) == "sent"
    # The round closes in a week: the scheduled reminder is not due yet (tests/jury/test_rounds.py sends it).
    assert jury_jobs.remind_round(rnd.id, rnd.closes_at.isoformat()) == "not due"


def test_dashboard_queries_do_not_grow_with_entries(app, login_as):
    from sqlalchemy import event

    counts = []
    for n in (3, 8):
        setup = make_jury_setup(n_entries=n, n_jurors=4)
        _submit_all(setup["round"])
        client = login_as(setup["chair"])
        seen = []

        def count(*args, **kwargs):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/jury/{setup['challenge'].slug}/dashboard").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        counts.append(len(seen))
    assert counts[1] <= counts[0] + 2, counts


# --- command line, demo --------------------------------------------------------------------------

def test_cli_assign(app):
    setup = make_jury_setup(n_entries=5, n_jurors=4, open_round=False)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jury", "assign", setup["challenge"].slug, "--reviews", "2"])
    assert result.exit_code == 0, result.output
    assert "conflicts broken: 0" in result.output and "entries: 5" in result.output
    result = runner.invoke(args=["jury", "assign", setup["challenge"].slug, "--json"])
    import json

    data = json.loads(result.output)
    assert data["reviews"] == [2, 2] and data["conflicts_broken"] == 0 and data["short"] == 0
    assert runner.invoke(args=["jury", "assign", "no-such-challenge"]).exit_code != 0


def test_demo_skips_missing_challenges(app):
    from govchallenge.jury.demo import add_demo

    add_demo({})
    assert db.session.execute(sa.select(Round)).first() is None


# --- permissions ---------------------------------------------------------------------------------

ROLES = ["anonymous", "admin", "officer", "member", "participant", "entrant", "juror", "other_juror", "chair"]


@pytest.fixture
def matrix(app, people, login_as):
    setup = make_jury_setup(host=people["ministry"], n_entries=3, n_jurors=4, reviews=1)
    target = _not_chair_assignment(setup)
    assigned = db.session.get(Juror, target.juror_id)
    other = next(j for j in setup["jurors"][1:] if j.id != assigned.id)
    ops.save_review(target, assigned.user, {c.id: 5 for c in setup["round"].criteria}, {"overall": "ok"}, 0)
    db.session.commit()
    users = dict(people)
    users.update({"entrant": setup["teams"][0].members[0].user, "juror": assigned.user, "other_juror": other.user,
                  "chair": setup["chair"]})

    def client(role):
        return app.test_client() if role == "anonymous" else login_as(users[role])

    return {"setup": setup, "target": target, "client": client, "slug": setup["challenge"].slug}


GET_RULES = [
    ("/jury/{slug}/members", {"admin", "officer", "chair"}),
    ("/jury/{slug}/dashboard", {"admin", "officer", "chair"}),
    ("/jury/{slug}/conflicts", {"chair"}),
    ("/jury/{slug}/declare", {"juror", "other_juror", "chair"}),
    ("/jury/{slug}/reviews", {"juror", "other_juror", "chair"}),
    ("/jury/{slug}/rounds/1/close", {"chair"}),
    ("/jury/review/{pid}", {"juror"}),
    ("/jury/{slug}/assignments/{pid}/override", {"chair"}),
    ("/jury/", {"admin", "officer", "member", "participant", "entrant", "juror", "other_juror", "chair"}),
]
POST_RULES = [
    ("/jury/review/{pid}", {"juror"}),
    ("/jury/{slug}/rounds/1/assign", {"chair"}),
    ("/jury/{slug}/rounds/1/remind", {"chair"}),
    ("/jury/{slug}/rounds/1/close", {"chair"}),
    ("/jury/{slug}/rounds/1/closing", {"chair"}),
    ("/jury/{slug}/rounds/1/shortlist", {"chair"}),
    ("/jury/{slug}/rounds/1/manual", {"chair"}),
    ("/jury/{slug}/rounds", {"chair"}),
    ("/jury/review/{pid}/recuse", {"juror"}),
    ("/jury/{slug}/members", {"admin", "officer"}),
    ("/jury/{slug}/members/{juror_id}/chair", {"admin", "officer"}),
    ("/jury/{slug}/rounds/1/entries/{entry_id}/exclude", {"chair"}),
    ("/jury/{slug}/assignments/{pid}/override", {"chair"}),
    ("/jury/{slug}/assignments/{pid}/reassign", {"chair"}),
    ("/jury/{slug}/declare", {"juror", "other_juror", "chair"}),
    ("/jury/{slug}/conflicts", {"chair"}),
]


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(matrix, role):
    client = matrix["client"](role)
    fmt = {"slug": matrix["slug"], "pid": matrix["target"].public_id, "juror_id": matrix["setup"]["jurors"][1].id,
           "entry_id": matrix["setup"]["round"].entries[0].id}
    for path, allowed in GET_RULES:
        status = client.get(path.format(**fmt)).status_code
        if role == "anonymous":
            assert status == 302, (path, status)
        else:
            assert (status == 200) == (role in allowed), (path, role, status)
            assert status in (200, 403), (path, role, status)
    # Guessed ids and slugs: 404, never a leak.
    if role != "anonymous":
        assert client.get("/jury/review/guessed-id-123").status_code == 404
        assert client.get("/jury/no-such-challenge/dashboard").status_code == 404
        # The entry has one file (the factory fills every optional field): the juror may fetch it, and gets 404 for
        # a file that does not exist; everyone else 403 for both.
        assert client.get(f"/jury/review/{matrix['target'].public_id}/files/0").status_code == (200 if role == "juror" else 403)
        assert client.get(f"/jury/review/{matrix['target'].public_id}/files/1").status_code == (404 if role == "juror" else 403)
    for path, allowed in POST_RULES:
        status = client.post(path.format(**fmt), data={}).status_code
        if role == "anonymous":
            assert status == 302, (path, status)
        elif role not in allowed:
            assert status == 403, (path, role, status)
        else:
            assert status in (302, 400), (path, role, status)


def test_team_never_sees_juror_identities_or_scores(matrix):
    client = matrix["client"]("entrant")
    for path in ("/jury/", ):
        html = client.get(path).get_data(as_text=True)
        for juror in matrix["setup"]["jurors"]:
            assert juror.email not in html


def test_an_entry_conflicted_after_assignment_is_hidden(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    a = _not_chair_assignment(setup)
    juror = db.session.get(Juror, a.juror_id)
    team = db.session.get(type(a.submission), a.submission_id).team
    # The juror's organisation becomes the team's, without any new declaration.
    juror.organisation_id = team.members[0].organisation_id
    db.session.commit()
    assert login_as(juror.user).get(f"/jury/review/{a.public_id}").status_code == 403


def test_challenge_page_panel_links_to_the_jury(app, login_as, people, client_for):
    setup = make_jury_setup(host=people["ministry"], n_entries=2, n_jurors=3)
    slug = setup["challenge"].slug
    html = login_as(setup["users"][1]).get(f"/challenges/{slug}").get_data(as_text=True)
    assert f"/jury/{slug}/reviews" in html
    assert f"/jury/{slug}/members" in client_for("officer").get(f"/challenges/{slug}").get_data(as_text=True)
    assert f"/jury/{slug}" not in client_for("participant").get(f"/challenges/{slug}").get_data(as_text=True)


def test_chair_reassigns_an_entry_within_the_rules(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=5)
    a = _not_chair_assignment(setup)
    response = login_as(setup["chair"]).post(f"/jury/{setup['challenge'].slug}/assignments/{a.public_id}/reassign")
    assert response.status_code == 302
    active = [x for x in _assignments(setup["round"]) if x.submission_id == a.submission_id and x.state == ACTIVE]
    assert len(active) == 3 and a.juror_id not in {x.juror_id for x in active}
