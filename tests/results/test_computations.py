"""The ranking and agreement of the results, computed once per set of inputs and stored (computations.py):
visits read the stored result; a review changed, an entry excluded at a round's close, a calibration or a
tie-break changed make the next visit compute anew; the stored result gives the same document."""
import re

import pytest
import sqlalchemy as sa

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jury.models import RoundEntry
from govchallenge.results import computations, documents, scoring
from govchallenge.results.models import StoredComputation
from tests.support.results_factories import judged_challenge


@pytest.fixture
def ranked(monkeypatch):
    """Counts the rankings actually computed."""
    calls = []
    real = scoring.rank

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scoring, "rank", counting)
    return calls


def preview(client, judged):
    response = client.get(f"/challenges/{judged.challenge.slug}/results")
    assert response.status_code == 200
    # The form's CSRF token carries a timestamp, and a message (the sign-in confirmation) shows once: the only parts
    # of the page that may differ from one visit to the next.
    page = re.sub(r'(csrf[^>]*?(?:value|content)=")[^"]*', r"\1", response.get_data(as_text=True))
    page = re.sub(r'\s*<div class="banner banner--success".*?</div>\s*</div>', "", page, flags=re.S)
    return re.sub(r'\s*<div class="flashes".*?</div>', "", page, flags=re.S)


def stored_rows(judged):
    db.session.expire_all()
    return db.session.execute(sa.select(sa.func.count()).select_from(StoredComputation)
                              .where(StoredComputation.challenge_id == judged.challenge.id)).scalar_one()


def test_visits_read_the_stored_result_and_a_changed_input_computes_anew(app, login_as, ranked):
    judged = judged_challenge(entries=4, jurors=3)
    db.session.commit()
    chair = login_as(judged.chair)
    first = preview(chair, judged)
    assert len(ranked) == 1 and stored_rows(judged) == 1
    assert preview(chair, judged) == first and preview(chair, judged) == first
    assert len(ranked) == 1, "a visit computed again"

    # A review changed: computed anew, and the page shows the new ranking.
    review = judged.reviews[-1]
    review.scores = {k: 0 for k in review.scores}
    db.session.commit()
    preview(chair, judged)
    assert len(ranked) == 2 and stored_rows(judged) == 2
    preview(chair, judged)
    assert len(ranked) == 2

    # The calibration changed.
    judged.challenge.calibration = scoring.NO_CALIBRATION if judged.challenge.calibration != scoring.NO_CALIBRATION \
        else scoring.MODEL
    db.session.commit()
    preview(chair, judged)
    assert len(ranked) == 3

    # Nothing the computation reads changed (a title): the stored result serves.
    judged.challenge.title = {**judged.challenge.title, "en": "A new title"}
    db.session.commit()
    preview(chair, judged)
    assert len(ranked) == 3


def test_an_entry_excluded_when_its_round_closed_computes_anew(app, login_as, ranked):
    judged = judged_challenge(entries=4, jurors=3)
    db.session.commit()
    chair = login_as(judged.chair)
    preview(chair, judged)
    entry = db.session.execute(sa.select(RoundEntry).where(RoundEntry.submission_id == judged.submissions[0].id)).scalar_one()
    entry.excluded_at, entry.exclusion_reason = utcnow(), "Reviews missing at the deadline"
    db.session.commit()
    preview(chair, judged)
    assert len(ranked) == 2
    assert [e["entry"] for e in documents.full_document(judged.challenge, documents.gather(judged.challenge))["entries"]] \
        and judged.submissions[0].public_id not in {
            e["entry"] for e in documents.full_document(judged.challenge, documents.gather(judged.challenge))["entries"]}
    assert len(ranked) == 2  # the page stored what the document reads


def test_the_proposal_reads_the_result_the_preview_stored(app, login_as, ranked):
    judged = judged_challenge(entries=3, jurors=3)
    db.session.commit()
    chair = login_as(judged.chair)
    preview(chair, judged)
    response = chair.post(f"/challenges/{judged.challenge.slug}/results/propose", data={"priority_criterion": ""})
    assert response.status_code == 302
    assert len(ranked) == 1


def test_the_stored_result_gives_the_same_document_as_a_fresh_computation(app, monkeypatch):
    judged = judged_challenge(entries=5, jurors=3, calibration=scoring.MODEL)
    db.session.commit()
    data = documents.gather(judged.challenge)
    first = documents.full_document(judged.challenge, data)  # computed and stored
    assert stored_rows(judged) == 1
    again = documents.full_document(judged.challenge, documents.gather(judged.challenge))  # read back
    monkeypatch.setattr(computations, "computed", lambda challenge_id, values, compute: compute())
    fresh = documents.full_document(judged.challenge, documents.gather(judged.challenge))
    assert first == again == fresh


def test_the_key_covers_every_input():
    criteria = [scoring.Criterion("1", 1.0, 0, 10)]
    reviews = [scoring.Review("a", "J1", {"1": 5}), scoring.Review("b", "J1", {"1": 6})]
    base = dict(reviews=reviews, criteria=criteria, aggregation="mean", calibration="none", priority=None,
                decisions=[], bootstrap=1000, seed=1, reviews_asked=3)
    key = computations.key_of(computations.inputs(**base))
    assert computations.key_of(computations.inputs(**{**base, "reviews": reviews[::-1]})) == key  # order is no input
    changes = [
        {"reviews": [scoring.Review("a", "J1", {"1": 5}), scoring.Review("b", "J1", {"1": 7})]},
        {"criteria": [scoring.Criterion("1", 2.0, 0, 10)]},
        {"criteria": [scoring.Criterion("1", 1.0, 0, 10, threshold=3)]},
        {"aggregation": "median"}, {"calibration": "model"}, {"priority": "1"},
        {"decisions": [scoring.ChairDecision(("a", "b"), "why")]}, {"bootstrap": 10}, {"seed": 2},
        {"reviews_asked": 2},
    ]
    for change in changes:
        assert computations.key_of(computations.inputs(**{**base, **change})) != key, change
