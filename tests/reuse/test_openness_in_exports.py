"""The openness of issue 17 where exports and digests carry it, each read back from the exported file: a submitted
version freezes the licence, repository and publiccode.yml and its receipt digest covers them; the hosts' export
of a stage has them (and the publiccode.yml file, and the challenge's "based on" link); the catalogue's dataset
has each body's adoption record and the challenge's original; a results document names the original too."""
import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta

import sqlalchemy as sa

from govchallenge.core import storage
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.reuse import copying
from govchallenge.submissions import operations as ops
from govchallenge.submissions.exports import build_export
from govchallenge.submissions.models import Submission
from tests.reuse import samples
from tests.support import factories
from tests.support.submissions_factories import entry_data, open_team, submit_checked


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_digest_covers_the_declared_openness_worked_out_by_hand():
    openness = {"licence": "EUPL-1.2 OR MIT", "repository_url": "https://git.example.eu/bus", "publiccode_sha256": "ab"}
    text = ('{"description":"d","files":[],"links":{},"openness":{"licence":"EUPL-1.2 OR MIT",'
            '"publiccode_sha256":"ab","repository_url":"https://git.example.eu/bus"},"summary":"s","title":"t"}')
    assert ops.content_digest("t", "s", "d", None, [], openness) == sha(text)
    # Only what was declared; an entry that declares nothing keeps the digest it always had.
    assert ops.content_digest("t", "s", "d", None, [], {"licence": "MIT", "repository_url": ""}) == sha(
        '{"description":"d","files":[],"links":{},"openness":{"licence":"MIT"},"summary":"s","title":"t"}')
    assert ops.content_digest("t", "s", "d", None, [], {"licence": "", "publiccode_sha256": ""}) == sha(
        '{"description":"d","files":[],"links":{},"summary":"s","title":"t"}')


def _submitted_with_openness(login_as):
    challenge, team, (lead, _member) = open_team()
    client = login_as(lead)
    response = client.post(f"/entries/start/{team.public_id}/{challenge.stages[0].id}", content_type="multipart/form-data",
                           data=entry_data(action="submit", licence="eupl-1.2 or mit",
                                           repository_url="https://git.example.eu/bus", publiccode_text=samples.VALID))
    response = submit_checked(client, response)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    return challenge, client, db.session.execute(sa.select(Submission).where(Submission.team_id == team.id)).scalar_one()


def test_a_submitted_version_freezes_the_openness_and_its_digest_covers_it(app, login_as):
    _challenge, client, entry = _submitted_with_openness(login_as)
    version = entry.latest_version
    assert (version.licence, version.repository_url) == ("EUPL-1.2 OR MIT", "https://git.example.eu/bus")
    assert version.publiccode == entry.publiccode and version.publiccode.startswith("publiccodeYmlVersion")
    expected = ops.content_digest(version.title, version.summary, version.description, version.links, version.files,
                                  {"licence": "EUPL-1.2 OR MIT", "repository_url": "https://git.example.eu/bus",
                                   "publiccode_sha256": sha(entry.publiccode)})
    assert version.sha256 == expected and not ops.has_unsubmitted_changes(entry)
    assert version.sha256 in client.get(f"/entries/{entry.public_id}/receipts/1").get_data(as_text=True)
    # A licence changed after submission is a change the team has not submitted.
    entry.licence = "MIT"
    assert ops.has_unsubmitted_changes(entry)


def _export(challenge):
    files = build_export(challenge.stages[0].id)
    return zipfile.ZipFile(io.BytesIO(storage.open_bytes(files["zip"]))), storage.open_bytes(files["csv"])


def test_the_hosts_export_carries_the_openness_and_the_based_on_link(app, login_as):
    challenge, _client, entry = _submitted_with_openness(login_as)
    original = factories.make_challenge(title={"en": "The original"})
    challenge.based_on_id = original.id
    db.session.commit()
    archive, csv_bytes = _export(challenge)
    (row,) = csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig")))
    assert (row["licence"], row["repository_url"], row["publiccode_yml"]) == ("EUPL-1.2 OR MIT", "https://git.example.eu/bus", "yes")
    folder = f"{entry.team.name.replace(' ', '-')}-{entry.public_id}/v1"
    meta = json.loads(archive.read(f"{folder}/entry.json"))
    assert (meta["licence"], meta["repository_url"], meta["publiccode_yml"]) == ("EUPL-1.2 OR MIT", "https://git.example.eu/bus", True)
    assert archive.read(f"{folder}/publiccode.yml").decode("utf-8") == entry.publiccode
    about = json.loads(archive.read("challenge.json"))
    assert about["slug"] == challenge.slug and about["based_on"]["slug"] == original.slug
    assert about["based_on"]["url"].endswith(f"/challenges/{original.slug}")


def test_an_entry_without_openness_exports_empty_fields_and_no_file(app):
    challenge = factories.make_challenge()
    entry = factories.make_submission(factories.make_team(challenge))
    db.session.commit()
    archive, csv_bytes = _export(challenge)
    (row,) = csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig")))
    assert (row["licence"], row["repository_url"], row["publiccode_yml"]) == ("", "", "no")
    assert not [name for name in archive.namelist() if name.endswith("publiccode.yml")]
    assert json.loads(archive.read("challenge.json"))["based_on"] is None
    assert entry.versions[0].sha256 == ops.version_digest(entry.versions[0])


def test_the_dataset_carries_each_adoption_record_and_the_original(app, login_as, published, adopter):
    officer, body = adopter
    host = login_as(published.officer)
    slug = published.challenge.slug
    assert host.post(f"/solutions/challenges/{slug}/listings/{published.submissions[0].public_id}/approve").status_code == 302
    original = factories.make_challenge(title={"en": "The original"})
    published.challenge.based_on_id = original.id
    db.session.commit()
    from govchallenge.reuse.models import Listing

    listing = db.session.execute(sa.select(Listing)).scalar_one()
    assert login_as(officer).post(f"/solutions/{listing.slug}/adoptions",
                                  data={"organisation": str(body.id), "kind": "use"}).status_code == 302
    client = app.test_client()
    (solution,) = json.loads(client.get("/solutions/dataset.json").get_data())["solutions"]
    today = utcnow().date().isoformat()
    assert solution["adoptions"] == [{"body": "Ville de Lyon", "body_slug": body.slug, "country": "FR", "kind": "use",
                                      "recorded_on": today}]
    assert solution["challenge"]["based_on"] == original.slug
    (row,) = csv.DictReader(io.StringIO(client.get("/solutions/dataset.csv").get_data(as_text=True)))
    assert row["adoptions"] == f"use:FR:{body.slug}:{today}" and row["challenge_based_on"] == original.slug
    document = json.loads(client.get("/solutions/dataset.json").get_data())
    assert {"adoptions", "challenge_based_on"} <= {c["name"] for c in document["columns"]}
    # The API says the same.
    api = client.get(f"/api/v1/solutions/{listing.slug}").get_json()
    assert api["adoptions"] == solution["adoptions"] and api["challenge"]["based_on"] == original.slug


def test_a_results_document_names_the_challenge_it_was_run_again_from(app, adopter):
    from govchallenge.results import documents
    from tests.support.results_factories import judged_challenge, publish

    officer, body = adopter
    original = factories.make_challenge(title={"en": "The original"})
    judged = judged_challenge(entries=2)
    judged.challenge.based_on_id = original.id
    publication = publish(judged)
    db.session.commit()
    assert publication.document["challenge"]["based_on"] == original.slug
    assert documents.digest_of(publication) == publication.digest  # covered by the published digest
    exported = json.loads(app.test_client().get(f"/challenges/{judged.challenge.slug}/results.json").get_data())
    assert exported["challenge"]["based_on"] == original.slug
    # A challenge run from nobody says so.
    copy = copying.run_again(officer, judged.challenge, body, utcnow() + timedelta(days=30), "EUR")
    assert copy.based_on_id == judged.challenge.id
    other = judged_challenge(entries=2)
    assert publish(other).document["challenge"]["based_on"] is None
