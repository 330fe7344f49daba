"""PDF (pypdf): the document information dictionary, the XMP packet and the text of the first pages; the
cleaned copy has neither the information dictionary nor the XMP packet, and no unreferenced object left."""
import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from .common import CONTENT, METADATA, Unreadable, xml_texts

MAX_PAGES = 50  # pages whose text is read; names stand on the first pages


def _reader(data):
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise Unreadable("encrypted")
    return reader


def read(data, _mime_type=None):
    reader = _reader(data)
    texts = [(METADATA, f"pdf_info:{key}", str(value)) for key, value in (reader.metadata or {}).items()]
    metadata = reader.trailer["/Root"].get("/Metadata")
    if metadata is not None:
        texts.extend((METADATA, "xmp", text) for text in xml_texts(metadata.get_object().get_data()))
    for number, page in enumerate(reader.pages[:MAX_PAGES], start=1):
        texts.append((CONTENT, f"page:{number}", page.extract_text() or ""))
    return texts


def strip(data, _mime_type=None):
    """A copy without the information dictionary and the XMP packet. Without `remove_unreferenced` the old
    objects would stay in the file, unreferenced but readable."""
    writer = PdfWriter(clone_from=_reader(data))
    writer.metadata = None
    if NameObject("/Metadata") in writer._root_object:
        del writer._root_object[NameObject("/Metadata")]
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
