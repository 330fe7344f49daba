"""Word, Excel and PowerPoint files (Office Open XML). Read: the core properties through the format's own
library (python-docx, openpyxl, python-pptx — a file its library cannot open is unreadable), the extended
and custom properties (`docProps/app.xml` holds the company and the manager), comment and revision authors,
and the text (paragraphs, tables, headers and footers; cells; slides and notes).

Cleaned at the package level, the same way for the three formats: the core properties are replaced by an
empty set, the extended and custom properties and the thumbnail are dropped with their relationships and
content types, and comment and revision authors are blanked; every other part is copied byte for byte.
Why not the libraries' own save: python-docx blanks the core properties but leaves `app.xml`, `custom.xml`
and the thumbnail untouched, and openpyxl's save loses a workbook's charts and pictures."""
import io
import posixpath
import re

import docx
import openpyxl
import pptx
from lxml import etree

from .common import CONTENT, METADATA, open_zip, rezip, xml_texts

WORD, SHEET, SLIDES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)
MAX_CELLS = 100_000
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELATION = "http://schemas.openxmlformats.org/"
CORE = ("/metadata/core-properties",)
DROPPED = ("/extended-properties", "/custom-properties", "/metadata/thumbnail")
EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
# Who wrote a comment or a tracked change: w:author / w:initials (Word), <author> (Excel comments), name and
# initials of p:cmAuthor (PowerPoint). Group 2 is the value, blanked in the cleaned copy.
_PEOPLE = [
    re.compile(rb'(\bw:(?:author|initials)=")([^"]*)(")'),
    re.compile(rb"(<(?:\w+:)?author>)([^<]*)(</(?:\w+:)?author>)"),
    re.compile(rb'(<p:cmAuthor\b[^>]*?\bname=")([^"]*)(")'),
    re.compile(rb'(<p:cmAuthor\b[^>]*?\binitials=")([^"]*)(")'),
]
_PEOPLE_PARTS = re.compile(r"^(word|xl|ppt)/.*\.xml$")


# --- reading -------------------------------------------------------------------------------------

def _core(properties, names):
    for name in names:
        value = getattr(properties, name, None)
        if isinstance(value, str) and value:
            yield METADATA, f"office:{name}", value


def _word(data):
    document = docx.Document(io.BytesIO(data))
    yield from _core(document.core_properties, ("author", "last_modified_by", "title", "subject", "keywords",
                                                "comments", "category", "identifier", "content_status"))
    for paragraph in document.paragraphs:
        yield CONTENT, "text", paragraph.text
    for table in document.tables:
        for row in table.rows:
            yield CONTENT, "table", " | ".join(cell.text for cell in row.cells)
    for section in document.sections:
        for part in (section.header, section.footer):
            yield CONTENT, "header", "\n".join(p.text for p in part.paragraphs)


def _sheet(data):
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        yield from _core(book.properties, ("creator", "last_modified_by", "title", "subject", "keywords",
                                           "description", "category", "identifier", "contentStatus"))
        cells = 0
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                values = [str(v) for v in row if isinstance(v, str)]
                cells += len(row)
                if values:
                    yield CONTENT, f"sheet:{sheet.title}", " | ".join(values)
                if cells > MAX_CELLS:
                    return
    finally:
        book.close()


def _slides(data):
    deck = pptx.Presentation(io.BytesIO(data))
    yield from _core(deck.core_properties, ("author", "last_modified_by", "title", "subject", "keywords",
                                            "comments", "category", "identifier", "content_status"))
    for number, slide in enumerate(deck.slides, start=1):
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        if slide.has_notes_slide:
            texts.append(slide.notes_slide.notes_text_frame.text)
        yield CONTENT, f"slide:{number}", "\n".join(texts)


_READ = {WORD: _word, SHEET: _sheet, SLIDES: _slides}


def read(data, mime_type):
    archive = open_zip(data)
    texts = list(_READ[mime_type](data))
    relations = _package_relations(archive)
    for name, kind in relations.items():
        if kind.endswith(("/extended-properties", "/custom-properties")) and name in archive.namelist():
            label = f"office_part:{name}"
            texts.extend((METADATA, label, text) for text in xml_texts(archive.read(name)))
    for name in archive.namelist():
        if _PEOPLE_PARTS.match(name):
            raw = archive.read(name)
            for pattern in _PEOPLE:
                texts.extend((METADATA, "author", m.group(2).decode("utf-8", "replace"))
                             for m in pattern.finditer(raw))
    return texts


# --- cleaning ------------------------------------------------------------------------------------

def _package_relations(archive):
    """{part name: relationship type} of the package's own relationships (`_rels/.rels`)."""
    if "_rels/.rels" not in archive.namelist():
        return {}
    root = etree.fromstring(archive.read("_rels/.rels"), etree.XMLParser(resolve_entities=False, no_network=True))
    return {posixpath.normpath(r.get("Target", "").lstrip("/")): r.get("Type", "")
            for r in root.iter(f"{{{_REL_NS}}}Relationship")}


def _without(raw, tag, attribute, unwanted):
    """`raw` XML without the `tag` elements whose `attribute` (a part name, with or without the leading
    slash) is in `unwanted`."""
    root = etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True))
    for element in list(root.iter(tag)):
        if posixpath.normpath(element.get(attribute, "").lstrip("/")) in unwanted:
            element.getparent().remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def strip(data, mime_type):
    archive = open_zip(data)
    relations = _package_relations(archive)
    dropped = {name for name, kind in relations.items() if kind.endswith(DROPPED)}
    replace = {name: EMPTY_CORE for name, kind in relations.items() if kind.endswith(CORE) and name in archive.namelist()}
    replace["_rels/.rels"] = _without(archive.read("_rels/.rels"), f"{{{_REL_NS}}}Relationship", "Target", dropped)
    replace["[Content_Types].xml"] = _without(archive.read("[Content_Types].xml"), f"{{{_TYPES_NS}}}Override",
                                              "PartName", dropped)
    for name in archive.namelist():
        if _PEOPLE_PARTS.match(name) and name not in replace:
            raw = blanked = archive.read(name)
            for pattern in _PEOPLE:
                blanked = pattern.sub(rb"\1\3", blanked)
            if blanked != raw:
                replace[name] = blanked
    return rezip(archive, replace=replace, drop=dropped)
