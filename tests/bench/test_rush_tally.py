"""The deadline rush's database check (bench/rush_db.tally) counts each case once, on a tiny database: the
benchmark's verdict of "0 lost, 0 duplicated, 0 late accepted" is only as good as this count."""
from datetime import timedelta

import sqlalchemy as sa

from bench.rush_db import tally
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.submissions import operations
from govchallenge.submissions.models import SubmissionVersion
from tests.support import factories

FIELDS = {"title": "Entry", "summary": "A summary.", "description": "The text.", "links": {}}


def _drafts(challenge, count):
    drafts = []
    for n in range(count):
        lead = factories.make_user(email=f"lead{n}@rush{n}.example.eu")
        team = factories.make_team(challenge, [lead], name=f"Rush {n}")
        drafts.append((lead, factories.make_submission(team, state="draft")))
    db.session.flush()
    return drafts


def _submit(lead, draft):
    operations.save_entry(lead, draft.team, draft.stage, FIELDS, draft.lock_version, submission=draft, submit=True,
                          accepted_terms=True)
    db.session.flush()


def test_each_case_of_the_rush_is_counted_once(app):
    challenge = factories.make_challenge()
    (a, recorded), (b, lost), (c, refused), (d, accepted_late), (e, unsent), (f, no_receipt), (g, twice), _idle = \
        _drafts(challenge, 8)
    for lead, draft in ((a, recorded), (d, accepted_late), (e, unsent), (f, no_receipt), (g, twice), (g, twice)):
        _submit(lead, draft)
    version = db.session.execute(sa.select(SubmissionVersion.id).where(SubmissionVersion.submission_id == no_receipt.id)).scalar()
    db.session.execute(sa.delete(OutboxJob).where(OutboxJob.function == operations.RECEIPT_JOB,
                                                  OutboxJob.args[0].as_integer() == version))
    deadline = utcnow() + timedelta(hours=1)
    before, after = deadline - timedelta(microseconds=1), deadline
    sent = {recorded.public_id: before, lost.public_id: before, refused.public_id: after, accepted_late.public_id: after,
            no_receipt.public_id: before, twice.public_id: before}

    counted = tally(sent, deadline)

    assert (counted.in_time, counted.recorded, counted.lost, counted.without_receipt, counted.duplicated) == (4, 1, 1, 1, 1)
    assert (counted.late, counted.late_accepted, counted.late_refused, counted.not_sent) == (2, 1, 1, 1)
    assert counted.stamped_late == 0


def test_a_version_received_at_or_after_the_deadline_is_counted_late(app):
    challenge = factories.make_challenge()
    (lead, draft), = _drafts(challenge, 1)
    _submit(lead, draft)
    received = db.session.execute(sa.select(SubmissionVersion.submitted_at)).scalar()

    assert tally({draft.public_id: received - timedelta(seconds=1)}, received).stamped_late == 1
    assert tally({draft.public_id: received - timedelta(seconds=1)}, received + timedelta(microseconds=1)).stamped_late == 0
