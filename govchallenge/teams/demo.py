"""Demo data of the teams domain (registered in govchallenge.demo.DEMO_STEPS); idempotent.

Teams from several countries and organisations for the three demo challenges; their entries
(drafts and submitted versions) come from govchallenge.submissions.demo, called by name so this
lower domain does not import the higher one.
"""
import importlib

import sqlalchemy as sa

from govchallenge.accounts.models import find_by_email
from govchallenge.challenges.models import by_slug as challenge_by_slug
from govchallenge.extensions import db
from govchallenge.organisations.models import by_slug as organisation_by_slug

from .models import LEAD, MEMBER, Team, TeamMember

# Entrants beyond the foundation's demo users: a person enters a challenge in one team only.
EXTRA_ENTRANTS = [
    ("lukas.berger@entrant.example.at", "Lukas Berger", "AT", "de", "Europe/Vienna"),
    ("eva.novak@entrant.example.si", "Eva Novak", "SI", "en", "Europe/Ljubljana"),
    ("joost.devries@entrant.example.nl", "Joost de Vries", "NL", "en", "Europe/Amsterdam"),
    ("laura.garcia@entrant.example.es", "Laura García", "ES", "en", "Europe/Madrid"),
    ("matti.virtanen@entrant.example.fi", "Matti Virtanen", "FI", "en", "Europe/Helsinki"),
    ("ruta.kazlauskiene@entrant.example.lt", "Rūta Kazlauskienė", "LT", "en", "Europe/Vilnius"),
    ("bogdan.ionescu@entrant.example.ro", "Bogdan Ionescu", "RO", "en", "Europe/Bucharest"),
    ("zsofia.kovacs@entrant.example.hu", "Zsófia Kovács", "HU", "en", "Europe/Budapest"),
    ("clara.dubois@entrant.example.be", "Clara Dubois", "BE", "fr", "Europe/Brussels"),
    ("marco.bianchi@entrant.example.it", "Marco Bianchi", "IT", "en", "Europe/Rome"),
]

# (team name suffix, [(e-mail, organisation slug or None)]); the first person leads.
LINE_UP = [
    ("Nordlys", [("mads.jensen@nordlys.example.dk", "nordlys-analytics"), ("joost.devries@entrant.example.nl", None)]),
    ("Datacraft", [("ines.costa@datacraft.example.pt", "datacraft-lisboa"), ("laura.garcia@entrant.example.es", None)]),
    ("Civic Lab", [("kadri.tamm@civiclab.example.ee", "tallinn-civic-lab"), ("ruta.kazlauskiene@entrant.example.lt", None)]),
    ("IBC", [("tomasz.wisniewski@ibc.example.pl", "instytut-badan-cyfrowych"), ("zsofia.kovacs@entrant.example.hu", None)]),
    ("Open Commons", [("aoife.byrne@opencommons.example.ie", "open-commons-ireland"), ("clara.dubois@entrant.example.be", None)]),
    ("AMW", [("nikos.georgiou@amw.example.gr", "athens-mobility-works"), ("marco.bianchi@entrant.example.it", None)]),
    ("Alpine", [("lukas.berger@entrant.example.at", None), ("eva.novak@entrant.example.si", None)]),
    ("Baltic-Danube", [("matti.virtanen@entrant.example.fi", None), ("bogdan.ionescu@entrant.example.ro", None)]),
]

# slug -> (team name pattern, how many teams, how many of them submitted)
PLAN = {
    "smart-mobility-data": ("{} Mobility", 8, 8),
    "clean-air-sensors": ("{} Air", 8, 8),
    "cross-border-e-services": ("{} e-Services", 5, 2),
    "cool-streets-demo-day": ("{} Cool Streets", 8, 8),
}


def _ensure_entrants():
    from govchallenge.demo import ensure_user  # the demo's own helper: same password, verified

    for email, name, country, language, timezone in EXTRA_ENTRANTS:
        ensure_user(email, name, country, language, timezone)


def ensure_team(challenge, name, people):
    """people: [(user, organisation or None)], the first leads. Returns the team (existing or new)."""
    team = db.session.execute(
        sa.select(Team).where(Team.challenge_id == challenge.id, Team.name == name)
    ).scalar_one_or_none()
    if team is not None:
        return team
    taken = set(db.session.execute(
        sa.select(TeamMember.user_id).where(TeamMember.challenge_id == challenge.id)
    ).scalars())
    people = [(user, organisation) for user, organisation in people if user is not None and user.id not in taken]
    if not people:
        return None
    team = Team(challenge=challenge, name=name)
    db.session.add(team)
    for index, (user, organisation) in enumerate(people):
        team.members.append(TeamMember(user=user, challenge_id=challenge.id, organisation=organisation,
                                       role=LEAD if index == 0 else MEMBER))
    db.session.flush()
    return team


def add_demo(users):
    """users: {e-mail: User} of the foundation's demo accounts."""
    _ensure_entrants()
    entries = importlib.import_module("govchallenge.submissions.demo")
    for slug, (pattern, count, submitted) in PLAN.items():
        challenge = challenge_by_slug(slug)
        if challenge is None or not challenge.stages:
            continue
        for index, (suffix, line_up) in enumerate(LINE_UP[:count]):
            people = [(users.get(email) or find_by_email(email), organisation_by_slug(org) if org else None)
                      for email, org in line_up]
            team = ensure_team(challenge, pattern.format(suffix), people)
            if team is not None:
                entries.add_entry(team, index, submitted=index < submitted)
    db.session.flush()
