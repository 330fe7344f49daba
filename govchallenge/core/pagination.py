"""The page a visitor asks for, checked once for every paginated list (HTML and API)."""
from flask import abort, request

from govchallenge.extensions import db

MAX_PAGE = 100_000


def requested_page(args, name="page"):
    """The whole number in ?page=, 1 when absent; None when it is not a page number that can exist."""
    raw = args.get(name)
    if raw in (None, ""):
        return 1
    if not (raw.isascii() and raw.isdecimal()) or len(raw) > 6:
        return None
    number = int(raw)
    return number if 1 <= number <= MAX_PAGE else None


def page_of(query, per_page):
    """The page of `query` the visitor asked for in ?page= (the last one when past the end); 404 when the
    number is not a page that can exist."""
    number = requested_page(request.args)
    if number is None:
        abort(404)
    return db.paginate(query, page=number, per_page=per_page, error_out=False)


class ListPage:
    """One page of a list already in memory, with the attributes the `pagination` macro reads (those of
    Flask-SQLAlchemy's pages): items, page, pages, has_prev, prev_num, has_next, next_num, total."""

    def __init__(self, rows, page, per_page):
        self.total = len(rows)
        self.per_page = per_page
        self.pages = max(1, -(-self.total // per_page))
        self.page = min(max(1, page or 1), self.pages)
        start = (self.page - 1) * per_page
        self.items = rows[start:start + per_page]
        self.has_prev, self.prev_num = self.page > 1, self.page - 1
        self.has_next, self.next_num = self.page < self.pages, self.page + 1
