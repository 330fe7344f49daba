"""Error pages in the user's language; JSON for the API.

Every error answer first rolls back the request's database session: a view that flushed a change
and then aborted (a 403 after a half-done operation, a 404 on a second lookup, a CSRF failure) must
leave nothing for a later commit in the same request or its teardown to write."""
from flask import jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from govchallenge.core.s3 import S3Error
from govchallenge.extensions import db

TITLES = {
    400: lambda: _("The request could not be understood"),
    403: lambda: _("You may not see this page"),
    404: lambda: _("Page not found"),
    405: lambda: _("That action is not allowed here"),
    413: lambda: _("The file is too large"),
    429: lambda: _("Too many attempts"),
    500: lambda: _("Something went wrong on our side"),
    503: lambda: _("Not available just now"),
}
EXPLANATIONS = {
    400: lambda: _("Please go back, check what you entered and try again."),
    403: lambda: _("Your account does not have access to this. If you think it should, contact the organisers."),
    404: lambda: _("The address may be mistyped, or the page was moved or never published."),
    405: lambda: _("Use the buttons on the page instead of typing the address."),
    413: lambda: _("Upload a smaller file."),
    429: lambda: _("For your account's safety we paused this for a while. Please wait a few minutes and try again."),
    500: lambda: _("The error was recorded. Please try again in a moment; what you saved before is safe."),
    503: lambda: _("A service the platform relies on did not answer. Please try again in a moment."),
}


def wants_json():
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(code, detail=None):
    db.session.rollback()
    title = TITLES.get(code, TITLES[500])()
    message = detail or EXPLANATIONS.get(code, EXPLANATIONS[500])()
    if wants_json():
        return jsonify({"error": {"status": code, "title": title, "message": message}}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def register(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _("The form had expired or was not sent from this site. Reload the page and try again; nothing was saved."))

    @app.errorhandler(S3Error)
    def storage_unavailable(error):
        app.logger.exception("file storage unavailable")
        return render_error(503)

    @app.errorhandler(HTTPException)
    def http_error(error):
        detail = getattr(error, "user_message", None)
        response = make_response(render_error(error.code or 500, detail))
        # What the error says about itself stays on the answer: `Allow` on a 405 (RFC 9110 requires it),
        # `Retry-After`, `WWW-Authenticate`. Only its own content type gives way to the page's or the JSON's.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error):
        app.logger.exception("unhandled error")
        return render_error(500)
