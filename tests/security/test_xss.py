"""Text from users never runs as markup: every GET route of the URL map, as every role, over one world where every
user-writable field holds hostile text (tests/support/world.py); every form those pages show, sent back with
hostile text in every field; the Atom feed; and every e-mail template rendered from the world.

Routes come from `app.url_map` and their arguments from one table (`ROUTE_ARGUMENTS`), columns from
`db.metadata`: a new route, a new column or a new e-mail template is covered without writing a test — or the
tests here say what to add."""
import re
import xml.etree.ElementTree as ET
from email import message_from_bytes
from email.policy import default as email_policy
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import template_rendered

from govchallenge.extensions import db
from tests.support.world import (
    MARKUP, NOT_USER_TEXT, PAYLOAD, ROLES, ROUTE_ARGUMENTS, USER_TEXT, UnfilledRoute, build_world, is_hostile,
    not_user_text_columns, paths, routes, text_columns,
)

# An attribute that would run script when followed or loaded.
SCRIPT_URL_ATTRIBUTE = re.compile(r"""\b(?:href|src|action|formaction|xlink:href|data)\s*=\s*["']?\s*(?:javascript|vbscript):""",
                                  re.IGNORECASE)
EVALUATED = ("alert(1)&gt;49", "alert(1)>49")  # PAYLOAD ends with {{7*7}}: a template that evaluates it shows 49
DATA_TYPES = {  # endpoints whose answer is data, never a page
    "api.challenges": "application/json", "api.challenge": "application/json", "results.api_results": "application/json",
    "results.export_json": "application/json", "results.export_csv": "text/csv", "main.healthz": "application/json",
    "challenges.feed": "application/atom+xml", "api.solutions": "application/json", "api.solution": "application/json",
    "reuse.publiccode_yml": "application/yaml",
}
# Types a browser never renders as a page, whatever the body holds.
INERT_TYPES = {"application/json", "application/yaml", "text/csv", "application/atom+xml", "application/pdf", "application/zip",
               "application/octet-stream", "text/plain"}
EMAIL_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "emails"


class _ActiveMarkup(HTMLParser):
    """Finds elements the hostile text would make: an event handler, or an image loading `x`."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on") and "alert" in (value or ""):
                self.found.append(f"<{tag} {name}=...>")
        if tag == "img" and ("src", "x") in attrs:
            self.found.append("<img src=x>")


class _PostForms(HTMLParser):
    """Every `<form method="post">` of a page: its action and the names of the fields a person fills in."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self._form = page, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {"action": attrs.get("action") or self.page, "fields": {}, "button": {}}
        elif self._form is None or not attrs.get("name") or attrs["name"] == "csrf_token":
            return
        elif tag in ("textarea", "select"):
            self._form["fields"][attrs["name"]] = PAYLOAD
        elif tag == "button" or (tag == "input" and attrs.get("type") in ("submit", "image")):
            self._form["button"] = self._form["button"] or {attrs["name"]: attrs.get("value") or "1"}
        elif tag == "input" and attrs.get("type") == "checkbox":
            self._form["fields"][attrs["name"]] = attrs.get("value") or "y"
        elif tag == "input" and attrs.get("type") != "file":
            self._form["fields"][attrs["name"]] = PAYLOAD

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            if self._form["fields"]:  # a lone button has nothing to echo
                self.forms.append(self._form)
            self._form = None


def post_forms(page, body):
    parser = _PostForms(page)
    parser.feed(body)
    return parser.forms


def html_problems(body):
    """What is wrong with an HTML document built from hostile text (empty when nothing)."""
    problems = []
    if MARKUP in body:
        problems.append(f"user text unescaped: {_around(body, MARKUP)}")
    match = SCRIPT_URL_ATTRIBUTE.search(body)
    if match:
        problems.append(f"a javascript: URL in an attribute: {_around(body, match.group(0))}")
    problems += [f"a template expression in user text was evaluated: {_around(body, e)}" for e in EVALUATED if e in body]
    parser = _ActiveMarkup()
    parser.feed(body)
    problems += [f"active element {found}" for found in parser.found]
    return problems


def _around(body, needle, width=80):
    at = body.find(needle)
    return repr(body[max(0, at - width):at + len(needle) + width])


def response_problems(rule, response):
    """Everything wrong with one answer (to `rule`, when known): a 500, a header a server cannot send, user text
    as active markup."""
    problems = []
    if response.status_code >= 500:
        return [f"answered {response.status_code}"]
    for name, value in response.headers.items():
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            problems.append(f"header {name} cannot be sent (not latin-1): {value!r}")
    body = response.get_data().decode("utf-8", errors="replace")
    if response.mimetype == "text/html":
        return problems + html_problems(body)
    expected = DATA_TYPES.get(getattr(rule, "endpoint", None))
    if expected and response.status_code == 200 and response.mimetype != expected:
        problems.append(f"served as {response.mimetype}, not {expected}")
    if is_hostile(body) and response.mimetype not in INERT_TYPES:
        problems.append(f"user text served as {response.mimetype}")
    return problems


def client_as(app, world, role, login_as):
    return app.test_client() if role == "anonymous" else login_as(world.users[role])


def plan(app, world, method, neighbours=False):
    """[(rule, path)] for every route answering `method`, and the messages of routes the table cannot fill.
    The test's own session ends here, so it holds no transaction while the requests write."""
    planned, unfilled = [], []
    for rule in routes(app, method):
        try:
            planned += [(rule, path) for path in paths(app, rule, world, neighbours)]
        except UnfilledRoute as error:
            unfilled.append(str(error))
    db.session.commit()
    return planned, unfilled


@pytest.fixture
def world(app):
    return build_world()


# --- the tables stay complete ------------------------------------------------------------------------------------

def test_every_text_column_is_classified_as_user_text_or_not(app):
    columns = set(text_columns(db.metadata))
    user_text, other = set(USER_TEXT), set(not_user_text_columns())
    assert not user_text & other, f"classified twice: {sorted(user_text & other)}"
    unclassified = columns - user_text - other
    assert not unclassified, (
        f"classify {sorted(unclassified)} in tests/support/world.py: USER_TEXT (with how the world fills it) or "
        f"NOT_USER_TEXT (under the reason it cannot hold markup)")
    assert not (user_text | other) - columns, f"no longer in the schema: {sorted((user_text | other) - columns)}"
    assert all(reason and names for reason, names in NOT_USER_TEXT.items())


def test_every_route_argument_is_in_the_table(app):
    missing = [f"({rule.endpoint!r}, {name!r})  # {rule.rule}" for method in ("GET", "POST")
               for rule in routes(app, method) for name in sorted(rule.arguments)
               if (rule.endpoint, name) not in ROUTE_ARGUMENTS]
    assert not missing, "add to ROUTE_ARGUMENTS in tests/support/world.py:\n" + "\n".join(missing)
    known = {(rule.endpoint, name) for rule in app.url_map.iter_rules() for name in rule.arguments}
    assert not set(ROUTE_ARGUMENTS) - known, f"stale entries: {sorted(set(ROUTE_ARGUMENTS) - known)}"


def test_the_world_fills_every_user_text_column_with_hostile_text(world):
    """Each column the world fills holds hostile text in every row that has a value; each column copied from
    other user text (the results documents, the audit trail) holds it in at least one row."""
    problems = []
    for name, filler in USER_TEXT.items():
        table, column = name.split(".")
        values = [v for v in db.session.execute(sa.select(db.metadata.tables[table].c[column])).scalars() if v not in (None, [], {})]
        hostile = [v for v in values if is_hostile(v)]
        if not hostile:
            problems.append(f"{name}: no row of the world holds hostile text (add one to build_world)")
        elif filler is not None and len(hostile) < len(values):
            problems.append(f"{name}: {len(values) - len(hostile)} rows are not hostile")
    assert not problems, "\n".join(problems)


# --- pages ------------------------------------------------------------------------------------------------------

# The two crawls check what the templates make of hostile text: the dialect plays no part, so they run on SQLite
# only (`make test` runs the PostgreSQL suite beside it; the world's columns are filled on both, just above).
@pytest.mark.only_db("sqlite")
@pytest.mark.parametrize("role", ROLES)
def test_no_page_runs_user_text_as_markup(app, world, login_as, role):
    client = client_as(app, world, role, login_as)
    planned, failures = plan(app, world, "GET")
    assert len(planned) > 100
    for rule, path in planned:
        response = client.get(path)
        failures += [f"{role} GET {path}: {problem}" for problem in response_problems(rule, response)]
    assert not failures, "\n".join(failures)


@pytest.mark.only_db("sqlite")
@pytest.mark.parametrize("role", ROLES)
def test_no_form_echoes_user_text_as_markup(app, world, login_as, role):
    """Every form a role is shown (on any page of the crawl), sent back with hostile text in every field: what
    the answer shows of it — form errors, the text kept for the user to correct — stays text."""
    client = client_as(app, world, role, login_as)
    planned, failures = plan(app, world, "GET")
    forms = {}
    for _rule, path in planned:
        response = client.get(path)
        if response.mimetype == "text/html":
            for form in post_forms(path, response.get_data(as_text=True)):
                forms.setdefault((form["action"], tuple(sorted(form["fields"]))), form)
    assert forms or role == "anonymous"
    for form in forms.values():
        if form["action"].split("?")[0] in ("/logout", "/language"):
            continue  # they keep no text; signing out would end the crawl
        response = client.post(form["action"], data={**form["fields"], **form["button"]})
        failures += [f"{role} POST {form['action']}: {problem}"
                     for problem in response_problems(None, response)]
    assert not failures, "\n".join(failures)


def test_the_atom_feed_is_well_formed_and_carries_user_text_as_text(app, world):
    response = app.test_client().get("/challenges/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())
    atom = "{http://www.w3.org/2005/Atom}"
    assert all(element.tag.startswith(atom) for element in feed.iter()), "an element outside Atom: markup got through"
    entries = {entry.findtext(f"{atom}id"): entry for entry in feed.iter(f"{atom}entry")}
    challenges = [e for key, e in entries.items() if key.startswith("tag:govchallenge,challenge:")]
    results = [e for key, e in entries.items() if key.startswith("tag:govchallenge,results:")]
    assert len(challenges) >= 3 and results, sorted(entries)
    for entry in challenges:  # what the hosts wrote reads back as the same text, markup and all
        assert PAYLOAD in entry.findtext(f"{atom}title") and PAYLOAD in entry.findtext(f"{atom}summary")
    assert all(PAYLOAD in entry.findtext(f"{atom}title") for entry in results)


# --- e-mails ----------------------------------------------------------------------------------------------------

def _send_every_email(world):
    """Runs each job that writes an e-mail, on the world's hostile rows."""
    from govchallenge.accounts import jobs as accounts
    from govchallenge.challenges import jobs as challenges
    from govchallenge.jury import jobs as jury
    from govchallenge.legal import jobs as legal
    from govchallenge.results.letters import send_email
    from govchallenge.results.models import JUROR, PARTICIPANT, Delivery
    from govchallenge.reuse import jobs as reuse
    from govchallenge.submissions import jobs as submissions
    from govchallenge.teams import jobs as teams

    member, unverified = world.users["member"], world.rows["unverified"]
    open_challenge = world.challenges["open"]
    outcomes = [
        accounts.send_verification(unverified.id), accounts.send_password_reset(member.id),
        accounts.send_already_registered(member.id), accounts.send_login_paused(member.id),
        teams.send_invitation(world.rows["invitation"].id),
        submissions.send_receipt(world.entries["own_submitted"].versions[0].id, member.id),
        challenges.email_cohost_invitation(world.rows["invited_host"].id),
        jury.send_invitation(world.rows["invited_juror"].id),
        jury.send_reminder(world.rows["jury"].round.id, world.rows["jury"].juror_rows[1].id),
        reuse.email_adoption(world.rows["adoption"].id),
        legal.send_contact_message(f"mk-contact-name-mk {PAYLOAD}", member.email, f"mk-contact-message-mk {PAYLOAD}", "el"),
    ]
    for kind, reference in (("clarification", str(world.rows["answered"].id)), ("update", ""), ("in_evaluation", ""),
                            ("news", "")):
        outcomes.append(challenges.email_follower(member.id, open_challenge.id, kind, reference))
    draft = world.challenges["draft"]
    status, draft.status = draft.status, "in_review"  # the administrators hear of a challenge sent for review
    outcomes.append(challenges.email_admins_review_waiting(draft.id))
    draft.status = status
    deliveries = world.rows["publication"].announcement.deliveries.filter(Delivery.channel == "email").all()
    for role in (PARTICIPANT, JUROR):  # a participant's own outcome; everyone else's announcement
        send_email(next(d for d in deliveries if d.role == role and d.user_id))
        outcomes.append("sent")
    from govchallenge.privacy import exports

    export = exports.request_export(member)
    built = exports.build_export(export.id)
    outcomes.append("sent" if built.get("export") == export.id and export.mailed_at else "not sent")
    return outcomes


def test_every_email_template_keeps_user_text_as_text(app, world):
    rendered = []

    def remember(sender, template, context, **extra):
        rendered.append(template.name)

    with template_rendered.connected_to(remember, app):
        outcomes = _send_every_email(world)
    assert all(str(o).startswith("sent") and o != "sent 0" for o in outcomes), outcomes
    templates = {f"emails/{p.name}" for p in EMAIL_TEMPLATES.glob("*.html") if not p.name.startswith("_")}
    assert templates - set(rendered) == set(), "render these templates in _send_every_email (a job that sends them)"
    messages = [message_from_bytes(p.read_bytes(), policy=email_policy)
                for p in Path(app.config["MAIL_FILE_DIR"]).glob("*.eml")]
    assert len(messages) >= len(outcomes)
    failures = []
    for message in messages:
        html = message.get_body(preferencelist=("html",)).get_content()
        assert "-mk " in html, f"{message['Subject']}: no user text in the message"
        failures += [f"{message['Subject']}: {problem}" for problem in html_problems(html)]
    assert not failures, "\n".join(failures)
