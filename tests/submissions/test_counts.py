from govchallenge.submissions.counts import public_counts
from tests.support import factories


def test_public_counts_give_teams_and_submitted_entries_per_stage(app):
    challenge = factories.make_challenge(stages=2)
    first, second = challenge.stages
    for _ in range(3):
        factories.make_submission(factories.make_team(challenge), stage=first)
    factories.make_submission(factories.make_team(challenge), stage=first, state="draft")
    factories.make_submission(factories.make_team(challenge), stage=first, state="withdrawn")
    assert public_counts(challenge) == {
        "teams": 5, "stages": {first.id: {"teams": 4, "submitted": 3}, second.id: {"teams": 0, "submitted": 0}}}


def test_public_counts_reach_the_page_and_the_api_without_names(app, client):
    challenge = factories.make_challenge(stages=1)
    team = factories.make_team(challenge, name="Team Secretive")
    factories.make_submission(team, stage=challenge.stages[0])
    factories.make_submission(factories.make_team(challenge), stage=challenge.stages[0], state="draft")
    from govchallenge.extensions import db

    db.session.commit()
    body = client.get(f"/api/v1/challenges/{challenge.slug}").get_json()
    assert body["teams"] == 2
    assert body["stages"][0]["teams"] == 2 and body["stages"][0]["submitted_entries"] == 1
    page = client.get(f"/challenges/{challenge.slug}").get_data(as_text=True)
    assert "1 entry submitted" in page and "2 teams preparing or entered" in page
    assert "Team Secretive" not in page and "Team Secretive" not in str(body)
