import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.submissions.models import SUBMITTED, Submission
from govchallenge.teams.demo import add_demo
from govchallenge.teams.models import Team
from tests.support import factories


def test_demo_teams_and_entries_are_cross_border_and_idempotent(app):
    mobility = factories.make_challenge(slug="smart-mobility-data", stages=2, opens_in_days=-60, closes_in_days=-5)
    factories.make_challenge(slug="cross-border-e-services", closes_in_days=20)
    # clean-air-sensors is missing: skipped without error.
    db.session.commit()
    add_demo({})
    add_demo({})
    db.session.commit()
    teams = db.session.execute(sa.select(Team).where(Team.challenge_id == mobility.id)).scalars().all()
    assert len(teams) == 8
    entries = db.session.execute(sa.select(Submission).where(Submission.stage_id == mobility.stages[-1].id,
                                                             Submission.state == SUBMITTED)).scalars().all()
    assert len(entries) == 8 and all(len(e.versions) == 1 for e in entries)
    assert all(e.versions[0].submitted_at < mobility.stages[-1].closes_at for e in entries)
    countries = {c for t in teams for c in t.countries}
    assert len(countries) >= 8
    assert db.session.execute(sa.select(sa.func.count(Submission.id)).where(Submission.state == "draft")).scalar() == 3
