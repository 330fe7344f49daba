"""People: registration, sign-in, profile."""


def init_app(app):
    from .views import bp

    app.register_blueprint(bp)
