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
