"""The Nu HTML checker finds no error on the pages of your data, in the five languages: the page itself, its
refusals (a wrong password), and the administrators' erasure pages (an unknown address among them)."""
from govchallenge.core.languages import INTERFACE_LANGUAGES
from tests.support.htmlcheck import html_errors


def test_the_html_checker_finds_no_error_on_the_pages_of_your_data(client_for, people, tmp_path):
    member, admin = client_for("member"), client_for("admin")
    pages = {}
    for language in INTERFACE_LANGUAGES:
        headers = {"Accept-Language": language}
        for client in (member, admin):
            client.post("/language", data={"language": language, "next": "/"})
        pages[f"/my-data in {language}"] = member.get("/my-data", headers=headers).get_data(as_text=True)
        pages[f"wrong password in {language}"] = member.post(
            "/my-data/erase", data={"password": "not-my-password-at-all", "understood": "y"}, headers=headers).get_data(as_text=True)
        pages[f"/admin/erase-account in {language}"] = admin.get(
            "/admin/erase-account?email=nobody-here%40example.eu", headers=headers).get_data(as_text=True)
        pages[f"admin erase form in {language}"] = admin.get(
            f"/admin/users/{people['member'].id}/erase", headers=headers).get_data(as_text=True)
    assert all("<html" in html for html in pages.values())
    assert html_errors(pages, tmp_path) == {}
