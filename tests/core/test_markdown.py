from hypothesis import given
from hypothesis import strategies as st

from markupsafe import Markup

from govchallenge.core.markdown import render_markdown


def test_markdown_is_rendered():
    html = render_markdown("# Title\n\n**bold** and [a link](https://example.eu)")
    assert "<h2>Title</h2>" in html
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.eu"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_script_and_event_handlers_are_removed():
    html = render_markdown('<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1))')
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html


@given(st.text())
def test_no_input_produces_a_script_tag(text):
    html = str(render_markdown(text)).lower()
    assert "<script" not in html and 'href="javascript' not in html


def test_a_text_rendered_again_is_the_same_and_a_changed_text_is_rendered_anew():
    first = render_markdown("Plan **A**")
    assert render_markdown("Plan **A**") == first
    assert render_markdown("Plan **B**") == Markup("<p>Plan <strong>B</strong></p>\n")
    assert render_markdown("<script>alert(1)</script>") == render_markdown("<script>alert(1)</script>")
    assert "<script>" not in render_markdown("<script>alert(1)</script>")
