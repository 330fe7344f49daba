from govchallenge.submissions.counts import public_counts
from tests.support import factories


def test_public_counts_give_teams_and_submitted_entries_per_stage(app):
    challenge = factories.make_challenge(stages=2)
    first, second = challenge.stages
    for _ in range(3):
        factories.make_submission(factories.make_team(challenge), stage=first)
    factories.make_submission(factories.make_team(challenge), stage=first, state="draft")
    assert public_counts(challenge) == {"teams": 4, "stages": {first.id: 3, second.id: 0}}
