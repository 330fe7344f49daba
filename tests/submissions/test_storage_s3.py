"""Attachments in an S3-compatible bucket, chosen by configuration; signatures per AWS SigV4."""
import io
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from govchallenge.core.s3 import EMPTY_SHA256, signature_v4
from govchallenge.extensions import db
from govchallenge.submissions.models import Submission
from tests.conftest import login
from tests.support.services import free_port
from tests.support.submissions_factories import entry_data, open_team

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_signature_matches_the_aws_example():
    # "GET Object" example of the AWS Signature Version 4 documentation for S3.
    headers = {"host": "examplebucket.s3.amazonaws.com", "range": "bytes=0-9",
               "x-amz-content-sha256": EMPTY_SHA256, "x-amz-date": "20130524T000000Z"}
    authorization = signature_v4("GET", "examplebucket.s3.amazonaws.com", "/test.txt", {}, headers, EMPTY_SHA256,
                                 "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1",
                                 datetime(2013, 5, 24, tzinfo=timezone.utc))
    assert authorization.endswith("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")


class FakeBucket(BaseHTTPRequestHandler):
    objects = {}
    requests = []

    def _authorised(self):
        authorization = self.headers.get("Authorization", "")
        self.requests.append((self.command, self.path, authorization))
        return authorization.startswith("AWS4-HMAC-SHA256 Credential=test-key/")

    def do_PUT(self):
        if not self._authorised():
            return self._reply(403)
        self.objects[self.path] = self.rfile.read(int(self.headers["Content-Length"]))
        self._reply(200)

    def do_GET(self):
        if not self._authorised():
            return self._reply(403)
        if self.path not in self.objects:
            return self._reply(404)
        self._reply(200, self.objects[self.path])

    def do_HEAD(self):
        self._reply(200 if self.path in self.objects else 404, head=True)

    def _reply(self, status, body=b"", head=False):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and not head:
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def bucket():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), FakeBucket)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeBucket.objects, FakeBucket.requests = {}, []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.single_db
def test_attachments_go_to_the_bucket_and_come_back(make_app, bucket):
    app = make_app(STORAGE_BACKEND="s3", S3_ENDPOINT_URL=bucket, S3_BUCKET="entries", S3_REGION="eu-central-1",
                   S3_ACCESS_KEY_ID="test-key", S3_SECRET_ACCESS_KEY="test-secret", S3_PREFIX="gc/")
    with app.app_context():
        challenge, team, (lead, _) = open_team()
        db.session.commit()
        client = login(app.test_client(), lead)
        response = client.post(f"/entries/start/{team.public_id}/{challenge.stages[0].id}",
                               data={**entry_data(), "attachments": (io.BytesIO(PDF), "plan.pdf")}, content_type="multipart/form-data")
        assert response.status_code == 302
        entry = db.session.execute(sa.select(Submission)).scalar_one()
        sha = entry.files[0].sha256
        assert FakeBucket.objects == {f"/entries/gc/{sha[:2]}/{sha}": PDF}
        download = client.get(f"/entries/{entry.public_id}/files/{entry.files[0].public_id}")
        assert download.status_code == 200 and download.data == PDF
        FakeBucket.objects.clear()
        assert client.get(f"/entries/{entry.public_id}/files/{entry.files[0].public_id}").status_code == 404
        app.config["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{free_port()}"  # the bucket stops answering
        outage = client.get(f"/entries/{entry.public_id}/files/{entry.files[0].public_id}")
        assert outage.status_code == 503 and "did not answer" in outage.get_data(as_text=True)


@pytest.mark.single_db
def test_an_unreachable_bucket_is_a_clear_form_error(make_app):
    app = make_app(STORAGE_BACKEND="s3", S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}", S3_BUCKET="entries",
                   S3_ACCESS_KEY_ID="test-key", S3_SECRET_ACCESS_KEY="test-secret")
    with app.app_context():
        challenge, team, (lead, _) = open_team()
        db.session.commit()
        client = login(app.test_client(), lead)
        response = client.post(f"/entries/start/{team.public_id}/{challenge.stages[0].id}",
                               data={**entry_data(title="Keep me"), "attachments": (io.BytesIO(PDF), "plan.pdf")},
                               content_type="multipart/form-data")
        assert response.status_code == 400
        assert "could not be stored" in response.get_data(as_text=True) and "Keep me" in response.get_data(as_text=True)
