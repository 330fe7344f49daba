"""Message catalogues: compiled from the .po files whenever they are newer than the .mo files,
so a fresh checkout speaks every language without a separate build step."""
import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def compile_catalogues(folder=TRANSLATIONS):
    compiled = 0
    for po_path in folder.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parent.parent.name)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=False)
            compiled += 1
        except OSError as error:  # a read-only install ships compiled catalogues
            log.warning("could not compile %s: %s", po_path, error)
    return compiled
