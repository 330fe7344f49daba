"""Download my data, rule by rule: the ZIP read back with the standard library (every section, UTF-8 JSON in a
stable layout, the person's files under safe names, a file gone from storage said so), the link's age and the
export's own expiry at their edges, who may open it and the exact page texts, and what the audit log keeps."""
import hashlib
import json
import re
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from govchallenge.core import storage
from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.privacy import exports
from govchallenge.privacy.models import DataExport
from tests.conftest import login
from tests.privacy.test_exports import mails_to
from tests.support import factories

ASK = {"password": factories.PASSWORD}
SECRET = "test-secret-key-not-for-production"  # tests/conftest.py
SALT = "govchallenge.data-export"
SECTIONS = ["audit_events.json", "entries.json", "follows.json", "identity_links.json", "jury.json",
            "memberships.json", "peoples_choice_votes.json", "profile.json", "questions.json", "teams.json"]
NOT_VALID = "This download link is not valid."
EXPIRED = "This download link has expired. Ask for your data again."
NOT_YOURS = "This download link belongs to another account."


def sha(data):
    return hashlib.sha256(data).hexdigest()


def aged_token(payload, age_seconds):
    """A link signed with the application's key, as if made `age_seconds` ago (itsdangerous, not exports.py)."""
    class Past(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - age_seconds

    return URLSafeTimedSerializer(SECRET, salt=SALT, signer=Past).dumps(payload)


def ready_export(user, **fields):
    values = {"state": "ready", "expires_at": datetime.now(UTC) + timedelta(hours=1), **fields}
    export = DataExport(user_id=user.id, **values)
    db.session.add(export)
    db.session.commit()
    return export


def events(action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


# --- the ZIP -------------------------------------------------------------------------------------------------

STORED_REPORT = b"the person's own report"
STORED_XYLO = b"xylophone notes"
STORED_LONG = b"a file with a very long name"
NEVER_STORED = b"bytes that were never saved"


@pytest.fixture
def uploader(app):
    """A person (with a teammate) whose submitted version holds four files: three stored, one gone from storage."""
    user = factories.make_user(email="zoe@exemple.fr", name="Zoé Łódź-Ñandú")
    teammate = factories.make_user(email="teammate@exemple.fr", name="Ignacy Teammate")
    team = factories.make_team(factories.make_challenge(), [user, teammate])
    version = factories.make_submission(team).versions[0]
    for data in (STORED_REPORT, STORED_XYLO, STORED_LONG):
        storage.save(data, "application/octet-stream")
    version.submitted_by_id = user.id
    version.files = [
        {"sha256": sha(STORED_REPORT), "filename": "..My report (v2).pdf"},
        {"sha256": sha(STORED_XYLO), "filename": "Xylophone.txt"},
        {"sha256": sha(STORED_LONG), "filename": "a" * 100 + ".pdf"},
        {"sha256": sha(NEVER_STORED), "filename": "..."},
    ]
    db.session.commit()
    return user


@pytest.fixture
def bundle(app, uploader):
    export = exports.request_export(uploader)
    db.session.commit()
    exports.build_export(export.id)
    db.session.commit()
    path = Path(app.config["EXPORT_DIR"], f"{export.nonce}.zip")
    with zipfile.ZipFile(path) as opened:
        yield opened


def test_the_zip_holds_every_section_and_each_file_under_a_safe_name(bundle):
    files = {f"files/{sha(STORED_REPORT)[:12]}-My-report--v2-.pdf": STORED_REPORT,
             f"files/{sha(STORED_XYLO)[:12]}-Xylophone.txt": STORED_XYLO,
             f"files/{sha(STORED_LONG)[:12]}-{'a' * 80}": STORED_LONG,
             f"files/{sha(NEVER_STORED)[:12]}-file.missing.txt": b"file missing from storage"}
    assert sorted(bundle.namelist()) == sorted(SECTIONS + list(files))
    for name, data in files.items():
        assert bundle.read(name) == data
    assert bundle.testzip() is None
    for name in SECTIONS:  # nothing of the teammate's
        assert b"teammate@exemple.fr" not in bundle.read(name) and b"Ignacy" not in bundle.read(name)


def test_every_entry_is_compressed_and_dated_2000_so_two_exports_of_the_same_data_match(bundle):
    for info in bundle.infolist():
        assert info.date_time == (2000, 1, 1, 0, 0, 0) and info.compress_type == zipfile.ZIP_DEFLATED


def test_sections_are_utf8_json_indented_by_two_with_sorted_keys(bundle):
    raw = bundle.read("profile.json")
    assert "Zoé Łódź-Ñandú".encode() in raw and b"\\u" not in raw  # the name as written, not escaped
    lines = raw.decode("utf-8").splitlines()
    assert lines[0] == "{" and re.match(r'^  "[a-z_]+": ', lines[1])
    assert json.loads(raw)["email"] == "zoe@exemple.fr"

    def keys_sorted(pairs):
        keys = [key for key, _ in pairs]
        assert keys == sorted(keys)
        return dict(pairs)

    for name in SECTIONS:
        json.loads(bundle.read(name), object_pairs_hook=keys_sorted)
    assert list(json.loads(raw)) != sorted(json.loads(raw), reverse=True)  # a real ordering was checked


def test_the_job_reports_its_progress_to_the_end(app):
    """Ten sections and no file: the page shows 10 of 10 when the job is done."""
    user = factories.make_user()
    db.session.commit()
    login(app.test_client(), user).post("/my-data/export", data=ASK)
    export = db.session.execute(sa.select(DataExport)).scalar_one()
    job = db.session.get(OutboxJob, export.outbox_job_id)
    assert (job.state, job.progress_done, job.progress_total) == ("done", 10, 10)
    assert job.function == "govchallenge.privacy.exports.build_export" and job.max_attempts == 3


def test_the_mail_of_a_job_has_a_stable_message_id(app):
    """Derived from the delivery (a retry sends the same id), never a random one."""
    user = factories.make_user(email="stable@exemple.fr")
    db.session.commit()
    login(app.test_client(), user).post("/my-data/export", data=ASK)
    (message,) = mails_to(app, "stable@exemple.fr")
    assert re.fullmatch(r"<[0-9a-f]{64}@[^>]+>", message["Message-ID"].strip())


# --- the audit log -------------------------------------------------------------------------------------------

def test_request_ready_and_download_are_each_recorded_about_the_person(app, uploader):
    export = exports.request_export(uploader)
    db.session.commit()
    exports.build_export(export.id)
    db.session.commit()
    size = Path(app.config["EXPORT_DIR"], f"{export.nonce}.zip").stat().st_size
    exports.mark_downloaded(export, uploader)
    db.session.commit()

    (requested,) = events("privacy.export_requested")
    (ready,) = events("privacy.export_ready")
    (downloaded,) = events("privacy.export_downloaded")
    assert (requested.object_type, requested.object_id, requested.actor_id) == ("user", str(uploader.id), uploader.id)
    assert requested.detail == {"export_id": export.id}
    assert (ready.object_type, ready.object_id, ready.actor_id) == ("user", str(uploader.id), None)
    assert ready.detail == {"export_id": export.id, "size": size}
    assert (downloaded.object_type, downloaded.object_id, downloaded.actor_id) == ("user", str(uploader.id),
                                                                                     uploader.id)
    assert downloaded.detail == {"export_id": export.id}
    assert export.state == "used" and export.downloaded_at is not None


# --- asking ----------------------------------------------------------------------------------------------------

def test_asking_again_while_one_is_prepared_is_refused_with_its_reason(app):
    user = factories.make_user()
    exports.request_export(user)
    db.session.commit()
    with app.test_request_context("/"), pytest.raises(exports.ExportRefused) as refused:
        exports.request_export(user)
    text = ("Your data is already being prepared. You will receive an e-mail when it is ready; there is no need "
            "to ask again.")
    assert (refused.value.code, refused.value.message, str(refused.value)) == ("pending", text, text)


def test_the_latest_export_is_the_newest_of_the_person_only(app):
    user, other = factories.make_user(), factories.make_user()
    db.session.commit()
    first = ready_export(user, state="failed")
    ready_export(user, state="used")
    newest = ready_export(user)
    ready_export(other)
    assert exports.latest_export(user).id == newest.id != first.id
    assert exports.latest_export(factories.make_user()) is None


# --- the link ----------------------------------------------------------------------------------------------------

def refusal(token, user):
    with current_app.test_request_context("/"), pytest.raises(exports.ExportRefused) as refused:
        exports.open_link(token, user)
    return refused.value.code, refused.value.message


def test_the_link_names_the_export_and_its_nonce_signed_with_the_app_key(app):
    user = factories.make_user()
    db.session.commit()
    export = ready_export(user)
    data = URLSafeTimedSerializer(SECRET, salt=SALT).loads(exports.make_link_token(export), max_age=60)
    assert data == {"e": export.id, "n": export.nonce}
    assert exports.open_link(aged_token({"e": export.id, "n": export.nonce}, 0), user).id == export.id


def test_a_link_signed_otherwise_or_naming_another_nonce_is_not_valid(app):
    user = factories.make_user()
    db.session.commit()
    export = ready_export(user)
    assert refusal("not-a-token", user) == ("invalid", NOT_VALID)
    other_salt = URLSafeTimedSerializer(SECRET, salt="another").dumps({"e": export.id, "n": export.nonce})
    assert refusal(other_salt, user) == ("invalid", NOT_VALID)
    assert refusal(aged_token({"e": export.id, "n": "0" * 32}, 0), user) == ("invalid", NOT_VALID)


def test_another_persons_link_is_refused_as_not_theirs(app):
    owner, other = factories.make_user(), factories.make_user()
    db.session.commit()
    export = ready_export(owner)
    assert refusal(aged_token({"e": export.id, "n": export.nonce}, 0), other) == ("not_yours", NOT_YOURS)


def test_the_link_works_until_its_hours_and_not_one_second_more(make_app):
    app = make_app(EXPORT_LINK_HOURS=2)
    with app.app_context():
        user = factories.make_user()
        db.session.commit()
        export = ready_export(user, expires_at=datetime.now(UTC) + timedelta(days=30))  # only the link's age
        payload = {"e": export.id, "n": export.nonce}
        assert exports.open_link(aged_token(payload, 2 * 3600 - 60), user).id == export.id
        assert refusal(aged_token(payload, 2 * 3600 + 1), user) == ("expired", EXPIRED)
        assert refusal(aged_token(payload, 30 * 24 * 3600), user) == ("expired", EXPIRED)


def test_the_export_expires_at_its_instant(app, monkeypatch):
    instant = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    monkeypatch.setattr(exports, "utcnow", lambda: instant)
    user = factories.make_user()
    db.session.commit()
    at_instant = ready_export(user, expires_at=instant)
    assert refusal(aged_token({"e": at_instant.id, "n": at_instant.nonce}, 0), user) == ("expired", EXPIRED)
    at_instant.expires_at = instant + timedelta(seconds=1)
    db.session.commit()
    assert exports.open_link(aged_token({"e": at_instant.id, "n": at_instant.nonce}, 0), user).id == at_instant.id


@pytest.mark.parametrize("state", ["pending", "failed"])
def test_an_export_not_ready_opens_nothing_even_before_its_expiry(app, state):
    user = factories.make_user()
    db.session.commit()
    export = ready_export(user, state=state)
    assert refusal(aged_token({"e": export.id, "n": export.nonce}, 0), user) == ("expired", EXPIRED)


def test_a_used_link_says_so(app):
    user = factories.make_user()
    db.session.commit()
    export = ready_export(user, state="used")
    assert refusal(aged_token({"e": export.id, "n": export.nonce}, 0), user) == (
        "used", "This download link has already been used. Ask for your data again.")


def test_the_mail_id_names_the_delivery_the_person_and_the_export(app):
    """mail.stable_message_id: sha256 of "data_export_ready:outbox:<row>:<created at>:<person>:<export>"."""
    user = factories.make_user(email="named@exemple.fr")
    db.session.commit()
    login(app.test_client(), user).post("/my-data/export", data=ASK)
    export = db.session.execute(sa.select(DataExport)).scalar_one()
    job = db.session.get(OutboxJob, export.outbox_job_id)
    key = f"data_export_ready:outbox:{job.id}:{job.created_at.isoformat()}:{user.id}:{export.id}"
    (message,) = mails_to(app, "named@exemple.fr")
    assert message["Message-ID"].strip() == f"<{sha(key.encode())}@localhost>"


def test_a_failed_job_fails_only_the_export_still_in_preparation(app):
    """A job that gave up after building the file (its mail could not be sent) leaves a ready export ready."""
    people = [factories.make_user() for _ in range(3)]
    db.session.commit()
    made = [exports.request_export(person) for person in people]
    db.session.commit()
    made[1].state, made[2].state = "ready", "used"
    db.session.execute(sa.update(OutboxJob).values(state="failed"))
    db.session.commit()
    exports.mark_failed_exports()
    db.session.commit()
    states = db.session.execute(sa.select(DataExport.state).order_by(DataExport.id)).scalars().all()
    assert states == ["failed", "ready", "used"]
