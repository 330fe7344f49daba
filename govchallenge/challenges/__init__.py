"""Challenges: authoring, approval, the catalogue, the challenge page and its feed."""


def init_app(app):
    from govchallenge.core.i18n import lazy_text as _l

    from govchallenge.core.registry import NavLink, WorkSection, registry

    from .views import bp
    from .work import approval_section, authoring_section, awaiting_approval_count

    app.register_blueprint(bp)
    hooks = registry(app)
    hooks.add("nav_links", NavLink("challenges.catalogue", _l("Challenges"), 10))
    hooks.add("work_sections", WorkSection("challenges/_work_approval.html", approval_section, 10))
    hooks.add("work_sections", WorkSection("challenges/_work_authoring.html", authoring_section, 20))
    app.jinja_env.globals["awaiting_approval_count"] = awaiting_approval_count
