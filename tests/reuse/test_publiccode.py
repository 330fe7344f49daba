"""publiccode.yml read with PyYAML's safe loader and checked on the fields the catalogue relies on (a pure module)."""
import yaml

from govchallenge.submissions import publiccode
from tests.reuse import samples


def _fields(problems):
    return [(p.field, p.code) for p in problems]


def test_a_valid_file_has_no_problem_and_gives_its_descriptions():
    document, problems = publiccode.parse(samples.VALID)
    assert problems == []
    texts = publiccode.descriptions(document)
    assert sorted(texts) == ["el", "en"]
    assert texts["en"]["short"] == "Real-time bus arrivals as open data."
    assert texts["el"]["features"] == ["GTFS-RT", "ανοικτά δεδομένα"]


def test_an_older_version_with_lower_case_licence_is_valid():
    assert publiccode.parse(samples.OLD_VERSION_VALID)[1] == []


def test_text_that_is_not_yaml_is_named_with_its_line():
    document, problems = publiccode.parse(samples.NOT_YAML)
    assert document is None and _fields(problems) == [("publiccode.yml", "not_yaml")]
    assert problems[0].values["line"] == 3


def test_yaml_that_is_not_a_mapping():
    assert _fields(publiccode.parse("- a\n- b\n")[1]) == [("publiccode.yml", "not_mapping")]
    assert _fields(publiccode.parse("just words")[1]) == [("publiccode.yml", "not_mapping")]


def test_each_missing_field_is_named():
    _document, problems = publiccode.parse(samples.MISSING_FIELDS)
    assert _fields(problems) == [
        ("name", "missing"), ("url", "missing"), ("legal.license", "missing"), ("maintenance.type", "missing"),
        ("localisation.availableLanguages", "missing"), ("description.en.shortDescription", "missing"),
    ]


def test_wrong_licence_url_maintenance_and_languages_are_each_named():
    _document, problems = publiccode.parse(samples.WRONG_LICENCE)
    assert _fields(problems) == [("url", "url"), ("legal.license", "licence"), ("maintenance.type", "value"),
                                 ("localisation.availableLanguages", "type")]
    assert problems[1].values["unknown"] == "Proprietary-Licence-1.0"


def test_a_deprecated_licence_carries_its_suggestion():
    _document, problems = publiccode.parse(samples.DEPRECATED_LICENCE)
    assert _fields(problems) == [("legal.license", "licence")]
    assert problems[0].values["normalised"] == "GPL-2.0-or-later"


def test_unsafe_yaml_tags_are_refused_not_run():
    _document, problems = publiccode.parse("name: !!python/object/apply:os.system ['true']\n")
    assert _fields(problems) == [("publiccode.yml", "not_yaml")]


def test_a_file_too_large_is_refused_before_parsing():
    _document, problems = publiccode.parse("name: x\n" + "#" * publiccode.MAX_BYTES)
    assert _fields(problems) == [("publiccode.yml", "too_long")]


def test_an_unknown_version_and_a_long_short_description():
    text = samples.VALID.replace('"0.4"', '"9.9"').replace("Real-time bus arrivals as open data.", "x" * 151)
    assert _fields(publiccode.parse(text)[1]) == [("publiccode.yml".replace("publiccode.yml", "publiccodeYmlVersion"), "version"),
                                                  ("description.en.shortDescription", "too_long")]


def test_the_generated_file_passes_its_own_checks():
    built = publiccode.build({
        "name": "Bus arrivals", "url": "https://git.example.eu/bus", "landing_url": "https://platform.example.eu/solutions/x",
        "licence": "EUPL-1.2 OR MIT", "development_status": "beta", "languages": ["el", "en"],
        "descriptions": {"en": {"short": "Arrivals.", "long": "", "features": []}, "el": {"short": "Αφίξεις.", "long": "Μακρύ."}},
        "contact_name": "Ελένη", "contact_email": "eleni@example.eu", "release_date": "2026-12-01",
    })
    document, problems = publiccode.parse(built)
    assert problems == [] and yaml.safe_load(built)["maintenance"]["contacts"][0]["name"] == "Ελένη"
    assert "Αφίξεις." in built  # not escaped: a reader sees the language
