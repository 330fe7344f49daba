"""Blind review holds on the hosts' side too: while a blind challenge is evaluated, whoever holds a jury role
in it (a juror or the chair, a host's officer among them, or invited to it) reaches no page that tells which
team or entrant sent which entry — refused, or shown without the teams — until the results are published or
they leave the jury (jury.permissions.kept_blind, asked through submissions.permissions.can_see_entrants).

Every page that names a team or an entrant beside an entry is listed in PAGES with, for each role, what it
must answer. A role that may see the mapping must see it (the oracle is not blind); a role kept blind must
find no team name and no team member's name in the answer, whatever its status."""
import io
import zipfile
from dataclasses import dataclass

import pytest

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jury.models import ACCEPTED, DECLINED, INVITED, Juror
from govchallenge.organisations.models import ACTIVE, OFFICER, Membership
from govchallenge.submissions import exports
from tests.support import factories
from tests.support.results_factories import judged_challenge

BLIND = ("host_juror", "host_chair", "host_invited")
SEEING = ("host", "host_declined")
OTHERS = ("juror", "outsider")
ROLES = SEEING + BLIND + OTHERS

# What a role must get: NAMES (an answer that shows the mapping), PAGE (a 2xx/4xx page without it), REFUSED
# (403/404, without it), DONE (the host's action ran: a redirect), FILE (a download, for the hosts).
NAMES, PAGE, REFUSED, DONE, FILE = "names", "page", "refused", "done", "file"


@dataclass
class World:
    judged: object
    users: dict
    export_job: int
    assignment: str  # the host juror's assignment (public id)

    @property
    def slug(self):
        return self.judged.challenge.slug

    @property
    def submission(self):
        return self.judged.submissions[0]

    def markers(self):
        """Who entered: every team's name, every member's name, and the countries they enter from (one country
        a team, shown by name: teams per country narrow a small field down to one)."""
        return ([t.name for t in self.judged.teams] + [m.user.name for t in self.judged.teams for m in t.members]
                + list(COUNTRIES.values()))


COUNTRIES = {"MT": "Malta", "LU": "Luxembourg", "CY": "Cyprus"}


def build(anonymous=True):
    members = [[factories.make_user(name=f"Zofia Entrant{n}", country=code)] for n, code in enumerate(COUNTRIES)]
    judged = judged_challenge(entries=3, jurors=3, members=members, anonymous_review=anonymous)
    host_body = judged.challenge.hosts[0].organisation
    users = {"host": judged.officer, "host_chair": judged.chair, "host_juror": judged.jurors[1], "juror": judged.jurors[2],
             "host_invited": factories.make_user(email="invited.officer@ministry.example.eu"),
             "host_declined": factories.make_user(), "outsider": factories.make_user()}
    for role in ("host_chair", "host_juror", "host_invited", "host_declined"):
        db.session.add(Membership(organisation=host_body, user=users[role], role=OFFICER, state=ACTIVE))
    challenge_id = judged.challenge.id
    db.session.add(Juror(challenge_id=challenge_id, email="Invited.Officer@Ministry.Example.EU", state=INVITED))
    db.session.add(Juror(challenge_id=challenge_id, email=users["host_declined"].email, state=DECLINED,
                         declined_at=utcnow()))
    assert judged.juror_rows[1].state == ACCEPTED
    job = exports.request_export(judged.officer, judged.challenge.stages[0])
    db.session.commit()
    from govchallenge.jobs.runner import execute

    assert execute(job.id) == "done"
    assignment = next(a for a in judged.round.assignments if a.juror_id == judged.juror_rows[1].id
                      and a.submission_id == judged.submissions[0].id)
    return World(judged, users, job.id, assignment.public_id)


def _proposed(world):
    from govchallenge.results import operations

    operations.propose(world.judged.challenge, world.judged.chair)
    db.session.commit()


# (name, method, path, form data, prepare, {role: answer}); roles not named answer REFUSED.
PAGES = [
    ("hosts' entries page", "GET", lambda w: f"/entries/hosts/{w.slug}", None, None,
     dict.fromkeys(SEEING, NAMES) | dict.fromkeys(BLIND, PAGE)),
    ("an entry, as a host reads it", "GET", lambda w: f"/entries/{w.submission.public_id}", None, None,
     dict.fromkeys(SEEING, NAMES)),
    ("an entry's file, as a host downloads it", "GET", lambda w: f"/entries/{w.submission.public_id}/versions/1/files/0",
     None, None, dict.fromkeys(SEEING, FILE)),
    ("starting an export", "POST", lambda w: f"/entries/hosts/stages/{w.judged.challenge.stages[0].id}/export", {}, None,
     dict.fromkeys(SEEING, DONE)),
    ("an export's page", "GET", lambda w: f"/entries/hosts/exports/{w.export_job}", None, None,
     dict.fromkeys(SEEING, PAGE)),
    ("the export's CSV", "GET", lambda w: f"/entries/hosts/exports/{w.export_job}/csv", None, None,
     dict.fromkeys(SEEING, NAMES)),
    ("the export's ZIP", "GET", lambda w: f"/entries/hosts/exports/{w.export_job}/zip", None, None,
     dict.fromkeys(SEEING, NAMES)),
    ("granting a late entry", "POST", lambda w: f"/entries/hosts/{w.slug}/late-entry", {}, None,
     dict.fromkeys(SEEING, DONE)),
    ("the ranking so far", "GET", lambda w: f"/challenges/{w.slug}/results", None, None,
     dict.fromkeys(SEEING, NAMES) | dict.fromkeys(BLIND, PAGE) | dict.fromkeys(OTHERS, PAGE)),
    ("the proposed ranking", "GET", lambda w: f"/challenges/{w.slug}/results", None, _proposed,
     dict.fromkeys(SEEING, NAMES) | dict.fromkeys(BLIND, PAGE) | dict.fromkeys(OTHERS, PAGE)),
    ("the proposal form sent back", "POST", lambda w: f"/challenges/{w.slug}/results/propose",
     {"priority_criterion": "999999"}, None, {"host_chair": PAGE}),
    ("a team's page", "GET", lambda w: f"/teams/{w.judged.teams[0].public_id}", None, None, {}),
    ("a juror's review page", "GET", lambda w: f"/jury/review/{w.assignment}", None, None, {"host_juror": PAGE}),
]


def _body(response):
    data = response.get_data()
    if response.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist())
    return data.decode("utf-8", errors="replace")


def _problem(world, role, response, wanted):
    status, body = response.status_code, _body(response)
    shown = [m for m in world.markers() if m in body]
    if wanted == NAMES:
        return None if status == 200 and shown else f"should show who entered: {status}, names shown {shown}"
    if shown:
        return f"shows who entered ({status}): {shown}"
    expected = {PAGE: (200, 400), REFUSED: (403, 404), DONE: (302,), FILE: (200,)}[wanted]
    return None if status in expected else f"answered {status}, expected {wanted} {expected}"


def _ask(app, login_as, world, page, roles):
    _name, method, path, data, prepare, answers = page
    if prepare:
        prepare(world)
    failures = []
    for role in roles:
        response = login_as(world.users[role]).open(path(world), method=method, data=data)
        problem = _problem(world, role, response, answers.get(role, REFUSED))
        if problem:
            failures.append(f"{role} {method} {path(world)}: {problem}")
    return failures


@pytest.mark.parametrize("page", PAGES, ids=[p[0] for p in PAGES])
def test_during_a_blind_evaluation_the_jury_never_sees_who_entered_what(app, login_as, page):
    world = build()
    failures = _ask(app, login_as, world, page, ROLES)
    assert not failures, "\n".join(failures)


def _published(world):
    from tests.support.results_factories import publish

    publish(world.judged)
    db.session.commit()


def _left_the_jury(world):
    for row in db.session.execute(db.select(Juror).where(Juror.challenge_id == world.judged.challenge.id)).scalars():
        row.state = DECLINED
    db.session.commit()


# The pages where hosts see who entered: once the blind ends, the host jurors see it as every host does.
HOSTS_SEE = [p for p in PAGES if p[5].get("host") == NAMES and p[4] is None]


@pytest.mark.parametrize("ending", ["results published", "left the jury", "open review"])
@pytest.mark.parametrize("page", HOSTS_SEE, ids=[p[0] for p in HOSTS_SEE])
def test_the_blind_ends_with_the_evaluation_or_the_jury_role(app, login_as, page, ending):
    world = build(anonymous=ending != "open review")
    if ending == "results published":
        _published(world)
    elif ending == "left the jury":
        _left_the_jury(world)
    name, method, path, data, _prepare, _answers = page
    seeing = (name, method, path, data, None, dict.fromkeys(SEEING + BLIND, NAMES))
    failures = _ask(app, login_as, world, seeing, SEEING + BLIND)
    assert not failures, "\n".join(failures)
