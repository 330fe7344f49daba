"""The results operations' rules, called directly: who confirms, when publishing happens and what it
leaves, the chair's proposal and its checks, contests and their awards, webhooks and retried deliveries."""
import pytest
import sqlalchemy as sa

from govchallenge.challenges.models import ACCEPTED, INVITED, ChallengeHost
from govchallenge.core.audit import events_for
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.organisations.models import MEMBER, Membership
from govchallenge.results import operations
from govchallenge.results.models import (
    FAILED, PENDING, PROPOSED, PUBLISHED, SENT, SUPERSEDED, Announcement, Award, Delivery, Publication,
)
from tests.support import factories
from tests.support.results_factories import judged_challenge, publish


def refused(code, call, *args, **kwargs):
    with pytest.raises(operations.ResultsError) as error:
        call(*args, **kwargs)
    assert error.value.code == code
    return error.value


def announce_jobs():
    db.session.flush()
    return db.session.execute(
        sa.select(OutboxJob.args, OutboxJob.max_attempts).where(OutboxJob.function == operations.ANNOUNCE_JOB)
        .order_by(OutboxJob.id)
    ).all()


def last_event(object_type, object_id):
    event = events_for(object_type, object_id, limit=1)[0]
    return event.action, event.detail


@pytest.fixture
def judged(app):
    return judged_challenge(entries=2, jurors=2, special="Best open data")


# --- proposing --------------------------------------------------------------------------------------------

def test_a_proposal_records_the_chairs_choices_and_replaces_an_unconfirmed_one(judged):
    challenge = judged.challenge
    first = operations.propose(challenge, judged.chair)
    criterion = challenge.criteria[1]
    ids = [s.public_id for s in judged.submissions]
    second = operations.propose(challenge, judged.chair, priority_criterion_id=criterion.id,
                                chair_decisions=[{"order": [], "reason": ""}, {"order": ids, "reason": "  Pilot  "}])
    assert first.state == SUPERSEDED and second.state == PROPOSED
    assert (second.proposed_by_id, second.priority_criterion_id) == (judged.chair.id, criterion.id)
    assert second.chair_decisions == [{"order": ids, "reason": "Pilot"}]
    assert second.proposed_at is not None and second.full["entries"]
    assert last_event("publication", second.id) == ("results.proposed", {"challenge": challenge.slug, "unresolved_ties": 0})


def test_the_tie_break_criterion_must_be_one_of_the_final_round(judged):
    refused("bad_priority_criterion", operations.propose, judged.challenge, judged.chair,
            priority_criterion_id=factories.make_challenge().criteria[0].id)


def test_the_previous_tie_break_criterion_is_the_latest_proposals(judged):
    criteria = judged.challenge.criteria
    assert operations.previous_priority_criterion(judged.challenge, criteria) is None
    operations.propose(judged.challenge, judged.chair, priority_criterion_id=criteria[0].id)
    db.session.flush()
    operations.propose(judged.challenge, judged.chair, priority_criterion_id=criteria[2].id)
    db.session.flush()
    assert operations.previous_priority_criterion(judged.challenge, criteria) == criteria[2].id
    assert operations.previous_priority_criterion(judged.challenge, criteria[:2]) is None


def test_a_special_award_goes_to_an_entry_of_the_challenge_under_a_prize_without_place(judged):
    special = next(p for p in judged.challenge.prizes if p.place is None)
    place_prize = next(p for p in judged.challenge.prizes if p.place == 1)
    entry = judged.submissions[1].public_id
    refused("bad_special_award", operations.propose, judged.challenge, judged.chair, special_awards={place_prize.id: entry})
    refused("bad_special_award", operations.propose, judged.challenge, judged.chair, special_awards={special.id: "nope"})
    publication = operations.propose(judged.challenge, judged.chair, special_awards={special.id: entry, place_prize.id: ""})
    assert [a["entry"] for a in publication.full["awards"] if a["prize_id"] == special.id] == [entry]


def test_nothing_is_proposed_after_publication(judged):
    publish(judged)
    refused("already_published", operations.propose, judged.challenge, judged.chair)


# --- confirming and publishing ---------------------------------------------------------------------------------

def test_only_accepted_hosts_confirm_and_are_awaited(judged):
    invited = factories.make_public_body(country="DE")
    judged.challenge.hosts.append(ChallengeHost(organisation=invited, state=INVITED))
    db.session.flush()
    lead, cohost = [h.organisation_id for h in judged.challenge.hosts if h.state == ACCEPTED]
    assert operations.accepted_host_ids(judged.challenge) == {lead, cohost}
    publication = operations.propose(judged.challenge, judged.chair)
    assert operations.missing_confirmations(publication) == sorted([lead, cohost])


def test_a_member_who_is_no_officer_confirms_nothing(judged):
    publication = operations.propose(judged.challenge, judged.chair)
    member = factories.make_user()
    db.session.add(Membership(organisation=judged.challenge.hosts[0].organisation, user=member, role=MEMBER))
    db.session.flush()
    refused("already_confirmed", operations.confirm, publication, member)


def test_an_officer_of_both_hosts_confirms_for_both_and_publishes(judged):
    publication = operations.propose(judged.challenge, judged.chair)
    both = judged.officer
    db.session.add(Membership(organisation=judged.challenge.hosts[1].organisation, user=both, role="officer"))
    db.session.flush()
    operations.confirm(publication, both)
    assert publication.state == PUBLISHED
    assert sorted(c.organisation_id for c in publication.confirmations) == sorted(h.organisation_id for h in judged.challenge.hosts)
    assert {c.confirmed_by_id for c in publication.confirmations} == {both.id}


def test_the_first_host_confirms_and_the_publication_waits(judged):
    publication = operations.propose(judged.challenge, judged.chair)
    operations.confirm(publication, judged.officer)
    assert publication.state == PROPOSED
    lead = judged.challenge.hosts[0].organisation_id
    assert last_event("publication", publication.id) == ("results.confirmed", {"organisations": [lead]})
    refused("hosts_missing", operations.publish, publication, judged.chair)


def test_a_replaced_proposal_is_neither_confirmed_nor_published(judged):
    old = operations.propose(judged.challenge, judged.chair)
    operations.propose(judged.challenge, judged.chair)
    refused("not_proposed", operations.confirm, old, judged.officer)
    refused("not_proposed", operations.publish, old, judged.officer, force=True)


def test_publishing_freezes_the_scores_awards_and_status_and_queues_the_announcement(judged):
    publication = publish(judged)
    assert publication.state == PUBLISHED and publication.published_at.microsecond == 0
    assert publication.document and publication.digest
    assert judged.challenge.status == "results_published"
    announcement = db.session.execute(sa.select(Announcement)).scalar_one()
    assert announcement.publication_id == publication.id
    assert [tuple(j) for j in announce_jobs()] == [([announcement.id], 12)]
    awards = db.session.execute(sa.select(Award).order_by(Award.place)).scalars().all()
    assert [(a.place, a.submission_id, a.awarded_by_id, a.publication_id, a.challenge_id) for a in awards] == [
        (1, judged.submissions[0].id, judged.cohost_officer.id, publication.id, judged.challenge.id),
        (2, judged.submissions[1].id, judged.cohost_officer.id, publication.id, judged.challenge.id),
    ]
    assert [a.name for a in awards] == [a["name"] for a in publication.full["awards"]]
    action, detail = last_event("publication", publication.id)
    assert action == "results.published" and detail == {"digest": publication.digest, "digest_scheme": "rfc8785-sha256",
                                                          "forced_without": []}
    assert operations.publish(publication, judged.chair) is publication  # again: nothing more
    assert len(announce_jobs()) == 1


def test_an_operator_publishes_without_the_missing_hosts_and_the_trail_says_so(judged):
    publication = operations.propose(judged.challenge, judged.chair)
    operations.publish(publication, None, force=True)
    missing = sorted(h.organisation_id for h in judged.challenge.hosts)
    assert publication.state == PUBLISHED
    assert last_event("publication", publication.id)[1]["forced_without"] == missing


def test_a_second_publication_of_a_challenge_is_refused(judged):
    publication = operations.propose(judged.challenge, judged.chair)
    db.session.add(Publication(challenge=judged.challenge, state=PUBLISHED, full={}, chair_decisions=[]))
    db.session.flush()
    refused("already_published", operations.publish, publication, None, force=True)


def test_an_award_whose_entry_is_gone_is_left_out(judged):
    publication = operations.propose(judged.challenge, judged.chair)
    publication.full = {**publication.full, "awards": [dict(publication.full["awards"][0], entry="gone")]}
    operations.publish(publication, None, force=True)
    assert db.session.execute(sa.select(Award)).scalars().all() == []


# --- contests ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", ["", "Upper", "two--dashes", "-start", "end-", "a_b", "x" * 101])
def test_a_contest_slug_is_lowercase_words_joined_by_single_dashes_and_short(app, slug):
    refused("bad_contest_slug", operations.create_contest, slug, {"en": "C"}, [factories.make_challenge()], None)


def test_a_contest_needs_a_name_and_challenges_and_a_free_slug(app):
    challenge = factories.make_challenge()
    refused("contest_needs_name", operations.create_contest, "c", {"en": "  ", "pl": ""}, [challenge], None)
    refused("contest_needs_challenges", operations.create_contest, "c", {"en": "C"}, [], None)
    operations.create_contest("c", {"en": "C"}, [challenge], None)
    refused("contest_exists", operations.create_contest, "c", {"en": "C"}, [challenge], None)


def test_a_contest_keeps_its_challenges_once_each_and_its_texts_cleaned(app):
    first, second = factories.make_challenge(), factories.make_challenge()
    actor = factories.make_user()
    slug = "eu-vs-virus-" + "x" * 88  # 100 characters
    contest = operations.create_contest(f"  {slug} ", {"en": " EU vs Virus ", "pl": " "}, [first, second, first],
                                        actor, description={"en": " Many "})
    assert (contest.slug, contest.name, contest.description) == (slug, {"en": "EU vs Virus"}, {"en": "Many"})
    assert contest.challenges == [first, second]
    assert last_event("contest", contest.id) == ("results.contest_created", {"slug": slug, "challenges": [first.slug, second.slug]})
    assert operations.create_contest("plain", {"en": "P"}, [first], None).description == {}


@pytest.fixture
def contest(app):
    challenge = factories.make_challenge(domain="health")
    entry = factories.make_submission(factories.make_team(challenge))
    made = operations.create_contest("contest", {"en": "Contest"}, [challenge], None)
    return made, entry


def test_a_contest_award_is_named_for_a_known_domain_and_a_place_from_one(contest):
    made, entry = contest
    refused("award_needs_name", operations.give_contest_award, made, entry, {"en": " "}, None)
    refused("unknown_domain", operations.give_contest_award, made, entry, {"en": "A"}, None, domain="space")
    refused("bad_place", operations.give_contest_award, made, entry, {"en": "A"}, None, place=0)
    refused("wrong_domain", operations.give_contest_award, made, entry, {"en": "A"}, None, domain="mobility")
    actor = factories.make_user()
    award = operations.give_contest_award(made, entry, {"en": " Health award "}, actor, domain="health", place=1, reason="Why")
    assert (award.name, award.domain, award.place, award.reason) == ({"en": "Health award"}, "health", 1, "Why")
    assert (award.submission_id, award.awarded_by_id, award.contest) == (entry.id, actor.id, made)
    assert last_event("award", award.id) == ("results.contest_award", {"contest": "contest", "domain": "health"})
    assert operations.give_contest_award(made, entry, {"en": "Overall"}, None).domain is None


def test_an_entry_of_a_challenge_outside_the_contest_gets_no_award(contest):
    made, _entry = contest
    outsider = factories.make_submission(factories.make_team(factories.make_challenge(domain="health")))
    refused("not_in_contest", operations.give_contest_award, made, outsider, {"en": "A"}, None)


# --- webhooks and deliveries -----------------------------------------------------------------------------------

@pytest.mark.parametrize("url, problem", [("ftp://x.eu/h", "scheme"), ("https:///path", "host"), ("https://x.eu:99999/", "port")])
def test_a_webhook_needs_an_http_address(app, url, problem):
    error = refused("bad_webhook_url", operations.add_webhook, factories.make_public_body(), url, factories.make_user())
    assert error.detail == {"problem": problem}


def test_a_webhook_is_stored_trimmed_and_can_be_switched_off(app):
    body, actor = factories.make_public_body(), factories.make_user()
    endpoint = operations.add_webhook(body, "  https://hooks.example.eu/x  ", actor)
    assert (endpoint.url, endpoint.organisation_id, endpoint.created_by_id) == ("https://hooks.example.eu/x", body.id, actor.id)
    assert last_event("webhookendpoint", endpoint.id) == ("results.webhook_added", {"url": "https://hooks.example.eu/x"})
    operations.deactivate_webhook(endpoint, actor)
    assert endpoint.active is False


def test_failed_deliveries_get_new_attempts_and_the_job_runs_again(judged):
    publication = publish(judged)
    announcement = db.session.execute(sa.select(Announcement)).scalar_one()
    announcement.finished_at = publication.published_at
    rows = [Delivery(announcement_id=announcement.id, channel="email", recipient_key=f"user:{n}", state=state,
                     attempts=5, next_attempt_at=publication.published_at)
            for n, state in enumerate((FAILED, FAILED, SENT, PENDING))]
    db.session.add_all(rows)
    db.session.flush()
    actor = factories.make_user()
    assert operations.retry_failed(announcement, actor) == 2
    db.session.expire_all()
    assert [(d.state, d.attempts, d.next_attempt_at) for d in rows[:2]] == [(PENDING, 0, None)] * 2
    assert (rows[2].state, rows[2].attempts) == (SENT, 5) and rows[3].attempts == 5
    assert announcement.finished_at is None
    assert [tuple(j) for j in announce_jobs()] == [([announcement.id], 12)] * 2
    assert last_event("announcement", announcement.id) == ("results.announcement_retry_failed", {"retried": 2})


def test_an_announcement_is_resumed_on_request(judged):
    publish(judged)
    announcement = db.session.execute(sa.select(Announcement)).scalar_one()
    operations.resume(announcement)
    assert last_event("announcement", announcement.id) == ("results.announcement_resume", {})
    assert len(announce_jobs()) == 2


# --- edges found by `make mutation` ----------------------------------------------------------------------------

def test_an_archived_challenge_gets_no_proposal_and_no_publication(judged):
    from govchallenge.challenges.models import ARCHIVED

    publication = operations.propose(judged.challenge, judged.chair)
    judged.challenge.status = ARCHIVED  # closed without results
    refused("archived", operations.propose, judged.challenge, judged.chair)
    refused("archived", operations.publish, publication, None, force=True)
    assert publication.state == PROPOSED


def test_a_chair_decision_on_an_order_needs_its_reason(judged):
    ids = [s.public_id for s in judged.submissions]
    refused("decision_needs_reason", operations.propose, judged.challenge, judged.chair,
            chair_decisions=[{"order": ids, "reason": "   "}])


def test_nothing_is_proposed_while_a_round_is_open(app):
    judged = judged_challenge(entries=2, jurors=2, round_state="open")
    error = refused("round_open", operations.propose, judged.challenge, judged.chair)
    assert [code for code, _detail in error.detail["problems"]] == ["round_open"]
    assert db.session.execute(sa.select(Publication)).scalars().all() == []
