import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template

from govchallenge.extensions import db
from govchallenge.jobs.queue import redis_state

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    return render_template("main/home.html")


def database_state():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        return f"unavailable: {type(error).__name__}"
    return "ok"


@bp.route("/healthz")
def healthz():
    database, redis = database_state(), redis_state()
    healthy = database == "ok" and redis in {"ok", "not configured"}
    body = {"status": "ok" if healthy else "degraded", "database": database, "redis": redis}
    return jsonify(body), 200 if healthy else 503
