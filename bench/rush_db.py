"""The deadline rush's database: teams with a saved, unsubmitted draft, built through the platform's own operations
(the replay's builders, govchallenge/replay/), the clock moved to a deadline, and the exactly-once check after.

Run in a process of its own on the rush's database (DATABASE_URL), by bench/replay_rush.py:
    python bench/rush_db.py build TEAMS       the schema, then TEAMS one-person teams, each with a draft
    python bench/rush_db.py deadline SECONDS  the challenge's stage closes SECONDS from now; prints the moment (epoch)
    python bench/rush_db.py tally SPEC.json   the exactly-once check of {"deadline": EPOCH, "sent": {id: EPOCH}}
                                              as one JSON line (tests/bench/test_rush_tally.py guards `tally`)
"""
import json
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from govchallenge.accounts.models import User  # noqa: E402
from govchallenge.extensions import db  # noqa: E402
from govchallenge.jobs.models import OutboxJob  # noqa: E402
from govchallenge.submissions.models import Submission, SubmissionVersion  # noqa: E402
from govchallenge.submissions.operations import RECEIPT_JOB  # noqa: E402
from govchallenge.teams.models import TeamMember  # noqa: E402

SLUG_TITLE = "rush"


def build(teams, seed_value=2020, batch=200):
    """On an empty database: one host, one open challenge (the replay's), `teams` accounts each leading a team of
    one with a saved draft. Returns the seconds it took."""
    from flask_migrate import upgrade

    from govchallenge.organisations import operations as organisation_operations
    from govchallenge.replay import challenges, entries, people
    from govchallenge.replay.scales import Scale
    from govchallenge.submissions import operations as submissions
    from govchallenge.teams import operations as team_operations

    started = time.perf_counter()
    upgrade()
    rng = random.Random(seed_value)
    scale = Scale(users=teams + 1, countries=min(141, teams + 1), organisations=1, challenges=1,
                  flagship_entries=teams, flagship_jurors=0, published_entries=0, published_jurors=0, batch=batch)
    admin, users = people.make_users(rng, scale, lambda part, count: None)
    db.session.commit()
    founder, leads = users[0], users[1:]
    host, = people.make_organisations(rng, scale, [founder], 1, lambda part, count: None)
    organisation_operations.verify(admin, host)
    challenge = challenges.make_challenge(rng, 0, host, founder, admin)
    db.session.commit()
    stage = challenge.stages[0]
    for number, lead in enumerate(leads, start=1):
        team = team_operations.create_team(lead, challenge, f"{rng.choice(entries.NAMES)} {number:05d}")
        fields = {"title": f"{team.name}: the entry of the rush", "summary": f"How {team.name} tackles the challenge.",
                  "description": "## Approach\n\nWhat we **built**, and how a public body reuses it.",
                  "links": {"code": f"https://code.rush.example.eu/{number}"}}
        submissions.save_entry(lead, team, stage, fields, None, submit=False)
        if number % batch == 0:
            db.session.commit()
    db.session.commit()
    return time.perf_counter() - started


def move_deadline(seconds):
    """The stage of the rush's challenge closes `seconds` from now: the clock moved as the replay moves it
    (replay.challenges.close_submissions), through the timeline's own refresh. Returns the deadline (epoch)."""
    from govchallenge.challenges import operations as challenge_operations
    from govchallenge.challenges.models import Stage

    stage = db.session.execute(sa.select(Stage)).scalars().one()
    epoch = time.time() + seconds
    stage.closes_at = datetime.fromtimestamp(epoch, UTC)
    challenge_operations.refresh_timeline(stage.challenge)
    db.session.commit()
    return epoch


def entrants():
    """[(the lead's e-mail, the draft's public id)] of every team, in the order they were made."""
    return db.session.execute(
        sa.select(User.email, Submission.public_id).select_from(Submission)
        .join(TeamMember, sa.and_(TeamMember.team_id == Submission.team_id, TeamMember.role == "lead"))
        .join(User, User.id == TeamMember.user_id).order_by(Submission.id)
    ).all()


@dataclass
class Tally:
    in_time: int = 0           # teams whose request left before the deadline
    recorded: int = 0          # ... with exactly one version and one receipt job per member
    lost: int = 0              # ... with no version
    without_receipt: int = 0   # ... with a version but fewer receipt jobs than members
    duplicated: int = 0        # any team with more than one version, or more receipt jobs than members
    late: int = 0              # teams whose request left at or after the deadline
    late_accepted: int = 0     # ... with a version
    late_refused: int = 0      # ... with none
    not_sent: int = 0          # teams that sent nothing, yet have a version
    stamped_late: int = 0      # versions whose moment of receipt is at or after the deadline
    examples: list = field(default_factory=list)


def tally(sent, deadline):
    """The exactly-once check. `sent`: {draft public id: the moment (datetime, UTC) its request left, as the
    proxy stamped it}; `deadline`: the stage's close. Every team that sent before the deadline has exactly one
    submitted version and one receipt job per member; none that sent at or after it has any; nobody else has one;
    no version is stamped at or after the deadline."""
    versions = dict(db.session.execute(
        sa.select(Submission.public_id, sa.func.count(SubmissionVersion.id)).select_from(Submission)
        .outerjoin(SubmissionVersion, SubmissionVersion.submission_id == Submission.id).group_by(Submission.public_id)
    ).all())
    members = dict(db.session.execute(
        sa.select(Submission.public_id, sa.func.count(TeamMember.id)).select_from(Submission)
        .join(TeamMember, TeamMember.team_id == Submission.team_id).group_by(Submission.public_id)
    ).all())
    version_of = dict(db.session.execute(
        sa.select(SubmissionVersion.id, Submission.public_id).join(Submission, Submission.id == SubmissionVersion.submission_id)
    ).all())
    receipts = {}
    for (args,) in db.session.execute(sa.select(OutboxJob.args).where(OutboxJob.function == RECEIPT_JOB)):
        public_id = version_of.get(args[0])
        receipts[public_id] = receipts.get(public_id, 0) + 1
    stamped_late = db.session.execute(
        sa.select(sa.func.count(SubmissionVersion.id)).where(SubmissionVersion.submitted_at >= deadline)).scalar()
    result = Tally()
    for public_id, count in versions.items():
        jobs = receipts.get(public_id, 0)
        if count > 1 or jobs > count * members[public_id]:
            result.duplicated += 1
            result.examples.append(f"{public_id}: {count} versions, {jobs} receipt jobs")
        if public_id not in sent:
            result.not_sent += bool(count)
        elif sent[public_id] < deadline:
            result.in_time += 1
            if count == 0:
                result.lost += 1
                result.examples.append(f"{public_id}: sent {sent[public_id]:%H:%M:%S.%f} before the deadline, not recorded")
            elif jobs < members[public_id]:
                result.without_receipt += 1
            elif count == 1 and jobs == members[public_id]:
                result.recorded += 1
        else:
            result.late += 1
            if count:
                result.late_accepted += 1
            else:
                result.late_refused += 1
    result.stamped_late = stamped_late
    return result


def _app():
    from govchallenge import create_app

    return create_app()


if __name__ == "__main__":
    command, value = sys.argv[1], sys.argv[2]
    with _app().app_context():
        if command == "build":
            print(f"{build(int(value)):.1f}")
        elif command == "deadline":
            print(repr(move_deadline(float(value))))
        elif command == "tally":
            spec = json.loads(Path(value).read_text())
            moment = lambda epoch: datetime.fromtimestamp(epoch, UTC)  # noqa: E731
            counted = tally({public_id: moment(epoch) for public_id, epoch in spec["sent"].items()}, moment(spec["deadline"]))
            print(json.dumps(asdict(counted)))
        else:
            raise SystemExit(f"unknown command {command}")
