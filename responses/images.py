"""Logos and signatures for letters: PNG or SVG only, checked within bounds, SVG sanitised.

An upload is trusted for nothing. A PNG must really be one (Pillow reads its header, never more
than the size limit of bytes, and the pixel count is checked before any pixel is decoded); an
SVG is parsed with defusedxml (no entities, no DTD tricks) and refused if it holds a script, an
event handler, a reference to anything outside itself (href, url(), @import) or embedded
foreign content. What is stored is the parsed tree written out again, so comments and
processing instructions are gone. Files are stored under MEDIA_ROOT like evidence files, in a
per-force folder with a random name, and are read only by the letter renderer.
"""

import hashlib
import io
import os
import re
import struct
import uuid
import xml.etree.ElementTree as ET  # noqa: S405 - only to write out a tree defusedxml has parsed
from dataclasses import dataclass

from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from recommendations.evidence import evidence_storage

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Elements that run code, embed other documents or load resources.
_FORBIDDEN_ELEMENTS = {
    "script",
    "foreignobject",
    "iframe",
    "object",
    "embed",
    "audio",
    "video",
    "handler",
    "listener",
    "image",  # an <image> always loads a file or a data: URL: a logo is drawn, not embedded
    "use",  # only a same-document <use href="#..."> would be safe; refused for simplicity
    "feimage",
}
_URL_IN_CSS = re.compile(r"url\s*\(\s*(?![\"']?#)|@import|expression\s*\(|javascript:", re.I)
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px|pt|mm|cm|in)?\s*$")
_UNIT_PX = {None: 1, "px": 1, "pt": 4 / 3, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96}


@dataclass(frozen=True)
class CheckedImage:
    content: bytes
    extension: str
    content_type: str
    width: int
    height: int


def _too_large(name):
    return ValidationError(
        _("%(name)s must be smaller than %(limit)s")
        % {"name": name, "limit": filesizeformat(settings.LETTER_IMAGE_MAX_BYTES)},
        code="size",
    )


def _too_many_pixels(name, width, height):
    limit = settings.LETTER_IMAGE_MAX_SIDE
    return ValidationError(
        _("%(name)s is %(width)s × %(height)s pixels: it must be at most %(limit)s pixels on each side")
        % {"name": name, "width": width, "height": height, "limit": limit},
        code="dimensions",
    )


def _not_image(name):
    return ValidationError(
        _("%(name)s must be a PNG or SVG image") % {"name": name},
        code="type",
    )


def check_image(upload) -> CheckedImage:
    """Refuse anything but a small, real PNG or a safe SVG; return the bytes to store."""
    name = os.path.basename(getattr(upload, "name", "") or "")
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if extension not in ("png", "svg"):
        raise _not_image(name)
    if not upload.size:
        raise ValidationError(_("%(name)s is empty") % {"name": name}, code="empty")
    if upload.size > settings.LETTER_IMAGE_MAX_BYTES:
        raise _too_large(name)
    upload.seek(0)
    data = upload.read(settings.LETTER_IMAGE_MAX_BYTES + 1)
    upload.seek(0)
    if len(data) > settings.LETTER_IMAGE_MAX_BYTES:
        raise _too_large(name)
    if extension == "png":
        return _check_png(name, data)
    return _check_svg(name, data)


def _check_png(name, data: bytes) -> CheckedImage:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationError(
            _("%(name)s is not a real .%(ext)s file: its content does not match its name")
            % {"name": name, "ext": "png"},
            code="content",
        )
    # The dimensions from the IHDR chunk, before Pillow sees the file: a pixel bomb is refused by
    # its header alone, never decoded.
    if len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        if max(width, height) > settings.LETTER_IMAGE_MAX_SIDE:
            raise _too_many_pixels(name, width, height)
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only
            width, height = image.size
            if image.format != "PNG":
                raise _not_image(name)
            if max(width, height) > settings.LETTER_IMAGE_MAX_SIDE:
                raise _too_many_pixels(name, width, height)
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # decodes within the checked bounds: a truncated file fails here
    except ValidationError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("%(name)s could not be read as a PNG image") % {"name": name}, code="content"
        ) from exc
    return CheckedImage(data, "png", "image/png", width, height)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _svg_length(value) -> float | None:
    if value is None:
        return None
    match = _LENGTH.match(value)
    if not match:
        return None
    return float(match.group(1)) * _UNIT_PX[match.group(2)]


def _unsafe_svg(name, what):
    return ValidationError(
        _("%(name)s cannot be used: the SVG contains %(what)s") % {"name": name, "what": what},
        code="unsafe",
    )


def _check_svg(name, data: bytes) -> CheckedImage:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except Exception as exc:  # defusedxml's refusals and XML syntax errors alike
        raise ValidationError(
            _("%(name)s could not be read as an SVG image") % {"name": name}, code="content"
        ) from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise _not_image(name)
    for element in root.iter():
        local = _local(element.tag)
        if local in _FORBIDDEN_ELEMENTS:
            raise _unsafe_svg(name, _("a <%(element)s> element") % {"element": local})
        if local == "style" and element.text and _URL_IN_CSS.search(element.text):
            raise _unsafe_svg(name, _("a reference to another file"))
        for attribute, value in element.attrib.items():
            attr = _local(attribute)
            if attr.startswith("on"):
                raise _unsafe_svg(name, _("an event handler (%(attribute)s)") % {"attribute": attr})
            if attr == "href" and not value.strip().startswith("#"):
                raise _unsafe_svg(name, _("a reference to another file"))
            if _URL_IN_CSS.search(value) or value.strip().lower().startswith(("javascript:", "data:")):
                raise _unsafe_svg(name, _("a reference to another file"))
    width, height = _svg_size(root)
    if max(width, height) > settings.LETTER_IMAGE_MAX_SIDE:
        raise _too_many_pixels(name, int(width), int(height))
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    content = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return CheckedImage(content, "svg", "image/svg+xml", int(width), int(height))


def _svg_size(root) -> tuple[float, float]:
    width, height = _svg_length(root.get("width")), _svg_length(root.get("height"))
    if width is None or height is None:
        box = (root.get("viewBox") or "").replace(",", " ").split()
        try:
            box_w, box_h = float(box[2]), float(box[3])
        except (IndexError, ValueError):
            box_w = box_h = 0.0
        width = width if width is not None else box_w
        height = height if height is not None else box_h
    return width, height


def store_image(force, folder: str, checked: CheckedImage) -> tuple[str, str]:
    """Write the checked bytes under a random name; return (storage name, sha256)."""
    from django.core.files.base import ContentFile

    name = evidence_storage().save(
        f"{folder}/{force.slug}/{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.content)
    )
    return name, hashlib.sha256(checked.content).hexdigest()
