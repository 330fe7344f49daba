"""Real files that name their authors, built with the libraries the platform reads them with: a PDF with
document info, an XMP packet and a page of text; a JPEG with EXIF (Artist, XPAuthor), XMP and a comment; a
PNG with text chunks; Word, Excel and PowerPoint files with core, extended and custom properties; an
OpenDocument text with meta.xml and a thumbnail."""
import io
import zipfile

from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

XMP = """<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator><pdf:Producer>{producer}</pdf:Producer>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""


def pdf(author="", xmp_creator="", page_text="A plan for open bus data", title="Plan", subject=""):
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    content = DecodedStreamObject()
    escaped = page_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    content.set_data(f"BT /F1 12 Tf 72 760 Td ({escaped}) Tj ET".encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(content)
    info = {"/Title": title}
    if author:
        info["/Author"] = author
    if subject:
        info["/Subject"] = subject
    writer.add_metadata(info)
    if xmp_creator:
        stream = DecodedStreamObject()
        stream.set_data(XMP.format(creator=xmp_creator, producer="Writer of " + xmp_creator).encode())
        stream[NameObject("/Type")] = NameObject("/Metadata")
        stream[NameObject("/Subtype")] = NameObject("/XML")
        writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def jpeg(artist="", xp_author="", comment="", xmp_creator="", orientation=None, size=(40, 20)):
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((20, 20, 200), (0, 0, size[0] // 2, size[1]))  # left half blue: the orientation can be seen
    exif = Image.Exif()
    if artist:
        exif[0x013B] = artist
    if xp_author:
        exif[0x9C9D] = xp_author.encode("utf-16-le") + b"\x00\x00"
    if orientation:
        exif[0x0112] = orientation
    options = {"exif": exif.tobytes(), "quality": 95}
    if comment:
        options["comment"] = comment.encode()
    if xmp_creator:
        options["xmp"] = XMP.format(creator=xmp_creator, producer="camera").encode()
    out = io.BytesIO()
    image.save(out, format="JPEG", **options)
    return out.getvalue()


def png(author="", description=""):
    info = PngInfo()
    if author:
        info.add_text("Author", author)
    if description:
        info.add_itxt("Description", description)
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 128, 0, 128)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _with_extra_parts(data, company="", custom="", thumbnail=False):
    """An Office file with docProps/app.xml naming the company, docProps/custom.xml and a thumbnail."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "docProps/app.xml" and company:
                body = body.replace(b"</Properties>", f"<Company>{company}</Company><Manager>{company}</Manager></Properties>".encode())
            if item.filename == "_rels/.rels":
                extra = ""
                if custom:
                    extra += ('<Relationship Id="rIdC" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                              'relationships/custom-properties" Target="docProps/custom.xml"/>')
                if thumbnail and b"metadata/thumbnail" not in body:
                    extra += ('<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/package/2006/'
                              'relationships/metadata/thumbnail" Target="docProps/thumbnail.jpeg"/>')
                body = body.replace(b"</Relationships>", extra.encode() + b"</Relationships>")
            if item.filename == "docProps/thumbnail.jpeg" and thumbnail:
                body = jpeg(artist=custom or company or "thumbnail")
            if item.filename == "[Content_Types].xml" and custom:
                body = body.replace(b"</Types>", b'<Override PartName="/docProps/custom.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>')
            target.writestr(item, body)
        if "docProps/app.xml" not in source.namelist() and company:
            raise AssertionError("the library wrote no app.xml")
        if custom:
            target.writestr("docProps/custom.xml", (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/'
                'officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
                f'docPropsVTypes"><property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="Team">'
                f"<vt:lpwstr>{custom}</vt:lpwstr></property></Properties>"))
        if thumbnail and "docProps/thumbnail.jpeg" not in source.namelist():
            target.writestr("docProps/thumbnail.jpeg", jpeg(artist=custom or company or "thumbnail"))
    return out.getvalue()


def docx(author="", last_modified_by="", company="", custom="", body="An entry about open bus data.",
         comment_author="", thumbnail=False):
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph(body)
    if comment_author:
        run = document.add_paragraph("Reviewed text").runs[0]
        document.add_comment(run, text="Please check", author=comment_author, initials=comment_author[:2])
    properties = document.core_properties
    properties.author = author
    properties.last_modified_by = last_modified_by
    properties.title = "Plan"
    out = io.BytesIO()
    document.save(out)
    return _with_extra_parts(out.getvalue(), company, custom, thumbnail)


def xlsx(creator="", company="", cell="Bus stops"):
    import openpyxl

    book = openpyxl.Workbook()
    book.properties.creator = creator
    book.properties.lastModifiedBy = creator
    book.active["A1"] = cell
    out = io.BytesIO()
    book.save(out)
    return _with_extra_parts(out.getvalue(), company)


def pptx(author="", slide_text="Open bus data"):
    import pptx as python_pptx

    deck = python_pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = slide_text
    deck.core_properties.author = author
    deck.core_properties.last_modified_by = author
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def odt(creator="", body="Open bus data", thumbnail=True):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:'
            'xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
            f"<text:p>{body}</text:p></office:text></office:body></office:document-content>"))
        archive.writestr("meta.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:'
            'xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/'
            f'elements/1.1/"><office:meta><meta:initial-creator>{creator}</meta:initial-creator><dc:creator>{creator}'
            "</dc:creator></office:meta></office:document-meta>"))
        if thumbnail:
            archive.writestr(THUMB, png(author=creator or "x"))
        archive.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
            'xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
            'vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type='
            '"text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
            f'<manifest:file-entry manifest:full-path="{THUMB}" manifest:media-type="image/png"/></manifest:manifest>'))
    return out.getvalue()


THUMB = "Thumbnails/thumbnail.png"
