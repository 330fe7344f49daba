"""Teams across organisations and borders, and their invitations."""


def init_app(app):
    from govchallenge.core.i18n import lazy_text as _l

    from govchallenge.core.registry import NavLink, WorkSection, registry

    from .views import bp
    from .work import teams_section

    app.register_blueprint(bp)
    registry(app).add("nav_links", NavLink("teams.mine", _l("My teams"), 30))
    registry(app).add("work_sections", WorkSection("teams/_work_teams.html", teams_section, 30))
