"""Results: the ranking, confirmation, publication, the digest, announcements, contests."""


def init_app(app):
    from govchallenge.core.registry import Panel, RoundScoring, registry

    from . import computations, documents
    from .feed import feed_entries
    from .round_ranking import design_warnings, rank_round
    from .views import bp, panel_context

    app.register_blueprint(bp)
    # Every template that shows a results document (pages, e-mails) asks it how its final round was judged.
    app.jinja_env.globals["final_method"] = documents.final_kind
    computations.listen_to_sessions()
    hooks = registry(app)
    hooks.add("feed_sources", feed_entries)
    hooks.add("challenge_panels", Panel("results/_challenge_panel.html", panel_context))
    hooks.add("round_scoring", RoundScoring(rank=rank_round, design_warnings=design_warnings))
