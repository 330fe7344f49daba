import hmac

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user
from markupsafe import Markup

from govchallenge.core.page_cache import cached_page
from govchallenge.core.registry import hook
from govchallenge.core.timeutil import utcnow

from govchallenge.extensions import db
from govchallenge.jobs.queue import redis_state

bp = Blueprint("main", __name__)


@bp.route("/")
@cached_page
def home():
    if not current_user.is_authenticated:
        return render_template("main/home.html")
    return render_template("main/work.html", sections=work_sections(current_user))


def work_sections(user):
    """The rendered parts of "Your work" that have something for `user` now, in the domains' order."""
    now, rendered = utcnow(), []
    for section in sorted(hook("work_sections"), key=lambda s: s.position):
        context = section.context(user, now)
        if context:
            rendered.append(Markup(render_template(section.template, now=now, **context)))
    return rendered


def database_state():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        return f"unavailable: {type(error).__name__}"
    return "ok"


def outbox_backlog():
    """Jobs waiting to run: one indexed count."""
    from govchallenge.jobs.models import PENDING, OutboxJob

    try:
        return db.session.execute(sa.select(sa.func.count(OutboxJob.id)).where(OutboxJob.state == PENDING)).scalar()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return None


def is_operator():
    """The request carries `Authorization: Bearer <HEALTHZ_TOKEN>`; no token set means no operator view.
    Compared in constant time, so the answer's timing does not spell the token out."""
    token = current_app.config.get("HEALTHZ_TOKEN") or ""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: the same icon as the pages' <link rel="icon">."""
    return current_app.send_static_file("favicon.svg")


@bp.route("/healthz")
def healthz():
    """Liveness for anyone, `{"status": "ok"}` or 503 `{"status": "degraded"}`; which service failed and how
    (names of errors, the outbox backlog) only for operators: a stranger learns nothing about the insides."""
    database, redis = database_state(), redis_state()
    healthy = database == "ok" and redis in {"ok", "not configured"}
    body = {"status": "ok" if healthy else "degraded"}
    if is_operator():
        body.update(database=database, redis=redis, outbox_pending=outbox_backlog())
    return jsonify(body), 200 if healthy else 503
