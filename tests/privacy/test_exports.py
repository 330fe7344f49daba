"""Download my data: the request (re-authenticated, once at a time), the job and its progress, the e-mail in the
person's language, the signed link that works once, for its owner only, until it expires."""
import io
import json
import re
import zipfile
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
import sqlalchemy as sa

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.privacy import exports, retention
from govchallenge.privacy.models import DataExport
from tests.conftest import login
from tests.support import factories
from tests.support.results_factories import judged_challenge

ASK = {"password": factories.PASSWORD}


def mails_to(app, address):
    found = []
    for path in sorted(Path(app.config["MAIL_FILE_DIR"]).glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=default_policy)
        if message["To"] == address:
            found.append(message)
    return found


def link_in(message):
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/my-data/download/\S+)", text).group(1)


@pytest.fixture
def person(app):
    """A team member who submitted an entry (with its file) and was invited to a jury."""
    user = factories.make_user(email="camille@exemple.fr", name="Camille Dupré", language="en", country="FR")
    judged = judged_challenge(entries=2, jurors=2, members=[[user], [factories.make_user()]])
    from govchallenge.jury.models import Juror

    db.session.add(Juror(challenge_id=judged.challenge.id, user_id=user.id, email=user.email, name=user.name,
                         state="declined"))
    judged.submissions[0].versions[0].submitted_by_id = user.id
    db.session.commit()
    return user


def test_the_person_gets_a_zip_of_their_data_by_a_link_in_their_language(app, person):
    person.language = "fr"
    db.session.commit()
    client = login(app.test_client(), person)
    answer = client.post("/my-data/export", data=ASK)
    assert answer.status_code == 302
    export = db.session.execute(sa.select(DataExport)).scalar_one()
    assert export.state == "ready" and export.mailed_at is not None
    job = db.session.get(OutboxJob, export.outbox_job_id)
    assert job.state == "done" and job.progress_done == job.progress_total > 9  # nine sections and the files
    (message,) = mails_to(app, "camille@exemple.fr")
    assert message["Subject"] == "Vos données govchallenge sont prêtes"
    link = link_in(message)
    assert "/my-data/download/" in client.get("/my-data").get_data(as_text=True)  # signed afresh for the page

    answer = client.get(link)
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert answer.headers["Cache-Control"] == "no-store"
    bundle = zipfile.ZipFile(io.BytesIO(answer.data))
    names = set(bundle.namelist())
    assert {"profile.json", "memberships.json", "teams.json", "entries.json", "jury.json", "questions.json",
            "follows.json", "audit_events.json", "identity_links.json"} <= names
    profile = json.loads(bundle.read("profile.json"))
    assert profile["email"] == "camille@exemple.fr" and profile["name"] == "Camille Dupré"
    assert "password_hash" not in profile and "session_version" not in profile
    entries = json.loads(bundle.read("entries.json"))
    assert len(entries["entries"]) == 1 and entries["entries"][0]["title"] == "Entry 001"
    jury = json.loads(bundle.read("jury.json"))
    assert [j["state"] for j in jury["juries"]] == ["declined"] and "nonce" not in jury["juries"][0]
    events = json.loads(bundle.read("audit_events.json"))
    assert "privacy.export_requested" in [e["action"] for e in events]
    assert any(e["actor"] == "camille@exemple.fr" for e in events)
    assert any(name.startswith("files/") and name.endswith(".pdf") for name in names)
    answer.close()
    retention.purge_expired_exports()  # what a server's closing of the response did not remove
    assert not Path(app.config["EXPORT_DIR"], export.file_name).exists()

    # Replayed: the link works once.
    again = client.get(link)
    assert again.status_code == 410 and "a déjà été utilisé" in again.get_data(as_text=True)


def test_a_second_request_while_one_is_prepared_starts_no_second_job(app, person):
    exports.request_export(person)  # committed without running: a job waiting in the outbox
    db.session.commit()
    client = login(app.test_client(), person)
    page = client.get("/my-data").get_data(as_text=True)
    assert "<progress" in page and "Prepare my data" not in page
    answer = client.post("/my-data/export", data=ASK)
    assert answer.status_code == 409 and "already being prepared" in answer.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(DataExport.id))).scalar_one() == 1
    jobs = db.session.execute(sa.select(sa.func.count(OutboxJob.id)).where(OutboxJob.function == exports.EXPORT_JOB))
    assert jobs.scalar_one() == 1


def test_the_database_itself_holds_one_export_in_preparation(app, person):
    db.session.add(DataExport(user_id=person.id, state="pending"))
    db.session.commit()
    db.session.add(DataExport(user_id=person.id, state="pending"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(DataExport(user_id=person.id, state="used"))
    db.session.commit()


def test_a_failed_job_lets_the_person_ask_again(app, person):
    export = exports.request_export(person)
    db.session.commit()
    db.session.execute(sa.update(OutboxJob).where(OutboxJob.id == export.outbox_job_id).values(state="failed"))
    db.session.commit()
    client = login(app.test_client(), person)
    assert "Preparing your data failed" in client.get("/my-data").get_data(as_text=True)
    assert client.post("/my-data/export", data=ASK).status_code == 302
    states = db.session.execute(sa.select(DataExport.state).order_by(DataExport.id)).scalars().all()
    assert states == ["failed", "ready"]


def test_without_a_recent_sign_in_the_password_is_asked_again(make_app):
    app = make_app(REAUTH_SECONDS=0)
    with app.app_context():
        user = factories.make_user()
        db.session.commit()
        client = login(app.test_client(), user)
        answer = client.post("/my-data/export", data={"password": ""})
        assert answer.status_code == 400 and "Type your password again" in answer.get_data(as_text=True)
        answer = client.post("/my-data/export", data={"password": "x" * 300})
        assert answer.status_code == 400
        assert db.session.execute(sa.select(DataExport)).first() is None
        assert client.post("/my-data/export", data=ASK).status_code == 302


def _ready_link(app, user):
    client = login(app.test_client(), user)
    client.post("/my-data/export", data=ASK)
    export = db.session.execute(sa.select(DataExport).where(DataExport.user_id == user.id)).scalar_one()
    return client, export, f"/my-data/download/{exports.make_link_token(export)}"


def test_only_the_person_downloads(app, person, people):
    client, export, link = _ready_link(app, person)
    for role in ("admin", "participant"):
        answer = login(app.test_client(), people[role]).get(link)
        assert answer.status_code == 403 and "belongs to another account" in answer.get_data(as_text=True)
    assert client.get(link).status_code == 200


def test_an_expired_link_is_refused_with_a_page(app, person):
    client, export, link = _ready_link(app, person)
    db.session.execute(sa.update(DataExport).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    answer = client.get(link)
    assert answer.status_code == 410 and "has expired" in answer.get_data(as_text=True)


def test_a_link_past_its_signature_age_is_refused(make_app):
    app = make_app(EXPORT_LINK_HOURS=0)
    with app.app_context():
        user = factories.make_user()
        db.session.commit()
        client, export, link = _ready_link(app, user)
        import time

        time.sleep(1.1)
        answer = client.get(link)
        assert answer.status_code == 410 and "has expired" in answer.get_data(as_text=True)


@pytest.mark.parametrize("mangle", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: "not-a-token",
    lambda token: "x" * 2000,
])
def test_a_forged_link_is_a_404_page(app, person, mangle):
    client, export, link = _ready_link(app, person)
    token = link.rsplit("/", 1)[1]
    answer = client.get(f"/my-data/download/{mangle(token)}")
    assert answer.status_code == 404 and "not valid" in answer.get_data(as_text=True)


def test_a_link_to_another_export_nonce_is_refused(app, person):
    client, export, link = _ready_link(app, person)
    token = exports._serializer().dumps({"e": export.id, "n": "0" * 32})
    assert client.get(f"/my-data/download/{token}").status_code == 404
    token = exports._serializer().dumps({"e": "1", "n": export.nonce})
    assert client.get(f"/my-data/download/{token}").status_code == 404
    token = exports._serializer().dumps(["not", "a", "dict"])
    assert client.get(f"/my-data/download/{token}").status_code == 404


def test_the_job_runs_twice_without_a_second_mail(app, person):
    client, export, link = _ready_link(app, person)
    assert exports.build_export(export.id) == {"export": export.id, "size": export.size}
    assert len(mails_to(app, person.email)) == 1
    assert exports.build_export(999999) == "nothing to do"


def test_two_requests_at_the_same_instant_start_one_job(app, person, monkeypatch):
    """The second request does not see the first's row yet (as when both run at once): the index refuses it."""
    exports.request_export(person)
    db.session.commit()
    monkeypatch.setattr(exports, "pending_export", lambda user: None)
    client = login(app.test_client(), person)
    answer = client.post("/my-data/export", data=ASK)
    assert answer.status_code == 409 and "already being prepared" in answer.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(DataExport.id))).scalar_one() == 1


def test_the_job_runs_in_a_worker_without_any_request(app, person):
    export = exports.request_export(person)
    db.session.commit()
    assert exports.build_export(export.id) == {"export": export.id, "size": export.size}
    db.session.commit()
    (message,) = mails_to(app, person.email)
    assert "/my-data/download/" in link_in(message) and "Europe/Warsaw" in message.get_body(("plain",)).get_content()
