"""SPDX expressions, checked and normalised by license-expression, and their families (a pure module)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from govchallenge.submissions import licences


@pytest.mark.parametrize("written, normalised", [
    ("EUPL-1.2 OR MIT", "EUPL-1.2 OR MIT"),
    ("eupl-1.2 or mit", "EUPL-1.2 OR MIT"),  # case is normalised silently
    ("Apache-2.0 WITH LLVM-exception", "Apache-2.0 WITH LLVM-exception"),
    ("(MIT AND BSD-3-Clause) OR GPL-3.0-or-later", "(MIT AND BSD-3-Clause) OR GPL-3.0-or-later"),
])
def test_valid_expressions_are_normalised(written, normalised):
    found = licences.check(written)
    assert found.ok and found.normalised == normalised


def test_a_deprecated_identifier_is_named_with_its_replacement():
    found = licences.check("GPL-2.0+ OR MIT")
    assert not found.ok
    assert found.deprecated == [("GPL-2.0+", "GPL-2.0-or-later")]
    assert found.normalised == "GPL-2.0-or-later OR MIT"
    assert licences.check("GPL-2.0").deprecated == [("GPL-2.0", "GPL-2.0-only")]


@pytest.mark.parametrize("written, unknown", [("Foo-1.0", ["Foo-1.0"]), ("MIT OR Proprietary-Licence", ["Proprietary-Licence"])])
def test_unknown_identifiers_are_named(written, unknown):
    found = licences.check(written)
    assert not found.ok and found.unknown == unknown


@pytest.mark.parametrize("written", ["", "MIT AND (", "x" * 301])
def test_what_does_not_parse_is_refused(written):
    found = licences.check(written)
    assert not found.ok and found.syntax


@pytest.mark.parametrize("written", ['"', "<", "{{7*7}}", "MIT\u00a0OR Apache-2.0", "MIT OR\tApache-2.0", "MIT\x00"])
def test_characters_outside_spdx_are_refused_before_the_library_sees_them(written):
    """Some of these make license-expression's validator raise AttributeError itself."""
    found = licences.check(written)
    assert not found.ok and found.syntax


@given(st.text(max_size=60))
def test_any_text_gets_an_answer_never_an_exception(text):
    found = licences.check(text)
    assert found.ok or found.syntax or found.unknown or found.deprecated


def test_operators_alone_are_refused():
    assert not licences.check("AND OR").ok


@pytest.mark.parametrize("expression, families", [
    ("MIT", ["eupl", "permissive"]),
    ("EUPL-1.2", ["copyleft", "eupl"]),
    ("EUPL-1.2 OR MIT", ["copyleft", "eupl", "permissive"]),  # a choice: the families add up
    ("GPL-3.0-only AND MIT", ["copyleft", "eupl"]),  # both bind: copyleft, not permissive
    ("AGPL-3.0-only", ["copyleft", "eupl"]),
    ("GPL-3.0-only AND Apache-2.0 WITH LLVM-exception", ["copyleft", "eupl"]),
    ("SSPL-1.0", []),  # not an open-source licence in the catalogue's sense
    ("CDDL-1.0", ["copyleft"]),  # copyleft, outside the EUPL appendix
    ("CDDL-1.0 AND MIT", ["copyleft"]),  # every part must be EUPL-compatible
])
def test_families(expression, families):
    assert licences.families(expression) == families


def test_open_means_a_known_free_licence_among_the_choices():
    assert licences.is_open("MIT") and licences.is_open("SSPL-1.0 OR MIT")
    assert not licences.is_open("SSPL-1.0")
