"""What `audit verify` says about changed personal data, word for word (found by `make mutation`): the problem
names the event's place in the chain and says what was changed."""
import sqlalchemy as sa

from govchallenge.core import audit
from govchallenge.core.audit import AuditSeal
from govchallenge.extensions import db
from tests.support.factories import make_user


def test_changed_personal_data_is_named_at_its_place_in_the_chain(app):
    user = make_user(email="someone@example.eu")
    db.session.commit()
    event_id = audit.record("team.invited", user, actor=user, email="invited@example.eu").id
    db.session.commit()
    audit.seal()
    seq = db.session.execute(sa.select(AuditSeal.seq).where(AuditSeal.event_id == event_id)).scalar_one()
    db.session.execute(sa.update(audit.AuditPersonal).values(data={"actor_label": "someone@else.eu"}))
    db.session.commit()
    report = audit.verify()
    assert [str(problem) for problem in report.problems] == [
        f"BROKEN at seq {seq} (audit row {event_id}, team.invited): its personal data (audit_personal) no longer "
        "matches the digest its MAC covers: it was changed"]
