"""Each People's Choice rule, through the pages: who may vote, when, for what, how often; what the public sees;
the hosts' discount and publication. Every refusal changes nothing and says why."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.peoples_choice import operations
from govchallenge.peoples_choice.models import PeoplesChoiceVote
from tests.conftest import count_rows, login
from tests.support.pchoice_factories import SECRET_ARTIST, award_world, voter


@pytest.fixture
def world(app):
    made = award_world()
    db.session.commit()
    return made


def _url(world, tail=""):
    return f"/challenges/{world.judged.challenge.slug}/peoples-choice{tail}"


def _post_vote(client, world, entry, version=0):
    return client.post(_url(world, "/vote"), data={"entry": entry.public_id if hasattr(entry, "public_id") else entry,
                                                   "version": version})


def _vote_row(user):
    db.session.expire_all()
    return db.session.execute(sa.select(PeoplesChoiceVote).where(PeoplesChoiceVote.user_id == user.id)).scalar_one_or_none()


def test_a_vote_is_taken_once_and_changed_until_the_window_closes(app, world, caplog):
    user = voter()
    db.session.commit()
    client = login(app.test_client(), user)
    first, second = world.entries[0], world.entries[1]
    assert _post_vote(client, world, first).status_code == 302
    assert _vote_row(user).version == 1 and _vote_row(user).submission_id == first.id

    twice = _post_vote(client, world, first, version=0)  # the same form sent again
    assert twice.status_code == 409 and "already counted, once" in twice.get_data(as_text=True)
    assert _post_vote(client, world, second, version=1).status_code == 302  # a change, from the current page
    replayed = _post_vote(client, world, first, version=0)  # the first form, replayed after the change
    assert replayed.status_code == 409 and "sent from an older page" in replayed.get_data(as_text=True)
    row = _vote_row(user)
    assert (row.submission_id, row.version) == (second.id, 2) and count_rows(PeoplesChoiceVote) == 1
    assert "vote refused (replayed)" in caplog.text and "vote refused (already)" in caplog.text


@pytest.mark.parametrize("case, status, words", [
    ("unverified", 403, "Confirm your e-mail address before you vote"),
    ("not_open", 409, "Voting has not opened yet."),
    ("closed", 409, "Voting has closed: your vote was not taken."),
    ("not_in_award", 400, "not on the award&#39;s shortlist"),
    ("other_challenge", 400, "not on the award&#39;s shortlist"),
    ("own_entry", 403, "cannot vote for your own team"),
    ("bad_form", 400, ""),
])
def test_bad_votes_are_refused_with_words_change_nothing_and_are_logged(app, world, caplog, case, status, words):
    user = voter()
    entry = world.entries[0]
    if case == "not_open":
        world.award.opens_at = utcnow() + timedelta(minutes=5)
    if case == "closed":
        world.award.closes_at = utcnow() - timedelta(seconds=1)
    if case == "not_in_award":
        world.award.entries = world.award.entries[1:]
    if case == "other_challenge":
        entry = award_world().entries[0]
    if case == "own_entry":
        user = entry.team.members[0].user
    db.session.commit()
    client = login(app.test_client(), user)
    if case == "unverified":  # an unconfirmed address cannot sign in at all; one that became unconfirmed since
        user.email_verified_at = None
        db.session.commit()
    response = client.post(_url(world, "/vote"), data={"entry": entry.public_id, "version": "x" if case == "bad_form" else 0})
    assert response.status_code == status
    assert words in response.get_data(as_text=True)
    assert count_rows(PeoplesChoiceVote) == 0
    assert f"vote refused ({case if case != 'other_challenge' else 'not_in_award'})" in caplog.text


def test_votes_are_limited_per_account_and_per_address(make_app):
    app = make_app(PCHOICE_VOTE_ACCOUNT_LIMIT="2 per hour", PCHOICE_VOTE_ADDRESS_LIMIT="3 per hour")
    with app.app_context():
        world = award_world()
        users = [voter() for _ in range(3)]
        db.session.commit()
        client = login(app.test_client(), users[0])
        assert _post_vote(client, world, world.entries[0]).status_code == 302
        assert _post_vote(client, world, world.entries[1], 1).status_code == 302
        assert _post_vote(client, world, world.entries[2], 2).status_code == 429  # the account's third in the hour
        assert _vote_row(users[0]).submission_id == world.entries[1].id
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "192.0.2.9"
        login(other, users[1])
        assert _post_vote(other, world, world.entries[0]).status_code == 302  # another address: its own count
        assert _post_vote(login(app.test_client(), users[2]), world, world.entries[0]).status_code == 429  # address's 4th


def test_the_count_is_seen_by_nobody_before_the_close_by_hosts_after_by_all_once_published(app, world):
    for entry in world.entries[:2]:
        operations.cast_vote(voter(), world.award, entry.public_id, 0, "192.0.2.1")
    db.session.commit()
    host, public = login(app.test_client(), world.judged.officer), app.test_client()
    assert "1 vote" not in public.get(_url(world)).get_data(as_text=True)
    assert "Count per entry" not in host.get(_url(world, "/manage")).get_data(as_text=True)
    assert "1 vote" not in host.get(_url(world)).get_data(as_text=True)
    world.award.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "Count per entry" in host.get(_url(world, "/manage")).get_data(as_text=True)
    assert "1 vote" in host.get(_url(world)).get_data(as_text=True)
    assert "1 vote" not in public.get(_url(world)).get_data(as_text=True)
    assert public.get(_url(world, ".json")).status_code == 404
    assert host.post(_url(world, "/publish")).status_code == 302
    assert "1 vote" in public.get(_url(world)).get_data(as_text=True)


def test_the_public_sees_only_what_each_team_released(app, world):
    client = app.test_client()
    first, second, third = world.entries
    page = client.get(_url(world, f"/entries/{first.public_id}")).get_data(as_text=True)
    assert first.title in page and "A <em>short</em> summary" not in page and "A *short* summary." in page
    assert first.description not in page and first.team.name not in page
    image = client.get(_url(world, f"/entries/{first.public_id}/images/0"))
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert SECRET_ARTIST.encode() not in image.get_data() and b"taken at home" not in image.get_data()
    assert client.get(_url(world, f"/entries/{first.public_id}/images/1")).status_code == 404  # not marked public
    assert "A *short* summary." not in client.get(_url(world, f"/entries/{third.public_id}")).get_data(as_text=True)
    listing = client.get(_url(world)).get_data(as_text=True)
    assert all(e.team.name not in listing for e in world.entries)


def test_an_entry_whose_team_released_nothing_shows_no_title(app):
    world = award_world(release_all=False)
    db.session.commit()
    entry = world.entries[0]
    page = app.test_client().get(_url(world, f"/entries/{entry.public_id}")).get_data(as_text=True)
    assert entry.title not in page and "has not released a description" in page
    assert app.test_client().get(_url(world, f"/entries/{entry.public_id}/images/0")).status_code == 404


def test_a_team_chooses_what_is_public(app, world):
    entry = world.entries[2]
    lead = entry.team.members[0].user
    client = login(app.test_client(), lead)
    assert client.get(f"/entries/{entry.public_id}/public-release").status_code == 200
    assert client.post(f"/entries/{entry.public_id}/public-release",
                       data={"show_summary": "y", "images": [world.hidden_image]}).status_code == 400  # not its image
    assert client.post(f"/entries/{entry.public_id}/public-release", data={"show_summary": "y"}).status_code == 302
    page = app.test_client().get(_url(world, f"/entries/{entry.public_id}")).get_data(as_text=True)
    assert entry.title not in page and "A *short* summary." in page
    outsider = voter()
    db.session.commit()
    refused = login(app.test_client(), outsider).get(f"/entries/{entry.public_id}/public-release")
    assert refused.status_code == 403 and "Only the members of the entry" in refused.get_data(as_text=True)


def test_only_flagged_votes_are_discounted_with_a_recorded_reason(app, world):
    legit = operations.cast_vote(voter(), world.award, world.entries[0].public_id, 0, "192.0.2.1")
    burst = [operations.cast_vote(voter(created_days_ago=0), world.award, world.entries[1].public_id, 0, "192.0.2.50")
             for _ in range(10)]
    db.session.commit()
    assert legit.flagged_at is None and all(v.flagged_at and v.flag_reasons == ["address"] for v in burst)
    host = login(app.test_client(), world.judged.officer)
    url = _url(world, "/discount")
    assert host.post(url, data={"votes": [legit.id], "reason": "looks odd to me"}).status_code == 400
    short = host.post(url, data={"votes": [burst[0].id], "reason": "burst"})
    assert short.status_code == 400 and "at least 10 characters" in short.get_data(as_text=True)
    assert host.post(url, data={"votes": [v.id for v in burst], "reason": "ten new accounts on one address"}).status_code == 302
    assert host.post(url, data={"votes": [burst[0].id], "reason": "ten new accounts on one address"}).status_code == 409
    db.session.expire_all()
    assert all(v.discount_reason == "ten new accounts on one address" for v in burst) and legit.discounted_at is None
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "pchoice.votes_discounted")).scalar_one()
    assert event.actor_id == world.judged.officer.id and event.detail["votes"] == sorted(v.id for v in burst)


def test_publishing_waits_for_the_close_and_happens_once(app, world):
    host = login(app.test_client(), world.judged.officer)
    host.post(_url(world, "/publish"))
    db.session.expire_all()
    assert world.award.published_at is None
    world.award.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    host.post(_url(world, "/publish"))
    db.session.expire_all()
    digest = world.award.digest
    assert digest
    host.post(_url(world, "/publish"))
    db.session.expire_all()
    assert world.award.digest == digest
    from govchallenge.peoples_choice.documents import verify

    assert verify(world.award) == []
    world.award.document = dict(world.award.document, totals={"ballots": 1, "counted": 1, "discounted": 0})
    assert verify(world.award) == ["the stored document no longer hashes to its digest"]


def test_hosts_open_the_award_for_a_window_in_the_challenge_zone(app):
    from tests.support.results_factories import judged_challenge

    judged = judged_challenge(entries=3, timezone="Europe/Athens")
    db.session.commit()
    host = login(app.test_client(), judged.officer)
    url = f"/challenges/{judged.challenge.slug}/peoples-choice/manage"
    assert host.get(url).status_code == 200
    ids = [s.id for s in judged.submissions]
    fields = {"opens_at": "2100-01-05T10:00", "closes_at": "2100-01-06T10:00", "entries": ids[:1]}
    assert host.post(url, data=fields).status_code == 400  # one entry is no choice
    assert host.post(url, data=dict(fields, closes_at="2100-01-04T10:00", entries=ids)).status_code == 400
    assert host.post(url, data=dict(fields, entries=ids)).status_code == 302
    from govchallenge.peoples_choice.models import award_of

    award = award_of(judged.challenge.id)
    assert award.opens_at.isoformat() == "2100-01-05T08:00:00+00:00"  # 10:00 in Athens, stored in UTC
    assert len(award.entries) == 3
    page = app.test_client().get(f"/challenges/{judged.challenge.slug}/peoples-choice").get_data(as_text=True)
    assert "EET (Europe/Athens)" in page or "UTC" in page
    outsider = voter()
    db.session.commit()
    refused = login(app.test_client(), outsider).get(url)
    assert refused.status_code == 403 and "Only the officers of the bodies" in refused.get_data(as_text=True)
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_shortlist_offers_only_entries_whose_stage_has_closed(app):
    from tests.support import factories

    officer = factories.make_user()
    challenge = factories.make_challenge(host=factories.make_public_body(officer=officer), opens_in_days=-5, closes_in_days=5)
    entry = factories.make_submission(factories.make_team(challenge), title="Still open entry")
    db.session.commit()
    assert operations.candidate_entries(challenge) == []
    assert operations.candidate_entries(challenge, now=challenge.stages[0].closes_at) == [entry]
    page = login(app.test_client(), officer).get(f"/challenges/{challenge.slug}/peoples-choice/manage")
    assert page.status_code == 200 and "Still open entry" not in page.get_data(as_text=True)


def test_the_window_and_the_shortlist_freeze_when_voting_opens(app, world):
    host = login(app.test_client(), world.judged.officer)
    closes = world.award.closes_at
    response = host.post(_url(world, "/manage"), data={"opens_at": "2100-01-05T10:00", "closes_at": "2100-01-06T10:00",
                                                       "entries": [e.id for e in world.entries[:2]]})
    assert response.status_code == 409 and "Voting has started" in response.get_data(as_text=True)
    db.session.expire_all()
    assert world.award.closes_at == closes and len(world.award.entries) == 3
