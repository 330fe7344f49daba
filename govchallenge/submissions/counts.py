"""Public figures about entries: how many teams and how many submitted entries, never who."""
import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.teams.models import Team

from .models import SUBMITTED, Submission


def public_counts(challenge):
    """{"teams": n, "stages": {stage_id: submitted entries}} in two queries, whatever the size."""
    teams = db.session.execute(sa.select(sa.func.count(Team.id)).where(Team.challenge_id == challenge.id)).scalar_one()
    stage_ids = [stage.id for stage in challenge.stages]
    submitted = dict.fromkeys(stage_ids, 0)
    if stage_ids:
        rows = db.session.execute(
            sa.select(Submission.stage_id, sa.func.count(Submission.id))
            .where(Submission.stage_id.in_(stage_ids), Submission.state == SUBMITTED)
            .group_by(Submission.stage_id)
        )
        submitted.update(dict(rows.all()))
    return {"teams": teams, "stages": submitted}
