"""The jury: invitations, conflicts, assignment, blind review, rounds, the chair's tools."""


def init_app(app):
    from govchallenge.core.i18n import lazy_text as _l

    from govchallenge.core.registry import NavLink, Panel, registry

    from .permissions import kept_blind
    from .views import bp, jury_panel

    app.register_blueprint(bp)
    hooks = registry(app)
    hooks.add("nav_links", NavLink("jury.index", _l("Jury"), 40))
    hooks.add("challenge_panels", Panel("jury/_challenge_panel.html", jury_panel))
    hooks.add("entrant_blinds", kept_blind)
