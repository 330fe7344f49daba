"""Helpers of the submissions tests: an entry's form data, and a team with a challenge that is open."""
from tests.support import factories

ENTRY = {
    "title": "Open bus data for Thessaloniki", "summary": "Real-time arrivals as open data.",
    "description": "We **publish** GTFS-RT feeds.", "code_link": "https://git.example.eu/bus", "video_link": "",
    "demo_link": "", "late_code": "",
}


def entry_data(lock_version="", action="save", accept=False, **changes):
    data = {**ENTRY, "lock_version": str(lock_version), "action": action, **changes}
    if accept:
        data["accept_terms"] = "y"
    return data


def open_team(size=2, **challenge_fields):
    challenge = factories.make_challenge(**challenge_fields)
    members = [factories.make_user(country=country) for country in ("PL", "GR", "DE")[:size]]
    team = factories.make_team(challenge, members)
    return challenge, team, members
