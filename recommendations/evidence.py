"""Evidence files: what may be uploaded, how its content is checked, where it is kept.

An upload is trusted for nothing: the extension must be on the list, the bytes must be what the
extension claims (a PNG renamed .pdf or a program renamed .txt is refused), and the file is
stored under MEDIA_ROOT (outside the web root) in a per-force folder with a random name. Files
are served only by `recommendations.views.AttachmentDownloadView`, inside the force's scope.
"""

import codecs
import contextlib
import hashlib
import os
import uuid
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension -> content type served back (always as a download).
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain",
}
# Office Open XML files are zip archives with these members.
_OOXML_MEMBERS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
_SNIFFED = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}
_TEXT_SAMPLE = 64 * 1024


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    original_name: str
    content_type: str
    size: int


def evidence_storage() -> FileSystemStorage:
    # Built on each call so that a changed MEDIA_ROOT (tests, settings) is honoured.
    return FileSystemStorage(location=settings.MEDIA_ROOT, base_url=None)


def allowed_types_phrase() -> str:
    return "PDF, DOCX, XLSX, CSV, PNG, JPEG, TXT"


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def _head(upload, size: int) -> bytes:
    upload.seek(0)
    data = upload.read(size)
    upload.seek(0)
    return data


def _is_text(upload) -> bool:
    sample = _head(upload, _TEXT_SAMPLE)
    if b"\x00" in sample or filetype.guess(sample) is not None:
        return False
    try:
        # Incremental: a multi-byte character cut at the end of the sample is not a reason to refuse.
        codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=len(sample) < _TEXT_SAMPLE)
        return True
    except UnicodeDecodeError:
        pass
    # Spreadsheets saved on Windows are often cp1252: accept it if no control characters appear.
    text = sample.decode("cp1252", errors="replace")
    return "\ufffd" not in text and not any(ord(c) < 32 and c not in "\t\r\n\f" for c in text)


def _is_ooxml(upload, member: str) -> bool:
    upload.seek(0)
    from spreadsheets.zipguard import ArchiveRefused, open_checked

    try:
        # Measured before anything is unpacked: a zip bomb named .docx is refused here.
        with open_checked(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, ArchiveRefused):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and member in names


def check_evidence(upload) -> CheckedFile:
    """Refuse an upload that is too big, of a type not allowed, or whose bytes lie about its type."""
    name = os.path.basename(upload.name or "")
    ext = _extension(name)
    if ext not in ALLOWED_TYPES:
        raise ValidationError(
            _("%(name)s must be a %(types)s file") % {"name": name, "types": allowed_types_phrase()},
            code="type",
        )
    if upload.size == 0:
        raise ValidationError(_("%(name)s is empty") % {"name": name}, code="empty")
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("%(name)s must be smaller than %(limit)s")
            % {"name": name, "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)},
            code="size",
        )
    if ext in _SNIFFED:
        kind = filetype.guess(_head(upload, 8192))
        ok = kind is not None and kind.mime == _SNIFFED[ext]
    elif ext in _OOXML_MEMBERS:
        ok = _is_ooxml(upload, _OOXML_MEMBERS[ext])
    else:
        ok = _is_text(upload)
    if not ok:
        raise ValidationError(
            _("%(name)s is not a real .%(ext)s file: its content does not match its name")
            % {"name": name, "ext": ext},
            code="content",
        )
    return CheckedFile(
        upload=upload, original_name=name[:255], content_type=ALLOWED_TYPES[ext], size=upload.size
    )


def store(force, checked: CheckedFile) -> tuple[str, str]:
    """Write the file under a random name in the force's folder; return (storage name, sha256)."""
    digest = hashlib.sha256()
    upload = checked.upload
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    ext = _extension(checked.original_name)
    name = evidence_storage().save(f"evidence/{force.slug}/{uuid.uuid4().hex}.{ext}", upload)
    return name, digest.hexdigest()


def remove(names) -> None:
    storage = evidence_storage()
    for name in names:
        with contextlib.suppress(OSError):
            storage.delete(name)
