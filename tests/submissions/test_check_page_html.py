"""The Nu HTML checker on the check page, the receipt with the success banner and the entry page: the demo crawl
(tests/main/test_valid_html.py) reaches no check page, since no demo person has a draft waiting in an open stage."""
from tests.main.test_valid_html import html_errors
from tests.submissions.test_check_page import _save_and_check, _entry
from tests.support.submissions_factories import open_team, submit_checked


def test_check_page_and_banner_are_valid_html(app, login_as, tmp_path):
    challenge, team, (lead, _) = open_team(open_licence="encourage")
    client = login_as(lead)
    saved = _save_and_check(client, team, title="Ανοιχτά δεδομένα", licence="MIT", repository_url="https://git.example.eu/a")
    pages = {"check": client.get(saved.headers["Location"]).get_data(as_text=True)}
    done = submit_checked(client, saved)
    pages["receipt"] = client.get(done.headers["Location"]).get_data(as_text=True)
    pages["show"] = client.get(f"/entries/{_entry(team).public_id}").get_data(as_text=True)
    assert html_errors(pages, tmp_path) in ({}, {k: [] for k in pages}), html_errors(pages, tmp_path)
