"""Pure parts of the documents: agreement statistics through the jury's module, CSV, charts."""
from types import SimpleNamespace

from govchallenge.results import agreement_bridge, charts, documents, scoring


def gathered():
    criteria = [SimpleNamespace(id=1, weight=1.0, scale_min=0, scale_max=10, threshold=None, informational=False),
                SimpleNamespace(id=2, weight=2.0, scale_min=0, scale_max=10, threshold=None, informational=True)]
    reviews = [scoring.Review(e, j, {"1": s, "2": 5}) for e, j, s in
               [("a", "J1", 8), ("a", "J2", 7), ("b", "J1", 3), ("b", "J2", 4)]]
    return documents.Gathered(criteria=criteria, reviews=reviews)


def test_agreement_uses_the_jury_module_per_criterion_and_on_totals():
    calls = []

    def alpha(units, level):
        calls.append((units, level))
        return 0.75

    module = SimpleNamespace(krippendorff_alpha=alpha, outlier_jurors=lambda totals: ["J2"])
    per_criterion, outliers = agreement_bridge.summarise(module, gathered())
    assert per_criterion == {"1": 0.75, "2": 0.75, "total": 0.75}
    assert calls[0] == ({"a": {"J1": 8, "J2": 7}, "b": {"J1": 3, "J2": 4}}, "interval")
    assert calls[-1][0] == {"a": {"J1": 80.0, "J2": 70.0}, "b": {"J1": 30.0, "J2": 40.0}}
    assert outliers == ["J2"]


def test_agreement_left_out_when_it_cannot_be_computed():
    def failing(units, level):
        raise ZeroDivisionError

    per_criterion, outliers = agreement_bridge.summarise(SimpleNamespace(krippendorff_alpha=failing), gathered())
    assert per_criterion == {"1": None, "2": None, "total": None} and outliers == []
    assert agreement_bridge.summarise(SimpleNamespace(), gathered()) == ({}, [])
    assert agreement_bridge.disagreeing(SimpleNamespace(), gathered()) == []


def test_agreement_with_the_jury_module_itself():
    from govchallenge.jury import agreement

    per_criterion, outliers = agreement_bridge.summarise(agreement, gathered())
    # criterion 1: units a (8, 7) and b (3, 4): high agreement; criterion 2: no variation at all
    assert 0.8 < per_criterion["1"] < 1 and per_criterion["2"] == 1.0
    assert agreement_bridge.disagreeing(agreement, gathered()) == []


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
