"""Every form that sets a password refuses easy-to-guess ones and the demo's published password, with our own
translatable message, and keeps what the person typed elsewhere."""
import pytest

from govchallenge import demo
from govchallenge.accounts.tokens import RESET, make_token
from govchallenge.core.passwords import password_problems
from govchallenge.extensions import db
from tests.conftest import login
from tests.support.factories import PASSWORD, make_user

# Long enough, not personal, not in the common list: only the strength rule refuses them.
WEAK = ["aaaaaaaaaaaa", "qwertyuiopas", "abcabcabcabc", "Warszawa2020", "Kowalski1985", "iloveyou1234", "202420242024"]
STRONG = "Lublin-river-walks-42"
OWNER = {"email": "olek@startup.pl", "name": "Olek Owner"}


def registration(app, password):
    data = {"name": "Zofia Z", "email": "zofia@startup.pl", "password": password, "confirm": password,
            "country": "PL", "language": "en", "timezone": "Europe/Warsaw"}
    return app.test_client().post("/register", data=data)


def reset(app, password):
    user = make_user(**OWNER)
    db.session.commit()
    return app.test_client().post(f"/reset/{make_token(user, RESET)}", data={"password": password, "confirm": password})


def change(app, password):
    user = make_user(**OWNER)
    db.session.commit()
    return login(app.test_client(), user).post("/account/password",
                                               data={"current": PASSWORD, "password": password, "confirm": password})


# Every form that sets a password (test_every_password_form_is_listed keeps this complete).
PASSWORD_FORMS = {"/register": registration, "/reset/<token>": reset, "/account/password": change}


def test_every_password_form_is_listed(app, people):
    """Pages with a "repeat the password" field, as a visitor and signed in; the reset page needs a token."""
    found = {"/reset/<token>"}
    for client in (app.test_client(), login(app.test_client(), people["participant"])):
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods and not rule.arguments and 'name="confirm"' in client.get(rule.rule).get_data(as_text=True):
                found.add(rule.rule)
    assert found == set(PASSWORD_FORMS)


@pytest.mark.parametrize("form", sorted(PASSWORD_FORMS))
@pytest.mark.parametrize("password", WEAK)
def test_easy_to_guess_passwords_are_refused(app, form, password):
    response = PASSWORD_FORMS[form](app, password)
    assert response.status_code == 400
    assert "easy to guess" in response.get_data(as_text=True)


@pytest.mark.parametrize("form", sorted(PASSWORD_FORMS))
def test_the_demo_password_is_never_accepted_outside_the_demo(app, form):
    response = PASSWORD_FORMS[form](app, demo.PASSWORD)
    assert response.status_code == 400 and "too common" in response.get_data(as_text=True)


@pytest.mark.parametrize("form", sorted(PASSWORD_FORMS))
def test_a_strong_password_is_accepted(app, form):
    assert PASSWORD_FORMS[form](app, STRONG).status_code in {200, 302}


def test_the_strength_message_is_ours_and_translated(app):
    response = registration(app, "qwertyuiopas")
    body = response.get_data(as_text=True)
    assert "similar to a commonly used password" not in body  # zxcvbn's own English feedback is never shown


def test_the_test_factories_password_passes_every_rule():
    assert password_problems(PASSWORD, "Test User", "user@example.eu") == []
