"""Proposing, confirming and publishing; the results page, the open-data export and the API."""
import csv
import hashlib
import io
import json
import re

import pytest
import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.results import documents, operations
from govchallenge.results.models import PUBLISHED, Announcement, Award, Delivery, Publication
from tests.support import factories, jcs
from tests.support.results_factories import judged_challenge, publish


def test_propose_is_refused_while_a_round_is_open(app):
    judged = judged_challenge(round_state="open")
    with pytest.raises(operations.ResultsError) as error:
        operations.propose(judged.challenge, judged.chair)
    assert error.value.code == "round_open"


def test_propose_is_refused_with_reviews_missing(app):
    judged = judged_challenge()
    judged.reviews[0].state = "draft"
    db.session.flush()
    with pytest.raises(operations.ResultsError) as error:
        operations.propose(judged.challenge, judged.chair)
    assert error.value.code == "reviews_missing" and error.value.detail["problems"][0][1]["missing"] == 1


def test_publishing_waits_for_every_host_then_freezes_and_records_the_announcement(app):
    judged = judged_challenge()
    publication = operations.propose(judged.challenge, judged.chair)
    with pytest.raises(operations.ResultsError) as error:
        operations.publish(publication, judged.chair)
    assert error.value.code == "hosts_missing"
    operations.confirm(publication, judged.officer)
    assert publication.state == "proposed" and publication.digest is None
    with pytest.raises(operations.ResultsError):
        operations.confirm(publication, judged.officer)  # twice for the same host
    operations.confirm(publication, judged.cohost_officer)
    assert publication.state == PUBLISHED
    # RFC 8785 by the tests' own reading of the RFC (tests/support/jcs.py), not by the package the code calls
    assert publication.digest_scheme == "rfc8785-sha256"
    assert publication.digest == hashlib.sha256(jcs.canonical_bytes(publication.document)).hexdigest()
    assert judged.challenge.status == "results_published"
    # same transaction: the announcement and its outbox job, nothing committed yet
    announcement = db.session.execute(sa.select(Announcement)).scalar_one()
    job = db.session.execute(sa.select(OutboxJob).where(OutboxJob.function.like("%announce"))).scalar_one()
    assert job.args == [announcement.id]
    awards = db.session.execute(sa.select(Award).order_by(Award.place)).scalars().all()
    assert [(a.place, a.submission_id) for a in awards] == [(1, judged.submissions[0].id), (2, judged.submissions[1].id)]
    actions = db.session.execute(sa.select(AuditEvent.action)).scalars().all()
    assert {"results.proposed", "results.confirmed", "results.published"} <= set(actions)


def test_a_rolled_back_publication_leaves_no_announcement(app):
    judged = judged_challenge()
    db.session.commit()
    publish(judged)
    db.session.rollback()
    assert db.session.execute(sa.select(sa.func.count(Announcement.id))).scalar() == 0
    assert db.session.execute(sa.select(sa.func.count(OutboxJob.id))).scalar() == 0


def test_ranking_document_has_breakdowns_intervals_and_jury(app):
    judged = judged_challenge(entries=4)
    publication = publish(judged)
    document = publication.document
    first = document["entries"][0]
    assert first["entry"] == judged.submissions[0].public_id and first["place"] == 1
    assert set(first["criteria"]) == {str(c.id) for c in judged.challenge.criteria}
    assert first["interval"][0] == 1
    assert len(first["reviews"]) == 3 and {r["juror"] for r in first["reviews"]} == {"J1", "J2", "J3"}
    assert [j["chair"] for j in document["jury"]] == [True, False, False]
    assert "outlier_jurors" not in document and "outlier_jurors" in publication.full
    # agreement from the jury's module: per criterion and on the totals
    assert set(document["agreement"]) == {str(c.id) for c in judged.challenge.criteria} | {"total"}
    assert all(value is None or -1 <= value <= 1 for value in document["agreement"].values())


def test_a_harsh_juror_is_flagged_and_a_split_entry_reported(app, login_as):
    def score(entry, juror, criterion):
        if juror == 2:
            return 0 if entry != 1 else 10  # far below the panel, except on entry 2
        return 8 - entry

    judged = judged_challenge(entries=4, score=score)
    publication = operations.propose(judged.challenge, judged.chair)
    assert len(publication.full["outlier_jurors"]) == 1
    assert judged.submissions[0].public_id in publication.full["strongly_disagreeing"]
    db.session.commit()
    html = login_as(judged.officer).get(f"/challenges/{judged.challenge.slug}/results").get_data(as_text=True)
    assert "stand far from the panel" in html
    assert "strongly disagree:" in html and "Entry 001 (Team 001)" in html.split("strongly disagree:")[1]


def test_special_awards_and_chair_tie_decisions(app):
    judged = judged_challenge(entries=3, score=lambda e, j, c: 5, special="Best use of open data")
    special = next(p for p in judged.challenge.prizes if p.place is None)
    ids = [s.public_id for s in judged.submissions]
    with pytest.raises(operations.ResultsError):
        operations.propose(judged.challenge, judged.chair, chair_decisions=[{"order": ids, "reason": " "}])
    publication = operations.propose(
        judged.challenge, judged.chair, chair_decisions=[{"order": [ids[2], ids[0], ids[1]], "reason": "Pilot ready"}],
        special_awards={special.id: ids[1]},
    )
    entries = publication.full["entries"]
    assert [(e["entry"], e["place"]) for e in entries] == [(ids[2], 1), (ids[0], 2), (ids[1], 3)]
    assert publication.full["ties"][0]["resolved_by"] == "chair"
    assert any(a["place"] is None and a["entry"] == ids[1] for a in publication.full["awards"])


def test_winners_only_publishes_the_winners(app):
    judged = judged_challenge(entries=4, publish_ranking="winners")
    publication = publish(judged)
    shown = [e["entry"] for e in publication.document["entries"]]
    assert shown == [judged.submissions[0].public_id, judged.submissions[1].public_id]
    assert publication.document["entries_ranked"] == 4


# --- pages ---------------------------------------------------------------------------------

def _digest_on(html):
    return re.search(r'id="results-digest">([0-9a-f]{64})<', html).group(1)


def test_page_digest_equals_the_sha256_of_the_export(app, client):
    judged = judged_challenge(entries=5)
    publish(judged)
    db.session.commit()
    slug = judged.challenge.slug
    page = client.get(f"/challenges/{slug}/results")
    assert page.status_code == 200
    digest = _digest_on(page.get_data(as_text=True))
    exported = client.get(f"/challenges/{slug}/results.json")
    assert exported.status_code == 200
    assert hashlib.sha256(exported.data).hexdigest() == digest  # sha256sum of the file

    def recompute(document):
        return hashlib.sha256(jcs.canonical_bytes(document)).hexdigest()

    assert recompute(json.loads(exported.data)) == digest  # from the parsed data, canonicalised again
    rows = list(csv.DictReader(io.StringIO(client.get(f"/challenges/{slug}/results.csv").get_data(as_text=True))))
    assert [r["entry"] for r in rows] == [s.public_id for s in judged.submissions]
    assert rows[0]["place"] == "1" and float(rows[0]["score"]) > float(rows[1]["score"])
    api = client.get(f"/api/v1/challenges/{slug}/results")
    assert api.status_code == 200 and api.json["digest"] == digest
    assert recompute(api.json["results"]) == digest


def test_page_shows_breakdowns_charts_and_jury(app, client):
    judged = judged_challenge(entries=3)
    publish(judged)
    db.session.commit()
    html = client.get(f"/challenges/{judged.challenge.slug}/results").get_data(as_text=True)
    assert 'role="img"' in html and "<title id=\"published-scores-title\">" in html and "<desc" in html
    assert "Criterion 1" in html and "Chair Person" in html and "Entry 001" in html
    assert "First prize" in html


def test_api_and_exports_answer_404_before_publication(app, client):
    judged = judged_challenge()
    db.session.commit()
    slug = judged.challenge.slug
    api = client.get(f"/api/v1/challenges/{slug}/results")
    assert api.status_code == 404 and api.json["error"]["status"] == 404
    assert client.get(f"/challenges/{slug}/results.json").status_code == 404
    assert client.get(f"/challenges/{slug}/results.csv").status_code == 404
    assert client.get("/api/v1/challenges/no-such/results").status_code == 404


def test_propose_and_confirm_through_the_pages(app, login_as):
    judged = judged_challenge()
    db.session.commit()
    slug = judged.challenge.slug
    chair = login_as(judged.chair)
    preview = chair.get(f"/challenges/{slug}/results")
    assert preview.status_code == 200 and "Entry 001" in preview.get_data(as_text=True)
    bad = chair.post(f"/challenges/{slug}/results/propose", data={"priority_criterion": "999999"})
    assert bad.status_code == 400
    assert chair.post(f"/challenges/{slug}/results/propose", data={"priority_criterion": ""}).status_code == 302
    officer = login_as(judged.officer)
    asked = officer.get(f"/challenges/{slug}/results/confirm")  # asks first, changes nothing
    assert asked.status_code == 200 and "Confirm this ranking for your organisation?" in asked.get_data(as_text=True)
    assert f'action="/challenges/{slug}/results/confirm"' in asked.get_data(as_text=True)
    assert db.session.execute(sa.select(Publication).where(Publication.state == PUBLISHED)).scalar_one_or_none() is None
    assert officer.post(f"/challenges/{slug}/results/confirm").status_code == 302
    cohost = login_as(judged.cohost_officer)
    assert cohost.post(f"/challenges/{slug}/results/confirm").status_code == 302
    db.session.expire_all()
    publication = db.session.execute(sa.select(Publication).where(Publication.state == PUBLISHED)).scalar_one()
    # the embedded default ran the announcement inline after the commit
    states = db.session.execute(sa.select(Delivery.state)).scalars().all()
    assert states and set(states) == {"sent"}
    page = officer.get(f"/challenges/{slug}/results").get_data(as_text=True)
    assert publication.digest in page and "Messages sent" in page


def test_propose_refused_with_reviews_missing_shows_why(app, login_as):
    judged = judged_challenge(submit_all=False)
    db.session.commit()
    chair = login_as(judged.chair)
    response = chair.post(f"/challenges/{judged.challenge.slug}/results/propose", data={})
    assert response.status_code == 400 and "not submitted yet" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(Publication.id))).scalar() == 0


def test_results_page_queries_do_not_grow_with_entries(app, client):
    counts = []
    for entries in (2, 8):
        judged = judged_challenge(entries=entries)
        publish(judged)
        db.session.commit()
        statements = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/challenges/{judged.challenge.slug}/results").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_contest_with_a_domain_wide_award(app, client):
    from govchallenge.results.models import Contest

    first = judged_challenge(entries=2, domain="environment")
    second = judged_challenge(entries=2, domain="health")
    contest = Contest(slug="eu-vs-virus", name={"en": "EU vs Virus"}, description={"en": "Many challenges"})
    contest.challenges.extend([first.challenge, second.challenge])
    db.session.add(contest)
    db.session.flush()
    with pytest.raises(operations.ResultsError):
        operations.give_contest_award(contest, second.submissions[0], {"en": "Green award"}, first.officer, domain="environment")
    operations.give_contest_award(contest, first.submissions[1], {"en": "Green award"}, first.officer, domain="environment")
    outsider = factories.make_challenge()
    sub = factories.make_submission(factories.make_team(outsider))
    with pytest.raises(operations.ResultsError):
        operations.give_contest_award(contest, sub, {"en": "X"}, first.officer)
    db.session.commit()
    html = client.get("/contests/eu-vs-virus").get_data(as_text=True)
    assert "Green award" not in html and "Entry 002" not in html  # the challenge's results are not out yet
    publish(first)
    db.session.commit()
    html = client.get("/contests/eu-vs-virus").get_data(as_text=True)
    assert "Green award" in html and "Entry 002" in html and "Team 002" in html
    assert client.get("/contests/nope").status_code == 404


@pytest.mark.only_db("postgresql")
def test_two_hosts_confirming_at_the_same_moment_publish_exactly_once(app):
    import threading

    judged = judged_challenge()
    publication = operations.propose(judged.challenge, judged.chair)
    db.session.commit()
    ids = (publication.id, judged.officer.id, judged.cohost_officer.id)
    barrier = threading.Barrier(2)
    errors = []

    def confirm_as(user_id):
        with app.app_context():
            try:
                from govchallenge.accounts.models import User

                found = db.session.get(Publication, ids[0])
                user = db.session.get(User, user_id)
                barrier.wait(timeout=10)
                operations.confirm(found, user)
                db.session.commit()
            except Exception as error:  # noqa: BLE001
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=confirm_as, args=(user_id,)) for user_id in ids[1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    db.session.expire_all()
    assert db.session.get(Publication, ids[0]).state == PUBLISHED
    assert db.session.execute(sa.select(sa.func.count(Announcement.id))).scalar() == 1


def test_challenge_page_panel_and_atom_feed_show_the_results(app, client):
    from govchallenge.jobs.relay import relay_committed

    judged = judged_challenge()
    db.session.commit()
    slug = judged.challenge.slug
    assert "See the published results" not in client.get(f"/challenges/{slug}").get_data(as_text=True)
    publication = publish(judged)
    db.session.commit()
    relay_committed()  # the announcement puts the entry in the feed
    assert "See the published results" in client.get(f"/challenges/{slug}").get_data(as_text=True)
    feed = client.get("/challenges/feed.atom").get_data(as_text=True)
    assert "Results published" in feed and publication.digest in feed


# --- winners: from the challenge's prizes, never an assumed "top 3" ----------------------------

def _announcement_winners(app, publication):
    """The winners listed in a juror's e-mail and in the partners' webhook."""
    from govchallenge.jobs.relay import relay_committed
    from govchallenge.results import letters, webhooks
    from govchallenge.results.models import JUROR

    relay_committed()
    delivery = db.session.execute(sa.select(Delivery).where(Delivery.role == JUROR)).scalars().first()
    with app.test_request_context():
        text = letters.email_for(delivery).text
        payload = json.loads(webhooks.webhook_body(delivery))
    return text, [w["entry"] for w in payload["winners"]]


@pytest.mark.parametrize("publish_ranking", ["winners", "all"])
def test_without_prizes_there_are_no_winners(app, publish_ranking):
    judged = judged_challenge(entries=5, prizes=(), publish_ranking=publish_ranking)
    publication = publish(judged)
    db.session.commit()
    assert publication.full["awards"] == [] and documents.winners(publication.full) == []
    shown = [e["entry"] for e in publication.document["entries"]]
    assert shown == ([] if publish_ranking == "winners" else [s.public_id for s in judged.submissions])
    assert publication.document["entries_ranked"] == 5
    text, webhook_winners = _announcement_winners(app, publication)
    assert webhook_winners == [] and "Entry 00" not in text


def test_winners_are_the_place_prizes_and_special_awards_the_challenge_defines(app):
    judged = judged_challenge(entries=5, prizes=((1, "Grand prize"),), special="Best accessibility",
                              publish_ranking="winners")
    special = next(p for p in judged.challenge.prizes if p.place is None)
    ids = [s.public_id for s in judged.submissions]
    publication = operations.propose(judged.challenge, judged.chair, special_awards={special.id: ids[4]})
    operations.confirm(publication, judged.officer)
    operations.confirm(publication, judged.cohost_officer)
    db.session.commit()
    assert [e["entry"] for e in documents.winners(publication.full)] == [ids[0], ids[4]]
    assert [e["entry"] for e in publication.document["entries"]] == [ids[0], ids[4]]  # not places 2 and 3
    text, webhook_winners = _announcement_winners(app, publication)
    assert webhook_winners == [ids[0], ids[4]]
    assert "Entry 001" in text and "Entry 005" in text and "Entry 002" not in text and "Entry 003" not in text


def test_a_place_prize_goes_to_every_entry_sharing_that_place(app):
    judged = judged_challenge(entries=4, score=lambda e, j, c: 5 if e < 2 else 3, prizes=((1, "First"), (2, "Second")))
    publication = operations.propose(judged.challenge, judged.chair)
    places = {e["entry"]: e["place"] for e in publication.full["entries"]}
    winners = [e["entry"] for e in documents.winners(publication.full)]
    # two entries share place 1 (no criterion, median or chair separated them); nobody is placed 2nd
    assert sorted(places.values()) == [1, 1, 3, 3]
    assert sorted(winners) == sorted(e for e, place in places.items() if place == 1)


# --- the tie-break criterion: the chair's previous choice is the default ----------------------

def test_the_proposal_form_defaults_to_the_previous_priority_criterion(app, login_as):
    judged = judged_challenge(entries=3)
    db.session.commit()
    slug = judged.challenge.slug
    second = judged.challenge.criteria[1]
    chair = login_as(judged.chair)

    def selected(html):
        found = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', html)
        return found and (found.group(1) or found.group(2))

    assert selected(chair.get(f"/challenges/{slug}/results").get_data(as_text=True)) in (None, "")
    assert chair.post(f"/challenges/{slug}/results/propose", data={"priority_criterion": str(second.id)}).status_code == 302
    db.session.expire_all()
    first = db.session.execute(sa.select(Publication)).scalar_one()
    assert first.priority_criterion_id == second.id and first.full["priority_criterion"] == str(second.id)
    assert operations.previous_priority_criterion(judged.challenge, judged.challenge.criteria) == second.id
    html = chair.get(f"/challenges/{slug}/results").get_data(as_text=True)
    assert selected(html) == str(second.id)
    # proposing again keeps it when the chair leaves the preselected choice as it is
    assert chair.post(f"/challenges/{slug}/results/propose", data={"priority_criterion": str(second.id)}).status_code == 302
    db.session.expire_all()
    latest = db.session.execute(sa.select(Publication).where(Publication.state == "proposed")).scalar_one()
    assert latest.priority_criterion_id == second.id and latest.id != first.id


def test_a_previous_choice_no_longer_in_the_final_round_is_not_the_default(app):
    judged = judged_challenge(entries=2)
    chosen = judged.challenge.criteria[0]
    operations.propose(judged.challenge, judged.chair, priority_criterion_id=chosen.id)
    assert operations.previous_priority_criterion(judged.challenge, judged.challenge.criteria) == chosen.id
    assert operations.previous_priority_criterion(judged.challenge, judged.challenge.criteria[1:]) is None
    other = judged_challenge(entries=2)
    assert operations.previous_priority_criterion(other.challenge, other.challenge.criteria) is None


def test_an_archived_challenge_gets_no_results(app):
    judged = judged_challenge()
    publication = operations.propose(judged.challenge, judged.chair)
    operations.confirm(publication, judged.officer)
    judged.challenge.status = "archived"  # a host archived it while the proposal waited
    with pytest.raises(operations.ResultsError) as error:
        operations.confirm(publication, judged.cohost_officer)
    assert error.value.code == "archived" and publication.state == "proposed"
    with pytest.raises(operations.ResultsError) as error:
        operations.propose(judged.challenge, judged.chair)
    assert error.value.code == "archived"
