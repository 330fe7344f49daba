"""Helpers of the submissions tests: an entry's form data, the check page's submit, and a team with a challenge
that is open."""
import re

from tests.support import factories

ENTRY = {
    "title": "Open bus data for Thessaloniki", "summary": "Real-time arrivals as open data.",
    "description": "We **publish** GTFS-RT feeds.", "code_link": "https://git.example.eu/bus", "video_link": "",
    "demo_link": "", "late_code": "",
}


def entry_data(lock_version="", action="save", **changes):
    """The entry form's fields; action "submit" is its "Save and check the entry" (saves, then the check page)."""
    return {**ENTRY, "lock_version": str(lock_version), "action": action, **changes}


def shown_lock_version(html):
    """The lock version a check page carries in its "Submit entry" form ("" when it shows no such form)."""
    found = re.search(r'name="lock_version"[^>]*value="(-?\d+)"', html)
    return found.group(1) if found else ""


def submit_from_check(client, public_id, **fields):
    """Opens the check page as the person would, and presses its "Submit entry" with the lock version it showed.
    When the page shows no button (something stops the entry), posts the current lock version all the same: the
    operation must refuse it for its own reason."""
    page = client.get(f"/entries/{public_id}/check")
    assert page.status_code == 200, page.status_code
    lock_version = shown_lock_version(page.get_data(as_text=True)) or _current_lock_version(public_id)
    return client.post(f"/entries/{public_id}/check", data={"lock_version": lock_version, **fields})


def _current_lock_version(public_id):
    import sqlalchemy as sa

    from govchallenge.extensions import db
    from govchallenge.submissions.models import Submission

    db.session.expire_all()
    return str(db.session.execute(sa.select(Submission.lock_version).where(Submission.public_id == public_id)).scalar_one())


def submit_checked(client, saved, **fields):
    """The second step after the entry form's "Save and check" (`saved`, its redirect to the check page)."""
    location = saved.headers.get("Location", "")
    found = re.search(r"/entries/([^/]+)/check$", location)
    assert found, (saved.status_code, location)
    return submit_from_check(client, found.group(1), **fields)


def open_team(size=2, **challenge_fields):
    challenge = factories.make_challenge(**challenge_fields)
    members = [factories.make_user(country=country) for country in ("PL", "GR", "DE")[:size]]
    team = factories.make_team(challenge, members)
    return challenge, team, members


def through_check(client, response, **fields):
    """`response` of the entry form; when it led to the check page, that page's "Submit entry" response instead."""
    if response.status_code == 302 and response.headers.get("Location", "").endswith("/check"):
        return submit_checked(client, response, **fields)
    return response
