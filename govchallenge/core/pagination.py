"""The page a visitor asks for, checked once for every paginated list (HTML and API)."""
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
