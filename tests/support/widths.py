"""Every page a person reaches, in a real browser, at several widths: a walk that follows the links a role sees
(one page per route, the first met), and a measure of how far a page is wider than its viewport.

The walk runs in the browser itself (no second client, no CSRF to fake): it opens a page, measures it at each
width by resizing the viewport (no reload), reads the page's links and goes on. A later language revisits the
pages found, so the walk and its order are the same in every language.
"""
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

WIDTHS = (320, 390, 1280)
HEIGHT = 800

# Not pages: files, feeds, JSON, and links that act when followed (tokens from e-mails, sign-in at a provider).
NOT_PAGES = {
    "static", "main.favicon", "main.healthz", "challenges.feed", "reuse.feed", "reuse.dataset", "reuse.publiccode_yml",
    "privacy.download", "challenges.attachment", "submissions.download", "submissions.version_file",
    "jury.review_file", "submissions.export_file", "results.export_json", "results.export_csv", "results.api_results",
    "accounts.verify", "accounts.reset_password", "jury.invitation", "teams.invitation", "identity.start",
    "identity.callback", "accounts.logout",
}

# The widest elements that stick out of the page, for the failure message.
OVERFLOW = """() => {
  const root = document.documentElement, limit = root.clientWidth;
  if (root.scrollWidth <= limit) return null;
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p).overflowX; if (s === 'auto' || s === 'scroll' || s === 'hidden') return true; }
    return false; };
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > limit + 1 && box.width > 0 && !scrolls(el)) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
      culprits.push(name + ' (' + Math.round(box.right) + 'px: ' + (el.textContent || '').trim().slice(0, 40) + ')');
    }
  }
  return {width: root.scrollWidth, limit: limit, culprits: culprits.slice(-4)};
}"""


def too_wide(page, widths=WIDTHS):
    """["390px: 512px wide (culprits)"] for each width at which the page scrolls sideways. Starts at the width the
    viewport has, if it is one of them (a resize fewer)."""
    found = []
    current = (page.viewport_size or {}).get("width")
    for width in sorted(widths, key=lambda w: (w != current, w if current != max(widths) else -w)):
        if width != (page.viewport_size or {}).get("width"):
            page.set_viewport_size({"width": width, "height": HEIGHT})
        result = page.evaluate(OVERFLOW)
        if result:
            found.append(f"{width}px: {result['width']}px wide; sticking out: {'; '.join(result['culprits'])}")
    return found


def is_page(endpoint):
    return endpoint is not None and endpoint not in NOT_PAGES and not endpoint.startswith("api.")


def endpoint_of(app, path):
    try:
        endpoint, _arguments = app.url_map.bind("localhost").match(urlsplit(path).path, method="GET")
    except (HTTPException, RequestRedirect):
        return None
    return endpoint


def links_of(page, base_url):
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    base = urlsplit(base_url)
    local = []
    for href in hrefs:
        parts = urlsplit(href)
        if (parts.scheme, parts.netloc) == (base.scheme, base.netloc):
            local.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return local


def walk(page, app, base_url, start_paths, visit):
    """Opens each page reachable from `start_paths` by links (one per route, not-pages skipped) and calls
    visit(path) on it; returns the paths visited, in order."""
    queue, routes_seen, visited = list(start_paths), set(), []
    while queue:
        path = queue.pop(0)
        endpoint = endpoint_of(app, path)
        if not is_page(endpoint) or endpoint in routes_seen:
            continue
        routes_seen.add(endpoint)
        response = page.goto(path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append(path)
        visit(path)
        queue.extend(links_of(page, base_url))
    return visited
