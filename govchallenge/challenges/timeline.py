"""Whether a challenge's dates hang together: a pure module (plain data in, plain data out).

A challenge's stages are its entry windows, one after the other: sorted by opening, each opens only when the
one before has closed (a stage may open at the very moment the previous one closes). The challenge is
published before its first stage opens, and its results come after its last stage closes. When it is sent
for review, no stage may lie wholly in the past: nobody could enter it any more.

Each problem names the stage it is about, so the host is told which one to move.
"""
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Window:
    """One stage as the rules see it: its name in the main language and its two moments (aware, UTC)."""
    name: str
    opens_at: datetime
    closes_at: datetime


@dataclass(frozen=True)
class Problem:
    """`code` names the rule; `stage` (and `other`, for an overlap) the stages concerned."""
    code: str
    stage: str = ""
    other: str = ""


def in_order(windows):
    return sorted(windows, key=lambda w: (w.opens_at, w.closes_at))


def stage_problems(windows):
    """A stage that closes before it opens, and stages that overlap (each with the one before it)."""
    problems = [Problem("stage_order", w.name) for w in windows if w.closes_at <= w.opens_at]
    ordered = in_order(windows)
    for before, after in zip(ordered, ordered[1:]):
        if after.opens_at < before.closes_at:
            problems.append(Problem("overlap", after.name, before.name))
    return problems


def publication_problems(windows, publish_at, results_at):
    """Publication before the first opening; results after the last closing."""
    problems = []
    if not windows:
        return problems
    first = min(windows, key=lambda w: w.opens_at)
    last = max(windows, key=lambda w: w.closes_at)
    if publish_at is not None and publish_at >= first.opens_at:
        problems.append(Problem("publish_after_opening", first.name))
    if results_at is not None and results_at <= last.closes_at:
        problems.append(Problem("results_before_close", last.name))
    return problems


def past_problems(windows, now):
    """Stages that have already closed: a challenge sent for review cannot take entries for them."""
    return [Problem("stage_past", w.name) for w in in_order(windows) if w.closes_at <= now]


def problems(windows, publish_at=None, results_at=None, now=None):
    """Every problem of the dates; with `now` (when the challenge is sent for review), stages in the past too."""
    found = stage_problems(windows) + publication_problems(windows, publish_at, results_at)
    if now is not None:
        found += past_problems(windows, now)
    return found
