"""The design system's components (templates/_components/ui.html) and the rules the templates keep with them:
every table sits in a labelled, focusable region that scrolls on its own; the stylesheet carries the type and
spacing scales; no template loads anything from outside."""
import re
from pathlib import Path

import pytest
from flask import render_template_string

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STYLESHEET = Path(__file__).resolve().parents[2] / "govchallenge" / "static" / "css" / "app.css"
IMPORT = '{% from "_components/ui.html" import button, post_button, tag, banner, inset, details, summary_list, summary_row, phase_banner, table_region %}'


def render(source, **context):
    return render_template_string(IMPORT + source, **context)


@pytest.mark.parametrize("kind, classes", [
    ("primary", "button button--primary"), ("secondary", "button button--secondary"),
    ("warning", "button button--warning"), ("link", "button button--link"),
    ("link-warning", "button button--link button--warning"),
])
def test_a_button_says_its_place_in_the_hierarchy(app, kind, classes):
    with app.test_request_context():
        html = render("{{ button('Go', kind=kind) }}|{{ button('Go', href='/x', kind=kind) }}", kind=kind)
    assert html.count(f'class="{classes}"') == 2
    assert '<button type="submit"' in html and 'href="/x"' in html


def test_a_post_button_carries_the_csrf_token_and_next(app):
    with app.test_request_context():
        html = render("{{ post_button('/act', 'Act', kind='warning', next='/back') }}")
    assert 'action="/act"' in html and 'name="csrf_token"' in html and 'name="next" value="/back"' in html
    assert 'class="button button--warning"' in html


def test_a_table_region_is_labelled_focusable_and_scrolls(app):
    with app.test_request_context():
        html = render("{% call table_region('Stages') %}<table></table>{% endcall %}")
    assert '<div class="table-region" role="region" aria-label="Stages" tabindex="0"><table></table></div>' in html
    css = STYLESHEET.read_text()
    assert re.search(r"\.table-region[^{]*\{[^}]*overflow-x:\s*auto", css)


def test_banners_inset_details_summary_list_tag(app):
    with app.test_request_context():
        html = render(
            "{% call banner('Saved', kind='success') %}<p>Done</p>{% endcall %}"
            "{% call banner('Note') %}<p>Read</p>{% endcall %}"
            "{% call inset() %}Aside{% endcall %}"
            "{% call details('More') %}Text{% endcall %}"
            "{% call summary_list() %}{{ summary_row('Name', 'Ada', '/edit', 'Change') }}{% endcall %}"
            "{{ tag('Open', 'green') }}"
        )
    assert 'class="banner banner--success" role="alert"' in html and 'class="banner banner--important" role="region"' in html
    assert '<div class="inset">Aside</div>' in html
    assert "<summary>More</summary>" in html and '<div class="details__text">Text</div>' in html
    assert "<dt>Name</dt>" in html and '<a href="/edit">Change</a>' in html
    assert '<strong class="tag tag--green">Open</strong>' in html


def test_the_stylesheet_has_the_type_and_spacing_scales():
    css = STYLESHEET.read_text()
    assert all(f"--font-size-{n}:" in css for n in range(6))
    assert all(f"--space-{n}:" in css for n in range(1, 9))


def _tables_outside_a_region(source):
    """Lines of the <table> elements not inside a table_region call (or right after a .table-scroll div)."""
    outside, calls = [], []
    for match in re.finditer(r"\{%-?\s*call\s+(\w+)\(|\{%-?\s*endcall\s*-?%\}|<table\b", source):
        if match.group(1):
            calls.append(match.group(1))
        elif "endcall" in match.group(0):
            calls.pop()
        elif "table_region" not in calls and "table-scroll" not in source[:match.start()].rstrip().rsplit("\n", 1)[-1]:
            outside.append(source[:match.start()].count("\n") + 1)
    return outside


def test_every_table_of_every_page_sits_in_a_scrolling_region():
    found = {}
    for path in TEMPLATES.rglob("*.html"):
        if "emails" in path.parts:
            continue  # e-mails are not pages: mail clients lay tables out themselves
        lines = _tables_outside_a_region(path.read_text())
        if lines:
            found[str(path.relative_to(TEMPLATES))] = lines
    assert found == {}, f"tables outside table_region (templates/_components/ui.html): {found}"


def test_the_table_rule_does_notice_a_bare_table():
    assert _tables_outside_a_region("<h2>x</h2>\n<table></table>") == [2]
    assert _tables_outside_a_region("{% call banner('x') %}{% endcall %}\n<table></table>") == [2]
    assert _tables_outside_a_region("{% call table_region('x') %}<table></table>{% endcall %}") == []
