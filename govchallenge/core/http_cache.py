"""Conditional requests for what partner portals poll (the JSON API and the Atom feed): a validator on every
successful answer, 304 Not Modified when the client already holds it, and caching rules that never let a shared
cache keep what was made for one person.

- ETag: a strong tag, the SHA-1 of the body, so it changes exactly when the bytes do. The API's answers depend on
  the clock as well as on stored rows (a challenge turns "open" at its opening time, counts move as teams enter),
  so no stored version number could stand for them; hashing the body is the honest validator. The client saves
  the body's transfer, not the server's query.
- Last-Modified: only where a real modification time exists, given by the view (`response.last_modified`), e.g.
  a published result, which never changes once published. It is never invented from "now" or from a column that
  does not cover everything in the answer, since a client sending If-Modified-Since would then be told wrongly
  that nothing changed. If-None-Match wins over If-Modified-Since when both are sent (RFC 9110, 13.2.2).
- Cache-Control: `public, no-cache` for what anyone may see: caches may keep it but must revalidate every time,
  so a deadline that just passed is never served stale. A request from a signed-in person, or one whose session
  chose the language, gets `private, no-cache`: their answer is theirs, whatever its content.
- Vary: Accept-Language where the body is written in the reader's language (the feed); Flask adds Vary: Cookie
  whenever the session was read.
"""
from flask import request, session
from flask_login import current_user

CONDITIONAL_METHODS = ("GET", "HEAD")


def is_personal():
    """Whether the answer may differ for this one visitor: signed in, or a session that holds their choices."""
    return bool(getattr(current_user, "is_authenticated", False)) or bool(session)


def conditional(response, vary_language=False):
    """`response` with its validators and caching rules; 304 without a body when the client's copy is current.
    Only a successful GET or HEAD answer is touched: errors and redirects are never tagged nor cached."""
    if request.method not in CONDITIONAL_METHODS or response.status_code != 200 or response.is_streamed:
        return response
    if not response.get_etag()[0]:
        response.add_etag()
    response.cache_control.no_cache = True
    if is_personal():
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    if vary_language:
        response.vary.add("Accept-Language")
    return response.make_conditional(request)
