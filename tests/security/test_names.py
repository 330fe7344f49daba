"""Names people recognise each other by carry no hidden characters, no direction controls and no
word that mixes look-alike alphabets; names wholly in Greek, Polish, Chinese or Japanese stay welcome.

The rule lives in govchallenge.core.names; the standing test below finds every name field of every
form in the package, so a new form's name field without the rule fails here."""
import importlib
import inspect
import pkgutil

import pytest
import sqlalchemy as sa
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.fields.core import UnboundField

import govchallenge
from govchallenge.core import names
from govchallenge.extensions import db
from tests.support import factories

NAME_FIELDS = {"name", "title"}
# Name-like fields deliberately left out, with the reason.
EXEMPT = {
    ("govchallenge.submissions.forms", "EntryForm", "title"): "an entry's title, read by jurors, names no one",
}


def _form_classes():
    for module_info in pkgutil.walk_packages(govchallenge.__path__, "govchallenge."):
        if not module_info.name.endswith(".forms"):
            continue
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and cls is not FlaskForm and cls.__module__ == module.__name__:
                yield module.__name__, cls


def _name_fields():
    found = []
    for module, cls in _form_classes():
        for field_name, unbound in inspect.getmembers(cls, lambda m: isinstance(m, UnboundField)):
            if field_name in NAME_FIELDS and issubclass(unbound.field_class, StringField):
                if (module, cls.__name__, field_name) not in EXEMPT:
                    found.append(pytest.param(cls, field_name, id=f"{cls.__name__}.{field_name}"))
    return found


NAME_FORM_FIELDS = _name_fields()

REFUSED = {
    "cyrillic a in latin": "Team pаypal",
    "greek alpha in latin": "Αlpha Team",
    "right-to-left override": "Team \u202eevil",
    "left-to-right isolate": "Team \u2066A\u2069",
    "right-to-left mark": "Team\u200f A",
    "zero-width space": "Tea\u200bm",
    "zero-width joiner": "Team\u200dA",
    "soft hyphen": "Te\u00adam",
    "byte order mark": "\ufeffTeam",
    "escape": "Team\x1b[31m",
    "only invisible": "\u200b\u200c",
    "only hangul filler": "\u3164",
    "only combining marks": "\u0301\u0301",
}
ACCEPTED = {
    "greek": "Ομάδα Αθήνα",
    "polish": "Zespół Łódź",
    "chinese": "北京创新团队",
    "japanese": "東京チーム",
    "korean": "서울팀 Seoul",
    "german": "Straße & Co.",
    "irish": "Ó Súilleabháin",
    "scripts in separate words": "Team Αθήνα",
}


def test_the_standing_test_found_the_name_fields():
    found = {p.id for p in NAME_FORM_FIELDS}
    assert {"RegisterForm.name", "ProfileForm.name", "TeamForm.name", "RenameForm.name", "OrganisationForm.name",
            "ChallengeForm.title", "TranslationForm.title"} <= found


@pytest.mark.parametrize("form_class, field_name", NAME_FORM_FIELDS)
def test_every_name_field_carries_the_rule(form_class, field_name):
    unbound = getattr(form_class, field_name)
    assert names.normalise in unbound.kwargs.get("filters", ())
    assert any(isinstance(v, names.ReadableName) for v in unbound.kwargs.get("validators", ()))


def _validated(app, form_class, field_name, value):
    with app.test_request_context(method="POST"):
        form = form_class(formdata=MultiDict({field_name: value}))
        field = form[field_name]
        field.validate(form)
        return field


@pytest.mark.parametrize("form_class, field_name", NAME_FORM_FIELDS)
def test_every_name_field_refuses_hidden_and_look_alike_characters_and_keeps_any_one_script(app, form_class, field_name):
    accepted_bad = [case for case, value in REFUSED.items() if not _validated(app, form_class, field_name, value).errors]
    assert accepted_bad == []
    refused_good = [case for case, value in ACCEPTED.items()
                    if (lambda f: f.errors or f.data != value)(_validated(app, form_class, field_name, value))]
    assert refused_good == []
    stylised = _validated(app, form_class, field_name, "  ＰａｙＰａｌ\u00a0 𝐓𝐞𝐚𝐦 ")
    assert stylised.errors == [] and stylised.data == "PayPal Team"


def test_a_team_named_with_a_cyrillic_letter_is_refused_with_a_clear_message(app, login_as):
    challenge = factories.make_challenge()
    client = login_as(factories.make_user())
    response = client.post(f"/teams/enter/{challenge.slug}", data={"name": "pаypal", "organisation": ""})
    assert response.status_code == 400
    assert "mixes letters of different alphabets" in response.get_data(as_text=True)
    response = client.post(f"/teams/enter/{challenge.slug}", data={"name": "Ομάδα Αθήνα", "organisation": ""})
    assert response.status_code == 302
    from govchallenge.teams.models import Team

    assert db.session.execute(sa.select(Team.name)).scalar_one() == "Ομάδα Αθήνα"


@pytest.mark.parametrize("raw, clean", [
    ("report\u202egpj.exe", "reportgpj.exe"),
    ("Προκήρυξη.pdf", "Προκήρυξη.pdf"),
    ("..\\..\\boot.ini", "boot.ini"),
    ("../../etc/passwd", "passwd"),
    ("\u200b", "file"),
    ("ｆｕｌｌ.pdf", "full.pdf"),
    ("line\r\nbreak.txt", "linebreak.txt"),
])
def test_file_names_are_stripped_not_refused(raw, clean):
    assert names.clean_filename(raw) == clean
