"""The published People's Choice document: what was counted, from which ballots, and what was discounted and why.

Anyone recomputes the count from it: each ballot names its entry and whether it counted; an entry's `votes` is
the number of its ballots that counted. Voters are named by a label that is stable within the award and tells
nothing about the person (operations.voter_label). The digest is the results' rule (results/digests.py): the
SHA-256 of the document's RFC 8785 form, stated in the document itself.
"""
from collections import Counter

from govchallenge.results import digests

from .models import release_of

AWARD_NAME = "People's Choice"
METHOD = (
    "One ballot per verified account, changeable until the window closed; the last choice is the ballot. A "
    "team's members could not vote for their own entry. Ballots from new accounts arriving in bursts from one "
    "network address or e-mail domain were flagged to the hosts (burst_rule); the hosts discounted some of "
    "them, each discount with its reason (discounts). An entry's votes are the ballots naming it that counted."
)


def _iso(moment):
    return moment.isoformat(timespec="seconds")


def public_title(submission):
    """The title as the team released it; "" when it did not."""
    release = release_of(submission.id)
    return submission.title if release is not None and release.show_title else ""


def build(award, votes, now, label, rule):
    """The document of `award` from its `votes` (rows), published at `now`; `label(award, user_id)` names voters."""
    ballots = sorted(({"voter": label(award, v.user_id), "entry": v.submission.public_id, "counted": v.counts,
                       "discount": v.discount_reason if not v.counts else None} for v in votes),
                     key=lambda b: b["voter"])
    counted = Counter(b["entry"] for b in ballots if b["counted"])
    discounted = Counter(b["entry"] for b in ballots if not b["counted"])
    entries = sorted(({"entry": e.submission.public_id, "title": public_title(e.submission),
                       "votes": counted[e.submission.public_id], "discounted": discounted[e.submission.public_id]}
                      for e in award.entries), key=lambda e: (-e["votes"], e["entry"]))
    reasons = Counter(b["discount"] for b in ballots if not b["counted"])
    challenge = award.challenge
    return {
        "kind": "peoples-choice",
        "award": AWARD_NAME,
        "challenge": {"slug": challenge.slug, "title": challenge.title.get(challenge.main_language, "")},
        "window": {"opens_at": _iso(award.opens_at), "closes_at": _iso(award.closes_at)},
        "published_at": _iso(now),
        "entries": entries,
        "ballots": ballots,
        "discounts": [{"reason": reason, "ballots": count} for reason, count in sorted(reasons.items())],
        "totals": {"ballots": len(ballots), "counted": sum(counted.values()), "discounted": sum(discounted.values())},
        "burst_rule": {"new_account_age_seconds": int(rule.new_account_age.total_seconds()),
                       "window_seconds": int(rule.window.total_seconds()), "address_votes": rule.address_votes,
                       "domain_votes": rule.domain_votes},
        "method": METHOD,
        "digest_rule": digests.RFC8785_RULE,
    }


def canonical_bytes(award):
    return digests.canonical_bytes(award.document, award.digest_scheme)


def verify(award):
    """[] when the stored document still hashes to its stored digest and its counts follow from its ballots;
    else the problems found."""
    problems = []
    if digests.digest(award.document, award.digest_scheme) != award.digest:
        problems.append("the stored document no longer hashes to its digest")
    counted = Counter(b["entry"] for b in award.document["ballots"] if b["counted"])
    for entry in award.document["entries"]:
        if entry["votes"] != counted[entry["entry"]]:
            problems.append(f"entry {entry['entry']}: {entry['votes']} votes published, {counted[entry['entry']]} ballots")
    return problems
