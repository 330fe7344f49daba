"""The read-only JSON API under /api/v1 (the results domain adds its own route there too).

For every route under the prefix, whichever blueprint holds it:
- conditional requests (core/http_cache.py): a strong ETag on each successful answer, 304 when it is current;
- CORS through Flask-CORS: any origin by default (API_CORS_ORIGINS narrows it to a list), GET, HEAD and OPTIONS
  only, never credentials: a page elsewhere reads the same public data anyone can fetch, and no browser sends the
  visitor's cookies along. Preflights are answered; ETag is exposed so a portal's script can send If-None-Match.
  No other route of the site (pages, forms, the state-changing POSTs) answers CORS at all."""
import re

from flask import request
from flask_cors import CORS

from govchallenge.core.http_cache import conditional

PREFIX = "/api/v1/"
CORS_METHODS = ["GET", "HEAD", "OPTIONS"]


def init_app(app):
    from .views import bp

    app.register_blueprint(bp)
    CORS(app, resources={re.compile("^" + re.escape(PREFIX)): {
        "origins": app.config.get("API_CORS_ORIGINS") or "*",
        "methods": CORS_METHODS,
        "allow_headers": ["If-None-Match", "If-Modified-Since", "Accept-Language"],
        "expose_headers": ["ETag"],
        "supports_credentials": False,
        "max_age": 86400,
        "send_wildcard": True,
        "vary_header": True,
    }})

    listed_origins = bool(app.config.get("API_CORS_ORIGINS"))

    @app.after_request
    def api_validators(response):
        if not request.path.startswith(PREFIX):
            return response
        if listed_origins:
            # The answer differs by Origin (allowed or not): a shared cache must not hand one origin's to another.
            # Flask-CORS says so only when more than one origin is listed.
            response.vary.add("Origin")
        return conditional(response)
