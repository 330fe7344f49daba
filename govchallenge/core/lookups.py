"""Loading a row named in a URL under its parent."""
from flask import abort

from govchallenge.extensions import db


def child_or_404(model, key, **parent):
    """The row `key` of `model` when it belongs to the given parent (`challenge_id=3`), else 404: an id that
    belongs elsewhere is answered like an unknown one, so nobody learns what exists under another parent."""
    row = db.session.get(model, key)
    if row is None or any(getattr(row, name) != value for name, value in parent.items()):
        abort(404)
    return row
