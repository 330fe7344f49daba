from flask import current_app, has_request_context, url_for


def external_url(endpoint, **values):
    """An absolute link for e-mails and feeds, from a request or from a worker (BASE_URL)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["SERVER_NAME_FOR_LINKS"]):
        return url_for(endpoint, _external=True, **values)
