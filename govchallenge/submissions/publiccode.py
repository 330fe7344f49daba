"""A `publiccode.yml` (the metadata standard for public-sector software, publiccode.yml v0.2–0.4) read with
PyYAML's safe loader and checked on the fields the reuse catalogue relies on. A pure module: text in, plain
data out. Each problem names its field, as the standard spells it, and a code the view words:

    missing       the field is required and absent or empty
    type          the field holds the wrong kind of value (`expected`: "text", "list", "mapping")
    value         a value outside the standard's list (`allowed`: the list)
    url           not an http(s) address
    licence       not a valid SPDX expression (`unknown`, `deprecated`, `normalised` as in licences.check)
    too_long      longer than the standard allows (`max`)
    version       a publiccodeYmlVersion this platform does not know (`known`)
    not_yaml      the text is not YAML (`line` when the parser knows it); nothing else is checked
    not_mapping   the document is YAML but not a mapping of fields
"""
import re
from dataclasses import dataclass

import yaml

from . import licences

MAX_BYTES = 64 * 1024
KNOWN_VERSIONS = ("0.2", "0.3", "0.4")
MAINTENANCE_TYPES = ("internal", "contract", "community", "none")
DEVELOPMENT_STATUSES = ("concept", "development", "beta", "stable", "obsolete")
SHORT_DESCRIPTION_MAX = 150
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    detail: tuple = ()  # ((name, value), ...): hashable, for the view's words

    @property
    def values(self):
        return dict(self.detail)


def is_http_url(value):
    return isinstance(value, str) and bool(_URL.match(value.strip()))


def parse(text):
    """-> (the document as a dict or None, [Problem])."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        return None, [Problem("publiccode.yml", "too_long", (("max", MAX_BYTES),))]
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return None, [Problem("publiccode.yml", "not_yaml", (("line", mark.line + 1 if mark else None),))]
    if not isinstance(document, dict):
        return None, [Problem("publiccode.yml", "not_mapping")]
    return document, check(document)


def _get(document, dotted):
    value = document
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _text(document, dotted, problems):
    value = _get(document, dotted)
    if value in (None, ""):
        problems.append(Problem(dotted, "missing"))
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        problems.append(Problem(dotted, "type", (("expected", "text"),)))
        return None
    return str(value).strip()


def check(document):
    """The problems of a parsed document, in the order of the standard's fields."""
    problems = []
    version = _text(document, "publiccodeYmlVersion", problems)
    if version is not None and version not in KNOWN_VERSIONS:
        problems.append(Problem("publiccodeYmlVersion", "version", (("known", ", ".join(KNOWN_VERSIONS)),)))
    _text(document, "name", problems)
    url = _text(document, "url", problems)
    if url is not None and not is_http_url(url):
        problems.append(Problem("url", "url"))
    licence = _text(document, "legal.license", problems)
    if licence is not None:
        found = licences.check(licence)
        if not found.ok:
            problems.append(Problem("legal.license", "licence", (
                ("unknown", ", ".join(found.unknown)),
                ("deprecated", ", ".join(f"{old} → {new}" for old, new in found.deprecated)),
                ("normalised", found.normalised or ""))))
    maintenance = _text(document, "maintenance.type", problems)
    if maintenance is not None and maintenance not in MAINTENANCE_TYPES:
        problems.append(Problem("maintenance.type", "value", (("allowed", ", ".join(MAINTENANCE_TYPES)),)))
    status = _get(document, "developmentStatus")
    if status is not None and status not in DEVELOPMENT_STATUSES:
        problems.append(Problem("developmentStatus", "value", (("allowed", ", ".join(DEVELOPMENT_STATUSES)),)))
    problems.extend(_languages(document))
    problems.extend(_descriptions(document))
    return problems


def _languages(document):
    languages = _get(document, "localisation.availableLanguages")
    if languages in (None, [], ""):
        return [Problem("localisation.availableLanguages", "missing")]
    if not isinstance(languages, list) or not all(isinstance(x, str) and _LANGUAGE.match(x) for x in languages):
        return [Problem("localisation.availableLanguages", "type", (("expected", "list"),))]
    return []


def _descriptions(document):
    descriptions = document.get("description")
    if descriptions in (None, {}, ""):
        return [Problem("description", "missing")]
    if not isinstance(descriptions, dict):
        return [Problem("description", "type", (("expected", "mapping"),))]
    problems = []
    for language, body in descriptions.items():
        where = f"description.{language}"
        if not isinstance(language, str) or not _LANGUAGE.match(language):
            problems.append(Problem(where, "value", (("allowed", "ISO 639"),)))
            continue
        if not isinstance(body, dict):
            problems.append(Problem(where, "type", (("expected", "mapping"),)))
            continue
        short = body.get("shortDescription")
        if short in (None, ""):
            problems.append(Problem(f"{where}.shortDescription", "missing"))
        elif not isinstance(short, str):
            problems.append(Problem(f"{where}.shortDescription", "type", (("expected", "text"),)))
        elif len(short) > SHORT_DESCRIPTION_MAX:
            problems.append(Problem(f"{where}.shortDescription", "too_long", (("max", SHORT_DESCRIPTION_MAX),)))
    return problems


def descriptions(document):
    """{language: {"short": ..., "long": ..., "features": [...]}} of a checked document, text only."""
    found = {}
    for language, body in (document.get("description") or {}).items():
        if isinstance(language, str) and isinstance(body, dict) and isinstance(body.get("shortDescription"), str):
            features = body.get("features") if isinstance(body.get("features"), list) else []
            found[language] = {"short": body["shortDescription"].strip(),
                               "long": body["longDescription"].strip() if isinstance(body.get("longDescription"), str) else "",
                               "features": [str(f) for f in features if isinstance(f, (str, int))][:20]}
    return found


def build(listing):
    """A publiccode.yml (v0.4) for a catalogue entry, from what is known; `listing` is a plain dict:
    name, url, landing_url, licence, development_status, languages, descriptions, contact_name, contact_email,
    release_date (ISO date), platforms."""
    document = {
        "publiccodeYmlVersion": "0.4",
        "name": listing["name"],
        "url": listing["url"],
        "landingURL": listing["landing_url"],
        "softwareType": "standalone/web",
        "platforms": ["web"],
        "developmentStatus": listing["development_status"],
        "releaseDate": listing["release_date"],
        "categories": ["it-development"],
        "legal": {"license": listing["licence"]},
        "maintenance": {"type": "community" if not listing.get("contact_email") else "internal",
                        "contacts": [{"name": listing.get("contact_name") or listing["name"],
                                      "email": listing.get("contact_email") or ""}] if listing.get("contact_email") else []},
        "localisation": {"localisationReady": len(listing["languages"]) > 1, "availableLanguages": listing["languages"]},
        "description": {
            language: {"shortDescription": text["short"][:SHORT_DESCRIPTION_MAX],
                       "longDescription": text.get("long") or text["short"],
                       "features": text.get("features") or [text["short"][:100]]}
            for language, text in listing["descriptions"].items()
        },
    }
    if document["maintenance"]["type"] == "community":
        document["maintenance"].pop("contacts")
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
