"""JPEG and PNG (Pillow): EXIF (every text tag, Windows' UTF-16 XP tags included), XMP, PNG text chunks
and JPEG comments; the cleaned copy is the picture alone, turned upright first (the EXIF orientation is
dropped with the rest), saved with none of the original's side information."""
import io
import warnings

from PIL import ExifTags, Image, ImageOps

from .common import METADATA, xml_texts

_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
_XP_TAGS = {0x9C9B, 0x9C9C, 0x9C9D, 0x9C9E, 0x9C9F}  # XPTitle, XPComment, XPAuthor, XPKeywords, XPSubject


def _open(data):
    """The image, fully decoded; a decompression bomb (more pixels than Pillow's limit) is refused."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data))
        image.load()
    return image


def _exif_value(tag, value):
    if tag in _XP_TAGS and isinstance(value, (bytes, tuple)):
        return bytes(value).decode("utf-16-le", errors="replace").rstrip("\x00")
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").strip("\x00")
    return value if isinstance(value, str) else None


def _exif_texts(exif):
    tags = dict(exif)
    for ifd in (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo):
        try:
            tags.update(exif.get_ifd(ifd))
        except Exception:  # noqa: BLE001 — a broken sub-directory hides only itself
            continue
    for tag, value in tags.items():
        text = _exif_value(tag, value)
        if text:
            yield METADATA, f"exif:{ExifTags.TAGS.get(tag, hex(tag))}", text


def read(data, _mime_type=None):
    image = _open(data)
    texts = list(_exif_texts(image.getexif()))
    for key, value in image.info.items():
        if key in ("exif", "icc_profile"):
            continue
        if key in ("xmp", "XML:com.adobe.xmp"):
            raw = value.encode() if isinstance(value, str) else value
            texts.extend((METADATA, "xmp", text) for text in xml_texts(raw))
        elif isinstance(value, (str, bytes)):
            texts.append((METADATA, f"image_info:{key}", _exif_value(None, value) or ""))
    return texts


def strip(data, mime_type):
    image = ImageOps.exif_transpose(_open(data))
    bare = Image.new(image.mode, image.size)
    bare.paste(image)
    if image.mode == "P":
        bare.putpalette(image.getpalette())
    out = io.BytesIO()
    options = {"quality": 92} if mime_type == "image/jpeg" else {}
    if "transparency" in image.info:  # a PNG's transparent colour is part of the picture
        options["transparency"] = image.info["transparency"]
    bare.save(out, format=_FORMATS[mime_type], **options)
    return out.getvalue()
