"""One challenge with a person in every role the permission rules tell apart, for the permission matrices
(tests/<domain>/test_permission_matrix.py): each rule is asked for every role, and the roles it allows are
compared with the list the test gives, so a rule that lets one role too many (or too few) in fails."""
from dataclasses import dataclass, field
from datetime import timedelta

from flask_login import AnonymousUserMixin

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from tests.support import factories
from tests.support.jury_factories import make_juror

ROLES = (
    "anonymous", "unverified", "outsider", "admin", "officer", "cohost_officer", "host_member", "pending_officer",
    "invited_officer", "lead", "member", "juror", "chair", "unsworn_juror", "invitee",
)


@dataclass
class World:
    users: dict
    challenge: object  # approved, open; hosted by `lead_host` with `cohost`, `invited_host` invited
    draft: object  # a draft challenge of the same hosts
    lead_host: object
    cohost: object
    invited_host: object
    invited_row: object  # the ChallengeHost row of the invited body
    team: object
    submission: object
    jurors: dict = field(default_factory=dict)  # role -> Juror row
    assignments: dict = field(default_factory=dict)  # role -> Assignment of that juror on `submission`

    def allowed(self, rule, *args, **kwargs):
        """The roles for which rule(user, *args) holds."""
        return {role for role in ROLES if rule(self.users[role], *args, **kwargs)}


def build_world():
    from govchallenge.challenges.models import INVITED, ChallengeHost
    from govchallenge.jury.models import Assignment, Round, RoundEntry
    from govchallenge.organisations.models import OFFICER, PENDING, Membership

    make = factories.make_user
    users = {
        "anonymous": AnonymousUserMixin(), "unverified": make(verified=False), "outsider": make(),
        "admin": make(admin=True), "officer": make(), "cohost_officer": make(country="GR"), "host_member": make(),
        "pending_officer": make(), "invited_officer": make(country="DE"), "lead": make(), "member": make(country="GR"),
        "juror": make(), "chair": make(), "unsworn_juror": make(), "invitee": make(email="invitee@jury.example.eu"),
    }
    lead_host = factories.make_organisation(kind="public_body", verified=True, officer=users["officer"],
                                            members=[users["host_member"]], name="Lead Ministry")
    db.session.add(Membership(organisation=lead_host, user=users["pending_officer"], role=OFFICER, state=PENDING))
    cohost = factories.make_public_body(country="GR", officer=users["cohost_officer"], name="Cohost City")
    invited_host = factories.make_public_body(country="DE", officer=users["invited_officer"], name="Invited Land")
    challenge = factories.make_challenge(host=lead_host, cohosts=[cohost], opens_in_days=-1, closes_in_days=30)
    invited_row = ChallengeHost(organisation=invited_host, state=INVITED)
    challenge.hosts.append(invited_row)
    draft = factories.make_challenge(host=lead_host, cohosts=[cohost], status="draft")
    draft.hosts.append(ChallengeHost(organisation=invited_host, state=INVITED))
    team = factories.make_team(challenge, [users["lead"], users["member"]])
    submission = factories.make_submission(team)
    jurors = {
        "juror": make_juror(challenge, users["juror"]),
        "chair": make_juror(challenge, users["chair"], is_chair=True),
        "unsworn_juror": make_juror(challenge, users["unsworn_juror"]),
        "invitee": make_juror(challenge, email="Invitee@Jury.Example.EU", accepted=False),
    }
    jurors["unsworn_juror"].confidentiality_agreed_at = None
    jury_round = Round(challenge_id=challenge.id, number=1, name={"en": "Round 1"}, reviews_per_entry=3, state="open")
    db.session.add(jury_round)
    db.session.flush()
    db.session.add(RoundEntry(round_id=jury_round.id, submission_id=submission.id))
    assignments = {}
    for role in ("juror", "chair", "unsworn_juror"):
        assignments[role] = Assignment(round_id=jury_round.id, juror_id=jurors[role].id, submission_id=submission.id,
                                       state="active")
        db.session.add(assignments[role])
    db.session.commit()
    return World(users, challenge, draft, lead_host, cohost, invited_host, invited_row, team, submission, jurors,
                 assignments)


def after_close(stage):
    return stage.closes_at + timedelta(microseconds=1)


def before_close(stage):
    return stage.closes_at - timedelta(microseconds=1)


def now():
    return utcnow()
