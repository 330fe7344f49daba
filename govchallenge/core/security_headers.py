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


_HEADER_NAMES = {name.lower(): (name, value) for name, value in HEADERS.items()}


def add_security_headers(response):
    """Each header the response does not carry yet (a view's own wins), added in one pass over its headers:
    this runs on every response, a kept page's included, and Headers.setdefault searches the list per name."""
    from flask import current_app, request

    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    for lower, (name, value) in _HEADER_NAMES.items():
        if lower not in present:
            headers.add(name, value)
    if "strict-transport-security" not in present and (request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE")):
        headers.add("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def init_app(app):
    app.after_request(add_security_headers)
