"""Your data: download everything the platform holds about you, erase your account, and the retention of
what nobody needs any more (GDPR articles 5(1)(e), 15, 17 and 20). Sits above every domain: it reads them all."""


def init_app(app):
    from flask_login import user_logged_in

    from govchallenge.core.i18n import lazy_text as _l
    from govchallenge.core.registry import NavLink, registry

    from .reauth import remember_sign_in
    from .views import bp

    app.register_blueprint(bp)
    user_logged_in.connect(remember_sign_in, app)
    # The privacy notice (legal) links where a person downloads or erases their data.
    registry(app).add("personal_data_pages", NavLink("privacy.index", _l("Your data: download or erase it"), 10))
