"""Demo entries, called by govchallenge.teams.demo for each demo team; idempotent."""
from datetime import timedelta

from govchallenge.core import storage
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db

from .models import DRAFT, Submission
from .operations import entry_of, record_version_directly

IDEAS = [
    ("Open transit pulse", "Live occupancy of buses and trams, published as open data across the border."),
    ("Commons of sensors", "A shared register of low-cost air sensors calibrated against reference stations."),
    ("One form, two countries", "A bilingual e-service that fills the neighbour's forms from your own records."),
    ("Street-level insight", "Street-by-street dashboards from anonymised mobility and air-quality data."),
    ("Clear routes", "Route planning that weighs exposure to pollution, not only travel time."),
    ("Civic data bridge", "A data exchange layer between municipalities on both sides of the border."),
    ("Quiet kerbs", "Kerb-side delivery slots booked online, cutting idling and double parking."),
    ("Trust by design", "Privacy-preserving analytics with published code and independent audits."),
]


def _stage_for(team):
    """The last stage that has closed (the demos that are judged), else the one open now, else the first."""
    now = utcnow()
    stages = team.challenge.stages
    closed = [s for s in stages if s.has_closed_at(now)]
    return closed[-1] if closed else (team.challenge.stage_open_at(now) or stages[0])


def add_entry(team, index, submitted=True):
    stage = _stage_for(team)
    if entry_of(team, stage) is not None:
        return
    title, summary = IDEAS[index % len(IDEAS)]
    description = (f"## {title}\n\n{summary}\n\n"
                   "- **Data**: open licences, documented schemas\n- **Pilot**: two cities, six months\n"
                   f"- **Team**: {', '.join(m.user.name for m in team.members)}\n")
    links = {"code": f"https://git.example.eu/{team.public_id.lower()}", "demo": f"https://demo.example.eu/{index + 1}"}
    if not submitted:
        now = utcnow()
        db.session.add(Submission(team=team, stage=stage, state=DRAFT, title=title, summary=summary,
                                  description=description, links=links, created_at=now, updated_at=now))
        db.session.flush()
        return
    text = f"{title}\n\n{summary}\n".encode()
    stored = storage.save(text, "text/plain")
    files = [{"filename": "concept-note.txt", "mime_type": "text/plain", "size": stored.size, "sha256": stored.sha256}]
    moment = min(utcnow(), stage.closes_at) - timedelta(hours=2 + index * 3)
    moment = max(moment, stage.opens_at)
    lead = team.lead.user if team.lead else None
    record_version_directly(team, stage, title, summary, description, links=links, files=files,
                            submitted_at=moment, actor=lead)
