"""Countries (ISO 3166-1) and currencies (ISO 4217) through pycountry."""
from functools import lru_cache

import pycountry
from flask_babel import get_locale

EU_MEMBER_STATES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)


def is_country(code):
    return bool(code) and pycountry.countries.get(alpha_2=code.upper()) is not None


def country_codes():
    """Every ISO 3166-1 alpha-2 code `is_country` accepts, upper case and sorted (the API lists them)."""
    return sorted(c.alpha_2 for c in pycountry.countries)


def is_currency(code):
    return bool(code) and len(code) == 3 and pycountry.currencies.get(alpha_3=code.upper()) is not None


def _babel_names(locale, attribute):
    """Babel's names of territories or currencies in `locale`; empty when Babel does not know it."""
    from babel import Locale

    try:
        return getattr(Locale.parse(locale), attribute)
    except (ValueError, TypeError):
        return {}


@lru_cache(maxsize=16)
def _country_names(locale):
    names = _babel_names(locale, "territories")
    return {c.alpha_2: names.get(c.alpha_2, c.name) for c in pycountry.countries}


def country_name(code):
    if not code:
        return ""
    return _country_names(str(get_locale() or "en")).get(code.upper(), code)


def country_choices():
    names = _country_names(str(get_locale() or "en"))
    return sorted(names.items(), key=lambda item: item[1])


@lru_cache(maxsize=16)
def _currency_names(locale):
    names = _babel_names(locale, "currencies")
    return {c.alpha_3: names.get(c.alpha_3, c.name) for c in pycountry.currencies}


def currency_choices():
    """ISO 4217 codes with their names in the viewer's language."""
    return sorted((code, f"{code} — {name}") for code, name in _currency_names(str(get_locale() or "en")).items())


def format_money(amount, currency):
    """An amount as the viewer's language writes it: "1 000,00 zł", "€1,000.00"."""
    from decimal import Decimal

    from babel.numbers import format_currency, format_decimal

    if amount is None or amount == "":
        return ""
    locale = str(get_locale() or "en")
    if not currency:
        return format_decimal(Decimal(str(amount)), format="#,##0.00", locale=locale)
    return format_currency(Decimal(str(amount)), currency, locale=locale)
