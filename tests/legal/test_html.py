"""The Nu HTML checker finds no error on the legal pages and their admin forms, in the five languages."""
from govchallenge.core.languages import INTERFACE_LANGUAGES
from govchallenge.extensions import db
from govchallenge.legal.models import LegalSettings, LegalText
from tests.support.htmlcheck import html_errors

def OPERATOR():
    return LegalSettings(id=1, operator_name="Δήμος Αθηναίων", operator_address="Αθηνάς 63", contact_email="help@athens.gr",
                         protection_officer_email="dpo@athens.gr", enforcement_name="Υπουργείο Ψηφιακής Διακυβέρνησης",
                         enforcement_url="https://mindigital.gr/", supervisory_name="Αρχή Προστασίας Δεδομένων",
                         supervisory_url="https://www.dpa.gr/", conformance="partial")


PATHS = ("/accessibility", "/privacy", "/cookies", "/contact", "/register", "/admin/legal", "/admin/legal/privacy")


def test_the_html_checker_finds_no_error_on_the_new_pages(client_for, tmp_path):
    db.session.add(LegalText(page="contact", body={"en": "Ring us on **+30 210 000 0000**."}))
    db.session.add(OPERATOR())
    db.session.commit()
    admin = client_for("admin")
    pages = {}
    for language in INTERFACE_LANGUAGES:
        headers = {"Accept-Language": language}
        admin.post("/language", data={"language": language, "next": "/"})
        for path in PATHS:
            pages[f"{path} in {language}"] = admin.get(path, headers=headers).get_data(as_text=True)
        pages[f"text form with errors in {language}"] = admin.post("/admin/legal/privacy", data={"text_en": ""}).get_data(as_text=True)
        pages[f"contact form with errors in {language}"] = admin.post("/contact", data={"email": "x"}).get_data(as_text=True)
        pages[f"details with errors in {language}"] = admin.post("/admin/legal", data={"contact_email": "x"}).get_data(as_text=True)
    assert html_errors(pages, tmp_path) == {}


def test_the_html_checker_does_catch_errors(tmp_path):
    broken = "<!doctype html><html lang=en><head><title>x</title></head><body><p><div>x</p></body></html>"
    assert list(html_errors({"broken": broken}, tmp_path)) == ["broken"]
