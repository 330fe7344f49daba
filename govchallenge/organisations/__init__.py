"""Public bodies, companies and other organisations, their officers and members."""


def init_app(app):
    from govchallenge.core.i18n import lazy_text as _l

    from govchallenge.core.registry import NavLink, registry

    from .views import bp

    app.register_blueprint(bp)
    registry(app).add("nav_links", NavLink("organisations.index", _l("Organisations"), 20))
