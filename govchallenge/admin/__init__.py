"""Platform administration."""


def init_app(app):
    from . import legal  # noqa: F401  (its routes are on the admin blueprint)
    from .views import bp

    app.register_blueprint(bp)
