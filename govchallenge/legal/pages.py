"""The legal and help pages, their shipped default texts, and the text a reader gets: the operator's in the
reader's language, else the operator's English (and the page says so), else, while the operator has written
nothing for the page, the default in the reader's language."""
from flask_babel import force_locale

from govchallenge.core.i18n import lazy_text as _l
from govchallenge.core.languages import DEFAULT_LANGUAGE, INTERFACE_LANGUAGES, pick

from .models import text_row

PAGES = {
    "accessibility": _l("Accessibility statement"),
    "privacy": _l("Privacy notice"),
    "cookies": _l("Cookies"),
    "contact": _l("Contact and help"),
}
MAX_TEXT_LENGTH = 20_000

DEFAULTS = {
    "accessibility": _l(
        "We want everyone to be able to use this platform: to read a challenge, form a team, send an entry and "
        "follow the results, whether you use a screen reader, a keyboard alone, magnification, voice control or "
        "a small screen.\n\n"
        "If something stops you, tell us (see *Feedback and contact* below): we will answer, and we will fix it "
        "or send you the content in a form you can use."),
    "privacy": _l(
        "This notice explains which personal data the platform holds when you take part in a challenge, why it "
        "holds them, who sees them, how long they are kept, and what you can ask of us.\n\n"
        "We collect only what running a competition needs. We do not sell data, we do not use it for advertising, "
        "and we do not track you across other sites."),
    "cookies": _l(
        "The platform sets only the cookies it needs to work. It sets none for statistics or advertising, and no "
        "one else sets cookies through it. Strictly necessary cookies need no consent, so you will not be asked "
        "for one."),
    "contact": _l(
        "Write to us about a challenge, your account or a problem with the platform, including anything that is "
        "hard to read or to use. Tell us which page you were on and what you were trying to do.\n\n"
        "We answer in the language you write in when we can."),
}


def default_texts(page):
    """{language: the shipped default} for every interface language (from the translation catalogues)."""
    texts = {}
    for code in INTERFACE_LANGUAGES:
        with force_locale(code):
            texts[code] = str(DEFAULTS[page])
    return texts


def stored_or_default_texts(page):
    row = text_row(page)
    return dict(row.body) if row is not None else default_texts(page)


def page_text(page, language):
    """A Localised: the text, its language, and whether it fell back to English."""
    row = text_row(page)
    if row is None:
        return pick(default_texts(page), language, DEFAULT_LANGUAGE)
    return pick(row.body, language, DEFAULT_LANGUAGE)


def footer_links():
    """(endpoint, title) of every page, for the footer of every page."""
    return [(f"legal.{page}", title) for page, title in PAGES.items()]
