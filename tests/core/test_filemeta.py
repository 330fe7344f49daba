"""Files' text and metadata, and their copies without metadata: real files built with the libraries, the
name sought in every byte of the copy (and of each member of an Office or OpenDocument package), and bad
files that must come back unreadable, never as an exception."""
import io
import zipfile

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from govchallenge.core import filemeta
from govchallenge.core.filemeta import archives, common, images
from tests.support import documents

NAME = "Zofia Wiśniewska"
ASCII_NAME = "Zofia Wisniewska"  # EXIF's ASCII tags and a PDF's standard fonts cannot carry "ś"
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"


def every_byte(data):
    """The file's bytes, and, for a package, the unpacked bytes of each member (compressed bytes hide names)."""
    chunks = [data]
    if data.startswith(b"PK"):
        archive = zipfile.ZipFile(io.BytesIO(data))
        chunks += [archive.read(name) for name in archive.namelist()]
        chunks += [name.encode() for name in archive.namelist()]
    return b"\n".join(chunks)


def names_in(data, name=NAME):
    """Whether any byte sequence of `data` spells `name` (UTF-8, UTF-16 either way, or PDF-escaped Latin-1)."""
    blob = every_byte(data)
    forms = {name.encode(), name.encode("utf-16-le"), name.encode("utf-16-be")}
    if all(ord(c) < 256 for c in name):
        forms.add(name.encode("latin-1"))
    return any(form in blob for form in forms)


def labels_naming(inspection, name=NAME):
    return sorted({t.label for t in inspection.texts if name in t.text})


CASES = {
    "pdf": (lambda: documents.pdf(author=NAME, xmp_creator=NAME, subject=NAME), PDF,
            {"pdf_info:/Author", "pdf_info:/Subject", "xmp"}),
    "jpeg": (lambda: documents.jpeg(xp_author=NAME, comment=NAME, xmp_creator=NAME), JPEG,
             {"exif:XPAuthor", "image_info:comment", "xmp"}),
    "png": (lambda: documents.png(author=NAME, description=NAME), PNG, {"image_info:Author", "image_info:Description"}),
    "docx": (lambda: documents.docx(author=NAME, last_modified_by=NAME, company=NAME, custom=NAME, comment_author=NAME,
                                    thumbnail=True), DOCX,
             {"office:author", "office:last_modified_by", "office_part:docProps/app.xml",
              "office_part:docProps/custom.xml", "author"}),
    "xlsx": (lambda: documents.xlsx(creator=NAME, company=NAME), XLSX,
             {"office:creator", "office:last_modified_by", "office_part:docProps/app.xml"}),
    "pptx": (lambda: documents.pptx(author=NAME), PPTX, {"office:author", "office:last_modified_by"}),
    "odt": (lambda: documents.odt(creator=NAME), ODT, {"odf_meta"}),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_metadata_naming_the_author_is_read_and_absent_from_every_byte_of_the_copy(kind):
    build, mime, expected = CASES[kind]
    data = build()
    assert names_in(data), "the test file names its author"
    found = filemeta.inspect(data, mime)
    assert found.status == filemeta.CLEANED
    assert set(labels_naming(found)) == expected
    assert {t.place for t in found.texts if NAME in t.text} == {filemeta.METADATA}
    assert not names_in(found.cleaned)
    again = filemeta.inspect(found.cleaned, mime)
    assert again.status == filemeta.CLEANED, "the copy still opens in its own library"
    assert labels_naming(again) == []


def test_the_exif_artist_is_read_and_removed():
    found = filemeta.inspect(documents.jpeg(artist=ASCII_NAME), JPEG)
    assert labels_naming(found, ASCII_NAME) == ["exif:Artist"]
    assert not names_in(found.cleaned, ASCII_NAME)


def test_the_pdf_copy_keeps_its_pages_and_their_text():
    found = filemeta.inspect(documents.pdf(author=NAME, xmp_creator=NAME, page_text="Route 7 timetable"), PDF)
    reader = PdfReader(io.BytesIO(found.cleaned))
    assert len(reader.pages) == 1
    assert "Route 7 timetable" in reader.pages[0].extract_text()
    assert reader.metadata is None or "/Author" not in reader.metadata
    assert "/Metadata" not in reader.trailer["/Root"]
    assert ("content", "page:1", "Route 7 timetable") in [(t.place, t.label, t.text) for t in found.texts]


def test_text_on_a_page_is_read_as_content_and_stays_in_the_copy():
    found = filemeta.inspect(documents.pdf(page_text=f"Prepared by {ASCII_NAME}"), PDF)
    assert [(t.place, t.label) for t in found.texts if ASCII_NAME in t.text] == [("content", "page:1")]
    assert "Prepared by" in PdfReader(io.BytesIO(found.cleaned)).pages[0].extract_text()


def test_a_photo_is_turned_upright_and_loses_its_orientation_tag():
    data = documents.jpeg(artist=NAME, orientation=6, size=(40, 20))  # 6: rotate 90° clockwise to view
    cleaned = Image.open(io.BytesIO(filemeta.inspect(data, JPEG).cleaned))
    assert cleaned.size == (20, 40)
    assert dict(cleaned.getexif()) == {}
    assert "comment" not in cleaned.info and "xmp" not in cleaned.info
    top = cleaned.convert("RGB").getpixel((10, 2))
    assert top[2] > 150 and top[0] < 100, "the blue left half is on top once turned clockwise"


def test_a_transparent_png_stays_transparent():
    cleaned = Image.open(io.BytesIO(filemeta.inspect(documents.png(author=NAME), PNG).cleaned))
    assert cleaned.mode == "RGBA" and cleaned.getpixel((1, 1))[3] == 128
    assert not cleaned.text


def test_the_word_copy_keeps_its_text_and_drops_properties_parts_and_thumbnail():
    data = documents.docx(author=NAME, company=NAME, custom=NAME, thumbnail=True, body="Bus stops of Kraków")
    archive = zipfile.ZipFile(io.BytesIO(filemeta.inspect(data, DOCX).cleaned))
    names = set(archive.namelist())
    assert {"docProps/app.xml", "docProps/custom.xml", "docProps/thumbnail.jpeg"}.isdisjoint(names)
    assert b"app.xml" not in archive.read("_rels/.rels") and b"thumbnail" not in archive.read("_rels/.rels")
    assert b"custom.xml" not in archive.read("[Content_Types].xml")
    import docx

    cleaned = docx.Document(io.BytesIO(filemeta.inspect(data, DOCX).cleaned))
    assert cleaned.paragraphs[0].text == "Bus stops of Kraków"
    assert cleaned.core_properties.author == "" and cleaned.core_properties.title == ""


def test_an_opendocument_copy_keeps_mimetype_first_and_stored_and_drops_the_thumbnail():
    archive = zipfile.ZipFile(io.BytesIO(filemeta.inspect(documents.odt(creator=NAME), ODT).cleaned))
    first = archive.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert documents.THUMB not in archive.namelist()
    assert documents.THUMB.encode() not in archive.read("META-INF/manifest.xml")


def test_plain_text_is_read_and_handed_out_as_it_is():
    data = f"Written by {NAME}".encode()
    found = filemeta.inspect(data, "text/plain")
    assert found.cleaned == data and labels_naming(found) == ["text"]


# --- ZIP archives ------------------------------------------------------------------------------------

ZIP = "application/zip"


def make_zip(members, comment=b"", member_comment=b""):
    """A real ZIP of {name: bytes}, with an archive comment and a comment on each member."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.comment = comment
        for name, body in members.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 5, 4, 3, 2, 1))
            info.comment = member_comment
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, body)
    return out.getvalue()


def test_a_zip_is_read_member_by_member_and_its_copy_names_nobody():
    data = make_zip({
        f"team/{ASCII_NAME}-cv.txt": b"Curriculum",  # a file name naming the author
        "docs/plan.pdf": documents.pdf(author=NAME, page_text="Route planner"),
        "docs/letter.docx": documents.docx(author=NAME),
        "photo.jpg": documents.jpeg(artist=ASCII_NAME),
        "tool.py": b"print('hello')",  # a kind no reader knows: kept as it is, its name still read
    }, comment=f"Packed by {NAME}".encode(), member_comment=f"by {NAME}".encode())
    found = filemeta.inspect(data, ZIP)
    assert found.status == filemeta.CLEANED
    labels = labels_naming(found) + labels_naming(found, ASCII_NAME)
    assert "zip_comment" in labels and "zip_name" in labels
    assert "zip:docs/plan.pdf\x1epdf_info:/Author" in labels
    assert "zip:docs/letter.docx\x1eoffice:author" in labels
    assert "zip:photo.jpg\x1eexif:Artist" in labels
    assert "zip_file_comment:docs/plan.pdf" in labels
    places = {t.label: t.place for t in found.texts}
    assert places["zip:docs/plan.pdf\x1epdf_info:/Author"] == filemeta.METADATA
    # The copy: every member's metadata, the comments and the timestamps gone; the content and names kept.
    copy = zipfile.ZipFile(io.BytesIO(found.cleaned))
    assert copy.comment == b"" and all(m.comment == b"" for m in copy.infolist())
    assert {m.date_time for m in copy.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert sorted(copy.namelist()) == sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())
    for member in ("docs/plan.pdf", "docs/letter.docx", "photo.jpg"):
        assert not names_in(copy.read(member)) and not names_in(copy.read(member), ASCII_NAME), member
    assert "Route planner" in PdfReader(io.BytesIO(copy.read("docs/plan.pdf"))).pages[0].extract_text()
    assert copy.read("tool.py") == b"print('hello')"


def test_a_zip_inside_a_zip_is_read_and_cleaned_too():
    inner = make_zip({"plan.pdf": documents.pdf(author=NAME)})
    found = filemeta.inspect(make_zip({"inner.zip": inner}), ZIP)
    assert found.status == filemeta.CLEANED
    assert "zip:inner.zip\x1ezip:plan.pdf\x1epdf_info:/Author" in labels_naming(found)
    nested = zipfile.ZipFile(io.BytesIO(zipfile.ZipFile(io.BytesIO(found.cleaned)).read("inner.zip")))
    assert not names_in(nested.read("plan.pdf"))


def test_archives_nested_too_deep_are_too_large():
    data = make_zip({"plan.txt": b"plan"})
    for _level in range(archives.MAX_DEPTH):
        data = make_zip({"deeper.zip": data})
    found = filemeta.inspect(data, ZIP)
    assert (found.status, found.cleaned, found.texts) == (filemeta.TOO_LARGE, None, ())


def test_a_zip_bomb_is_too_large_and_never_unpacked(monkeypatch):
    bomb = make_zip({f"zeros{k}.txt": b"\0" * 2_000_000 for k in range(3)})  # 6 MB of zeros in a few kB
    assert len(bomb) < 60_000
    monkeypatch.setattr(archives, "MAX_UNPACKED", 5_000_000)
    assert filemeta.inspect(bomb, ZIP).status == filemeta.TOO_LARGE
    monkeypatch.setattr(archives, "MAX_UNPACKED", 10_000_000)
    monkeypatch.setattr(archives, "MAX_MEMBERS", 2)
    assert filemeta.inspect(bomb, ZIP).status == filemeta.TOO_LARGE
    monkeypatch.setattr(archives, "MAX_MEMBERS", 3)
    assert filemeta.inspect(bomb, ZIP).status == filemeta.CLEANED


@pytest.mark.parametrize("case", ["cut short", "not a zip", "a broken member"])
def test_a_broken_zip_is_unreadable_never_an_exception(case):
    good = make_zip({"plan.pdf": documents.pdf(author=NAME)})
    data = {"cut short": good[:len(good) // 2], "not a zip": b"PK\x03\x04whatever",
            "a broken member": make_zip({"plan.pdf": documents.pdf(author=NAME)[:200]})}[case]
    found = filemeta.inspect(data, ZIP)
    assert (found.status, found.cleaned, found.texts) == (filemeta.UNREADABLE, None, ())


# --- bad files -----------------------------------------------------------------------------------

BAD = {
    "a PDF cut short": (documents.pdf(author=NAME)[:200], PDF),
    "a PDF header and nothing else": (b"%PDF-1.4\n%%EOF\n", PDF),
    "JPEG magic then garbage": (b"\xff\xd8\xff" + b"\x00garbage" * 50, JPEG),
    "a PNG signature then garbage": (b"\x89PNG\r\n\x1a\n" + b"\x01" * 100, PNG),
    "a Word file that is a broken zip": (b"PK\x03\x04" + b"\x00" * 60, DOCX),
    "a Word file that is an OpenDocument": (documents.odt(), DOCX),
    "an OpenDocument without its mimetype": (documents.docx(), ODT),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_file_that_cannot_be_read_is_unreadable_and_has_no_copy(case):
    data, mime = BAD[case]
    found = filemeta.inspect(data, mime)
    assert (found.status, found.cleaned, found.texts) == (filemeta.UNREADABLE, None, ())


def test_an_encrypted_pdf_is_unreadable():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(documents.pdf(author=NAME))))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    assert filemeta.inspect(out.getvalue(), PDF).status == filemeta.UNREADABLE


def test_a_pdf_encrypted_with_an_empty_password_is_read_and_cleaned():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(documents.pdf(author=NAME))))
    writer.encrypt(user_password="", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    found = filemeta.inspect(out.getvalue(), PDF)
    assert found.status == filemeta.CLEANED and "pdf_info:/Author" in labels_naming(found)
    assert labels_naming(filemeta.inspect(found.cleaned, PDF)) == []


def test_a_package_that_unpacks_too_large_is_unreadable(monkeypatch):
    monkeypatch.setattr(common, "MAX_UNPACKED", 10_000)
    assert filemeta.inspect(documents.docx(author=NAME), DOCX).status == filemeta.UNREADABLE


def test_a_decompression_bomb_is_unreadable(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # Pillow only warns below twice its limit: refused too
    assert images  # the module reads Image.MAX_IMAGE_PIXELS at each open
    assert filemeta.inspect(documents.jpeg(artist=NAME, size=(15, 10)), JPEG).status == filemeta.UNREADABLE


def test_huge_metadata_is_cut_to_the_limit_and_still_removed():
    author = (NAME + " ") * 20_000  # 340 kB of author, as much XMP
    found = filemeta.inspect(documents.pdf(author=author, xmp_creator=author), PDF)
    assert found.status == filemeta.CLEANED
    assert sum(len(t.text) for t in found.texts) <= filemeta.MAX_TEXT
    assert max(len(t.text) for t in found.texts) == filemeta.MAX_PIECE
    assert {"pdf_info:/Author", "xmp"} <= set(labels_naming(found)), "one huge field does not crowd out the next"
    assert not names_in(found.cleaned)
