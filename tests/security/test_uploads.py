"""Every download says its file name in a header any server can send (Latin-1, RFC 6266/5987), gives
back the uploader's name exactly, and carries `nosniff`; uploaded names lose hidden characters.

The oracle for the header is the standard library's MIME parser (`email`), which decodes RFC 2231
`filename*=` values on its own."""
import contextlib
import email
import email.utils
import inspect
import io
import os
import pathlib
import re
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from govchallenge.core import storage
from govchallenge.extensions import db
from tests.conftest import login
from tests.support import factories
from tests.support.services import free_port

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NAMES = {"greek": "Προκήρυξη.pdf", "polish": "Zespół Łódź — plan.pdf", "chinese": "项目说明书.pdf", "ascii": "plan.pdf"}


def filename_in(disposition):
    """The file name a mail/HTTP client reads: `filename*` (RFC 2231/5987) when given, else `filename`."""
    message = email.message_from_bytes(b"Content-Disposition: " + disposition.encode("latin-1") + b"\n\n")
    values = [value for key, value in message.get_params(header="content-disposition") if key == "filename"]
    extended = [value for value in values if isinstance(value, tuple)]
    return email.utils.collapse_rfc2231_value((extended or values)[0])


def fallback_in(disposition):
    return re.search(r'filename="([^"]*)"', disposition).group(1)


# --- one function per download route: (client, url, the name the file should arrive under) -----

def _challenge_attachment(app, name):
    challenge = factories.make_challenge()
    stored = storage.save(PDF, "application/pdf")
    from govchallenge.challenges.models import ChallengeAttachment

    item = ChallengeAttachment(title={"en": "Call"}, filename=name, mime_type="application/pdf", size=stored.size,
                               sha256=stored.sha256)
    challenge.attachments.append(item)
    db.session.commit()
    return app.test_client(), f"/challenges/{challenge.slug}/attachments/{item.id}", name


def _entry_with_file(name):
    from govchallenge.submissions.models import SubmissionFile

    challenge = factories.make_challenge()
    lead = factories.make_user()
    submission = factories.make_submission(factories.make_team(challenge, [lead]))
    stored = storage.save(PDF, "application/pdf")
    submission.files.append(SubmissionFile(filename=name, mime_type="application/pdf", size=stored.size, sha256=stored.sha256))
    submission.versions[0].files = [{"filename": name, "mime_type": "application/pdf", "size": stored.size, "sha256": stored.sha256}]
    db.session.commit()
    return submission, lead


def _entry_draft_file(app, name):
    submission, lead = _entry_with_file(name)
    added = next(f for f in submission.files if f.filename == name)  # the factory's entry has a file of its own
    return login(app.test_client(), lead), f"/entries/{submission.public_id}/files/{added.public_id}", name


def _entry_version_file(app, name):
    submission, lead = _entry_with_file(name)
    return login(app.test_client(), lead), f"/entries/{submission.public_id}/versions/1/files/0", name


def _jury_review_file(app, name):
    from govchallenge.jury.models import Juror
    from tests.support.jury_factories import make_jury_setup

    setup = make_jury_setup(n_entries=2, n_jurors=2, reviews=2, anonymous=False)
    assignment = next(a for a in setup["round"].assignments if not db.session.get(Juror, a.juror_id).is_chair)
    stored = storage.save(PDF, "application/pdf")
    submission = db.session.get(type(assignment.submission), assignment.submission_id)
    submission.versions[-1].files = [{"filename": name, "mime_type": "application/pdf", "size": stored.size, "sha256": stored.sha256}]
    db.session.commit()
    juror = db.session.get(Juror, assignment.juror_id).user
    return login(app.test_client(), juror), f"/jury/review/{assignment.public_id}/files/0", name


def _entries_export(app, name):
    officer = factories.make_user()
    challenge = factories.make_challenge(host=factories.make_public_body(officer=officer))
    factories.make_submission(factories.make_team(challenge))
    db.session.commit()
    host = login(app.test_client(), officer)
    after_close = challenge.stages[0].closes_at + timedelta(minutes=1)
    with time_machine.travel(after_close):
        job = host.post(f"/entries/hosts/stages/{challenge.stages[0].id}/export").headers["Location"].rsplit("/", 1)[1]
    host.moment = after_close  # the hosts' list opens only after the stage closed
    return host, f"/entries/hosts/exports/{job}/zip", f"{challenge.slug}-stage-1.zip"


def _published_results(kind):
    def make(app, name):
        from tests.support.results_factories import judged_challenge, publish

        judged = judged_challenge(entries=2)
        publish(judged)
        db.session.commit()
        return app.test_client(), f"/challenges/{judged.challenge.slug}/results.{kind}", f"{judged.challenge.slug}-results.{kind}"

    return make


def _my_data(app, name):
    from govchallenge.privacy.models import DataExport
    from govchallenge.privacy.exports import make_link_token

    user = factories.make_user(name=name)
    db.session.commit()
    client = login(app.test_client(), user)
    client.post("/my-data/export", data={"password": factories.PASSWORD})
    export = db.session.execute(sa.select(DataExport).where(DataExport.user_id == user.id)).scalar_one()
    return client, f"/my-data/download/{make_link_token(export)}", "govchallenge-my-data.zip"


def _listed_solution(app):
    """A published challenge's winner, listed by its host: its slug."""
    import sqlalchemy as sa

    from govchallenge.reuse.models import Listing
    from tests.support.results_factories import judged_challenge, publish

    judged = judged_challenge(entries=2)
    winner = judged.submissions[0]
    winner.licence, winner.repository_url = "EUPL-1.2", "https://git.example.eu/solution"
    publish(judged)
    db.session.commit()
    host = login(app.test_client(), judged.officer)
    assert host.post(f"/solutions/challenges/{judged.challenge.slug}/listings/{winner.public_id}/approve").status_code == 302
    return db.session.execute(sa.select(Listing.slug).where(Listing.submission_id == winner.id)).scalar_one()


def _solutions_dataset(kind):
    def make(app, name):
        _listed_solution(app)
        return app.test_client(), f"/solutions/dataset.{kind}", f"solutions.{kind}"

    return make


def _solution_publiccode(app, name):
    return app.test_client(), f"/solutions/{_listed_solution(app)}/publiccode.yml", "publiccode.yml"


def _peoples_choice(kind):
    def make(app, name):
        from govchallenge.core.timeutil import utcnow
        from govchallenge.peoples_choice import operations
        from tests.support.pchoice_factories import award_world

        world = award_world()
        slug, entry = world.judged.challenge.slug, world.entries[0].public_id
        if kind == "json":
            world.award.closes_at = utcnow() - timedelta(seconds=1)
            operations.publish(world.judged.officer, world.award)
            db.session.commit()
            return app.test_client(), f"/challenges/{slug}/peoples-choice.json", f"{slug}-peoples-choice.json"
        db.session.commit()
        return app.test_client(), f"/challenges/{slug}/peoples-choice/entries/{entry}/images/0", f"entry-{entry[:8]}-image-1.jpg"

    return make


DOWNLOADS = {
    "peoples_choice.export_json": _peoples_choice("json"),
    "peoples_choice.image": _peoples_choice("image"),
    "reuse.dataset": _solutions_dataset("json"),
    "reuse.publiccode_yml": _solution_publiccode,
    "privacy.download": _my_data,
    "challenges.attachment": _challenge_attachment,
    "submissions.download": _entry_draft_file,
    "submissions.version_file": _entry_version_file,
    "jury.review_file": _jury_review_file,
    "submissions.export_file": _entries_export,
    "results.export_json": _published_results("json"),
    "results.export_csv": _published_results("csv"),
}


@pytest.mark.parametrize("language", NAMES)
@pytest.mark.parametrize("endpoint", DOWNLOADS)
def test_every_download_names_its_file_in_latin1_and_says_nosniff(app, endpoint, language):
    client, url, expected = DOWNLOADS[endpoint](app, NAMES[language])
    moment = getattr(client, "moment", None)
    with time_machine.travel(moment, tick=False) if moment else contextlib.nullcontext():
        response = client.get(url)
    assert response.status_code == 200, url
    disposition = response.headers["Content-Disposition"]
    disposition.encode("latin-1")  # what gunicorn needs to send it at all
    assert disposition.startswith("attachment;")
    assert filename_in(disposition) == expected
    assert fallback_in(disposition).isascii() and fallback_in(disposition).endswith(pathlib.Path(expected).suffix)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_download_table_lists_every_route_that_sends_a_file(app):
    """A new download route must be added to DOWNLOADS (and so be tested above)."""
    senders = {
        endpoint for endpoint, view in app.view_functions.items()
        if re.search(r"download_response\(|stored_download\(|\b_send\(", inspect.getsource(inspect.unwrap(view)))
    }
    assert senders == set(DOWNLOADS)


def test_no_module_builds_a_download_header_around_the_helper():
    package = pathlib.Path(storage.__file__).resolve().parents[1]
    offenders = [
        str(path.relative_to(package)) for path in package.rglob("*.py")
        if path.name != "storage.py" and re.search(r"send_file|Content-Disposition|download_name", path.read_text())
    ]
    assert offenders == []


@pytest.mark.parametrize("name, expected", [
    ("Προκήρυξη.pdf", "download.pdf"),
    ("Zespół Łódź.pdf", "Zespol Lodz.pdf"),
    ('we"ird\\name.txt', "name.txt"),
    ("report\u202egpj.exe", "reportgpj.exe"),
    ("", "download"),
])
def test_the_ascii_fallback_has_no_quote_no_hidden_character_and_keeps_the_extension(name, expected):
    disposition = storage.content_disposition(name)
    assert fallback_in(disposition) == expected


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\u2066", "\u200f", "\ufeff", "\x1b"])
def test_an_uploaded_entry_file_loses_hidden_characters_in_its_name(app, hidden):
    from govchallenge.submissions.models import Submission
    from tests.support.submissions_factories import entry_data, open_team

    challenge, team, (lead, _) = open_team()
    db.session.commit()
    client = login(app.test_client(), lead)
    response = client.post(f"/entries/start/{team.public_id}/{challenge.stages[0].id}",
                           data={**entry_data(), "attachments": (io.BytesIO(PDF), f"invoice{hidden}fdp.exe.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    entry = db.session.execute(sa.select(Submission).where(Submission.team_id == team.id)).scalar_one()
    assert entry.files[0].filename == "invoicefdp.exe.pdf"


def test_an_uploaded_challenge_attachment_keeps_its_greek_name_without_hidden_characters(app):
    from govchallenge.challenges.models import ChallengeAttachment

    officer = factories.make_user()
    challenge = factories.make_challenge(host=factories.make_public_body(officer=officer), status="draft")
    db.session.commit()
    client = login(app.test_client(), officer)
    response = client.post(f"/challenges/{challenge.slug}/attachments", content_type="multipart/form-data",
                           data={"title": "Προκήρυξη", "file": (io.BytesIO(PDF), "Προκήρυξη\u202e.pdf")})
    assert response.status_code == 302
    item = db.session.execute(sa.select(ChallengeAttachment)).scalar_one()
    assert item.filename == "Προκήρυξη.pdf"
    download = client.get(f"/challenges/{challenge.slug}/attachments/{item.id}")
    assert filename_in(download.headers["Content-Disposition"]) == "Προκήρυξη.pdf"


@pytest.mark.only_db("sqlite")
def test_gunicorn_serves_a_greek_named_attachment(app, backend, tmp_path):
    """The finding itself: under gunicorn a non-Latin-1 header was a 500."""
    _client, url, name = _challenge_attachment(app, NAMES["greek"])
    port = free_port()
    root = pathlib.Path(__file__).resolve().parents[2]
    environment = {**os.environ, "DATABASE_URL": backend.url(), "SECRET_KEY": "gunicorn-test-secret-key-0123456789",
                   "STORAGE_DIR": app.config["STORAGE_DIR"], "REDIS_URL": "", "RATELIMIT_STORAGE_URI": "memory://"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"],
                              cwd=root, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        response = _get_when_up(f"http://127.0.0.1:{port}{url}", server)
        assert response.status == 200 and response.read() == PDF
        assert filename_in(response.headers["Content-Disposition"]) == name
    finally:
        server.terminate()
        server.wait(timeout=10)


def _get_when_up(url, server, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return urllib.request.urlopen(url, timeout=5)
        except urllib.error.HTTPError as error:
            return error
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not serve: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
