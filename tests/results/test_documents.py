"""Pure parts of the documents: agreement statistics through the jury's module, winners, CSV, charts."""
from types import SimpleNamespace

import pytest

from govchallenge.results import charts, documents, reliability, scoring


def gathered():
    criteria = [SimpleNamespace(id=1, weight=1.0, scale_min=0, scale_max=10, threshold=None, informational=False),
                SimpleNamespace(id=2, weight=2.0, scale_min=0, scale_max=10, threshold=None, informational=True)]
    reviews = [scoring.Review(e, j, {"1": s, "2": 5}) for e, j, s in
               [("a", "J1", 8), ("a", "J2", 7), ("b", "J1", 3), ("b", "J2", 4)]]
    return documents.Gathered(criteria=criteria, reviews=reviews)


def test_agreement_from_the_jury_module_per_criterion_and_on_totals():
    per_criterion, report, outliers, split = documents._agreement(gathered())
    # criterion 1: units a (8, 7) and b (3, 4): high agreement; criterion 2: no variation at all: undefined
    assert 0.8 < per_criterion["1"] < 1 and per_criterion["2"] is None
    assert report["2"]["alpha_undefined"] == "no_variation" and report["2"]["icc"]["1_k"] is None
    assert report["2"]["icc_undefined"]["1_k"] == "no_variation"
    # on the totals (criterion 2 is informational: the totals are criterion 1 on 0-100): units a (80, 70) and
    # b (30, 40), by hand (Krippendorff 2011, interval): n = 4 pairable values; observed: each unit gives the
    # ordered pairs (80, 70) and (70, 80) of weight 1/(2-1), so sum o*delta^2 = 2*10^2 + 2*10^2 = 400; expected:
    # the ordered pairs of {80, 70, 30, 40}, sum n_c*n_k*delta^2 = 2*(10^2+50^2+40^2+40^2+30^2+10^2) = 13600;
    # alpha = 1 - (n-1) * 400 / 13600 = 1 - 3/34 = 31/34.
    assert per_criterion["total"] == round(31 / 34, scoring.PRECISION)
    assert per_criterion["total"] == per_criterion["1"]  # rescaling does not change alpha
    assert outliers == [] and split == []


def test_agreement_flags_a_juror_far_from_the_panel_and_a_split_entry():
    criteria = [SimpleNamespace(id=1, weight=1.0, scale_min=0, scale_max=10, threshold=None, informational=False)]
    rows = [(e, j, s) for e, base in (("a", 8), ("b", 6), ("c", 2)) for j, s in (("J1", base), ("J2", base), ("J3", 0))]
    data = documents.Gathered(criteria=criteria, reviews=[scoring.Review(e, j, {"1": s}) for e, j, s in rows])
    per_criterion, report, outliers, split = documents._agreement(data)
    assert outliers == ["J3"]
    assert split == ["a", "b"]  # spreads of 80 and 60 points over 25; c spreads only 20
    assert per_criterion["1"] < 0.5


def test_agreement_is_none_with_too_little_to_compare():
    one_review_each = documents.Gathered(criteria=gathered().criteria,
                                         reviews=[scoring.Review("a", "J1", {"1": 8, "2": 5}),
                                                  scoring.Review("b", "J2", {"1": 3, "2": 5})])
    alphas, report, outliers, split = documents._agreement(one_review_each)
    assert (alphas, outliers, split) == ({"1": None, "2": None, "total": None}, [], [])
    assert report["total"]["alpha_undefined"] == "too_few_values"
    assert report["total"]["icc"] == dict.fromkeys(reliability.FORMS) and set(report["total"]["icc_undefined"].values()) == {"too_few_values"}
    nothing = documents.Gathered(criteria=gathered().criteria)
    alphas, report, outliers, split = documents._agreement(nothing)
    assert (alphas, outliers, split) == ({"1": None, "2": None, "total": None}, [], [])
    assert report["1"]["alpha_undefined"] == "too_few_values" and report["1"]["icc_undefined"]["1_1"] == "one_rater"


def test_agreement_and_reliability_read_the_calibrated_values():
    # a complete design where J3 gives every entry 3 points less than J1 and J2 would: once each juror's
    # offset is removed, the three jurors agree exactly on the order and the spacing.
    criteria = [SimpleNamespace(id=1, weight=1.0, scale_min=0, scale_max=10, threshold=None, informational=False)]
    rows = [(e, j, base - (3 if j == "J3" else 0) + noise) for e, base in (("a", 9), ("b", 6), ("c", 4))
            for j, noise in (("J1", 0), ("J2", 1), ("J3", 0))]
    data = documents.Gathered(criteria=criteria, reviews=[scoring.Review(e, j, {"1": s}) for e, j, s in rows])
    raw, raw_report, _, _ = documents._agreement(data)
    calibrated, report, _, _ = documents._agreement(data, "offset")
    assert calibrated["1"] > raw["1"] + 0.2 and calibrated["total"] == calibrated["1"]
    assert report["total"]["icc"]["1_1"] > raw_report["total"]["icc"]["1_1"] + 0.2
    # ICC(3) ignores the offset either way: on raw values it is already removed by the two-way model
    assert report["total"]["icc"]["3_1"] == pytest.approx(raw_report["total"]["icc"]["3_1"], abs=1e-6)
    assert report["total"]["raters"] == 3


def test_histogram_and_its_svg_are_accessible_and_escaped():
    buckets = charts.histogram([0, 9.99, 10, 55, 100])
    assert [c for _, _, c in buckets] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 1]
    svg = str(charts.histogram_svg("c1", "Scores <b>", "Desc & more", buckets, "Score"))
    assert 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert "Scores &lt;b&gt;" in svg and "Desc &amp; more" in svg


def test_csv_has_one_row_per_published_entry_with_fixed_decimals():
    document = {
        "challenge": {"main_language": "en"},
        "criteria": [{"id": "1"}],
        "entries": [{"entry": "x1", "team": "Team, with comma", "title": "T", "place": 1, "score": 12.5, "raw_score": 12.5,
                     "interval": [1, 2], "passed_thresholds": True, "reviews": [{}, {}], "criteria": {"1": 1.25},
                     "awards": [{"en": "First"}]}],
    }
    text = documents.to_csv(document)
    assert text.splitlines()[1] == '1,x1,"Team, with comma",T,12.500000,12.500000,1,2,true,2,1.250000,First'
