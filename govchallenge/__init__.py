"""govchallenge: cross-border GovTech challenge competitions."""
import os

from flask import Flask

from . import config as settings
from .core.catalogues import compile_catalogues


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True, template_folder="../templates",
                instance_path=os.environ.get("INSTANCE_PATH") or None)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(settings.BASE)
    loaded = settings.load_settings(app.instance_path)
    if test_config:
        loaded.update(test_config)
    app.config.update(settings.finalise(loaded, app.instance_path))
    compile_catalogues()
    register_input_guards(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_security(app)
    return app


def register_security(app):
    from .core import proxies, security_headers, sessions

    sessions.init_app(app)
    security_headers.init_app(app)
    proxies.init_app(app)


def register_input_guards(app):
    from .core.urls import register

    register(app)


def register_extensions(app):
    from .core import audit, i18n, page_cache
    from .extensions import babel, csrf, db, limiter, login_manager, migrate
    from .jobs import relay

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    _init_login(app, login_manager)
    relay.init_app(app)
    audit.init_app(app)
    _import_models()
    page_cache.init_app(app)


def _init_login(app, login_manager):
    from flask_login import user_loaded_from_cookie

    from .accounts.models import load_session_user

    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    from govchallenge.core.i18n import lazy_text as _l

    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.user_loader(load_session_user)
    from .core.permissions import sign_in_redirect

    login_manager.unauthorized_handler(sign_in_redirect)
    user_loaded_from_cookie.connect(_bind_remembered_session, app)
    app.after_request(_bind_anonymous_session)


def _bind_anonymous_session(response):
    """An anonymous visitor's session (their CSRF token, their language) is bound to their browser as a sign-in
    binds one. Without the identifier that "strong" protection compares, Flask-Login finds each of their
    requests suspect: it marks the session, and the answer rewrites the session cookie and deletes a remember-me
    cookie, two cookies signed and sent with every page anyone reads without signing in."""
    from flask import session
    from flask_login import current_user

    from .extensions import login_manager

    if session and "_id" not in session and not current_user.is_authenticated:
        session["_id"] = login_manager._session_identifier_generator()
    return response


def _bind_remembered_session(app, user):
    """A browser coming back with only its remember-me cookie gets a session bound to it, as a sign-in does.
    Flask-Login restores the account but leaves the session without the identifier that "strong" protection
    compares, so the next page would find them unequal, end the session and delete the remember-me cookie:
    "keep me signed in" lasted one page."""
    from flask import session

    from .extensions import login_manager

    session["_id"] = login_manager._session_identifier_generator()


def _import_models():
    """Every model module, so Alembic and create_all see the whole schema."""
    from .accounts import models as _accounts  # noqa: F401
    from .core import audit as _audit  # noqa: F401
    from .jobs import models as _jobs  # noqa: F401
    from .organisations import models as _organisations  # noqa: F401

    for name in DOMAIN_MODELS:
        __import__(f"govchallenge.{name}.models")


DOMAIN_MODELS = ["legal", "identity", "challenges", "teams", "submissions", "jury", "results", "peoples_choice", "reuse",
                 "privacy"]
# Each domain's init_app registers its blueprint and fills the hooks of the domains below it
# (core/registry.py), in this order: lower domains first.
DOMAINS = ["main", "accounts", "legal", "organisations", "identity", "admin", "challenges", "teams", "submissions", "jury",
           "results", "peoples_choice", "reuse", "api", "privacy"]


def register_blueprints(app):
    import importlib

    from .core import registry

    registry.init_app(app)
    for name in DOMAINS:
        importlib.import_module(f"govchallenge.{name}").init_app(app)
    registry.registry(app).check()


def register_errorhandlers(app):
    from .main.errors import register

    register(app)


def register_template_helpers(app):
    from .core.templating import register

    register(app)


def register_commands(app):
    from .cli import register

    register(app)
