"""The edges of declaring conflicts that mutation testing found undefended (tools/mutation.toml, reviews.py):
each declared conflict is in the audit trail as itself, with who declared it, whom it concerns and what."""
import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.jury import operations as ops
from tests.support.factories import make_organisation
from tests.support.jury_factories import make_jury_setup


def test_each_declared_conflict_is_audited_as_itself(app):
    setup = make_jury_setup(n_entries=3, n_jurors=4, open_round=False)
    juror, chair, org = setup["jurors"][1], setup["chair"], make_organisation(name="Agency Audited Here")
    made, already = ops.declare_conflicts(juror, chair, "financial", organisation_ids=[org.id],
                                          people="Ada Lovelace", source="chair")
    db.session.commit()
    assert already == 0 and len(made) == 2
    events = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "jury.conflict")
                                .order_by(AuditEvent.id)).scalars().all()
    assert [(e.object_type, e.object_id) for e in events] == [("conflictdeclaration", str(c.id)) for c in made]
    assert [e.actor_id for e in events] == [chair.id, chair.id]
    assert [(e.detail["organisation_id"], e.detail["person"]) for e in events] == [(org.id, None), (None, "Ada Lovelace")]
    assert all(e.detail["juror_id"] == juror.id and e.detail["kind"] == "financial" and e.detail["source"] == "chair"
               for e in events)


def test_a_declaration_once_the_results_are_final_holds_no_list_and_moves_nothing(app):
    from govchallenge.jury.guards import FROZEN_STATUSES

    setup = make_jury_setup(n_entries=3, n_jurors=4)
    rnd, juror = setup["round"], setup["jurors"][1]
    mine = [a.id for a in ops.active_assignments(rnd) if a.juror_id == juror.id]
    assert mine
    org_id = setup["teams"][0].members[0].organisation_id
    setup["challenge"].status = sorted(FROZEN_STATUSES)[0]  # archived or published: the jury's work is final
    db.session.commit()
    made, _already = ops.declare_conflicts(juror, juror.user, "collaborator", organisation_ids=[org_id])
    db.session.commit()
    assert made and juror.list_held_since is None  # recorded for the trail only
    assert [a.id for a in ops.active_assignments(rnd) if a.juror_id == juror.id] == mine
