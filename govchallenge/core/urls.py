"""Links that leave the request: absolute links for mails and feeds, and the local targets a `next`
parameter may send a visitor to."""
import unicodedata
from urllib.parse import unquote, urlsplit

from flask import current_app


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
