"""Pure parts of the documents: agreement statistics through the jury's module, winners, CSV, charts."""
from types import SimpleNamespace

from govchallenge.results import charts, documents, scoring


def gathered():
    criteria = [SimpleNamespace(id=1, weight=1.0, scale_min=0, scale_max=10, threshold=None, informational=False),
                SimpleNamespace(id=2, weight=2.0, scale_min=0, scale_max=10, threshold=None, informational=True)]
    reviews = [scoring.Review(e, j, {"1": s, "2": 5}) for e, j, s in
               [("a", "J1", 8), ("a", "J2", 7), ("b", "J1", 3), ("b", "J2", 4)]]
    return documents.Gathered(criteria=criteria, reviews=reviews)


def test_agreement_from_the_jury_module_per_criterion_and_on_totals():
    per_criterion, outliers, split = documents._agreement(gathered())
    # criterion 1: units a (8, 7) and b (3, 4): high agreement; criterion 2: no variation at all
    assert 0.8 < per_criterion["1"] < 1 and per_criterion["2"] == 1.0
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
    per_criterion, outliers, split = documents._agreement(data)
    assert outliers == ["J3"]
    assert split == ["a", "b"]  # spreads of 80 and 60 points over 25; c spreads only 20
    assert per_criterion["1"] < 0.5


def test_agreement_is_none_with_too_little_to_compare():
    one_review_each = documents.Gathered(criteria=gathered().criteria,
                                         reviews=[scoring.Review("a", "J1", {"1": 8, "2": 5}),
                                                  scoring.Review("b", "J2", {"1": 3, "2": 5})])
    assert documents._agreement(one_review_each) == ({"1": None, "2": None, "total": None}, [], [])
    nothing = documents.Gathered(criteria=gathered().criteria)
    assert documents._agreement(nothing) == ({"1": None, "2": None, "total": None}, [], [])


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
