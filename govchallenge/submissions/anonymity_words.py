"""The words for the findings of submissions/screening.py: the team's list ("where: what was found") and the
chair's flag (kinds and places only, never the name found). Plain strings from gettext, formatted here with
user text and escaped by the templates."""
from flask_babel import gettext as _

from govchallenge.core.filemeta.archives import MAX_DEPTH, MAX_MEMBERS, MAX_UNPACKED, SEPARATOR

from . import anonymity
from .screening import NOT_INSPECTED, TOO_LARGE, UNREADABLE

FIELD_LABELS = {
    "title": lambda: _("Title"), "summary": lambda: _("Summary"), "description": lambda: _("Description"),
    "link:code": lambda: _("Link to the code"), "link:video": lambda: _("Link to a video"),
    "link:demo": lambda: _("Link to a demo"),
}
KINDS = {
    anonymity.TEAM: lambda: _("the team's name"),
    anonymity.MEMBER: lambda: _("a member's name"),
    anonymity.ORGANISATION: lambda: _("an organisation's name"),
    anonymity.DOMAIN: lambda: _("an e-mail or web domain"),
    UNREADABLE: lambda: _("a file that could not be read (withheld from jurors)"),
    NOT_INSPECTED: lambda: _("an archive whose contents are not checked"),
    TOO_LARGE: lambda: _("an archive too large to check (withheld from jurors)"),
}
PLACES = {
    anonymity.ENTRY_TEXT: lambda: _("in the entry's text"),
    anonymity.FILE_TEXT: lambda: _("in a file's text"),
    anonymity.FILE_METADATA: lambda: _("in a file's properties (removed from the copy jurors get)"),
}


LABELS = {
    "pdf_info": lambda d: _("PDF document information %(field)s", field=d),
    "xmp": lambda d: _("XMP properties"),
    "page": lambda d: _("page %(n)s", n=d),
    "exif": lambda d: _("EXIF field %(field)s", field=d),
    "image_info": lambda d: _("image text field %(field)s", field=d),
    "office": lambda d: _("document property %(field)s", field=d),
    "office_part": lambda d: _("document properties (%(part)s)", part=d),
    "author": lambda d: _("author of a comment or tracked change"),
    "text": lambda d: _("text"),
    "table": lambda d: _("a table"),
    "header": lambda d: _("a header or footer"),
    "sheet": lambda d: _("sheet %(name)s", name=d),
    "slide": lambda d: _("slide %(n)s", n=d),
    "odf_meta": lambda d: _("document properties"),
    "zip_name": lambda d: _("the name of a file in the archive"),
    "zip_comment": lambda d: _("the archive's comment"),
    "zip_file_comment": lambda d: _("the comment on %(file)s in the archive", file=d),
    "zip": lambda d: _("%(member)s in the archive, %(label)s", member=d.partition(SEPARATOR)[0],
                       label=label_text(d.partition(SEPARATOR)[2])),
}


def label_text(label):
    """A file's place (core/filemeta label code) in words."""
    code, _sep, detail = (label or "").partition(":")
    return LABELS[code](detail) if code in LABELS else label


def where(finding):
    """Where a finding is, for the team."""
    if finding["where"] == anonymity.ENTRY_TEXT:
        return FIELD_LABELS.get(finding["label"], lambda: finding["label"])()
    if finding["where"] == anonymity.FILE_METADATA:
        return _("%(file)s, %(label)s — removed from the copy jurors get",
                 file=finding["file"], label=label_text(finding["label"]))
    if finding["where"] == anonymity.FILE_TEXT:
        return _("%(file)s, %(label)s", file=finding["file"], label=label_text(finding["label"]))
    return finding["file"]


def what(finding):
    """What was found, for the team (it names the team: never shown to jurors)."""
    if finding["kind"] == UNREADABLE:
        return _("the file could not be read (damaged, protected by a password, or not what its type says), so "
                 "it could not be checked and jurors will not get it. Upload a readable copy.")
    if finding["kind"] == TOO_LARGE:
        return _("an archive beyond what can be checked (more than %(members)s files, more than %(size)s MB once "
                 "unpacked, or archives nested more than %(depth)s deep): jurors will not get it. Upload a smaller "
                 "archive, or its files one by one.", members=MAX_MEMBERS, size=MAX_UNPACKED // (1024 * 1024),
                 depth=MAX_DEPTH - 1)
    if finding["kind"] == NOT_INSPECTED:
        return _("an archive: the files inside it are neither checked nor cleaned of their properties.")
    return _("%(kind)s: “%(value)s”", kind=KINDS[finding["kind"]](), value=finding["value"])


def team_list(findings):
    """[(where, what)] for the team's warning."""
    return [(where(f), what(f)) for f in findings or []]


def chair_flag(pairs):
    """The chair's words for one entry's findings [(where, kind)]: kinds and places, no names."""
    parts = []
    for place, kind in pairs:
        text = KINDS.get(kind, lambda: kind)()
        if place in PLACES:
            text = _("%(kind)s %(place)s", kind=text, place=PLACES[place]())
        if text not in parts:
            parts.append(text)
    return "; ".join(parts)
