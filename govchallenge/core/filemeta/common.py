"""What the readers of each kind of file share: the two places a text can come from, a safe XML parser and
a guard against archives that unpack to far more than they weigh."""
import io
import zipfile

from lxml import etree

METADATA, CONTENT = "metadata", "content"
MAX_UNPACKED = 256 * 1024 * 1024  # bytes an Office or OpenDocument file may unpack to
MAX_MEMBERS = 10_000

# No entities, no network, no huge trees: an uploaded XML part can be hostile.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=False)


class Unreadable(ValueError):
    """The file is not what its type says, or is too large once unpacked."""


def open_zip(data):
    """The archive, after checking that it does not unpack to more than MAX_UNPACKED bytes."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = archive.infolist()
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
        raise Unreadable("unpacks too large")
    return archive


def xml_texts(raw, attributes=True):
    """Every text node (and attribute value) of an XML document, in order; the raw text when it does not
    parse (a name in broken XML is still a name)."""
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError:
        return [raw.decode("utf-8", errors="replace")]
    if root is None:
        return []
    found = []
    for node in root.iter():
        if attributes:
            found.extend(value for value in node.attrib.values() if value.strip())
        if isinstance(node.tag, str) and node.text and node.text.strip():
            found.append(node.text)
        if node.tail and node.tail.strip():
            found.append(node.tail)
    return found


def rezip(archive, replace=None, drop=()):
    """A copy of `archive` with the members in `replace` ({name: bytes}) replaced and those in `drop` left out,
    each member keeping its compression (an OpenDocument's `mimetype` must stay first and stored)."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in archive.infolist():
            if member.filename in drop:
                continue
            body = replace.get(member.filename)
            if body is None:
                body = archive.read(member)
            info = zipfile.ZipInfo(member.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = member.compress_type
            info.external_attr = member.external_attr
            target.writestr(info, body)
    return out.getvalue()
