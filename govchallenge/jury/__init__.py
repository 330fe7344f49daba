"""The jury: invitations, conflicts, assignment, blind review, rounds, the chair's tools."""


def init_app(app):
    from govchallenge.core.i18n import lazy_text as _l

    from govchallenge.core.registry import NavLink, Panel, WorkSection, registry

    from .permissions import kept_blind
    from .views import bp, jury_panel
    from .work import pending_reviews_section, rounds_to_close_section

    app.register_blueprint(bp)
    hooks = registry(app)
    hooks.add("nav_links", NavLink("jury.index", _l("Jury"), 40))
    hooks.add("challenge_panels", Panel("jury/_challenge_panel.html", jury_panel))
    hooks.add("entrant_blinds", kept_blind)
    hooks.add("work_sections", WorkSection("jury/_work_reviews.html", pending_reviews_section, 40))
    hooks.add("work_sections", WorkSection("jury/_work_rounds.html", rounds_to_close_section, 45))
