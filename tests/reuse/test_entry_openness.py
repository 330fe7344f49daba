"""Openness declared with the entry: the SPDX licence (normalised, or refused naming the identifiers), the
repository (http(s) only), the publiccode.yml (pasted or uploaded; each problem named with its field), the
challenge's require / encourage setting, and nothing of it on a blind juror's page."""
import io

import pytest
import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.submissions.models import Submission
from tests.reuse import samples
from tests.support.submissions_factories import entry_data, open_team, through_check


def _start(client, team, **data):
    """The entry form's POST; a submit goes on through the check page's "Submit entry"."""
    response = client.post(f"/entries/start/{team.public_id}/{team.challenge.stages[0].id}", data=entry_data(**data),
                           content_type="multipart/form-data")
    return through_check(client, response) if data.get("action") == "submit" else response


def _entry(team):
    db.session.expire_all()
    return db.session.execute(sa.select(Submission).where(Submission.team_id == team.id)).scalar_one_or_none()


def test_a_valid_declaration_is_saved_normalised(app, login_as):
    challenge, team, (lead, _member) = open_team()
    response = _start(login_as(lead), team, licence="eupl-1.2 or mit", repository_url="https://git.example.eu/bus",
                      publiccode_text=samples.VALID)
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = _entry(team)
    assert entry.licence == "EUPL-1.2 OR MIT" and entry.repository_url == "https://git.example.eu/bus"
    assert entry.publiccode.startswith("publiccodeYmlVersion")


def test_an_uploaded_publiccode_file_is_read(app, login_as):
    challenge, team, (lead, _member) = open_team()
    upload = (io.BytesIO(samples.VALID.encode("utf-8")), "publiccode.yml")
    response = _start(login_as(lead), team, licence="MIT", publiccode_file=upload)
    assert response.status_code == 302
    assert "Δημοτικές Συγκοινωνίες" in _entry(team).publiccode


@pytest.mark.parametrize("licence, said", [
    ("Foo-1.0 OR MIT", "Not an SPDX licence identifier: Foo-1.0"),
    ("GPL-2.0+", "Deprecated SPDX identifier: GPL-2.0+ (GPL-2.0-or-later). Write GPL-2.0-or-later instead."),
    ("MIT AND (", "Not a valid SPDX expression"),
])
def test_a_bad_licence_is_refused_naming_what_is_wrong_and_the_text_is_kept(app, login_as, licence, said):
    challenge, team, (lead, _member) = open_team()
    response = _start(login_as(lead), team, licence=licence, title="Kept title ŁÓDŹ")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and said in page and "Kept title ŁÓDŹ" in page
    assert _entry(team) is None


@pytest.mark.parametrize("url", ["ftp://git.example.eu/bus", "javascript:alert(1)", "git@example.eu:bus.git"])
def test_a_repository_that_is_not_http_is_refused(app, login_as, url):
    challenge, team, (lead, _member) = open_team()
    response = _start(login_as(lead), team, repository_url=url)
    assert response.status_code == 400 and "starting with http:// or https://" in response.get_data(as_text=True)
    assert _entry(team) is None


@pytest.mark.parametrize("text, said", [
    (samples.NOT_YAML, "publiccode.yml: not YAML (line 3)"),
    (samples.MISSING_FIELDS, "url: required, but missing or empty"),
    (samples.MISSING_FIELDS, "description.en.shortDescription: required, but missing or empty"),
    (samples.WRONG_LICENCE, "legal.license: Not an SPDX licence identifier: Proprietary-Licence-1.0"),
    (samples.WRONG_LICENCE, "maintenance.type: must be one of: internal, contract, community, none"),
    (samples.DEPRECATED_LICENCE, "legal.license: Deprecated SPDX identifier: GPL-2.0+ (GPL-2.0-or-later)"),
])
def test_publiccode_problems_are_named_with_their_field_and_nothing_saved_is_lost(app, login_as, text, said):
    challenge, team, (lead, _member) = open_team()
    client = login_as(lead)
    assert _start(client, team, licence="MIT", repository_url="https://git.example.eu/a").status_code == 302
    entry = _entry(team)
    response = client.post(f"/entries/{entry.public_id}/edit", data=entry_data(entry.lock_version, publiccode_text=text, title="New"),
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and said in page
    entry = _entry(team)
    assert entry.title == "Open bus data for Thessaloniki" and entry.licence == "MIT"  # what was saved stays


def test_a_challenge_that_requires_an_open_licence_refuses_submission_without_one(app, login_as):
    challenge, team, (lead, _member) = open_team(open_licence="require")
    client = login_as(lead)
    page = client.get(f"/entries/start/{team.public_id}/{challenge.stages[0].id}").get_data(as_text=True)
    assert "requires an open-source licence and a public repository" in page
    response = _start(client, team, action="submit")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "requires an open-source licence" in page and "requires the public repository" in page
    assert _entry(team).state == "draft"  # saved as a draft on the way to the check page, not submitted

    def resubmit(**data):
        entry = _entry(team)
        return through_check(client, client.post(f"/entries/{entry.public_id}/edit", content_type="multipart/form-data",
                                                 data=entry_data(entry.lock_version, "submit", **data)))

    response = resubmit(licence="SSPL-1.0", repository_url="https://git.example.eu/a")
    assert response.status_code == 400 and "requires an open-source licence" in response.get_data(as_text=True)
    response = resubmit(licence="EUPL-1.2 OR MIT", repository_url="https://git.example.eu/a", publiccode_text=samples.VALID)
    assert response.status_code == 302 and _entry(team).state == "submitted"


def test_encouraged_licence_submits_without_one(app, login_as):
    challenge, team, (lead, _member) = open_team(open_licence="encourage")
    client = login_as(lead)
    assert "encourages an open-source licence" in client.get(f"/entries/start/{team.public_id}/{challenge.stages[0].id}").get_data(as_text=True)
    assert _start(client, team, action="submit").status_code == 302


def test_the_host_sets_the_openness_of_a_challenge(app, client_for, people):
    from tests.support import factories

    challenge = factories.make_challenge(host=people["ministry"], status="draft")
    db.session.commit()
    client = client_for("officer")
    form = client.get(f"/challenges/{challenge.slug}/edit").get_data(as_text=True)
    assert 'name="open_licence"' in form
    data = {"version": str(challenge.version), "title": "Challenge", "summary": "S", "description": "D", "main_language": "en",
            "domain": "other", "timezone": "Europe/Warsaw", "countries_mode": "all", "team_min": "1", "team_max": "5",
            "review_comment": "overall", "aggregation": "mean", "calibration": "model", "publish_ranking": "all",
            "open_licence": "require", "anonymous_review": "y"}
    response = client.post(f"/challenges/{challenge.slug}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert challenge.open_licence == "require"
    data["open_licence"] = "always"
    assert client.post(f"/challenges/{challenge.slug}/edit", data=data).status_code == 400


def test_jurors_of_a_blind_round_see_none_of_it(app, login_as):
    """The licence, the repository and the publiccode.yml are the working copy's: the juror's page shows the
    submitted version's text and links only."""
    from govchallenge.jury.models import Assignment
    from tests.support.results_factories import judged_challenge

    judged = judged_challenge(entries=1, jurors=2, round_state="open", submit_all=False)
    entry = judged.submissions[0]
    entry.licence, entry.repository_url, entry.publiccode = "EUPL-1.2", "https://git.secret-team.example.eu/x", samples.VALID
    db.session.commit()
    assignment = db.session.execute(sa.select(Assignment).where(Assignment.submission_id == entry.id)).scalars().first()
    juror = next(u for u, row in zip(judged.jurors, judged.juror_rows) if row.id == assignment.juror_id)
    page = login_as(juror).get(f"/jury/review/{assignment.public_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Entry 001" in text  # the entry is on the page; its openness is not
    assert "secret-team" not in text and "Δημοτικές" not in text and "EUPL-1.2" not in text
