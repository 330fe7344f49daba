"""Challenges: authoring, approval, the catalogue, the challenge page and its feed."""


def init_app(app):
    from govchallenge.core.i18n import lazy_text as _l

    from govchallenge.core.registry import NavLink, registry

    from .views import bp

    app.register_blueprint(bp)
    registry(app).add("nav_links", NavLink("challenges.catalogue", _l("Challenges"), 10))
