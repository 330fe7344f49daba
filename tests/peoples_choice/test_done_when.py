"""The issue's People's Choice test: 200 votes from verified accounts, a burst of 50 from new accounts on one
address flagged, the hosts discount them with a reason, and the published count and its digest verify —
recomputed here independently (the ballots counted by this test, the digest by tests/support/jcs.py, an RFC 8785
written again from the RFC, and the tally from what this test's voters chose)."""
import hashlib
import json
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.peoples_choice.models import PeoplesChoiceVote
from tests.conftest import login
from tests.support import jcs
from tests.support.pchoice_factories import award_world, voter
from tests.support.results_factories import publish

LEGIT, BURST = 200, 50
BURST_ADDRESS = "203.0.113.7"
REASON = "50 accounts created minutes before voting, all from 203.0.113.7 within 20 minutes"


def _vote(app, user, entry, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    login(client, user)
    response = client.post(f"/challenges/{entry.team.challenge.slug}/peoples-choice/vote",
                           data={"entry": entry.public_id, "version": 0})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_two_hundred_votes_a_flagged_burst_discounted_and_a_count_anyone_can_verify(make_app):
    app = make_app(LOGIN_IP_LIMIT="1000 per minute")
    with app.app_context():
        world = award_world()
        publish(world.judged)
        entries = world.entries
        legit = [voter(created_days_ago=30) for _ in range(LEGIT)]
        burst = [voter(created_days_ago=0) for _ in range(BURST)]
        for user in burst:
            user.created_at = utcnow() - timedelta(minutes=10)
        db.session.commit()
        slug = world.judged.challenge.slug

        chosen = {}
        for index, user in enumerate(legit):  # spread over entries 0..2, from as many addresses
            entry = entries[index % 3 if index % 5 else 1]
            _vote(app, user, entry, f"198.51.{index // 250}.{index % 250}")
            chosen[user.id] = entry.public_id
        for user in burst:  # all for entry 2, from one address
            _vote(app, user, entries[2], BURST_ADDRESS)
            chosen[user.id] = entries[2].public_id

        db.session.expire_all()
        votes = db.session.execute(sa.select(PeoplesChoiceVote)).scalars().all()
        assert len(votes) == LEGIT + BURST
        flagged = {v.user_id for v in votes if v.flagged_at is not None}
        assert flagged == {u.id for u in burst}, "exactly the burst is flagged"

        # The count stays hidden while voting is open, from the public and from the hosts.
        host = login(app.test_client(), world.judged.officer)
        assert "votes</p>" not in app.test_client().get(f"/challenges/{slug}/peoples-choice").get_data(as_text=True)
        assert "Count per entry" not in host.get(f"/challenges/{slug}/peoples-choice/manage").get_data(as_text=True)

        world.award.closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        ids = sorted(v.id for v in votes if v.user_id in flagged)
        response = host.post(f"/challenges/{slug}/peoples-choice/discount", data={"votes": ids, "reason": REASON})
        assert response.status_code == 302
        assert host.post(f"/challenges/{slug}/peoples-choice/publish").status_code == 302

        exported = app.test_client().get(f"/challenges/{slug}/peoples-choice.json")
        body = exported.get_data()
        published = json.loads(body)
        digest = exported.headers["X-Results-Digest"]
        # The digest, three ways: the bytes as served, the canonical form recomputed independently, and the record.
        assert hashlib.sha256(body).hexdigest() == digest
        assert hashlib.sha256(jcs.canonical_bytes(published)).hexdigest() == digest
        event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "pchoice.published")).scalar_one()
        assert event.detail["digest"] == digest
        discounted = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "pchoice.votes_discounted")).scalar_one()
        assert discounted.detail["reason"] == REASON and discounted.detail["count"] == BURST

        # The count, recomputed from what this test's voters chose, and from the published ballots.
        expected = Counter(chosen[u.id] for u in legit)
        by_ballots = Counter(b["entry"] for b in published["ballots"] if b["counted"])
        assert by_ballots == expected
        assert {e["entry"]: e["votes"] for e in published["entries"]} == {e.public_id: expected[e.public_id] for e in entries}
        assert {e["entry"]: e["discounted"] for e in published["entries"]}[entries[2].public_id] == BURST
        assert published["totals"] == {"ballots": LEGIT + BURST, "counted": LEGIT, "discounted": BURST}
        assert published["discounts"] == [{"reason": REASON, "ballots": BURST}]
        assert len({b["voter"] for b in published["ballots"]}) == LEGIT + BURST
        assert not any(u.email in body.decode() for u in legit + burst), "no voter is named"

        # The results page shows the count after publication, with its digest.
        page = app.test_client().get(f"/challenges/{slug}/results").get_data(as_text=True)
        assert "People's Choice" in page and digest in page
        print(f"\npeople's choice: {LEGIT + BURST} ballots, {len(flagged)} flagged, {BURST} discounted, "
              f"counts {dict(sorted(expected.items()))}, digest {digest[:16]}…")
