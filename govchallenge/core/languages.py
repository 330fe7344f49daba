"""The interface languages, and picking one language from a multilingual field."""
from dataclasses import dataclass

import pycountry

INTERFACE_LANGUAGES = {
    "en": "English",
    "pl": "Polski",
    "el": "Ελληνικά",
    "de": "Deutsch",
    "fr": "Français",
}
DEFAULT_LANGUAGE = "en"


# The official languages of the EU: the content languages offered first in filters.
EU_LANGUAGES = ("bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv", "mt",
                "nl", "pl", "pt", "ro", "sk", "sl", "sv")


def is_language(code):
    """Any ISO 639-1 code is accepted for content; the interface speaks INTERFACE_LANGUAGES."""
    return bool(code) and len(code) == 2 and pycountry.languages.get(alpha_2=code.lower()) is not None


def language_codes():
    """Every ISO 639-1 code `is_language` accepts, lower case and sorted (the API lists them)."""
    return sorted(language.alpha_2 for language in pycountry.languages if hasattr(language, "alpha_2"))


def language_name(code, in_language=None):
    """The language's name as the viewer's language writes it ("Polnisch" for a German reader);
    `in_language=code` gives its own name ("Polski"), for lists marked up with lang=code."""
    from babel import Locale, UnknownLocaleError
    from flask_babel import get_locale

    if not code:
        return ""
    try:
        name = Locale.parse(code).get_display_name(in_language or str(get_locale() or DEFAULT_LANGUAGE))
    except (ValueError, UnknownLocaleError):
        name = None
    if name:
        return name[:1].upper() + name[1:]
    language = pycountry.languages.get(alpha_2=code)
    return language.name if language else code


def language_autonym(code):
    return language_name(code, in_language=code)


@dataclass(frozen=True)
class Localised:
    text: str
    language: str
    fell_back: bool

    def __str__(self):
        return self.text

    def __bool__(self):
        return bool(self.text)


def pick(field, wanted, main):
    """From {"pl": ..., "en": ...}, the wanted language, else the main one, and say whether it fell back."""
    field = field or {}
    if field.get(wanted):
        return Localised(field[wanted], wanted, False)
    if field.get(main):
        return Localised(field[main], main, wanted != main)
    for code, text in sorted(field.items()):
        if text:
            return Localised(text, code, True)
    return Localised("", main, False)
