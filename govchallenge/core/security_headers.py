"""Security headers on every response, pages, JSON and downloads alike, in one place.

The pages load scripts, styles and images only from this site and carry no inline script or style, so the
policy allows nothing else; e-mail templates are not web pages and may keep their inline styles. HSTS is sent
only when the site is served over HTTPS (the request came over it, or SESSION_COOKIE_SECURE says so), so a
local http:// run is never pinned to HTTPS. A view that sets one of these headers itself keeps its own."""

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Reset and invitation links carry tokens in the path: no other site may see them in a Referer.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def add_security_headers(response):
    from flask import current_app, request

    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def init_app(app):
    app.after_request(add_security_headers)
