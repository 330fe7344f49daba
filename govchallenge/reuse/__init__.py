"""The reuse catalogue: solutions that came out of a challenge, listed with the team's consent and the hosts'
approval, their adoption by other public bodies, and challenges run again by another body (copying.py)."""


def init_app(app):
    from govchallenge.core.i18n import lazy_text as _l
    from govchallenge.core.registry import NavLink, Panel, registry

    from .views import bp, panel_context

    app.register_blueprint(bp)
    hooks = registry(app)
    hooks.add("nav_links", NavLink("reuse.catalogue", _l("Solutions"), 15))
    hooks.add("challenge_panels", Panel("reuse/_challenge_panel.html", panel_context))
