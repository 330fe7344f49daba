"""The replay dataset (`flask bench seed`): the small scale holds what its scale says, built through the
operations, and the same seed gives the same data on either database."""
import pytest

from govchallenge.replay import SCALES, SeedError, seed
from govchallenge.replay.fingerprint import content, counts, fingerprint

SMALL = SCALES["small"]


def _seeded(app, seed_value):
    with app.app_context():
        seed("small", seed_value)
        return counts(), fingerprint(), content()


def test_the_small_replay_holds_its_scale_and_is_built_on_an_empty_database_only(app):
    seed("small", 7)
    found = counts()
    entries = SMALL.flagship_entries + SMALL.published_entries
    assert found["users"] == SMALL.users + 1  # and the replay's admin
    assert found["countries"] >= SMALL.countries
    assert (found["organisations"], found["challenges"], found["domains"]) == (SMALL.organisations, SMALL.challenges, 6)
    assert found["criteria"] == SMALL.challenges * SMALL.criteria
    assert found["teams"] == found["submitted entries"] == found["entry files"] == entries
    assert found["jurors"] == SMALL.flagship_jurors
    assert found["assignments"] == found["reviews submitted"] == entries * SMALL.reviews_per_entry
    assert (found["rounds"], found["published results"]) == (2, 1)
    assert found["follows"] > 0
    with pytest.raises(SeedError):
        seed("small", 7)


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(make_app, backend):
    app = make_app()
    first = _seeded(app, 7)
    backend.reset(app)
    again = _seeded(app, 7)
    backend.reset(app)
    other = _seeded(app, 8)
    assert again == first
    assert other[1] != first[1]
    assert other[2]["users"] != first[2]["users"]  # the people themselves follow the seed, not only the assignment
