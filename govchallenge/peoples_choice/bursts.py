"""Suspicious bursts of People's Choice votes: many votes from *new* accounts sharing one network address, or
one e-mail domain, within a short time. Pure module: plain data in, plain data out, no Flask, no database.

A vote is "from a new account" when the account was created less than `new_account_age` before the vote. For
each address (and each e-mail domain), the new-account votes are taken in time order; every vote that lies in
some window of length `window` holding at least `address_votes` (for a domain, `domain_votes`) such votes is
flagged with that reason. Flags are signals for the hosts, never a verdict: only a host discounts a vote,
with a recorded reason.

The parameters are named here and may be set per platform (PCHOICE_BURST_* settings); their defaults:

- NEW_ACCOUNT_AGE (2 days): an account older than this at its vote is never part of a burst; a campaign that
  creates accounts the same day shows, a community that joined weeks ago does not.
- WINDOW (1 hour): how close in time the votes of one burst are.
- ADDRESS_VOTES (10): new-account votes from one address within the window; ten people voting from one
  office network are plausible, ten *new* accounts in an hour rarely are.
- DOMAIN_VOTES (25): new-account votes from one e-mail domain within the window; higher, since a large
  provider's domain is shared by strangers.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

ADDRESS, DOMAIN = "address", "domain"


@dataclass(frozen=True)
class BurstRule:
    new_account_age: timedelta = timedelta(days=2)
    window: timedelta = timedelta(hours=1)
    address_votes: int = 10
    domain_votes: int = 25


@dataclass(frozen=True)
class Ballot:
    """One vote as the burst rule sees it: no entry, no person, only when and from where."""

    id: int
    cast_at: object  # aware datetime
    account_created_at: object  # aware datetime
    address_key: str
    email_domain: str


def is_new_account(ballot, rule):
    return ballot.cast_at - ballot.account_created_at < rule.new_account_age


def _in_dense_windows(moments, window, size):
    """Indexes (into the sorted `moments`) of every moment lying in a window of length `window` that holds at
    least `size` moments: a sliding window over the sorted times, linear in their number."""
    flagged, start = set(), 0
    for end in range(len(moments)):
        while moments[end] - moments[start] > window:
            start += 1
        if end - start + 1 >= size:
            flagged.update(range(start, end + 1))
    return flagged


def _by_group(ballots, key, window, size):
    groups = defaultdict(list)
    for ballot in ballots:
        groups[key(ballot)].append(ballot)
    found = set()
    for group_key, members in groups.items():
        if not group_key:
            continue
        members.sort(key=lambda b: (b.cast_at, b.id))
        found.update(members[i].id for i in _in_dense_windows([b.cast_at for b in members], window, size))
    return found


def flag_bursts(ballots, rule=BurstRule()):
    """{ballot id: sorted reasons (ADDRESS, DOMAIN)} of the ballots that are part of a burst."""
    new = [b for b in ballots if is_new_account(b, rule)]
    reasons = defaultdict(set)
    for reason, key, size in ((ADDRESS, lambda b: b.address_key, rule.address_votes),
                              (DOMAIN, lambda b: b.email_domain, rule.domain_votes)):
        for ballot_id in _by_group(new, key, rule.window, size):
            reasons[ballot_id].add(reason)
    return {ballot_id: sorted(found) for ballot_id, found in reasons.items()}
