"""Demo data of People's Choice (registered in govchallenge.demo.DEMO_STEPS); idempotent.

On "clean-air-sensors" (results published by the results demo): every team released its title and summary; the
hosts ran a People's Choice award for a week, now closed; 36 residents voted (two changed their minds), a burst of
12 accounts made minutes before voting from one address was flagged, the hosts discounted it with their reason,
and the count is published with its digest. Voters' accounts are demo accounts with the demo password."""
import logging
from datetime import timedelta

from werkzeug.security import generate_password_hash

from govchallenge.accounts.models import User, find_by_email
from govchallenge.challenges.models import by_slug
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jury.queries import entry_content
from govchallenge.organisations.models import ACTIVE, OFFICER

from . import operations
from .models import award_of

log = logging.getLogger(__name__)
SLUG = "clean-air-sensors"
RESIDENTS, BURST = 36, 12
COUNTRIES = ["PL", "GR", "DE", "PT", "EE", "IE", "DK", "FR", "CZ", "IT"]
DOMAINS = ["poczta.example.pl", "mail.example.gr", "post.example.de", "correio.example.pt", "mail.example.ee"]
REASON = ("Twelve accounts created within minutes of their votes, all from one network address, in 15 minutes: "
          "a coordinated campaign, not twelve residents.")


def _voter(number, created_at, password_hash, domain):
    email = f"resident{number:02d}@{domain}"
    user = find_by_email(email)
    if user is None:
        user = User(email=email, name=f"Resident {number:02d}", country=COUNTRIES[number % len(COUNTRIES)],
                    language="en", timezone="Europe/Brussels", password_hash=password_hash,
                    email_verified_at=created_at, created_at=created_at)
        db.session.add(user)
        db.session.flush()
    return user


def add_demo(users):
    from govchallenge.demo import PASSWORD
    from govchallenge.results.models import published_for

    challenge = by_slug(SLUG)
    if challenge is None or published_for(challenge.id) is None or award_of(challenge.id) is not None:
        return None
    entries = operations.candidate_entries(challenge)
    if len(entries) < operations.MIN_ENTRIES:
        return None
    for entry in entries:
        operations.release(entry.team.members[0].user, entry, entry_content(entry), True, True, [])
    now = utcnow()
    opens, closes = now - timedelta(days=9), now - timedelta(days=3)  # the final stage closed 10 days ago
    host = next((m.user for h in challenge.accepted_hosts for m in h.organisation.memberships if m.role == OFFICER and m.state == ACTIVE), None)
    if host is None:
        return None
    award = operations.open_award(host, challenge, [e.id for e in entries], opens, closes, now=opens - timedelta(hours=1))
    password_hash = generate_password_hash(PASSWORD)
    for number in range(1, RESIDENTS + 1):
        voter = _voter(number, now - timedelta(days=90 + number), password_hash, DOMAINS[number % len(DOMAINS)])
        moment = opens + timedelta(hours=3 * number)
        choice = entries[(number * 7) % len(entries) if number % 3 else 0]
        if not operations.is_own_entry(voter, choice.id):
            vote = operations.cast_vote(voter, award, choice.public_id, 0, f"198.51.100.{number}", now=moment)
            if number in (5, 17):  # changed their mind the next day
                other = entries[(entries.index(choice) + 1) % len(entries)]
                operations.cast_vote(voter, award, other.public_id, vote.version, f"198.51.100.{number}",
                                     now=moment + timedelta(days=1))
    burst_start = opens + timedelta(days=4)
    burst = []
    for number in range(RESIDENTS + 1, RESIDENTS + BURST + 1):
        moment = burst_start + timedelta(minutes=number - RESIDENTS)
        voter = _voter(number, moment - timedelta(minutes=3), password_hash, DOMAINS[number % len(DOMAINS)])
        burst.append(operations.cast_vote(voter, award, entries[-1].public_id, 0, "203.0.113.50", now=moment))
    flagged = [v.id for v in burst if v.flagged_at is not None]
    if flagged:
        operations.discount(host, award, flagged, REASON, now=closes + timedelta(hours=2))
    operations.publish(host, award, now=closes + timedelta(days=1))
    db.session.flush()
    return award
