"""Countries (ISO 3166-1) and currencies (ISO 4217) through pycountry."""
from functools import lru_cache

import pycountry
from flask_babel import get_locale

EU_MEMBER_STATES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)


def is_country(code):
    return bool(code) and pycountry.countries.get(alpha_2=code.upper()) is not None


def is_currency(code):
    return bool(code) and len(code) == 3 and pycountry.currencies.get(alpha_3=code.upper()) is not None


@lru_cache(maxsize=16)
def _country_names(locale):
    from babel import Locale

    try:
        territories = Locale.parse(locale).territories
    except (ValueError, TypeError):
        territories = {}
    return {c.alpha_2: territories.get(c.alpha_2, c.name) for c in pycountry.countries}


def country_name(code):
    if not code:
        return ""
    return _country_names(str(get_locale() or "en")).get(code.upper(), code)


def country_choices():
    names = _country_names(str(get_locale() or "en"))
    return sorted(names.items(), key=lambda item: item[1])


def currency_choices():
    return sorted((c.alpha_3, f"{c.alpha_3} — {c.name}") for c in pycountry.currencies)
