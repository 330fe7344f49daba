"""The embedded default shows its mail: the messages the file mailer wrote, to the local operator (an
administrator), with the links of each clickable and decoded right; no such page once SMTP is configured."""

import pytest

from govchallenge.admin import mailbox
from govchallenge.core import mail
from tests.conftest import login

LONG_LINK = "http://localhost/verify/" + "Zm9v-YmFy_" * 12 + "=end"  # longer than a quoted-printable line (76)


def _write(to, subject, text, html="<p>hello</p>"):
    outgoing = mail.Outgoing(to=to, subject=subject, text=text, html=html,
                             message_id=mail.stable_message_id("test", to, subject))
    return mail.send(outgoing)


@pytest.fixture
def admin_client(app, people):
    return login(app.test_client(), people["admin"])


def test_the_operator_reads_the_mail_and_follows_a_long_link(app, admin_client):
    _write("new@example.org", "Confirm your address — Ελένη", f"Hello Ελένη,\n\nOpen this link:\n{LONG_LINK}\n\nThanks.")
    raw = next((p for p in __import__("pathlib").Path(app.config["MAIL_FILE_DIR"]).iterdir()), None).read_bytes()
    assert LONG_LINK.encode() not in raw  # the file holds it encoded (quoted-printable or base64), split or not
    listing = admin_client.get("/admin/mail")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert "new@example.org" in html and "Confirm your address — Ελένη" in html
    [name] = [m.name for m in mailbox.messages(app.config["MAIL_FILE_DIR"])]
    page = admin_client.get(f"/admin/mail/{name}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f'<a href="{LONG_LINK}">{LONG_LINK}</a>' in body and "Hello Ελένη," in body


def test_newest_first_and_the_list_says_when_empty(app, admin_client):
    assert "No e-mail has been written yet." in admin_client.get("/admin/mail").get_data(as_text=True)
    _write("a@example.org", "First", "one")
    _write("b@example.org", "Second", "two")
    folder = app.config["MAIL_FILE_DIR"]
    import os
    import time

    first = next(m for m in mailbox.messages(folder) if m.subject == "First")
    os.utime(os.path.join(folder, first.name), (time.time() - 60, time.time() - 60))
    assert [m.subject for m in mailbox.messages(folder)] == ["Second", "First"]


@pytest.mark.parametrize("role, status", [("anonymous", 302), ("participant", 403), ("officer", 403), ("admin", 200)])
def test_only_administrators_may_read_the_mail(client_for, role, status):
    response = client_for(role).get("/admin/mail")
    assert response.status_code == status
    if status == 302:
        from urllib.parse import parse_qs, urlsplit

        location = urlsplit(response.headers["Location"])
        assert location.path == "/login" and parse_qs(location.query)["next"] == ["/admin/mail"]


def test_with_smtp_configured_there_is_no_such_page(make_app, people):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=2525)
    with app.app_context():
        from tests.support import factories
        from govchallenge.extensions import db

        admin = factories.make_user(admin=True)
        db.session.commit()
        client = login(app.test_client(), admin)
        assert client.get("/admin/mail").status_code == 404
        assert client.get("/admin/mail/x.eml").status_code == 404
        assert "E-mails written by the platform" not in client.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize("name", ["..%2F..%2Fconfig.py", "nothing.eml", "a b.eml", "x.txt", "%2Fetc%2Fpasswd",
                                  ".eml", "a" * 300 + ".eml"])
def test_a_bad_or_unknown_name_is_a_404(admin_client, name):
    assert admin_client.get(f"/admin/mail/{name}").status_code == 404


def test_a_hostile_message_is_shown_as_text():
    rendered = mailbox.linkify('<script>alert(1)</script> see https://x.example/a?b=1&c="2" and javascript:alert(1).')
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
    assert '<a href="https://x.example/a?b=1&amp;c=">' in rendered and 'href="javascript' not in rendered


@pytest.mark.parametrize("text, link", [
    ("Open https://a.example/verify/abc.", "https://a.example/verify/abc"),
    ("(see https://a.example/x)", "https://a.example/x"),
    ("https://a.example/x?y=1,", "https://a.example/x?y=1"),
])
def test_a_link_ends_where_the_sentence_goes_on(text, link):
    assert f'<a href="{link}">' in str(mailbox.linkify(text))


def test_a_message_without_a_date_takes_its_files_time(tmp_path):
    (tmp_path / "x.eml").write_bytes(b"To: a@example.org\r\nSubject: S\r\n\r\nbody https://a.example/\r\n")
    [message] = mailbox.messages(tmp_path)
    assert message.text.startswith("body") and message.sent.tzinfo is not None
    assert mailbox.messages(tmp_path / "missing") == []
