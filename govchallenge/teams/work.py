"""What the teams domain puts on a signed-in person's home: their teams and each one's next entry deadline,
in the viewer's zone and the challenge's. Two queries, however many teams."""
import sqlalchemy as sa

from govchallenge.extensions import db

from .models import Team, TeamMember

LISTED = 50


def next_closing(challenge, now):
    """The stage whose deadline comes next, or None when every stage has closed."""
    upcoming = [stage for stage in challenge.stages if stage.closes_at > now]
    return min(upcoming, key=lambda stage: stage.closes_at) if upcoming else None


def teams_section(user, now):
    from govchallenge.challenges.models import Challenge

    teams = db.session.execute(
        sa.select(Team).join(TeamMember, TeamMember.team_id == Team.id).where(TeamMember.user_id == user.id)
        .options(sa.orm.joinedload(Team.challenge).selectinload(Challenge.stages))
        .order_by(Team.created_at.desc()).limit(LISTED)
    ).unique().scalars().all()
    if not teams:
        return None
    rows = [(team, next_closing(team.challenge, now)) for team in teams]
    # Teams with a deadline ahead first, the nearest first; the others after, newest first.
    rows.sort(key=lambda row: (row[1] is None, row[1].closes_at if row[1] else now))
    return {"team_rows": rows}
