"""The Nu HTML checker finds no error on any page a demo person can reach (issue 14, part 7).

The demo data is loaded; each demo person (and an anonymous visitor) starts on the home page and follows every
link to this site, breadth first, as a browser would (GET only); every HTML page met is kept. All the pages of
every person go to the checker in one run (starting Java is the slow part). The test fails naming each error with
the person and the page, and on any page that answers 500."""
import resource
import time
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from govchallenge.demo import PASSWORD, USERS, load_demo
from govchallenge.extensions import db
from tests.conftest import login
from tests.support.htmlcheck import html_errors

SITE = "http://localhost"
# What a crawler must not follow: files it cannot check (static assets), the Atom and API answers are checked
# by their own tests; everything else on the site is a page.
SKIPPED_PREFIXES = ("/static/", "/api/")
MAX_QUERY_VARIANTS = 4  # of one path (pagination, filters): the same template, enough to see its states
MAX_PAGES = 600  # a guard against a link that makes links forever; the demo reaches far fewer

# Anonymous, and one demo person per part they play (see govchallenge/demo.py's USERS and `flask demo`).
ROLES = ("anonymous",) + tuple(row[0] for row in USERS)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.found.append(href)


def links_on(base, html):
    """The paths (with their query) of this site that a page links to."""
    parser = _Links()
    parser.feed(html)
    paths = []
    for href in parser.found:
        url = urldefrag(urljoin(SITE + base, href)).url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(SITE).netloc:
            continue
        if parts.path.startswith(SKIPPED_PREFIXES):
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def crawl(client):
    """{path: HTML} of every page reachable from the home page, and the paths that answered 500."""
    seen, queue, pages, failures, variants = {"/"}, deque(["/"]), {}, [], {}
    while queue:
        assert len(seen) <= MAX_PAGES, f"more than {MAX_PAGES} pages: does a link make links forever? ({queue[0]})"
        path = queue.popleft()
        response = client.get(path)
        if response.status_code >= 500:
            failures.append(path)
            continue
        if not response.mimetype == "text/html":
            continue
        html = response.get_data(as_text=True)
        pages[path] = html
        for link in links_on(path, html):
            bare = link.split("?", 1)[0]
            if link in seen or ("?" in link and variants.get(bare, 0) >= MAX_QUERY_VARIANTS):
                continue
            if "?" in link:
                variants[bare] = variants.get(bare, 0) + 1
            seen.add(link)
            queue.append(link)
    return pages, failures


def client_of(app, role):
    client = app.test_client()
    if role == "anonymous":
        return client
    from govchallenge.accounts.models import find_by_email

    return login(client, find_by_email(role), PASSWORD)


@pytest.fixture
def demo_app(make_app):
    app = make_app(RATELIMIT_ENABLED=False)
    with app.app_context():
        load_demo()
        db.session.commit()
        yield app


@pytest.mark.only_db("sqlite")  # the HTML the templates write does not depend on the database
def test_every_page_a_demo_person_reaches_is_valid_html(demo_app, tmp_path):
    started, cpu_started = time.monotonic(), time.process_time()
    problems, reached, checked = [], {}, {}
    for role in ROLES:
        pages, failures = crawl(client_of(demo_app, role))
        reached[role] = len(pages)
        problems += [f"{role}: {path} answered 500" for path in failures]
        checked.update({f"{role}: {path}": html for path, html in pages.items()})
    crawled, cpu_crawled = time.monotonic(), time.process_time()
    checker_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for page, errors in html_errors(checked, tmp_path).items():  # one run of the checker for every page
        problems += [f"{page}: {error}" for error in errors]
    checker_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    checker_cpu = sum(getattr(checker_after, f) - getattr(checker_before, f) for f in ("ru_utime", "ru_stime"))
    print(f"\n{len(checked)} pages reached by {len(ROLES)} people; "
          f"crawl {crawled - started:.1f} s ({cpu_crawled - cpu_started:.1f} s CPU), "
          f"checker {time.monotonic() - crawled:.1f} s ({checker_cpu:.1f} s CPU)")
    assert min(reached.values()) > 10, reached
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
