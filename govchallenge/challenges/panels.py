"""The challenge page's panels and the feed's extra entries, filled by the domains above challenges through
the app's registry (govchallenge/core/registry.py): this domain never imports them."""
from govchallenge.core.registry import Panel, hook

__all__ = ["Panel", "panels_for", "feed_sources"]


def panels_for(challenge, user):
    """[(template, context)] of the panels that have something to show."""
    shown = []
    for panel in hook("challenge_panels"):
        context = panel.context(challenge, user)
        if context is not None:
            shown.append((panel.template, context))
    return shown


def feed_sources():
    return hook("feed_sources")
