"""Behind a reverse proxy the client's address and scheme arrive in X-Forwarded-For / -Proto. They are
believed only from the number of proxies the operator names (TRUSTED_PROXIES, default 0): with none, anyone
could forge the header and pick their own rate-limit bucket and audit address. The Host header is never taken
from X-Forwarded-Host: absolute links come from BASE_URL."""
import math
from datetime import UTC, datetime

from flask import current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app):
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)


def arrival_moment():
    """When the trusted reverse proxy had the whole request (REQUEST_START_HEADER), or None.

    A deadline rush queues requests for a free worker; the moment a worker reads the body would refuse an entry
    that arrived in time and waited. The proxy (which buffers the body before passing it on) stamps the moment
    it passes the request on; believed only with TRUSTED_PROXIES set, since anyone can send the header to the
    app directly. Whether the moment is believed at all (not in the future, not older than the grace) is the
    deadline rule's decision (submissions.operations)."""
    config = current_app.config
    name = config.get("REQUEST_START_HEADER")
    if not name or not config.get("TRUSTED_PROXIES"):
        return None
    return parse_request_start(request.headers.get(name, ""))


def parse_request_start(value):
    """`t=1767222000.123` (seconds, nginx's $msec), `t=1767222000123` (milliseconds) or `t=1767222000123456`
    (microseconds, Apache's %t): the moment in UTC, or None when the value is not one of these."""
    text = value.strip().removeprefix("t=")
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number) or number <= 0:
        return None
    seconds = number / 1e6 if number > 1e14 else number / 1e3 if number > 1e11 else number
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
