"""The results operations' trail and refusals in detail: every step names who took it, each refusal carries
the values its message shows, and a retry touches only its own announcement. Written against the mutation
run of results/operations.py (each test fails when the rule it names is dropped or bent)."""
import pytest
import sqlalchemy as sa
import time_machine

from govchallenge.core.audit import events_for
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.results import operations
from govchallenge.results.models import FAILED, PENDING, SUPERSEDED, Announcement, Delivery, Publication
from tests.support import factories
from tests.support.results_factories import judged_challenge, publish


def refusal(call, *args, **kwargs):
    with pytest.raises(operations.ResultsError) as error:
        call(*args, **kwargs)
    return error.value.code, error.value.detail


def last(object_type, object_id):
    """(action, actor id, detail) of the newest event about the object."""
    event = events_for(object_type, object_id, limit=1)[0]
    return event.action, event.actor_id, event.detail


@pytest.fixture
def judged(app):
    return judged_challenge(entries=2, jurors=2, special="Best open data")


# --- proposing ----------------------------------------------------------------------------------------------

def test_a_proposal_names_its_chair_and_its_tie_break_criterion(judged):
    criterion = judged.challenge.criteria[1]
    publication = operations.propose(judged.challenge, judged.chair, priority_criterion_id=criterion.id)
    assert publication.full["priority_criterion"] == str(criterion.id)
    assert last("publication", publication.id)[:2] == ("results.proposed", judged.chair.id)


def test_an_operator_proposes_without_an_account(judged):
    publication = operations.propose(judged.challenge, None)
    assert publication.proposed_by_id is None
    assert last("publication", publication.id)[:2] == ("results.proposed", None)


def test_a_special_award_left_empty_does_not_drop_the_ones_after_it(judged):
    special = next(p for p in judged.challenge.prizes if p.place is None)
    place_prize = next(p for p in judged.challenge.prizes if p.place == 1)
    entry = judged.submissions[1].public_id
    publication = operations.propose(judged.challenge, judged.chair, special_awards={place_prize.id: "", special.id: entry})
    assert [a["entry"] for a in publication.full["awards"] if a["prize_id"] == special.id] == [entry]


# --- confirming and publishing ----------------------------------------------------------------------------------

def test_a_confirmation_records_its_officer_and_moment(judged):
    publication = operations.propose(judged.challenge, judged.chair)
    moment = utcnow().replace(microsecond=0)
    with time_machine.travel(moment, tick=False):
        operations.confirm(publication, judged.officer)
    [confirmation] = publication.confirmations
    assert (confirmation.confirmed_by_id, confirmation.confirmed_at) == (judged.officer.id, moment)
    assert last("publication", publication.id)[:2] == ("results.confirmed", judged.officer.id)


def test_publishing_names_the_officer_who_confirmed_last_in_the_trail(judged):
    publication = publish(judged)
    assert last("publication", publication.id)[:2] == ("results.published", judged.cohost_officer.id)
    assert last("challenge", judged.challenge.id)[:2] == ("challenge.status_changed", judged.cohost_officer.id)


def test_publishing_before_every_host_confirmed_names_the_hosts_awaited(judged):
    publication = operations.propose(judged.challenge, judged.chair)
    operations.confirm(publication, judged.officer)
    cohost = judged.challenge.hosts[1].organisation_id
    assert refusal(operations.publish, publication, judged.chair) == ("hosts_missing", {"organisations": [cohost]})


# --- contests ------------------------------------------------------------------------------------------------

def test_a_contest_refusal_names_the_slug(app):
    challenge = factories.make_challenge()
    assert refusal(operations.create_contest, None, {"en": "C"}, [challenge], None) == ("bad_contest_slug", {"slug": ""})
    assert refusal(operations.create_contest, " Bad ", {"en": "C"}, [challenge], None) == ("bad_contest_slug", {"slug": "Bad"})
    operations.create_contest("taken", {"en": "C"}, [challenge], None)
    assert refusal(operations.create_contest, "taken", {"en": "C"}, [challenge], None) == ("contest_exists", {"slug": "taken"})


def test_a_contest_names_its_creator(app):
    actor = factories.make_user()
    contest = operations.create_contest("named", {"en": "C"}, [factories.make_challenge()], actor)
    assert last("contest", contest.id)[:2] == ("results.contest_created", actor.id)


@pytest.fixture
def contest(app):
    challenge = factories.make_challenge(domain="health")
    entry = factories.make_submission(factories.make_team(challenge))
    return operations.create_contest("contest", {"en": "Contest"}, [challenge], None), entry


def test_a_contest_award_refusal_names_its_values(contest):
    made, entry = contest
    give = operations.give_contest_award
    assert refusal(give, made, entry, {"en": "A"}, None, domain="space") == ("unknown_domain", {"domain": "space"})
    assert refusal(give, made, entry, {"en": "A"}, None, place=0) == ("bad_place", {"place": 0})
    assert refusal(give, made, entry, {"en": "A"}, None, domain="mobility") == (
        "wrong_domain", {"domain": "mobility", "challenge_domain": "health"})


def test_a_contest_award_without_a_reason_has_an_empty_one_and_names_its_giver(contest):
    made, entry = contest
    actor = factories.make_user()
    award = operations.give_contest_award(made, entry, {"en": "Overall"}, actor)
    assert award.reason == ""
    assert last("award", award.id) == ("results.contest_award", actor.id, {"contest": "contest", "domain": None})


# --- retried deliveries ---------------------------------------------------------------------------------------

def test_a_retry_touches_only_its_own_announcement_and_names_who_asked(judged):
    publication = publish(judged)
    announcement = db.session.execute(sa.select(Announcement)).scalar_one()
    older = Publication(challenge=judged.challenge, state=SUPERSEDED, full={}, chair_decisions=[])
    db.session.add(older)
    db.session.flush()
    other = Announcement(publication_id=older.id)
    db.session.add(other)
    db.session.flush()
    mine, theirs = (Delivery(announcement_id=a.id, channel="email", recipient_key="user:1", state=FAILED, attempts=5,
                             next_attempt_at=publication.published_at) for a in (announcement, other))
    db.session.add_all([mine, theirs])
    db.session.flush()
    actor = factories.make_user()
    assert operations.retry_failed(announcement, actor) == 1
    db.session.expire_all()
    assert (mine.state, theirs.state, theirs.attempts) == (PENDING, FAILED, 5)
    assert last("announcement", announcement.id) == ("results.announcement_retry_failed", actor.id, {"retried": 1})
