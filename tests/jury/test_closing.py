"""No entry vanishes: a round closes only with a decision for each entry short of reviews (reassign, extend
for that entry, or exclude with a reason its team is told), the shortlist is confirmed on a page that shows who
advances, and the team's e-mail says truthfully why its entry has no place."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from govchallenge.core.audit import AuditEvent
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs.relay import relay_committed
from govchallenge.jury import operations as ops
from govchallenge.jury.models import ACTIVE, EXCLUSION_KINDS, RECUSED, Assignment, Round, RoundEntry, round_label
from tests.support import factories
from tests.support.jury_factories import make_jury_setup
from tests.support.results_factories import judged_challenge, publish


def _events(action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def _html(response):
    return response.get_data(as_text=True)


def _submit(a, score=6):
    ops.save_review(a, a.juror.user, {c.id: score for c in a.round.criteria}, {"overall": "ok"},
                    a.review.lock_version if a.review else 0, submit=True)


def _all_but(setup, entry_index):
    """Every review submitted except those of entry `entry_index`: that entry alone is short."""
    rnd = setup["round"]
    left = setup["submissions"][entry_index].id
    for a in ops.active_assignments(rnd):
        if a.submission_id != left:
            _submit(a)
    db.session.commit()
    return next(e for e in rnd.entries if e.submission_id == left)


def _state(page):
    return (re.search(r'name="close-state"[^>]*value="([^"]*)"', page) or re.search(r'value="([^"]*)"[^>]*name="close-state"', page)).group(1)


def _moment(delta):
    return (utcnow() + delta).strftime("%Y-%m-%dT%H:%M")


def _close_url(setup):
    return f"/jury/{setup['challenge'].slug}/rounds/1/close"


# --- the rule ------------------------------------------------------------------------------------------

def test_a_round_with_an_unreviewed_entry_cannot_close_without_a_decision(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    entry = _all_but(setup, 2)
    rnd = setup["round"]
    assert [(e.id, done) for e, done in ops.short_entries(rnd)] == [(entry.id, 0)]
    with pytest.raises(ops.JuryError) as error:
        ops.close_round(rnd, setup["chair"])
    assert error.value.code == "decision_missing" and error.value.detail["entries"] == [entry.id]
    assert error.value.detail["count"] == 1
    assert rnd.state == "open"
    # One review short is short too.
    a = next(a for a in ops.active_assignments(rnd) if a.submission_id == entry.submission_id)
    _submit(a)
    assert [(e.id, done) for e, done in ops.short_entries(rnd)] == [(entry.id, 1)]
    for a in ops.active_assignments(rnd):
        if not a.is_submitted:
            _submit(a)
    assert ops.short_entries(rnd) == []
    outcome = ops.close_round(rnd, setup["chair"])
    assert outcome.closed and rnd.state == "closed" and outcome.excluded == [] and outcome.extended == []


@pytest.mark.parametrize("decision, code", [
    (ops.EntryDecision("exclude", kind="reviews_late", reason="  "), "exclusion_reason"),
    (ops.EntryDecision("exclude", kind="reviews_late", reason=None), "exclusion_reason"),
    (ops.EntryDecision("exclude", kind="", reason="Late"), "exclusion_kind"),
    (ops.EntryDecision("exclude", kind="made_up", reason="Late"), "exclusion_kind"),
    (ops.EntryDecision("extend"), "extension_missing"),
    (ops.EntryDecision("reassign"), "extension_missing"),
    (ops.EntryDecision("extend", until="past"), "extension_past"),
    (ops.EntryDecision("reassign", until="far"), "extension_far"),
    (ops.EntryDecision("postpone", until="soon"), "decision_missing"),
])
def test_each_decision_is_checked_and_a_bad_one_changes_nothing(app, decision, code):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    short = _all_but(setup, 0)
    rnd = setup["round"]
    moments = {"past": utcnow() - timedelta(minutes=1), "far": utcnow() + ops.MAX_EXTENSION + timedelta(hours=1),
               "soon": utcnow() + timedelta(days=1)}
    decision = ops.EntryDecision(decision.action, moments.get(decision.until), decision.kind, decision.reason)
    with pytest.raises(ops.JuryError) as error:
        ops.close_round(rnd, setup["chair"], {short.id: decision})
    assert error.value.code == code and error.value.detail["entry"] == short.id
    db.session.rollback()
    db.session.expire_all()
    entry = db.session.get(RoundEntry, short.id)
    assert entry.excluded_at is None and entry.review_until is None and rnd.state == "open"


def test_an_extension_may_reach_the_limit_but_not_beyond(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    short = _all_but(setup, 0)
    until = utcnow() + ops.MAX_EXTENSION - timedelta(minutes=1)
    outcome = ops.close_round(setup["round"], setup["chair"], {short.id: ops.EntryDecision("extend", until)})
    assert not outcome.closed and short.review_until == until


def test_an_extension_ending_exactly_now_is_refused_and_one_exactly_at_the_limit_accepted(app, monkeypatch):
    from govchallenge.jury import closing

    setup = make_jury_setup(n_entries=3, n_jurors=4)
    short = _all_but(setup, 0)
    now = utcnow().replace(microsecond=0)
    monkeypatch.setattr(closing, "utcnow", lambda: now)
    with pytest.raises(ops.JuryError) as error:
        ops.close_round(setup["round"], setup["chair"], {short.id: ops.EntryDecision("extend", now)})
    assert error.value.code == "extension_past"
    db.session.rollback()
    limit = now + ops.MAX_EXTENSION
    outcome = ops.close_round(setup["round"], setup["chair"], {short.id: ops.EntryDecision("extend", limit)})
    assert not outcome.closed and short.review_until == limit


def test_excluding_stores_the_kind_and_reason_audits_them_and_closes(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    short = _all_but(setup, 1)
    rnd = setup["round"]
    outcome = ops.close_round(rnd, setup["chair"], {short.id: ops.EntryDecision(
        "exclude", kind="no_reviewer", reason="  Every juror knows this team.  ")})
    assert outcome.closed and outcome.excluded == [short]
    assert short.excluded_at is not None and short.exclusion_kind == "no_reviewer"
    assert short.exclusion_reason == "Every juror knows this team." and short.not_reviewed
    event = _events("jury.exclude")[-1]
    assert event.detail == {"round_id": rnd.id, "submission_id": short.submission_id, "kind": "no_reviewer",
                            "reason": "Every juror knows this team."}
    assert _events("jury.round_close")[-1].detail["excluded"] == [short.submission_id]
    assert rnd.state == "closed" and rnd.closed_by_id == setup["chair"].id


def test_an_entry_excluded_for_another_reason_is_not_said_to_be_unreviewed(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    short = _all_but(setup, 1)
    ops.close_round(setup["round"], setup["chair"], {short.id: ops.EntryDecision("exclude", kind="other", reason="Ineligible.")})
    assert short.excluded_at is not None and not short.not_reviewed
    with force_locale("en"):
        assert str(short.exclusion_kind_label) == str(EXCLUSION_KINDS["other"]) == "the chair excluded it"
    free = setup["round"].entries[0]
    assert not free.not_reviewed  # never excluded


def test_extending_keeps_the_round_open_for_that_entry_alone(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    short = _all_but(setup, 2)
    rnd = setup["round"]
    until = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    before = utcnow()
    outcome = ops.close_round(rnd, setup["chair"], {short.id: ops.EntryDecision("extend", until)})
    db.session.commit()
    assert not outcome.closed and outcome.extended == [(short, until)]
    assert rnd.state == "open" and before <= rnd.closes_at <= utcnow()  # the other entries lock now
    assert short.review_until == until and ops.review_deadline(rnd, short.submission_id) == until
    assert _events("jury.extend")[-1].detail["until"] == until.isoformat()
    done = next(a for a in ops.active_assignments(rnd) if a.submission_id != short.submission_id)
    with pytest.raises(ops.JuryError) as error:
        _submit(done, score=2)
    assert error.value.code == "round_closed"
    db.session.rollback()
    late = [a for a in ops.active_assignments(rnd) if a.submission_id == short.submission_id]
    page = _html(login_as(late[0].juror.user).get(f"/jury/review/{late[0].public_id}"))
    assert "Submit review" in page and until.strftime("%Y") in page
    # The juror's list shows the entry's own deadline, not the round's.
    listed = _html(login_as(late[0].juror.user).get(f"/jury/{setup['challenge'].slug}/reviews"))
    assert f'datetime="{until.isoformat(timespec="seconds")}"' in listed
    for a in late:
        _submit(a)
    db.session.commit()
    assert ops.short_entries(rnd) == [] and ops.close_round(rnd, setup["chair"]).closed
    # After the extension, the entry's reviews lock too.
    assert not ops.reviews_open(rnd, short.submission_id, now=until + timedelta(minutes=1))


def test_the_extension_is_shown_with_its_time_zone(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    short = _all_but(setup, 0)
    until = utcnow() + timedelta(days=2)
    ops.close_round(setup["round"], setup["chair"], {short.id: ops.EntryDecision("extend", until)})
    db.session.commit()
    client = login_as(setup["chair"])
    dashboard = _html(client.get(f"/jury/{setup['challenge'].slug}/dashboard"))
    row = dashboard.split(short.submission.title)[1].split("</tr>")[0]
    assert "reviews until" in row and "UTC" in row
    page = _html(client.get(_close_url(setup)))
    assert "reviews until" in page and "UTC" in page


def test_reassigning_moves_the_late_reviews_to_other_jurors(app):
    setup = make_jury_setup(n_entries=3, n_jurors=6)
    short = _all_but(setup, 1)
    rnd = setup["round"]
    late = {a.id: a.juror_id for a in ops.active_assignments(rnd) if a.submission_id == short.submission_id}
    until = utcnow() + timedelta(days=5)
    outcome = ops.close_round(rnd, setup["chair"], {short.id: ops.EntryDecision("reassign", until)})
    db.session.commit()
    assert not outcome.closed and short.review_until == until
    for assignment_id in late:
        row = db.session.get(Assignment, assignment_id)
        assert row.state == RECUSED and row.recusal_reason == "reassigned by the chair at closing"
    now_on = [a for a in ops.active_assignments(rnd) if a.submission_id == short.submission_id]
    assert len(now_on) == 3 and not {a.id for a in now_on} & set(late)
    assert not {a.juror_id for a in now_on} & set(late.values())  # six jurors: three others take it
    assert _events("jury.extend")[-1].detail["reassigned"] == [db.session.get(Assignment, i).public_id for i in late]


def test_a_submitted_review_is_never_moved_by_a_reassignment(app):
    setup = make_jury_setup(n_entries=3, n_jurors=5)
    short = _all_but(setup, 1)
    rnd = setup["round"]
    first = next(a for a in ops.active_assignments(rnd) if a.submission_id == short.submission_id)
    _submit(first)
    ops.close_round(rnd, setup["chair"], {short.id: ops.EntryDecision("reassign", utcnow() + timedelta(days=2))})
    assert db.session.get(Assignment, first.id).state == ACTIVE


def test_a_conflicted_chair_cannot_exclude_at_closing_but_can_extend(app):
    setup = make_jury_setup(n_entries=3, n_jurors=5)
    short = _all_but(setup, 0)
    chair_juror = setup["jurors"][0]
    chair_juror.organisation_id = short.submission.team.members[0].organisation_id
    db.session.commit()
    with pytest.raises(ops.JuryError) as error:
        ops.close_round(setup["round"], setup["chair"], {short.id: ops.EntryDecision("exclude", kind="other", reason="x")})
    assert error.value.code == "chair_conflict"
    db.session.rollback()
    outcome = ops.close_round(setup["round"], setup["chair"], {short.id: ops.EntryDecision("extend", utcnow() + timedelta(days=1))})
    assert not outcome.closed


def test_a_decision_on_an_old_picture_is_refused(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    short = _all_but(setup, 0)
    rnd = setup["round"]
    state = ops.closing_state(rnd, ops.short_entries(rnd))
    assert ops.closing_state(rnd, ops.short_entries(rnd)) == state  # the same picture, the same state
    a = next(a for a in ops.active_assignments(rnd) if a.submission_id == short.submission_id)
    _submit(a)  # a review arrives meanwhile
    exclude = {short.id: ops.EntryDecision("exclude", kind="reviews_late", reason="Late")}
    with pytest.raises(ops.JuryError) as error:
        ops.close_round(rnd, setup["chair"], exclude, state=state)
    assert error.value.code == "close_stale"
    db.session.rollback()
    # A decision for an entry that is not short any more (or never was) is stale too.
    other = next(e for e in rnd.entries if e.id != short.id)
    with pytest.raises(ops.JuryError) as error:
        ops.close_round(rnd, setup["chair"], {**exclude, other.id: exclude[short.id]})
    assert error.value.code == "close_stale"
    db.session.rollback()
    # An extension given elsewhere changes the picture as well.
    state = ops.closing_state(rnd, ops.short_entries(rnd))
    short.review_until = utcnow() + timedelta(days=1)
    assert ops.closing_state(rnd, ops.short_entries(rnd)) != state


def test_each_closing_decision_is_in_the_audit_trail_with_who_which_entry_and_what(app):
    """The trail of a closing: who excluded or extended which entry, the extension before and after, the reviews
    reassigned; the assignments moved away carry the moment they moved."""
    setup = make_jury_setup(n_entries=4, n_jurors=6)
    rnd, chair = setup["round"], setup["chair"]
    late_ids = {setup["submissions"][0].id, setup["submissions"][1].id}
    for a in ops.active_assignments(rnd):
        if a.submission_id not in late_ids:
            _submit(a)
    db.session.commit()
    extended, excluded = (next(e for e in rnd.entries if e.submission_id == s.id) for s in setup["submissions"][:2])
    first = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    ops.close_round(rnd, chair, {extended.id: ops.EntryDecision("extend", first),
                                 excluded.id: ops.EntryDecision("exclude", kind="reviews_late", reason=" Late. ")})
    event = _events("jury.exclude")[-1]
    assert (event.actor_id, event.object_id) == (chair.id, str(excluded.id)) and event.object_type
    assert event.detail == {"round_id": rnd.id, "submission_id": excluded.submission_id, "kind": "reviews_late",
                            "reason": "Late."}
    event = _events("jury.extend")[-1]
    assert (event.actor_id, event.object_id, event.object_type) == (chair.id, str(extended.id), _events("jury.exclude")[-1].object_type)
    assert event.detail == {"round_id": rnd.id, "submission_id": extended.submission_id, "until": first.isoformat(),
                            "before": None, "reassigned": None}
    late = [a for a in ops.active_assignments(rnd) if a.submission_id == extended.submission_id]
    second = first + timedelta(days=1)
    before = utcnow()
    ops.close_round(rnd, chair, {extended.id: ops.EntryDecision("reassign", second)})
    event = _events("jury.extend")[-1]
    assert event.actor_id == chair.id and event.object_id == str(extended.id)
    assert event.detail == {"round_id": rnd.id, "submission_id": extended.submission_id, "until": second.isoformat(),
                            "before": first.isoformat(), "reassigned": [a.public_id for a in late]}
    for a in late:
        moved = db.session.get(Assignment, a.id)
        assert moved.state == RECUSED and moved.recused_at is not None and before <= moved.recused_at <= utcnow()


# --- the close form -----------------------------------------------------------------------------------

def test_the_close_form_lists_the_entries_concerned_and_asks_for_each(app, login_as):
    setup = make_jury_setup(n_entries=4, n_jurors=4)
    short = _all_but(setup, 3)
    client = login_as(setup["chair"])
    slug = setup["challenge"].slug
    dashboard = _html(client.get(f"/jury/{slug}/dashboard"))
    assert "1 entry has fewer reviews than the round asks for" in dashboard and "Reason (optional)" not in dashboard
    page = _html(client.get(_close_url(setup)))
    assert "It closes only when every entry has them, or your decision" in page
    assert short.submission.title in page and "0 of 3 reviews" in page
    for title in (s.title for s in setup["submissions"][:3]):
        assert title not in page
    assert page.count('type="radio"') == 3
    for label in ("Reassign its missing reviews", "Extend the round for this entry", "Exclude it from the ranking"):
        assert label in page
    assert "its team is told it was not reviewed and why" in page
    for kind in EXCLUSION_KINDS:
        assert _kind_in("en", kind) in page

    # No decision, an empty reason, a moment missing: each said on its field, nothing changed.
    state = _state(page)
    prefix = f"close-{{}}_{short.id}"
    for data, message in (
        ({}, "Choose what happens to this entry."),
        ({prefix.format("decision"): "exclude", prefix.format("kind"): "reviews_late", prefix.format("reason"): ""},
         "Write the reason the entry is excluded: its team is told."),
        ({prefix.format("decision"): "exclude", prefix.format("reason"): "Late"}, "Choose why the entry is excluded."),
        ({prefix.format("decision"): "extend", prefix.format("until"): ""}, "Give the moment until which its reviews may be submitted."),
        ({prefix.format("decision"): "extend", prefix.format("until"): _moment(-timedelta(hours=2))}, "The extension must end in the future."),
        ({prefix.format("decision"): "extend", prefix.format("until"): _moment(timedelta(days=400))}, "An extension may reach at most 60 days ahead."),
        ({prefix.format("decision"): "reassign", prefix.format("until"): "3000-01-01T10:00"}, "Give a date between the years"),
    ):
        response = client.post(_close_url(setup), data={"close-state": state, **data})
        assert response.status_code == 400 and message in _html(response), message
        assert "Late" in _html(response) if data.get(prefix.format("reason")) == "Late" else True
    db.session.expire_all()
    assert db.session.get(RoundEntry, short.id).excluded_at is None and setup["round"].state == "open"

    # Another change meanwhile: refused as stale, the page shows the list as it is now.
    response = client.post(_close_url(setup), data={"close-state": "0" * 20, prefix.format("decision"): "exclude",
                                                    prefix.format("kind"): "reviews_late", prefix.format("reason"): "Late"})
    assert response.status_code == 409 and "The round changed since you opened this page" in _html(response)
    assert _state(_html(response)) == state and re.search(r">\s*Late</textarea>", _html(response))  # what the chair wrote is kept

    response = client.post(_close_url(setup), data={"close-state": state, prefix.format("decision"): "exclude",
                                                    prefix.format("kind"): "reviews_late",
                                                    prefix.format("reason"): "Two jurors fell ill."})
    assert response.status_code == 302
    db.session.expire_all()
    entry = db.session.get(RoundEntry, short.id)
    assert entry.exclusion_reason == "Two jurors fell ill." and entry.exclusion_kind == "reviews_late"
    assert db.session.get(Round, setup["round"].id).state == "closed"


def test_extending_through_the_form_says_the_round_stays_open(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    short = _all_but(setup, 0)
    client = login_as(setup["chair"])
    state = _state(_html(client.get(_close_url(setup))))
    response = client.post(_close_url(setup), data={"close-state": state, f"close-decision_{short.id}": "extend",
                                                    f"close-until_{short.id}": _moment(timedelta(days=2))},
                           follow_redirects=True)
    assert "The round stays open for 1 entry until its new moment" in _html(response)
    db.session.expire_all()
    assert db.session.get(RoundEntry, short.id).review_until is not None


@pytest.mark.parametrize("role", ["juror", "host", "entrant", "anonymous"])
def test_only_the_chair_reaches_the_close_form(app, login_as, people, role):
    setup = make_jury_setup(host=people["ministry"], n_entries=3, n_jurors=4)
    short = _all_but(setup, 0)
    users = {"juror": setup["users"][1], "host": people["officer"], "entrant": setup["teams"][0].members[0].user}
    client = app.test_client() if role == "anonymous" else login_as(users[role])
    data = {f"close-decision_{short.id}": "exclude", f"close-kind_{short.id}": "other", f"close-reason_{short.id}": "x"}
    for response in (client.get(_close_url(setup)), client.post(_close_url(setup), data=data)):
        assert response.status_code in ((302, 401) if role == "anonymous" else (403,))
    db.session.expire_all()
    assert db.session.get(RoundEntry, short.id).excluded_at is None


def test_the_close_form_of_a_closed_round_sends_back_to_the_dashboard(app, login_as):
    setup = make_jury_setup(n_entries=3, n_jurors=4)
    for a in ops.active_assignments(setup["round"]):
        _submit(a)
    ops.close_round(setup["round"], setup["chair"])
    db.session.commit()
    response = login_as(setup["chair"]).get(_close_url(setup), follow_redirects=True)
    assert "The round is closed" in _html(response)


# --- the shortlist asks for confirmation --------------------------------------------------------------

def test_the_shortlist_shows_who_advances_and_who_does_not_before_it_is_applied(app, login_as):
    setup = make_jury_setup(n_entries=4, n_jurors=4)
    rnd = setup["round"]
    best = {setup["submissions"][1].id: 9, setup["submissions"][3].id: 8}
    for a in ops.active_assignments(rnd):
        _submit(a, score=best.get(a.submission_id, 2))
    ops.close_round(rnd, setup["chair"])
    db.session.commit()
    client = login_as(setup["chair"])
    url = f"/jury/{setup['challenge'].slug}/rounds/1/shortlist"
    rule = {"s1-rule": "top", "s1-top_n": "2", "s1-reviews_per_entry": "2", "s1-jurors": [str(j.id) for j in setup["jurors"]]}
    page = _html(client.post(url, data=rule))
    advance, stay = page.split("<caption>2 entries advance")[1].split("<caption>2 entries do not advance")
    for s in setup["submissions"]:
        assert (s.title in advance) is (s.id in best) and (s.title in stay) is (s.id not in best)
    assert "Confirm and open round 2" in page
    assert db.session.execute(sa.select(Round).where(Round.number == 2)).first() is None
    # The scores change before the confirmation: refused, nothing opened.
    response = client.post(url, data={**rule, "s1-confirm": "1", "s1-advancing": str(setup["submissions"][0].id)})
    assert response.status_code == 409 and "The scores changed since you saw who advances" in _html(response)
    assert db.session.execute(sa.select(Round).where(Round.number == 2)).first() is None
    advancing = re.search(r'name="s1-advancing" value="([^"]*)"', page).group(1)
    assert client.post(url, data={**rule, "s1-confirm": "1", "s1-advancing": advancing}).status_code == 302
    second = db.session.execute(sa.select(Round).where(Round.number == 2)).scalar_one()
    assert {e.submission_id for e in second.entries} == set(best)
    # The rule asked again: round 2 exists, refused on the first step already.
    response = client.post(url, data=rule)
    assert response.status_code == 409


# --- the team's e-mail says what happened -------------------------------------------------------------

NOT_REVIEWED = 'Your entry "%(entry)s" was not reviewed in full in %(round)s because %(why)s, so it has no place.'
EXCLUDED = 'Your entry "%(entry)s" was excluded from the judging in %(round)s, so it has no place.'
REASON = "The chair's reason: %(reason)s"


def _in(language, text, **values):
    with force_locale(language):
        return gettext(text, **{k: str(v) for k, v in values.items()})


def test_the_team_of_an_unreviewed_entry_is_told_why_in_its_language(mail_app, smtp):
    people = [factories.make_user(language=language) for language in ("en", "pl", "el", "fr")]
    judged = judged_challenge(entries=4, members=[[p] for p in people], round_state="open")
    rnd = judged.round
    unreviewed, other = judged.submissions[1], judged.submissions[3]
    for review in judged.reviews:
        if review.assignment_id and db.session.get(Assignment, review.assignment_id).submission_id == unreviewed.id:
            review.state, review.submitted_at = "draft", None
    db.session.commit()
    with pytest.raises(ops.JuryError):
        ops.close_round(rnd, judged.chair)  # not without a decision
    db.session.rollback()
    short = {e.submission_id: e for e, _done in ops.short_entries(rnd)}
    assert set(short) == {unreviewed.id}
    # The other entry is excluded for another reason by the chair on the dashboard.
    ops.exclude_entry(next(e for e in rnd.entries if e.submission_id == other.id), "Submitted by a host's employee.", judged.chair)
    ops.close_round(rnd, judged.chair, {short[unreviewed.id].id: ops.EntryDecision(
        "exclude", kind="no_reviewer", reason="Every juror declared a conflict with this team.")})
    publish(judged)
    db.session.commit()
    relay_committed()
    polish = smtp.to(people[1].email)
    assert len(polish) == 1
    sentence = _in("pl", NOT_REVIEWED, entry=unreviewed.title, round=_label_in("pl", 1),
                   why=_kind_in("pl", "no_reviewer"))
    assert sentence in polish[0].text and _kind_in("pl", "no_reviewer") in polish[0].html
    assert _in("pl", REASON, reason="Every juror declared a conflict with this team.") in polish[0].text
    assert _in("pl", "Your entry did not reach the final round of judging.") not in polish[0].text
    assert sentence != NOT_REVIEWED % {"entry": unreviewed.title, "round": "Round 1", "why": _kind_in("en", "no_reviewer")}
    french = smtp.to(people[3].email)[0]
    assert _in("fr", EXCLUDED, entry=other.title, round=_label_in("fr", 1)) in french.text
    assert _in("fr", REASON, reason="Submitted by a host's employee.") in french.text
    assert "not reviewed" not in french.text and _in("fr", "Your entry did not reach the final round of judging.") not in french.text
    english = smtp.to(people[0].email)[0]
    assert "placed 1 of 2" in english.text


def _label_in(language, number):
    with force_locale(language):
        return str(round_label(number))


def _kind_in(language, kind):
    with force_locale(language):
        return str(EXCLUSION_KINDS[kind])
