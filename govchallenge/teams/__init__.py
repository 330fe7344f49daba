"""Teams across organisations and borders, and their invitations."""


def init_app(app):
    from govchallenge.core.i18n import lazy_text as _l

    from govchallenge.core.registry import NavLink, registry

    from .views import bp

    app.register_blueprint(bp)
    registry(app).add("nav_links", NavLink("teams.mine", _l("My teams"), 30))
