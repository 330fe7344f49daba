"""Demo data of the legal pages (registered in govchallenge.demo.DEMO_STEPS); idempotent: the operator's
details, every field filled, so the pages show what an instance in service shows. The page texts stay the
shipped defaults."""
from datetime import date

from govchallenge.extensions import db

from .models import SETTINGS_ID, LegalSettings


def add_demo(users):
    if db.session.get(LegalSettings, SETTINGS_ID) is not None:
        return
    db.session.add(LegalSettings(
        id=SETTINGS_ID, operator_name="Demo Agency for Digital Government",
        operator_address="Rue de la Loi 200, 1049 Bruxelles, Belgique", contact_email="help@govchallenge.example",
        protection_officer_email="dpo@govchallenge.example", enforcement_name="Demo Accessibility Ombudsman",
        enforcement_url="https://accessibility.example/complaints", supervisory_name="Demo Data Protection Authority",
        supervisory_url="https://dpa.example/", conformance="partial", statement_prepared_on=date(2026, 12, 2),
        updated_by_id=users["admin@govchallenge.example"].id,
    ))
