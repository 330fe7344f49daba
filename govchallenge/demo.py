"""The demo dataset: believable, cross-border, and safe to load again. Later domains extend it
by adding a loader to DEMO_STEPS."""
import importlib

import sqlalchemy as sa
from flask_migrate import upgrade

from govchallenge.accounts.models import User, find_by_email
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.organisations import operations as organisations
from govchallenge.organisations.models import OFFICER, Organisation, by_slug, membership_of

PASSWORD = "Demo-govchallenge-2026"

ORGANISATIONS = [
    # slug, name, kind, country, website, verified
    ("ministerstwo-cyfryzacji", "Ministerstwo Cyfryzacji", "public_body", "PL", "https://www.gov.pl/web/cyfryzacja", True),
    ("dimos-thessalonikis", "Δήμος Θεσσαλονίκης (Municipality of Thessaloniki)", "public_body", "GR", "https://thessaloniki.gr", True),
    ("stadt-leipzig", "Stadt Leipzig", "public_body", "DE", "https://www.leipzig.de", False),
    ("nordlys-analytics", "Nordlys Analytics", "startup", "DK", "https://nordlys.example.dk", False),
    ("datacraft-lisboa", "Datacraft Lisboa", "sme", "PT", "https://datacraft.example.pt", False),
    ("tallinn-civic-lab", "Tallinn Civic Lab", "startup", "EE", "https://civiclab.example.ee", False),
    ("instytut-badan-cyfrowych", "Instytut Badań Cyfrowych", "research", "PL", "https://ibc.example.pl", False),
    ("open-commons-ireland", "Open Commons Ireland", "ngo", "IE", "https://opencommons.example.ie", False),
    ("athens-mobility-works", "Athens Mobility Works", "startup", "GR", "https://amw.example.gr", False),
]

USERS = [
    # email, name, country, language, timezone, role label, organisation slug, organisation role
    ("admin@govchallenge.example", "Platform Admin", "BE", "en", "Europe/Brussels", "platform admin", None, None),
    ("anna.kowalska@cyfryzacja.example.pl", "Anna Kowalska", "PL", "pl", "Europe/Warsaw", "officer, Polish ministry", "ministerstwo-cyfryzacji", OFFICER),
    ("piotr.nowak@cyfryzacja.example.pl", "Piotr Nowak", "PL", "pl", "Europe/Warsaw", "member, Polish ministry", "ministerstwo-cyfryzacji", "member"),
    ("eleni.papadopoulou@thessaloniki.example.gr", "Ελένη Παπαδοπούλου", "GR", "el", "Europe/Athens", "officer, Greek municipality", "dimos-thessalonikis", OFFICER),
    ("katrin.schulz@leipzig.example.de", "Katrin Schulz", "DE", "de", "Europe/Berlin", "officer, Leipzig (unverified)", "stadt-leipzig", OFFICER),
    ("mads.jensen@nordlys.example.dk", "Mads Jensen", "DK", "en", "Europe/Copenhagen", "startup lead, Denmark", "nordlys-analytics", OFFICER),
    ("ines.costa@datacraft.example.pt", "Inês Costa", "PT", "en", "Europe/Lisbon", "SME lead, Portugal", "datacraft-lisboa", OFFICER),
    ("kadri.tamm@civiclab.example.ee", "Kadri Tamm", "EE", "en", "Europe/Tallinn", "startup lead, Estonia", "tallinn-civic-lab", OFFICER),
    ("tomasz.wisniewski@ibc.example.pl", "Tomasz Wiśniewski", "PL", "pl", "Europe/Warsaw", "researcher, Poland", "instytut-badan-cyfrowych", OFFICER),
    ("aoife.byrne@opencommons.example.ie", "Aoife Byrne", "IE", "en", "Europe/Dublin", "NGO lead, Ireland", "open-commons-ireland", OFFICER),
    ("nikos.georgiou@amw.example.gr", "Νίκος Γεωργίου", "GR", "el", "Europe/Athens", "startup lead, Greece", "athens-mobility-works", OFFICER),
    ("sophie.martin@jury.example.fr", "Sophie Martin", "FR", "fr", "Europe/Paris", "juror, France", None, None),
    ("jan.dvorak@jury.example.cz", "Jan Dvořák", "CZ", "en", "Europe/Prague", "juror, Czechia", None, None),
    ("maria.rossi@jury.example.it", "Maria Rossi", "IT", "en", "Europe/Rome", "juror, Italy", None, None),
]

# Later issues append "module:function" loaders; each must be idempotent.
DEMO_STEPS = [
    "govchallenge.challenges.demo:add_demo",
    "govchallenge.teams.demo:add_demo",
    "govchallenge.jury.demo:add_demo",
    "govchallenge.results.demo:add_demo",
    "govchallenge.peoples_choice.demo:add_demo",
    "govchallenge.reuse.demo:add_demo",
    "govchallenge.legal.demo:add_demo",
]


def ensure_schema():
    upgrade()


def ensure_user(email, name, country, language, timezone):
    user = find_by_email(email)
    if user is None:
        user = User(email=email, name=name, country=country, language=language, timezone=timezone)
        user.set_password(PASSWORD)
        user.email_verified_at = utcnow()
        db.session.add(user)
        db.session.flush()
    return user


def ensure_organisation(slug, name, kind, country, website, verified, founder, admin):
    organisation = by_slug(slug)
    if organisation is None:
        organisation = organisations.create(founder, name, kind, country, website)
        organisation.slug = slug
        if verified:
            organisations.verify(admin, organisation)
        db.session.flush()
    return organisation


def load_demo():
    ensure_schema()
    users = {row[0]: ensure_user(*row[:5]) for row in USERS}
    admin = users["admin@govchallenge.example"]
    admin.is_admin = True
    founders = {row[6]: users[row[0]] for row in USERS if row[7] == OFFICER}
    for slug, name, kind, country, website, verified in ORGANISATIONS:
        ensure_organisation(slug, name, kind, country, website, verified, founders[slug], admin)
    for email, *_rest, slug, role in USERS:
        if slug and membership_of(users[email], by_slug(slug)) is None:
            organisations.add_member(admin, by_slug(slug), users[email], role)
    db.session.flush()
    for step in DEMO_STEPS:
        module_name, _, function = step.partition(":")
        getattr(importlib.import_module(module_name), function)(users)
        db.session.flush()
    return {"password": PASSWORD, "accounts": [(row[5], row[0]) for row in USERS], "parts": parts_in_the_demo(users)}


def parts_in_the_demo(users):
    """{e-mail: ["chairs the jury of smart-mobility-data", "in team X for clean-air-sensors", ...]}: what each
    demo person does, read from the loaded data (so it stays true when a domain's demo changes). English: it
    is printed by `flask demo` for the person who runs it."""
    from govchallenge.challenges.models import ACCEPTED, Challenge, ChallengeHost
    from govchallenge.jury.models import Juror
    from govchallenge.teams.models import Team, TeamMember

    ids = {user.id: email for email, user in users.items()}
    parts = {email: [] for email in users}
    for email, user in users.items():
        if user.is_admin:
            parts[email].append("approves challenges, verifies public bodies, reads the e-mails written (/admin/mail)")
    hosted = db.session.execute(
        sa.select(ChallengeHost.organisation_id, Challenge.slug).join(Challenge, Challenge.id == ChallengeHost.challenge_id)
        .where(ChallengeHost.state == ACCEPTED).order_by(Challenge.slug)
    ).all()
    by_body = {}
    for organisation_id, slug in hosted:
        by_body.setdefault(organisation_id, []).append(slug)
    from govchallenge.organisations.models import Membership

    officers = db.session.execute(
        sa.select(Membership.user_id, Membership.organisation_id).where(Membership.user_id.in_(ids), Membership.role == OFFICER)
    ).all()
    for user_id, organisation_id in officers:
        if by_body.get(organisation_id):
            parts[ids[user_id]].append("officer of a host of " + ", ".join(by_body[organisation_id]))
    jurors = db.session.execute(
        sa.select(Juror.user_id, Juror.is_chair, Challenge.slug).join(Challenge, Challenge.id == Juror.challenge_id)
        .where(Juror.user_id.in_(ids), Juror.state == "accepted").order_by(Challenge.slug)
    ).all()
    for user_id, is_chair, slug in jurors:
        parts[ids[user_id]].append(f"{'chairs' if is_chair else 'sits on'} the jury of {slug}")
    teams = db.session.execute(
        sa.select(TeamMember.user_id, TeamMember.role, Team.name, Challenge.slug).join(Team, Team.id == TeamMember.team_id)
        .join(Challenge, Challenge.id == Team.challenge_id).where(TeamMember.user_id.in_(ids)).order_by(Challenge.slug)
    ).all()
    for user_id, role, name, slug in teams:
        parts[ids[user_id]].append(f"{'leads' if role == 'lead' else 'member of'} team \u201c{name}\u201d in {slug}")
    return parts


def demo_counts():
    return {
        "users": db.session.execute(sa.select(sa.func.count(User.id))).scalar(),
        "organisations": db.session.execute(sa.select(sa.func.count(Organisation.id))).scalar(),
    }
