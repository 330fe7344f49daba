"""The shortlist ranks and thresholds a round exactly as the published results would: the challenge's method
(the recommended model by default, juror severity estimated and corrected), thresholds on calibrated criterion
means; the confirmation page says which method ranked it."""
import re
from collections import Counter

import pytest
import sqlalchemy as sa

from govchallenge.challenges import rubric
from govchallenge.extensions import db
from govchallenge.jury import operations as ops
from govchallenge.jury.models import Round
from govchallenge.jury.progress import complete_reviews
from govchallenge.jury.shortlisting import RoundRanking
from govchallenge.results import documents, scoring
from tests.support.jury_factories import make_jury_setup

STRONG, GOOD, WEAK = (8, 8, 8), (7, 8, 8), (4, 4, 4)  # scores on the criteria (0–10, weights 1, 2, 3): totals 80, 78.3, 40


def _harsh_round(calibration="model", thresholds=None):
    """8 entries, 4 jurors, 2 reviews each. One juror (the one with the most entries) scores two points lower
    than the others on every criterion. Two of its entries are strong (80), two entries it never saw are good
    (78.3): by raw means the strong ones fall to 70 and the good ones pass them."""
    setup = make_jury_setup(n_entries=8, n_jurors=4, reviews=2)
    challenge, rnd = setup["challenge"], setup["round"]
    challenge.calibration = calibration
    criteria = rnd.criteria
    assert len(criteria) == 3
    for criterion, threshold in zip(criteria, thresholds or (None,) * 3):
        criterion.threshold = threshold
    assignments = ops.active_assignments(rnd)
    harsh = Counter(a.juror_id for a in assignments).most_common(1)[0][0]
    seen = {a.submission_id for a in assignments if a.juror_id == harsh}
    unseen = [s.id for s in setup["submissions"] if s.id not in seen]
    strong, good = sorted(seen)[:2], unseen[:2]
    quality = {sid: STRONG if sid in strong else GOOD if sid in good else WEAK for sid in (s.id for s in setup["submissions"])}
    for a in assignments:
        shift = 2 if a.juror_id == harsh else 0
        scores = {c.id: max(0, q - shift) for c, q in zip(criteria, quality[a.submission_id])}
        ops.save_review(a, a.juror.user, scores, {"overall": "ok"}, 0, submit=True)
    ops.close_round(rnd, setup["chair"])
    db.session.commit()
    return setup, set(strong), set(good)


def _raw_mean_order(rnd):
    """What the shortlist used to do: mean raw review totals, best first."""
    totals = ops.entry_totals(rnd)
    return sorted(totals, key=lambda sid: -sum(totals[sid]) / len(totals[sid]))


def test_a_harsh_jurors_entries_cut_by_raw_means_are_kept_by_the_calibrated_ranking(app):
    setup, strong, good = _harsh_round()
    rnd = setup["round"]
    assert set(_raw_mean_order(rnd)[:2]) == good  # raw means would cut the harsh juror's strong entries
    advancing, staying, _jurors, ranking = ops.shortlist_plan(rnd, top_n=2)
    assert set(advancing) == strong and good <= set(staying)
    assert (ranking.aggregation, ranking.calibration) == ("mean", "model")
    second, _result = ops.shortlist(rnd, setup["chair"], top_n=2, expected=advancing)
    db.session.commit()
    assert {e.submission_id for e in second.entries} == strong


def test_the_shortlist_is_the_top_of_the_ranking_the_results_would_publish(app):
    setup, strong, _good = _harsh_round()
    rnd = setup["round"]
    reviews = [scoring.Review(sid, juror, scores) for sid, juror, scores in complete_reviews(rnd)]
    published = documents.rank_reviews(setup["challenge"], reviews, documents.scoring_criteria(rnd.criteria))
    for n in (1, 2, 3, 5):
        advancing, _staying, _jurors, _ranking = ops.shortlist_plan(rnd, top_n=n)
        assert advancing == [e.entry_id for e in published.ranked if e.place <= n]


def test_without_calibration_the_challenge_ranks_by_raw_means_and_so_does_its_shortlist(app):
    setup, _strong, good = _harsh_round(calibration="none")
    advancing, _staying, _jurors, ranking = ops.shortlist_plan(setup["round"], top_n=2)
    assert set(advancing) == good and ranking.calibration == "none"


def test_thresholds_apply_to_calibrated_criterion_means(app):
    # Criterion 1 asks a mean of 7.25. Strong entries: raw mean 7 (8 and the harsh juror's 6); calibrated 7.5 (the
    # jurors' effects are centred on the panel: the harsh juror's 6 counts as 7.5, the others' 8 as 7.5).
    setup, strong, _good = _harsh_round(thresholds=(7.25, None, None))
    rnd = setup["round"]
    first = rnd.criteria[0]
    raw = {sid: rubric.criterion_means(sets, [first])[first.id] for sid, sets in ops.submitted_scores(rnd).items()}
    assert not [sid for sid, mean in raw.items() if mean >= 7.25]  # raw means: nobody passes
    advancing, staying, _jurors, ranking = ops.shortlist_plan(rnd, use_thresholds=True)
    assert set(advancing) == strong and ranking.scores  # good entries: calibrated 6.5 on criterion 1, out
    assert set(ranking.failed) == set(staying)
    # Top N ignores the thresholds (the chair chose a number, not the thresholds).
    assert len(ops.shortlist_plan(rnd, top_n=8)[0]) == 8


def test_the_confirmation_page_says_which_method_ranked_the_shortlist(app, login_as):
    setup, strong, _good = _harsh_round()
    rnd = setup["round"]
    client = login_as(setup["chair"])
    data = {"s1-rule": "top", "s1-top_n": "2", "s1-reviews_per_entry": "2",
            "s1-jurors": [str(j.id) for j in setup["jurors"]]}
    page = client.post(f"/jury/{setup['challenge'].slug}/rounds/1/shortlist", data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    method = re.search(r'<p id="ranking-method">(.*?)</p>', html).group(1)
    assert "Ranked as the published results will be" in method
    assert "Estimate entries and jurors together (recommended)" in method and "Mean" in method
    titles = {s.id: s.title for s in setup["submissions"]}
    advancing = html.split("does not advance")[0]
    for sid in strong:
        assert titles[sid] in advancing
    assert db.session.execute(sa.select(Round).where(Round.number == 2)).first() is None  # nothing changed yet


def test_a_method_the_engine_refuses_is_a_clear_refusal_not_a_500(app, login_as):
    setup, _strong, _good = _harsh_round()
    setup["challenge"].aggregation = "median"  # the model combines reviews by their mean only
    db.session.commit()
    with pytest.raises(ops.JuryError) as error:
        ops.shortlist_plan(setup["round"], top_n=2)
    assert error.value.code == "ranking_refused"
    response = login_as(setup["chair"]).post(
        f"/jury/{setup['challenge'].slug}/rounds/1/shortlist",
        data={"s1-rule": "top", "s1-top_n": "2", "s1-reviews_per_entry": "2",
              "s1-jurors": [str(j.id) for j in setup["jurors"]]})
    assert response.status_code == 409
    assert "combines reviews by their mean" in response.get_data(as_text=True)


@pytest.mark.parametrize("places, n, expected", [
    ({"a": 1, "b": 2, "c": 3}, 2, ["a", "b"]),
    ({"a": 1, "b": 2, "c": 2, "d": 4}, 2, ["a", "b", "c"]),  # a shared place at the boundary goes along whole
    ({"a": 1, "b": 2}, 5, ["a", "b"]),
    ({"a": 1}, 0, []),
])
def test_top_n_keeps_every_entry_sharing_the_last_place(places, n, expected):
    ranking = RoundRanking(places=places, scores={}, failed=[], aggregation="mean", calibration="model")
    assert ranking.top(n) == expected
