"""Links in mails come from BASE_URL, never from the request's Host header: otherwise a forged Host on a reset
request hands the victim's reset token to the forger's site."""
import re

import pytest

from govchallenge.extensions import db
from tests.support.factories import PASSWORD, make_user

BASE_URL = "https://challenges.example.eu"
STRONG = "Lublin-river-walks-42"
REGISTRATION = {"name": "Zofia Z", "password": STRONG, "confirm": STRONG, "country": "PL", "language": "en",
                "timezone": "Europe/Warsaw"}
# Every account form that sends a mail with a link: (path, form, the address the mail goes to).
MAILING_FORMS = {
    "reset": ("/reset", {"email": "known@startup.eu"}, "known@startup.eu"),
    "registration": ("/register", {**REGISTRATION, "email": "new@startup.eu"}, "new@startup.eu"),
    "registration of a known address": ("/register", {**REGISTRATION, "email": "known@startup.eu"}, "known@startup.eu"),
    "sign-in before confirming": ("/login", {"email": "late@startup.eu", "password": PASSWORD}, "late@startup.eu"),
}


@pytest.mark.parametrize("form", sorted(MAILING_FORMS))
def test_a_forged_host_header_never_reaches_a_mail(make_app, smtp, form):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, SERVER_NAME_FOR_LINKS=BASE_URL)
    path, data, recipient = MAILING_FORMS[form]
    with app.app_context():
        make_user(email="known@startup.eu")
        make_user(email="late@startup.eu", verified=False)
        db.session.commit()
        app.test_client().post(path, data=data, headers={"Host": "evil.example"})
    [message] = smtp.to(recipient)
    links = re.findall(r"https?://[^\s\"<>]+", message.text + message.html)
    assert links and all(link.startswith(BASE_URL + "/") for link in links), links
