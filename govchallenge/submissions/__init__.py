"""Entries: drafts, submission, receipts, the hosts' exports."""


def init_app(app):
    from govchallenge.core.registry import Panel, registry

    from .operations import entries_for, rescreen_team, team_has_entries
    from .views import bp, challenge_panel

    app.register_blueprint(bp)
    hooks = registry(app)
    hooks.add("team_close_blockers", team_has_entries)
    hooks.add("team_entries", entries_for)
    hooks.add("team_changes", rescreen_team)
    hooks.add("challenge_panels", Panel("submissions/_challenge_panel.html", challenge_panel))
