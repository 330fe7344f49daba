"""Files in an S3-compatible bucket (STORAGE_BACKEND=s3, through boto3), against a real S3 server in its own
process (moto on loopback: tests/support/s3server.py says what that proves and what it does not — no
signature checks). The bucket is looked into with the tests' own client, never through the platform's code."""
import contextlib
import hashlib
import io
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from govchallenge.core import storage
from govchallenge.extensions import db
from govchallenge.submissions.models import Submission
from tests.conftest import login
from tests.security.test_uploads import DOWNLOADS, filename_in
from tests.support.submissions_factories import entry_data, open_team

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MIB = 1024 * 1024


def key_of(data):
    """Where the platform has always kept a file: S3_PREFIX, then the first two hex digits of its SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    return f"gc/{digest[:2]}/{digest}"


@pytest.fixture
def bucket(s3_server):
    return s3_server.new_bucket()


@pytest.fixture
def s3_app(make_app, s3_server, bucket):
    return make_app(**s3_server.settings(bucket, S3_MULTIPART_THRESHOLD_MB=5))


def start_entry(app, *files, **fields):
    """A team's lead saves a new entry with `files` [(bytes, name)]; returns (their client, the response)."""
    challenge, team, (lead, _) = open_team()
    db.session.commit()
    client = login(app.test_client(), lead)
    response = client.post(f"/entries/start/{team.public_id}/{challenge.stages[0].id}",
                           data={**entry_data(**fields), "attachments": [(io.BytesIO(data), name) for data, name in files]},
                           content_type="multipart/form-data")
    return client, response


def saved_entry():
    db.session.expire_all()
    return db.session.execute(sa.select(Submission)).scalar_one()


def file_url(entry, index=0):
    return f"/entries/{entry.public_id}/files/{entry.files[index].public_id}"


def test_an_entry_file_goes_to_the_bucket_under_its_digest_and_comes_back(s3_app, s3_server, bucket):
    with s3_app.app_context():
        client, response = start_entry(s3_app, (PDF, "plan.pdf"))
        assert response.status_code == 302
        inside = s3_server.client()
        keys = [item["Key"] for item in inside.list_objects_v2(Bucket=bucket)["Contents"]]
        assert keys == [key_of(PDF)]
        stored = inside.get_object(Bucket=bucket, Key=key_of(PDF))
        assert stored["Body"].read() == PDF and stored["ContentType"] == "application/pdf"
        assert not list(Path(s3_app.config["STORAGE_DIR"]).rglob("*"))  # nothing went to the local folder

        entry = saved_entry()
        download = client.get(file_url(entry))
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["Content-Length"] == str(len(PDF))
        assert filename_in(download.headers["Content-Disposition"]) == "plan.pdf"
        assert download.headers["X-Content-Type-Options"] == "nosniff"

        inside.delete_object(Bucket=bucket, Key=key_of(PDF))
        assert client.get(file_url(entry)).status_code == 404


def test_files_stored_by_the_earlier_client_are_read_where_they_lie(s3_app, s3_server, bucket):
    earlier = b"%PDF-1.4\n% kept in 2025 by the hand-written client\n%%EOF\n"
    s3_server.client().put_object(Bucket=bucket, Key=key_of(earlier), Body=earlier, ContentType="application/pdf")
    with s3_app.app_context():
        assert storage.open_bytes(hashlib.sha256(earlier).hexdigest()) == earlier
        with pytest.raises(FileNotFoundError):
            storage.open_bytes(hashlib.sha256(b"never stored").hexdigest())


def test_content_already_in_the_bucket_is_not_uploaded_again(s3_app, s3_server, bucket):
    inside = s3_server.client()
    inside.put_object(Bucket=bucket, Key=key_of(PDF), Body=PDF, ContentType="application/pdf", Metadata={"origin": "earlier"})
    other = PDF + b"% another file\n"
    with s3_app.app_context():
        first = storage.save(PDF, "application/pdf")
        second = storage.save(other, "application/pdf")
    assert (first.sha256, first.size) == (hashlib.sha256(PDF).hexdigest(), len(PDF))
    assert inside.head_object(Bucket=bucket, Key=key_of(PDF))["Metadata"] == {"origin": "earlier"}  # untouched
    assert inside.head_object(Bucket=bucket, Key=key_of(other))["ContentLength"] == len(other) == second.size


def test_a_file_above_the_threshold_goes_up_in_parts_and_comes_back_in_pieces(s3_app, s3_server, bucket):
    large = b"%PDF-1.4\n" + os.urandom(11 * MIB) + b"\n%%EOF\n"  # 5 MiB parts: 5 + 5 + 1
    with s3_app.app_context():
        client, response = start_entry(s3_app, (large, "model.pdf"), (PDF, "plan.pdf"))
        assert response.status_code == 302
        inside = s3_server.client()
        assert inside.head_object(Bucket=bucket, Key=key_of(large))["ETag"].endswith('-3"')  # S3's mark of 3 parts
        assert "-" not in inside.head_object(Bucket=bucket, Key=key_of(PDF))["ETag"]  # a small file: one PUT

        entry = saved_entry()
        index = next(i for i, f in enumerate(entry.files) if f.filename == "model.pdf")
        download = client.get(file_url(entry, index), buffered=False)
        pieces = list(download.response)
        download.close()
        assert download.status_code == 200 and download.headers["Content-Length"] == str(len(large))
        assert hashlib.sha256(b"".join(pieces)).digest() == hashlib.sha256(large).digest()
        assert len(pieces) > 1 and max(map(len, pieces)) <= storage.CHUNK_BYTES  # never whole in memory


def test_when_the_bucket_stops_answering_downloads_get_the_503_page_and_typed_text_is_kept(make_app, private_s3):
    app = make_app(**private_s3.settings(private_s3.new_bucket(), S3_MAX_ATTEMPTS=1))
    with app.app_context():
        client, response = start_entry(app, (PDF, "plan.pdf"))
        assert response.status_code == 302
        entry = saved_entry()
        private_s3.stop()

        outage = client.get(file_url(entry))
        assert outage.status_code == 503
        assert "Not available just now" in outage.get_data(as_text=True)
        assert "did not answer" in outage.get_data(as_text=True)

        edit = f"/entries/{entry.public_id}/edit"
        with_file = client.post(edit, data={**entry_data(lock_version=entry.lock_version, title="Keep me"),
                                            "attachments": (io.BytesIO(PDF + b"%new\n"), "annex.pdf")},
                                content_type="multipart/form-data")
        page = with_file.get_data(as_text=True)
        assert with_file.status_code == 400
        assert "could not be stored" in page and 'value="Keep me"' in page
        assert saved_entry().title != "Keep me" and len(saved_entry().files) == 1  # nothing half-saved

        text_only = client.post(edit, data=entry_data(lock_version=entry.lock_version, title="Keep me"))
        assert text_only.status_code == 302 and saved_entry().title == "Keep me"  # text needs no bucket


def test_a_challenge_attachment_sent_while_the_bucket_is_down_keeps_its_title(make_app, private_s3):
    from govchallenge.challenges.models import DRAFT
    from tests.support import factories

    app = make_app(**private_s3.settings(private_s3.new_bucket(), S3_MAX_ATTEMPTS=1))
    with app.app_context():
        officer = factories.make_user()
        challenge = factories.make_challenge(host=factories.make_public_body(officer=officer), status=DRAFT)
        db.session.commit()
        client = login(app.test_client(), officer)
        private_s3.stop()
        response = client.post(f"/challenges/{challenge.slug}/attachments",
                               data={"title": "Terms of the call", "file": (io.BytesIO(PDF), "terms.pdf")},
                               content_type="multipart/form-data")
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "could not be stored" in page and 'value="Terms of the call"' in page
        db.session.expire_all()
        assert db.session.get(type(challenge), challenge.id).attachments == []


def test_a_bucket_that_does_not_exist_is_a_form_error_not_a_crash(make_app, s3_server):
    app = make_app(**s3_server.settings("gc-no-such-bucket"))
    with app.app_context():
        _, response = start_entry(app, (PDF, "plan.pdf"), title="Keep me")
        assert response.status_code == 400
        assert "could not be stored" in response.get_data(as_text=True)
        assert 'value="Keep me"' in response.get_data(as_text=True)


STORED_FILE_ROUTES = ["challenges.attachment", "submissions.download", "submissions.version_file",
                      "jury.review_file", "submissions.export_file"]


@pytest.mark.parametrize("endpoint", STORED_FILE_ROUTES)
def test_every_route_that_hands_out_a_stored_file_serves_it_from_the_bucket(s3_app, s3_server, bucket, endpoint):
    with s3_app.app_context():
        client, url, name = DOWNLOADS[endpoint](s3_app, "Zespół Łódź plan.pdf")
        moment = getattr(client, "moment", None)
        with time_machine.travel(moment, tick=False) if moment else contextlib.nullcontext():
            response = client.get(url)
    assert response.status_code == 200
    assert filename_in(response.headers["Content-Disposition"]) == name
    contents = s3_server.client().list_objects_v2(Bucket=bucket)["Contents"]
    assert hashlib.sha256(response.data).hexdigest() in {item["Key"].rsplit("/", 1)[1] for item in contents}
    assert not list(Path(s3_app.config["STORAGE_DIR"]).rglob("*"))

