"""Public figures about entries: how many teams and how many submitted entries, never who."""
import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.teams.models import Team

from .models import SUBMITTED, WITHDRAWN, Submission


def public_counts(challenge):
    """{"teams": n, "stages": {stage_id: {"teams": teams with an entry, draft or submitted, "submitted": entries}}}
    in two queries, whatever the size. Withdrawn entries count in neither."""
    teams = db.session.execute(sa.select(sa.func.count(Team.id)).where(Team.challenge_id == challenge.id)).scalar_one()
    stage_ids = [stage.id for stage in challenge.stages]
    stages = {stage_id: {"teams": 0, "submitted": 0} for stage_id in stage_ids}
    if stage_ids:
        rows = db.session.execute(
            sa.select(Submission.stage_id, Submission.state, sa.func.count(Submission.id))
            .where(Submission.stage_id.in_(stage_ids), Submission.state != WITHDRAWN)
            .group_by(Submission.stage_id, Submission.state)
        )
        for stage_id, state, count in rows:
            stages[stage_id]["teams"] += count  # one entry per team per stage
            if state == SUBMITTED:
                stages[stage_id]["submitted"] = count
    return {"teams": teams, "stages": stages}


def host_counts(challenge):
    """What hosts may know before a stage closes: numbers only.

    {"teams": n, "stages": {stage_id: {"draft": n, "submitted": n, "withdrawn": n}},
     "countries": [(country, teams with a member from there)]}
    """
    from govchallenge.accounts.models import User
    from govchallenge.teams.models import TeamMember

    teams = db.session.execute(sa.select(sa.func.count(Team.id)).where(Team.challenge_id == challenge.id)).scalar_one()
    stage_ids = [stage.id for stage in challenge.stages]
    stages = {stage_id: {"draft": 0, "submitted": 0, "withdrawn": 0} for stage_id in stage_ids}
    if stage_ids:
        rows = db.session.execute(
            sa.select(Submission.stage_id, Submission.state, sa.func.count(Submission.id))
            .where(Submission.stage_id.in_(stage_ids)).group_by(Submission.stage_id, Submission.state)
        )
        for stage_id, state, count in rows:
            stages[stage_id][state] = count
    countries = db.session.execute(
        sa.select(User.country, sa.func.count(sa.distinct(TeamMember.team_id)))
        .join(User, User.id == TeamMember.user_id)
        .where(TeamMember.challenge_id == challenge.id).group_by(User.country).order_by(User.country)
    ).all()
    return {"teams": teams, "stages": stages, "countries": [tuple(row) for row in countries]}
