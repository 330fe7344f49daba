"""The rule for what in an entry gives its team away, for challenges reviewed anonymously.

What is looked for (`identity`): the team's name, each member's name (as written, and with the family name
first: "Kowalska, Anna"), the name of each organisation a member enters for, and the e-mail domains of the
members and the web domains of their organisations — except the big public mail providers, which name
nobody.

How (`find`): both sides compared through `core.names.comparable` (normalised, case-folded, accents
dropped: "KOWALSKA" and "Kowalská" find "Kowalska"), as whole words: a name or an organisation is a run of
whole words in the text, punctuation and line breaks between words ignored ("Open Data Lab" is found in
"OPEN-DATA LAB", never in "Open Data Laboratory"); a domain is found on its own or under it
("mail.startup.dk" names startup.dk, "mystartup.dk" does not). Terms shorter than three characters are not
looked for: they would be found everywhere.

Plain data in, plain data out: no Flask, no database.
"""
import re
from dataclasses import dataclass

from govchallenge.core.names import comparable

TEAM, MEMBER, ORGANISATION, DOMAIN = "team", "member", "organisation", "domain"
ENTRY_TEXT, FILE_TEXT, FILE_METADATA = "entry_text", "file_text", "file_metadata"
MIN_LENGTH = 3
PUBLIC_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "icloud.com",
    "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net", "web.de", "t-online.de", "wp.pl",
    "onet.pl", "o2.pl", "interia.pl", "orange.fr", "free.fr", "laposte.net", "wanadoo.fr", "yahoo.fr", "libero.it",
    "mail.ru", "yandex.ru", "seznam.cz", "freemail.hu", "zoho.com", "fastmail.com", "hey.com", "example.org",
})
_WORD = re.compile(r"\w+")
_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/]*@)?([^/:?#]+)")


@dataclass(frozen=True)
class Term:
    kind: str
    value: str  # as the team knows it (shown to the team, never to jurors)


@dataclass(frozen=True)
class Piece:
    """A text to search: `where` it is (ENTRY_TEXT, FILE_TEXT, FILE_METADATA) and a `label` for people."""

    where: str
    label: str
    text: str


@dataclass(frozen=True)
class Finding:
    where: str
    label: str
    kind: str
    value: str


def domain_of(address):
    """The host of an e-mail address or a web address, lower-case, without `www.`; '' when there is none."""
    match = _HOST.match((address or "").strip().lower())
    host = match.group(1).strip(".") if match else ""
    host = host.removeprefix("www.")
    return host if "." in host else ""


def identity(team_name, member_names=(), organisation_names=(), emails=(), websites=()):
    """The terms that would name the team, each once."""
    terms = [Term(TEAM, team_name)] if team_name else []
    for name in member_names:
        terms.append(Term(MEMBER, name))
    terms.extend(Term(ORGANISATION, name) for name in organisation_names if name)
    domains = {domain_of(address) for address in (*emails, *websites)} - {""} - PUBLIC_MAIL_DOMAINS
    terms.extend(Term(DOMAIN, domain) for domain in sorted(domains))
    unique = []
    for term in terms:
        if term not in unique and len(comparable(term.value).strip()) >= MIN_LENGTH:
            unique.append(term)
    return unique


def _words(text):
    return " ".join(_WORD.findall(comparable(text)))


def _patterns(term):
    """The forms of a term as searched in the words of a text (or, for a domain, in the folded text)."""
    if term.kind == DOMAIN:
        return [re.compile(r"(?<![\w-])" + re.escape(comparable(term.value)) + r"(?![\w-]|\.\w)")]
    words = _words(term.value).split()
    forms = {" ".join(words)}
    if term.kind == MEMBER and len(words) > 1:
        forms.add(" ".join(words[-1:] + words[:-1]))  # family name first
    return [re.compile(r"(?<!\S)" + re.escape(form) + r"(?!\S)") for form in sorted(forms) if form]


def find(terms, pieces):
    """Each (place, term) found, once, in the order of the pieces then of the terms."""
    compiled = [(term, _patterns(term)) for term in terms]
    found = []
    for piece in pieces:
        words, folded = _words(piece.text), comparable(piece.text)
        for term, patterns in compiled:
            haystack = folded if term.kind == DOMAIN else words
            if any(pattern.search(haystack) for pattern in patterns):
                finding = Finding(piece.where, piece.label, term.kind, term.value)
                if finding not in found:
                    found.append(finding)
    return found
