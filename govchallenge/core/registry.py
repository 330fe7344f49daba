"""Extension points that a lower domain offers and a higher one fills, kept on the app, not in module globals.

Domains lean one way (challenges <- teams <- submissions <- jury <- results): a lower domain never imports a
higher one, so where it must ask one ("may this team close?", "what goes on the challenge page?") it reads a
hook here, and the higher domain adds itself in its `init_app(app)`, which the app factory calls in a fixed
order. Nothing registers by being imported, so what the app does never depends on which modules a test or a
command happened to import first.

A hook listed in REQUIRED guards a rule: left empty, it would silently allow what it should forbid (a team
with entries closing, a juror reading which team sent which entry). The factory checks them once every domain
is wired, and reading one that is empty fails loudly as well.
"""
from dataclasses import dataclass, field
from typing import Callable

from flask import current_app

KEY = "govchallenge.registry"


class MissingRegistration(RuntimeError):
    """A required hook has nothing registered: a domain was not wired by create_app."""


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: object
    position: int


@dataclass(frozen=True)
class SignInOption:
    """A way to sign in besides the password form: a button leading to `url`."""

    url: str
    label: str


@dataclass(frozen=True)
class Panel:
    """A section of the challenge page: `context(challenge, user)` returns a dict for `template`, or None to
    hide it; it must run a constant number of queries."""

    template: str
    context: Callable


@dataclass(frozen=True)
class RoundScoring:
    """How the results domain reads a jury round, so that the jury ranks and warns by the rule the results
    publish (results/round_ranking.py) without importing it.

    rank(round, reviews, use_thresholds) -> jury.shortlisting.RoundRanking, from the counting reviews
    [(submission id, juror id, scores)]; design_warnings(round, pairs, totals) -> [translated text], from the
    assigned (submission id, juror id) pairs and the submitted {pair: total}."""

    rank: Callable
    design_warnings: Callable


@dataclass(frozen=True)
class WorkSection:
    """A part of a signed-in person's home ("Your work"): `context(user, now)` returns a dict for `template`
    when something needs the person now, else None; like a Panel, it runs a constant number of queries."""

    template: str
    context: Callable
    position: int = 50


@dataclass
class Registry:
    nav_links: list = field(default_factory=list)  # NavLink, shown by position once their endpoint exists
    challenge_panels: list = field(default_factory=list)  # Panel
    feed_sources: list = field(default_factory=list)  # () -> iterable of Atom entry dicts (id, title, link, updated, summary)
    team_close_blockers: list = field(default_factory=list)  # (team) -> True when the team must not close
    team_entries: list = field(default_factory=list)  # (team) -> {stage_id: entry}, in one query (at most one)
    # (user, challenge) -> True when the user must not learn who entered what (the jury of a blind evaluation)
    entrant_blinds: list = field(default_factory=list)
    work_sections: list = field(default_factory=list)  # WorkSection: what needs a signed-in person, on the home page
    signin_options: list = field(default_factory=list)  # () -> [SignInOption]: other ways in, on the sign-in page
    password_signin_refusals: list = field(default_factory=list)  # (user) -> message when a password may not sign them in
    round_scoring: list = field(default_factory=list)  # RoundScoring: the first one is used
    # (team) -> None, after a change of who the team is (a member joined or left, a new name), in its transaction:
    # what the domains above derived from the team's identity is recomputed (the names sought in its entries)
    team_changes: list = field(default_factory=list)
    # NavLink: where a person downloads or erases their own data; the privacy notice links them when present
    personal_data_pages: list = field(default_factory=list)
    # Panel: a section of a challenge's published results page (context(challenge, user) -> dict or None), in a
    # constant number of queries; the results domain shows it, never importing the domain that fills it
    results_sections: list = field(default_factory=list)

    REQUIRED = ("team_close_blockers", "entrant_blinds", "round_scoring", "team_changes")

    def add(self, hook, item):
        items = getattr(self, hook)
        if item not in items:
            items.append(item)

    def check(self):
        for hook in self.REQUIRED:
            if not getattr(self, hook):
                raise MissingRegistration(f"nothing is registered for {hook!r}: a domain's init_app was not called")


def init_app(app):
    app.extensions[KEY] = Registry()


def registry(app=None):
    app = app or current_app
    try:
        return app.extensions[KEY]
    except KeyError:
        raise MissingRegistration("the app has no registry: build it with govchallenge.create_app()") from None


def hook(name):
    """The items registered for `name` on the current app; a required hook that is empty fails loudly."""
    items = getattr(registry(), name)
    if name in Registry.REQUIRED and not items:
        raise MissingRegistration(f"nothing is registered for {name!r}")
    return list(items)
