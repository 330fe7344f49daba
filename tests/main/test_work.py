""""Your work": a signed-in person's home lists what needs them now, by role; its queries do not grow with
the rows it lists; administrators see the number waiting for approval in the navigation and get an e-mail
when a challenge arrives for review."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from govchallenge.challenges import operations as challenge_ops
from govchallenge.challenges.models import IN_REVIEW
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jury.models import Assignment, Review, Round, RoundEntry
from tests.support import factories
from tests.support.jury_factories import make_juror
from tests.support.roles import build_world
from tests.support.queries import counting


@pytest.fixture
def world(app):
    world = build_world()
    rnd = db.session.execute(sa.select(Round).where(Round.challenge_id == world.challenge.id)).scalar_one()
    rnd.closes_at = utcnow() + timedelta(days=3)
    db.session.commit()
    return world


def _home(login_as, user):
    response = login_as(user).get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_anonymous_visitors_get_the_public_home(client):
    html = client.get("/").get_data(as_text=True)
    assert "Solve public challenges together" in html and "Your work" not in html


def test_someone_with_nothing_to_do_is_told_so(world, login_as):
    html = _home(login_as, world.users["outsider"])
    assert "<h1>Your work</h1>" in html and "Nothing needs you just now." in html


def test_an_officer_sees_drafts_and_challenges_in_review(world, login_as):
    html = _home(login_as, world.users["officer"])
    assert "Challenges you are writing" in html and f"/challenges/{world.draft.slug}" in html
    assert f"/challenges/{world.challenge.slug}\"" not in html  # approved and open: not authoring work
    assert "complete it and send it for review" in html
    world.draft.status = IN_REVIEW
    db.session.commit()
    assert "an administrator will review it" in _home(login_as, world.users["officer"])


def test_an_invited_officer_sees_the_invitation_to_co_host(world, login_as):
    html = _home(login_as, world.users["invited_officer"])
    assert "Invitations to co-host waiting for your answer" in html and f"/challenges/{world.challenge.slug}" in html


def test_an_admin_sees_challenges_awaiting_approval_and_their_count_in_the_navigation(world, login_as):
    html = _home(login_as, world.users["admin"])
    assert "await your approval" not in html and 'To approve <span class="count">0</span>' in html
    world.draft.status = IN_REVIEW
    db.session.commit()
    html = _home(login_as, world.users["admin"])
    assert "1 challenge awaits your approval" in html and f"/challenges/{world.draft.slug}" in html
    assert 'To approve <span class="count">1</span>' in html


def test_nobody_but_admins_sees_the_approval_count(world, login_as):
    world.draft.status = IN_REVIEW
    db.session.commit()
    for role in ("officer", "lead", "juror"):
        html = _home(login_as, world.users[role])
        assert "To approve" not in html and "await your approval" not in html


def test_entrants_see_their_teams_and_the_next_deadline_with_its_zone(world, login_as):
    world.challenge.timezone = "Europe/Athens"
    db.session.commit()
    html = _home(login_as, world.users["member"])
    assert "Your teams and their deadlines" in html and world.team.public_id in html
    assert "close on" in html and "challenge's time:" in html and ("EET" in html or "EEST" in html)


def test_a_team_whose_stages_closed_says_no_deadline_ahead(world, login_as):
    for stage in world.challenge.stages:
        stage.opens_at, stage.closes_at = utcnow() - timedelta(days=9), utcnow() - timedelta(days=2)
    db.session.commit()
    assert "no entry deadline ahead" in _home(login_as, world.users["lead"])


def test_jurors_see_pending_reviews_and_the_rounds_closing_moment(world, login_as):
    html = _home(login_as, world.users["juror"])
    assert "Reviews waiting for you" in html and "1 review to finish" in html and "The round closes on" in html
    db.session.add(Review(assignment_id=world.assignments["juror"].id, state="submitted", scores={}, comments={}))
    db.session.commit()
    assert "Reviews waiting for you" not in _home(login_as, world.users["juror"])


def test_a_draft_review_still_waits(world, login_as):
    db.session.add(Review(assignment_id=world.assignments["juror"].id, state="draft", scores={}, comments={}))
    db.session.commit()
    assert "1 review to finish" in _home(login_as, world.users["juror"])


def test_a_held_list_or_a_closed_round_shows_no_pending_review(world, login_as):
    world.jurors["juror"].list_held_since = utcnow()
    db.session.commit()
    assert "Reviews waiting for you" not in _home(login_as, world.users["juror"])


def test_chairs_see_rounds_to_close_and_when_their_moment_has_passed(world, login_as):
    html = _home(login_as, world.users["chair"])
    assert "Rounds you chair" in html and f"/jury/{world.challenge.slug}/dashboard" in html
    assert "its closing moment has passed" not in html
    rnd = db.session.execute(sa.select(Round)).scalar_one()
    rnd.closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert "its closing moment has passed: close it" in _home(login_as, world.users["chair"])
    assert "Rounds you chair" not in _home(login_as, world.users["juror"])
    rnd.state = "closed"
    db.session.commit()
    assert "Rounds you chair" not in _home(login_as, world.users["chair"])


def _more_work(world, n):
    """n more challenges where the chair sits on an open round with an entry to review, and n more teams of
    the lead, and n more drafts of the officer's body in review."""
    for _ in range(n):
        challenge = factories.make_challenge(host=world.lead_host, cohosts=[world.cohost])
        factories.make_team(challenge, [world.users["lead"], factories.make_user()])
        other = factories.make_team(challenge, [factories.make_user()])
        submission = factories.make_submission(other)
        juror = make_juror(challenge, world.users["chair"], is_chair=True)
        rnd = Round(challenge_id=challenge.id, number=1, name={}, state="open", closes_at=utcnow() + timedelta(days=1))
        db.session.add(rnd)
        db.session.flush()
        db.session.add(RoundEntry(round_id=rnd.id, submission_id=submission.id))
        db.session.add(Assignment(round_id=rnd.id, juror_id=juror.id, submission_id=submission.id, state="active"))
        draft = factories.make_challenge(host=world.lead_host, status=IN_REVIEW)
        assert draft
    db.session.commit()


@pytest.mark.single_db
@pytest.mark.parametrize("role", ["chair", "lead", "officer", "admin"])
def test_the_home_runs_as_many_queries_for_many_rows_as_for_few(world, login_as, role):
    world.draft.status = IN_REVIEW  # one of each already, so that every part shows in both counts
    db.session.commit()
    client = login_as(world.users[role])
    client.get("/")
    with counting() as few:
        assert client.get("/").status_code == 200
    _more_work(world, 4)
    with counting() as many:
        html = client.get("/").get_data(as_text=True)
    assert len(many) == len(few), (len(few), len(many))
    assert {"chair": "Rounds you chair", "lead": "Your teams", "officer": "Challenges you are writing",
            "admin": "challenges await your approval"}[role] in html


def test_sending_a_challenge_for_review_mails_every_admin_in_their_language(app, world):
    from govchallenge.accounts.models import User
    from govchallenge.challenges.jobs import email_admins_review_waiting
    from govchallenge.jobs.models import OutboxJob

    second = factories.make_user(admin=True)
    second.language = "pl"
    db.session.commit()
    challenge_ops.submit_for_review(world.users["officer"], world.draft)
    db.session.commit()
    jobs = db.session.execute(sa.select(OutboxJob.function, OutboxJob.args)).all()
    assert ("govchallenge.challenges.jobs.email_admins_review_waiting", [world.draft.id]) in [tuple(j) for j in jobs]
    mails = []
    import govchallenge.core.mail as mail

    original = mail.send
    mail.send = lambda outgoing: mails.append(outgoing) or "<id>"
    try:
        assert email_admins_review_waiting(world.draft.id) == "sent 2"
    finally:
        mail.send = original
    admins = db.session.execute(sa.select(User).where(User.is_admin.is_(True))).scalars().all()
    assert sorted(m.to for m in mails) == sorted(a.email for a in admins)
    english = next(m for m in mails if m.to == world.users["admin"].email)
    assert "awaits your approval" in english.subject and f"/challenges/{world.draft.slug}" in english.text
    assert "1 challenge waits for review in all." in english.text
    polish = next(m for m in mails if m.to == second.email)
    assert "awaits your approval" not in polish.subject


def test_no_mail_when_the_challenge_left_the_review_before_the_job_ran(app, world):
    from govchallenge.challenges.jobs import email_admins_review_waiting

    assert email_admins_review_waiting(world.draft.id) == "nothing to do"  # a draft, not in review
