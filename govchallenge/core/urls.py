from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

WEB_SCHEMES = ("http", "https")


def external_url(endpoint, **values):
    """An absolute link for e-mails and feeds, from a request or from a worker (BASE_URL)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["SERVER_NAME_FOR_LINKS"]):
        return url_for(endpoint, _external=True, **values)


def is_web_url(value):
    """Whether a page may make `value` a link: http(s) addresses only. The forms refuse other schemes already;
    this holds for what reached the database another way (demo data, imports, an older form), so a stored
    `javascript:` address is shown as text and never followed."""
    try:
        return urlsplit(str(value or "")).scheme.lower() in WEB_SCHEMES
    except ValueError:
        return False
