"""People's Choice: an award the hosts open for a window, voted by verified accounts on the shortlisted entries'
public pages (only what each team released), its count published after the window with its own digest."""


def init_app(app):
    from govchallenge.core.registry import Panel, registry

    from .views import bp, panel_context, results_section

    app.register_blueprint(bp)
    hooks = registry(app)
    hooks.add("challenge_panels", Panel("peoples_choice/_challenge_panel.html", panel_context))
    hooks.add("results_sections", Panel("peoples_choice/_results_section.html", results_section))
