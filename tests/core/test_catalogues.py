"""Every user-facing string reaches every interface language: the catalogues hold what the code says,
and each has a translation for it. When this fails: `make i18n`, then translate the new entries."""
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from govchallenge.core.languages import DEFAULT_LANGUAGE, INTERFACE_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "govchallenge" / "translations"
pytestmark = pytest.mark.single_db


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    target = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"  # the same call as `make i18n`
    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
         "--ignore-dirs=.venv", "--ignore-dirs=tests", "-o", str(target), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with target.open("rb") as handle:
        return {message.id if isinstance(message.id, str) else message.id[0] for message in read_po(handle) if message.id}


def _catalogue(language):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("language", sorted(set(INTERFACE_LANGUAGES) - {DEFAULT_LANGUAGE}))
def test_every_string_is_in_the_catalogue_and_translated(extracted, language):
    catalogue = _catalogue(language)
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}
    missing = sorted(extracted - known)
    assert not missing, f"{len(missing)} strings not in {language}'s catalogue (run make i18n): {missing[:5]}"
    untranslated = [m.id for m in catalogue if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert not untranslated, f"{len(untranslated)} strings untranslated in {language}: {untranslated[:5]}"
    assert not [m.id for m in catalogue if m.id and m.fuzzy], f"fuzzy entries in {language}"


def test_the_extractor_reads_every_template():
    """pybabel skips, without a word, a template it cannot parse (a `do` tag with no `jinja2.ext.do` in
    babel.cfg): every string of that template would then escape the catalogues and this test's check above."""
    import configparser

    import jinja2

    config = configparser.ConfigParser()
    config.read(ROOT / "babel.cfg")
    extensions = [e.strip() for e in config["jinja2: templates/**.html"].get("extensions", "").split(",") if e.strip()]
    environment = jinja2.Environment(extensions=["jinja2.ext.i18n", *extensions])
    unreadable = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        try:
            environment.parse(template.read_text(encoding="utf-8"))
        except jinja2.TemplateSyntaxError as error:
            unreadable.append(f"{template.relative_to(ROOT)}: {error}")
    assert not unreadable, "\n".join(unreadable)


KEYWORDS = ("_", "gettext", "ngettext", "_l", "lazy_gettext", "lazy_text", "pgettext", "npgettext")


def _app_strings():
    """{message id: template} of every string the templates translate, read by the app's own Jinja
    environment (the one that renders them, with every extension the app loads)."""
    from jinja2.ext import extract_from_ast

    from govchallenge import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "catalogue-check", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    strings = {}
    for template in sorted((ROOT / "templates").rglob("*")):
        if template.suffix not in (".html", ".txt", ".xml"):
            continue
        tree = app.jinja_env.parse(template.read_text(encoding="utf-8"))
        for _line, _function, message in extract_from_ast(tree, KEYWORDS):
            first = message[0] if isinstance(message, tuple) else message
            if isinstance(first, str) and first:
                strings.setdefault(first, str(template.relative_to(ROOT)))
    return strings


def test_no_template_string_escapes_extraction(extracted):
    """Every string a template passes to gettext, as the app's renderer sees it, is in what `make i18n`
    extracts: a template the extractor skips (a tag its configuration does not know) or a file type that
    babel.cfg does not name would leave its strings in English in every language."""
    strings = _app_strings()
    assert len(strings) > 500  # the walk saw the templates
    escaped = {message: where for message, where in strings.items() if message not in extracted}
    assert not escaped, f"{len(escaped)} template strings escape extraction: {list(escaped.items())[:5]}"


def test_the_pot_file_holds_what_the_extractor_finds(extracted):
    """The committed messages.pot is current: `make i18n` was run after the last string changed."""
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        committed = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert not sorted(extracted - committed)[:5], "messages.pot is behind the code: run make i18n"
