"""Atom feeds (RFC 4287): one template and one answer for every feed of the platform.

Each feed gives its entries as dicts: id, title, link, updated (an aware UTC datetime), summary, and optionally
rights (e.g. a solution's licence). They go out newest first; the feed's own updated time is its newest entry's,
or now when it has none. Titles and summaries are in the reader's language, so the answer varies with it and gets
its validator through http_cache (ETag, 304), never shared between languages."""
from flask import Response, render_template

from .http_cache import conditional
from .timeutil import utcnow

TEMPLATE = "core/feed.atom.xml"


def atom_response(entries, title, self_url):
    entries = sorted(entries, key=lambda e: e["updated"], reverse=True)
    updated = entries[0]["updated"] if entries else utcnow()
    body = render_template(TEMPLATE, entries=entries, updated=updated, title=title, self_url=self_url)
    return conditional(Response(body, mimetype="application/atom+xml"), vary_language=True)
