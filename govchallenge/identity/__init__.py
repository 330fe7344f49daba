"""Sign-in through an identity provider (OpenID Connect): the instance's own, and a public body's for its
officers. Local passwords stay for everyone else (accounts)."""


def init_app(app):
    from govchallenge.core.registry import registry

    from . import permissions, providers
    from .views import bp

    app.register_blueprint(bp)
    registry(app).add("signin_options", providers.signin_options)
    registry(app).add("password_signin_refusals", permissions.password_signin_refusal)
