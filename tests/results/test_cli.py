"""`flask results verify | publish | status | resume | contest-create | contest-award`, and the demo step."""
import pytest
import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.results import operations
from govchallenge.results.models import Publication
from tests.support.results_factories import judged_challenge, publish


def run(app, *args):
    return app.test_cli_runner().invoke(args=["results", *args])


def test_verify_prints_the_digest_and_fails_when_the_stored_results_changed(app):
    judged = judged_challenge()
    publication = publish(judged)
    db.session.commit()
    slug = judged.challenge.slug
    result = run(app, "verify", slug)
    assert result.exit_code == 0 and publication.digest in result.output and "OK" in result.output
    tampered = dict(publication.document)
    tampered["entries"] = [dict(tampered["entries"][0], score=99.0)] + tampered["entries"][1:]
    db.session.execute(sa.update(Publication).where(Publication.id == publication.id).values(document=tampered))
    db.session.commit()
    result = run(app, "verify", slug)
    assert result.exit_code == 1 and "MISMATCH" in result.output
    assert run(app, "verify", "no-such").exit_code != 0


def test_verify_refuses_unpublished_results(app):
    judged = judged_challenge()
    db.session.commit()
    result = run(app, "verify", judged.challenge.slug)
    assert result.exit_code != 0 and "not published" in result.output


def test_publish_needs_every_host_unless_forced(app):
    judged = judged_challenge()
    db.session.commit()
    slug = judged.challenge.slug
    result = run(app, "publish", slug)
    assert result.exit_code != 0 and "hosts_missing" in result.output
    assert db.session.execute(sa.select(sa.func.count(Publication.id)).where(Publication.state == "published")).scalar() == 0
    result = run(app, "publish", slug, "--force")
    assert result.exit_code == 0 and "published; digest" in result.output
    again = run(app, "publish", slug)
    assert again.exit_code == 0 and "already published" in again.output
    status = run(app, "status", slug)
    assert status.exit_code == 0 and "sent 7 of 7" in status.output  # 3 participants, 3 jurors, the feed
    resumed = run(app, "resume", slug)
    assert resumed.exit_code == 0
    assert "sent 7 of 7" in run(app, "status", slug).output


def test_publish_refuses_with_reviews_missing(app):
    judged = judged_challenge(submit_all=False)
    db.session.commit()
    result = run(app, "publish", judged.challenge.slug, "--force")
    assert result.exit_code != 0 and "reviews_missing" in result.output


def test_demo_step_skips_without_its_challenge_and_publishes_it_when_judged(app):
    from govchallenge.results.demo import add_demo

    assert add_demo({}) is None
    judged = judged_challenge(slug="clean-air-sensors")
    users = {u.email: u for u in (judged.officer, judged.cohost_officer, judged.chair)}
    publication = add_demo(users)
    assert publication is not None and publication.is_published
    db.session.commit()
    assert add_demo(users) is None  # idempotent
    assert operations.missing_confirmations(publication) == []


# --- contests ------------------------------------------------------------------------------

def _contest_world():
    first = judged_challenge(entries=2, domain="environment")
    second = judged_challenge(entries=2, domain="health")
    db.session.commit()
    return first, second


def test_contest_create_groups_challenges_with_a_translated_name(app, client):
    from govchallenge.core.audit import AuditEvent
    from govchallenge.results.models import Contest

    first, second = _contest_world()
    result = run(app, "contest-create", "eu-vs-virus", "--name", "en=EU vs Virus", "--name", "pl=UE kontra wirus",
                 "--description", "en=Many challenges, **one** contest", "--challenge", first.challenge.slug,
                 "--challenge", second.challenge.slug, "--challenge", first.challenge.slug)
    assert result.exit_code == 0, result.output
    assert "contest eu-vs-virus created with 2 challenge(s)" in result.output
    db.session.expire_all()
    contest = db.session.execute(sa.select(Contest)).scalar_one()
    assert contest.name == {"en": "EU vs Virus", "pl": "UE kontra wirus"}
    assert [c.slug for c in contest.challenges] == [first.challenge.slug, second.challenge.slug]
    assert db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "results.contest_created")).scalar_one()
    page = client.get("/contests/eu-vs-virus")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "EU vs Virus" in html and "<strong>one</strong>" in html and first.challenge.slug in html


@pytest.mark.parametrize("args, message", [
    (["Bad Slug!", "--name", "en=X", "--challenge", "{first}"], "lower-case letters"),
    (["ok", "--name", "X", "--challenge", "{first}"], "LANG=TEXT"),
    (["ok", "--name", "xx=X", "--challenge", "{first}"], "LANG=TEXT"),
    (["ok", "--name", "en=  ", "--challenge", "{first}"], "the text is empty"),
    (["ok", "--name", "en=X"], "Missing option '--challenge'"),
    (["ok", "--challenge", "{first}"], "Missing option '--name'"),
    (["ok", "--name", "en=X", "--challenge", "no-such-challenge"], "no challenge 'no-such-challenge'"),
])
def test_contest_create_refuses_bad_input(app, args, message):
    from govchallenge.results.models import Contest

    first, _ = _contest_world()
    result = run(app, "contest-create", *[a.format(first=first.challenge.slug) for a in args])
    assert result.exit_code != 0 and message in result.output, result.output
    assert isinstance(result.exception, SystemExit)  # a clean refusal, not a crash
    assert db.session.execute(sa.select(sa.func.count(Contest.id))).scalar() == 0


def test_contest_create_refuses_an_existing_slug(app):
    first, _ = _contest_world()
    assert run(app, "contest-create", "eu", "--name", "en=EU", "--challenge", first.challenge.slug).exit_code == 0
    again = run(app, "contest-create", "eu", "--name", "en=Other", "--challenge", first.challenge.slug)
    assert again.exit_code != 0 and "exists already" in again.output


@pytest.mark.parametrize("public_id", ["-dashfirst0123456", "--double-dash-id", "-n"])
def test_contest_award_takes_a_public_id_that_begins_with_a_dash(app, public_id):
    from govchallenge.results.models import Award

    first, _second = _contest_world()
    entry = first.submissions[0]
    entry.public_id = public_id
    db.session.commit()
    assert run(app, "contest-create", "eu", "--name", "en=EU", "--challenge", first.challenge.slug).exit_code == 0
    result = run(app, "contest-award", "eu", public_id, "--name", "en=Award")
    assert result.exit_code == 0, result.output
    assert f"given to {public_id}" in result.output
    assert db.session.execute(sa.select(Award.submission_id).where(Award.contest_id.is_not(None))).scalar() == entry.id


def test_new_public_ids_never_begin_with_a_dash_or_underscore():
    from govchallenge.core.slugs import new_public_id

    ids = [new_public_id() for _ in range(3000)]
    assert all(i[0].isalnum() for i in ids) and len(set(ids)) == 3000 and all(len(i) == 16 for i in ids)


def test_contest_award_by_place_and_by_public_id(app, client):
    from govchallenge.results.models import Award

    first, second = _contest_world()
    publish(first)
    db.session.commit()
    assert run(app, "contest-create", "eu", "--name", "en=EU", "--challenge", first.challenge.slug,
               "--challenge", second.challenge.slug).exit_code == 0
    by_place = run(app, "contest-award", "eu", f"{first.challenge.slug}:2", "--domain", "environment",
                   "--name", "en=Green award", "--name", "el=Πράσινο βραβείο", "--place", "1", "--reason", "Best pilot")
    assert by_place.exit_code == 0, by_place.output
    assert f"given to {first.submissions[1].public_id}" in by_place.output and "note:" not in by_place.output
    # an entry of a challenge whose results are not out yet: given, shown later
    by_id = run(app, "contest-award", "eu", second.submissions[0].public_id, "--name", "en=Jury's favourite")
    assert by_id.exit_code == 0 and "the whole contest" in by_id.output and "once the results" in by_id.output
    db.session.expire_all()
    awards = db.session.execute(sa.select(Award).where(Award.contest_id.is_not(None)).order_by(Award.id)).scalars().all()
    assert [(a.domain, a.place, a.submission_id, a.reason) for a in awards] == [
        ("environment", 1, first.submissions[1].id, "Best pilot"), (None, None, second.submissions[0].id, "")]
    assert awards[0].name == {"en": "Green award", "el": "Πράσινο βραβείο"}
    html = client.get("/contests/eu").get_data(as_text=True)
    assert "Green award" in html and "Entry 002" in html and "Environment" in html and "Best pilot" in html
    assert "favourite" not in html
    publish(second)
    db.session.commit()
    assert "favourite" in client.get("/contests/eu").get_data(as_text=True)


@pytest.mark.parametrize("entry, options, message", [
    ("{second_entry}", ["--domain", "environment"], "not in this domain"),
    ("{outside_entry}", [], "not part of the contest"),
    ("{first_slug}:9", [], "no entry of"),
    ("{first_slug}:one", [], "CHALLENGE-SLUG:PLACE"),
    ("{second_slug}:1", [], "not published"),
    ("no-such-entry", [], "no entry 'no-such-entry'"),
    ("no-such-challenge:1", [], "no challenge"),
    ("{first_entry}", ["--domain", "space"], "choose one of"),
    ("{first_entry}", ["--place", "0"], "--place"),
    ("{first_entry}", ["--name", "en"], "LANG=TEXT"),
])
def test_contest_award_refuses_bad_input(app, entry, options, message):
    from govchallenge.results.models import Award
    from tests.support import factories

    first, second = _contest_world()
    publish(first)
    outside = factories.make_submission(factories.make_team(factories.make_challenge()))
    db.session.commit()
    assert run(app, "contest-create", "eu", "--name", "en=EU", "--challenge", first.challenge.slug,
               "--challenge", second.challenge.slug).exit_code == 0
    values = {"first_entry": first.submissions[0].public_id, "second_entry": second.submissions[0].public_id,
              "outside_entry": outside.public_id, "first_slug": first.challenge.slug, "second_slug": second.challenge.slug}
    name = [] if "--name" in options else ["--name", "en=Award"]
    result = run(app, "contest-award", "eu", entry.format(**values), *name, *options)
    assert result.exit_code != 0 and message in result.output, result.output
    assert isinstance(result.exception, SystemExit)
    assert db.session.execute(sa.select(sa.func.count(Award.id)).where(Award.contest_id.is_not(None))).scalar() == 0
    assert run(app, "contest-award", "no-such-contest", values["first_entry"], "--name", "en=X").exit_code != 0


def test_contest_award_names_the_entries_sharing_a_place(app):
    first = judged_challenge(entries=3, score=lambda e, j, c: 5, domain="health")
    publish(first)
    db.session.commit()
    assert run(app, "contest-create", "eu", "--name", "en=EU", "--challenge", first.challenge.slug).exit_code == 0
    result = run(app, "contest-award", "eu", f"{first.challenge.slug}:1", "--name", "en=X")
    assert result.exit_code != 0 and "3 entries" in result.output and "share place 1" in result.output
    assert all(s.public_id in result.output for s in first.submissions)
