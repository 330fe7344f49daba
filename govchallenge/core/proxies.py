"""Behind a reverse proxy the client's address and scheme arrive in X-Forwarded-For / -Proto. They are
believed only from the number of proxies the operator names (TRUSTED_PROXIES, default 0): with none, anyone
could forge the header and pick their own rate-limit bucket and audit address. The Host header is never taken
from X-Forwarded-Host: absolute links come from BASE_URL."""
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app):
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
