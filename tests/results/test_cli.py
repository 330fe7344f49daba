"""`flask results verify | publish | status | resume`, and the demo step."""
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
