"""Lazily translated strings formatted with user data stay text in HTML: flask_babel's LazyString counts as
safe HTML whole, so the project's `_l` (core.i18n.lazy_text) escapes its values when rendered."""
import pathlib
import re

from flask import render_template_string
from markupsafe import escape

from govchallenge.core.i18n import lazy_text

HOSTILE = '<img src=x onerror="alert(1)">'


def test_a_lazy_strings_values_are_escaped_in_html_and_kept_in_text(app):
    with app.test_request_context():
        label = lazy_text("Comment on %(criterion)s", criterion=HOSTILE)
        assert HOSTILE not in str(escape(label)) and "&lt;img" in str(escape(label))
        assert HOSTILE not in render_template_string("{{ label }}", label=label)
        assert str(label) == f"Comment on {HOSTILE}"  # a mail subject or a CSV cell keeps the text as written
        assert str(escape(lazy_text("Draft saved."))) == "Draft saved."


def test_the_lazy_string_is_translated_when_used(app):
    with app.test_request_context(headers={"Accept-Language": "pl"}):
        from flask_babel import refresh

        refresh()
        assert str(lazy_text("Draft saved.")) != "Draft saved."


def test_no_module_uses_flask_babels_own_lazy_gettext():
    package = pathlib.Path(__file__).resolve().parents[2] / "govchallenge"
    own = package / "core" / "i18n.py"
    offenders = [str(p.relative_to(package)) for p in package.rglob("*.py")
                 if p != own and re.search(r"\blazy_gettext\b", p.read_text(encoding="utf-8"))]
    assert offenders == []
