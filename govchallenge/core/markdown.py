"""User text is Markdown; what reaches a page is rendered and then cleaned."""
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "h5", "h6", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}


def render_markdown(text):
    """`text` is a string or a translated value (its `.text` is rendered), so a template that hands over the
    translation object instead of its text still renders instead of answering 500."""
    return Markup(_cleaned_html(str(getattr(text, "text", text) or "")))


# The same descriptions are rendered on every view of an entry, a challenge or a review (parsing and cleaning
# cost several ms for a long one): the result depends on the text alone, so the latest ones are kept.
@lru_cache(maxsize=512)
def _cleaned_html(source):
    html = _md.render(source)
    # Headings start at h2 so user text never competes with the page's own h1.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(text):
    return nh3.clean(_md.render(text or ""), tags=set()).strip()
