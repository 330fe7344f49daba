"""Links that leave the request (absolute links for mails, feeds and the API; the local targets a `next`
parameter may send a visitor to), and the guards every URL and form passes before a view runs."""
import unicodedata
from urllib.parse import unquote, urlsplit

from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# The largest id every table can hold on both databases: ids are INTEGER columns, signed 32-bit on
# PostgreSQL (SQLite's are 64-bit). A bigger number in a query is "integer out of range" there.
DATABASE_INT_MAX = 2**31 - 1
NUL = "\x00"


def external_url(endpoint, **values):
    """An absolute link for e-mails, feeds and API bodies, always from BASE_URL (SERVER_NAME_FOR_LINKS).

    Never from the request's Host header: a visitor who sends `Host: evil.example` with a reset request
    would otherwise receive a mail whose link hands the reset token to evil.example. Built on the URL map
    directly, without pushing a request context, whose teardown would end the current request's state
    (rate-limit deductions, for one) when a job runs inline."""
    base = urlsplit(current_app.config["SERVER_NAME_FOR_LINKS"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def _looks_local(target):
    """A path-absolute reference (`/x`) that no browser reads as another host or scheme.

    Browsers drop tabs and newlines inside URLs, strip leading controls and spaces, and read `\\` as `/`,
    so `/\\tevil`, `/\\evil` and ` //evil` all become `//evil`: any of those characters is refused."""
    if not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def local_target(target):
    """`target` when it is a path on this site, else None: the only places a `next` may send anyone.

    Checked as given and once percent-decoded, so a target that a proxy or a second decoding would turn
    into another host (`/%09/evil`, `/%5Cevil`) is refused too."""
    if not isinstance(target, str) or not target:
        return None
    if _looks_local(target) and _looks_local(unquote(target)):
        return target
    return None


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits up to DATABASE_INT_MAX.

    A bigger number can name no row, so the URL matches no route (404). Without the bound it
    reached the database, which raised an overflow (2**31 on PostgreSQL, 2**63 on SQLite): a 500."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=DATABASE_INT_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _holds_nul(multidict):
    return any(NUL in key or any(NUL in value for value in values) for key, values in multidict.lists())


def carries_nul():
    """True when the path, the query or a form field (name, value or uploaded file name) holds a NUL byte."""
    if NUL in request.path or _holds_nul(request.args):
        return True
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        return _holds_nul(request.form) or any(
            NUL in (upload.filename or "") for _name, uploads in request.files.lists() for upload in uploads)
    return False


def refuse_nul_bytes():
    """before_request: a NUL byte is never part of a name, a search or an id, and PostgreSQL refuses
    it in any text (a 500 deep in a query). Refused once here with a 400 (JSON under /api/)."""
    if carries_nul():
        error = BadRequest()
        error.user_message = _("The address or the form contained a character that is not allowed (a NUL byte). "
                               "Remove it and try again.")
        raise error


def register(app):
    """Before any blueprint: the bounded `int` converter must exist when the routes are added."""
    app.url_map.converters["int"] = DatabaseIntConverter
    app.before_request(refuse_nul_bytes)


WEB_SCHEMES = ("http", "https")


def is_web_url(value):
    """Whether a page may make `value` a link: http(s) addresses only. The forms refuse other schemes already;
    this holds for what reached the database another way (demo data, imports, an older form), so a stored
    `javascript:` address is shown as text and never followed."""
    try:
        return urlsplit(str(value or "")).scheme.lower() in WEB_SCHEMES
    except ValueError:
        return False
