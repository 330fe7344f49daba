"""Factories for the main objects. They flush, never commit: the test decides when."""
import itertools

from werkzeug.security import generate_password_hash

from govchallenge.accounts.models import User
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.organisations.models import ACTIVE, MEMBER, OFFICER, Membership, Organisation
from tests.support import documents

PASSWORD = "Correct-horse-battery-9"
# Hashing at full strength for every user would dominate the suite's time.
_FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_counter = itertools.count(1)


def make_user(email=None, name=None, country="PL", language="en", timezone="Europe/Warsaw", verified=True, admin=False):
    n = next(_counter)
    user = User(
        email=email or f"user{n}@example{n % 7}.eu",
        name=name or f"Test User {n}",
        country=country,
        language=language,
        timezone=timezone,
        password_hash=_FAST_HASH,
        is_admin=admin,
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_organisation(name=None, kind="startup", country="PL", verified=False, officer=None, members=()):
    n = next(_counter)
    organisation = Organisation(
        slug=f"org-{n}", name=name or f"Organisation {n}", kind=kind, country=country,
        verified_at=utcnow() if verified else None,
    )
    db.session.add(organisation)
    if officer is not None:
        db.session.add(Membership(organisation=organisation, user=officer, role=OFFICER, state=ACTIVE))
    for member in members:
        db.session.add(Membership(organisation=organisation, user=member, role=MEMBER, state=ACTIVE))
    db.session.flush()
    return organisation


def make_public_body(country="PL", verified=True, officer=None, name=None):
    return make_organisation(name=name, kind="public_body", country=country, verified=verified, officer=officer)


# --- challenges, teams, submissions -----------------------------------------------------------
# Higher domains keep their own factories in tests/support/<domain>_factories.py.

def make_challenge(host=None, status="approved", opens_in_days=-1, closes_in_days=30, slug=None, stages=1,
                   criteria=3, main_language="en", title=None, cohosts=(), **fields):
    """A challenge hosted by `host` (a public body; made when None), with `stages` consecutive stages."""
    from datetime import timedelta

    from govchallenge.challenges.models import ACCEPTED, LEAD, Challenge, ChallengeHost, Criterion, Stage

    n = next(_counter)
    now = utcnow()
    host = host or make_public_body()
    challenge = Challenge(
        slug=slug or f"challenge-{n}", main_language=main_language,
        title=title or {main_language: f"Challenge {n}"}, summary={main_language: f"Summary {n}"},
        description={main_language: f"Description of challenge {n}"}, status=status,
        **{"expected_outcome": {main_language: f"A working pilot for challenge {n}", "el": "Ένα πιλοτικό έργο"},
           "terms": {main_language: "The **terms** of the challenge.", "pl": "**Regulamin** wyzwania."},
           "tags": ["open-data", "δήμος"], **fields},
    )
    db.session.add(challenge)
    challenge.hosts.append(ChallengeHost(organisation=host, role=LEAD, state=ACCEPTED))
    for cohost in cohosts:
        challenge.hosts.append(ChallengeHost(organisation=cohost, state=ACCEPTED))
    opens, closes = now + timedelta(days=opens_in_days), now + timedelta(days=closes_in_days)
    length = (closes - opens) / max(stages, 1)
    for position in range(stages):
        challenge.stages.append(Stage(
            position=position + 1, name={"en": f"Stage {position + 1}"},
            opens_at=opens + length * position, closes_at=opens + length * (position + 1),
        ))
    challenge.opens_at, challenge.closes_at = (opens, closes) if stages else (None, None)
    for position in range(criteria):
        challenge.criteria.append(Criterion(
            position=position + 1, name={"en": f"Criterion {position + 1}", "el": f"Κριτήριο {position + 1}"},
            description={"en": f"What the jury looks for in *criterion {position + 1}*.",
                         "pl": f"Czego szuka jury: kryterium {position + 1}."},
            anchors={"0": {"en": "Absent", "pl": "Brak"}, "10": {"en": "Outstanding", "el": "Εξαιρετικό"}},
            weight=1.0 + position, scale_min=0, scale_max=10,
        ))
    db.session.flush()
    return challenge


def make_team(challenge, members=(), name=None, organisations=None):
    """A team whose first member leads; `organisations` maps each member to the organisation they enter for."""
    from govchallenge.teams.models import LEAD, MEMBER, Team, TeamMember

    n = next(_counter)
    team = Team(challenge=challenge, name=name or f"Team {n}")
    db.session.add(team)
    members = list(members) or [make_user()]
    for index, user in enumerate(members):
        organisation = (organisations or {}).get(user.id) if organisations else None
        team.members.append(TeamMember(
            user=user, challenge_id=challenge.id, organisation=organisation, role=LEAD if index == 0 else MEMBER,
        ))
    db.session.flush()
    return team


# A real PDF (a page of text, document information naming nobody): jurors of a blind review get its copy
# without metadata, and a file that cannot be read is withheld from them.
ENTRY_FILE = documents.pdf(title="Προκήρυξη λύσης", page_text="govchallenge test entry")
ENTRY_FILE_NAME = "Προκήρυξη λύσης.pdf"


def make_submission(team, stage=None, state="submitted", title=None):
    """An entry with every optional part filled (Markdown summary and description, links, a stored file with a
    non-Latin name); when submitted it carries its first version, as the submit operation would leave it."""
    from govchallenge.core import storage
    from govchallenge.submissions.models import SUBMITTED, Submission, SubmissionFile, SubmissionVersion
    from govchallenge.submissions.operations import content_digest, manifest

    stage = stage or team.challenge.stages[0]
    title = title or f"Entry of {team.name}"
    links = {"code": "https://code.example.eu/entry", "video": "https://video.example.eu/entry", "demo": "https://demo.example.eu/"}
    fields = {"title": title, "summary": "A *short* summary.", "description": "## Approach\n\nThe **whole** text.", "links": links}
    submission = Submission(team=team, stage=stage, state=state, **fields)
    stored = storage.save(ENTRY_FILE, "application/pdf")
    submission.files.append(SubmissionFile(filename=ENTRY_FILE_NAME, mime_type=stored.mime_type, size=stored.size, sha256=stored.sha256))
    db.session.add(submission)
    if state == SUBMITTED:
        submission.submitted_at = utcnow()
        files = manifest(submission)
        submission.versions.append(SubmissionVersion(
            number=1, files=files, sha256=content_digest(files=files, **fields), submitted_at=submission.submitted_at, **fields,
        ))
    db.session.flush()
    return submission
