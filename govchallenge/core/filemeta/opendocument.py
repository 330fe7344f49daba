"""OpenDocument text and spreadsheets (ODF packages, read with the standard library's zipfile and lxml).
Read: `meta.xml` (creator, initial creator, title, user-defined fields...) and the text of `content.xml`,
`styles.xml` (headers and footers). Cleaned: `meta.xml` replaced by an empty one and the thumbnail dropped
(with its manifest entry); every other member is copied byte for byte, the `mimetype` member first and
uncompressed as the format requires."""
from lxml import etree

from .common import CONTENT, METADATA, open_zip, rezip, xml_texts

EMPTY_META = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2">'
    b"<office:meta/></office:document-meta>"
)
THUMBNAIL = "Thumbnails/thumbnail.png"
_MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"


def read(data, _mime_type=None):
    archive = open_zip(data)
    names = set(archive.namelist())
    if "mimetype" not in names:
        raise ValueError("not an OpenDocument package")
    texts = []
    if "meta.xml" in names:
        texts.extend((METADATA, "odf_meta", text) for text in xml_texts(archive.read("meta.xml")))
    for part in ("content.xml", "styles.xml"):
        if part in names:
            texts.append((CONTENT, "text", " ".join(xml_texts(archive.read(part), attributes=False))))
    return texts


def _manifest_without(raw, path):
    root = etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True))
    for entry in list(root.iter(f"{{{_MANIFEST_NS}}}file-entry")):
        if entry.get(f"{{{_MANIFEST_NS}}}full-path") == path:
            entry.getparent().remove(entry)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def strip(data, _mime_type=None):
    archive = open_zip(data)
    names = set(archive.namelist())
    if "mimetype" not in names:
        raise ValueError("not an OpenDocument package")
    replace = {"meta.xml": EMPTY_META} if "meta.xml" in names else {}
    if "META-INF/manifest.xml" in names:
        replace["META-INF/manifest.xml"] = _manifest_without(archive.read("META-INF/manifest.xml"), THUMBNAIL)
    return rezip(archive, replace=replace, drop={THUMBNAIL})
