"""Results: the ranking, confirmation, publication, the digest, announcements, contests."""


def init_app(app):
    from govchallenge.core.registry import Panel, registry

    from . import computations
    from .feed import feed_entries
    from .views import bp, panel_context

    app.register_blueprint(bp)
    computations.listen_to_sessions()
    hooks = registry(app)
    hooks.add("feed_sources", feed_entries)
    hooks.add("challenge_panels", Panel("results/_challenge_panel.html", panel_context))
