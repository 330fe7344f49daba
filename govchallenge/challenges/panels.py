"""Extension points of the challenge page and feed for the domains above challenges.

A higher domain (teams, submissions, results…) registers from its own views module, so this
domain never imports them:

    PANELS.append(Panel("submissions/_challenge_panel.html", context_for_panel))

`context(challenge, user)` returns a dict for the template, or None to hide the panel; it must
run a constant number of queries.
"""
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable


PANELS = []

# Functions returning extra Atom entries: each -> iterable of dicts with
# id, title, link, updated (aware datetime), summary.
FEED_SOURCES = []


def register_panel(panel):
    if panel not in PANELS:
        PANELS.append(panel)


def register_feed_source(source):
    if source not in FEED_SOURCES:
        FEED_SOURCES.append(source)


def panels_for(challenge, user):
    """[(template, context)] of the panels that have something to show."""
    shown = []
    for panel in PANELS:
        context = panel.context(challenge, user)
        if context is not None:
            shown.append((panel.template, context))
    return shown
