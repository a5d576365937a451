"""Measure a zip-based upload (XLSX, DOCX) before anything unpacks it.

A zip's central directory states each member's compressed and uncompressed size; reading it costs
a few kilobytes whatever the archive holds. An archive whose members would unpack to more than
UPLOAD_MAX_UNCOMPRESSED_BYTES in total, any member packed more than UPLOAD_MAX_COMPRESSION_RATIO
times, or more than UPLOAD_MAX_ZIP_ENTRIES members, is refused before a parser sees it: that is
what a "zip bomb" (1.3 MB that unzips to 300 MB, or a directory of a million empty members) looks
like, and no real workbook or letter comes near. Every zip-based upload goes through here: XLSX
imports, DOCX evidence, DOCX letters and the zip of letters (`history`), each of whose DOCX
members is checked again when it is read. The stated sizes are also enforced
while reading (zipfile stops at a member's stated size and checks its CRC), so an archive cannot
lie its way past the check.
"""

import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


class ArchiveRefused(Exception):
    """The archive is too large unpacked, or packed suspiciously tightly; the message says which."""


# Members smaller than this are not judged by their ratio (a kilobyte of zeros packs 100:1).
_RATIO_FLOOR_BYTES = 1024 * 1024


def check_archive(
    archive: zipfile.ZipFile, *, max_bytes: int | None = None, max_entries: int | None = None
) -> None:
    """Refuse the archive if it is too large unpacked, too tightly packed or holds too many members.

    `max_bytes` and `max_entries` raise or lower the settings' limits for one kind of upload (a
    zip of many letters may unpack to more than one workbook).
    """
    limit = max_bytes or settings.UPLOAD_MAX_UNCOMPRESSED_BYTES
    ratio = settings.UPLOAD_MAX_COMPRESSION_RATIO
    entries = max_entries or settings.UPLOAD_MAX_ZIP_ENTRIES
    infos = archive.infolist()
    if len(infos) > entries:
        raise ArchiveRefused(
            _("The selected file holds more than %(count)s files, which is more than any real file needs.")
            % {"count": entries}
        )
    total = 0
    for info in infos:
        total += info.file_size
        if total > limit:
            raise ArchiveRefused(
                _(
                    "The selected file would unpack to more than %(size)s, which is more than any real file needs."
                )
                % {"size": filesizeformat(limit)}
            )
        if info.file_size > _RATIO_FLOOR_BYTES and info.file_size > ratio * max(info.compress_size, 1):
            raise ArchiveRefused(
                _(
                    "The selected file is compressed %(ratio)s times, which only a damaged or malicious file is."
                )
                % {"ratio": info.file_size // max(info.compress_size, 1)}
            )


def open_checked(fileobj, **limits) -> zipfile.ZipFile:
    """Open `fileobj` as a zip and check it; raises zipfile.BadZipFile or ArchiveRefused."""
    archive = zipfile.ZipFile(fileobj)
    try:
        check_archive(archive, **limits)
    except ArchiveRefused:
        archive.close()
        raise
    return archive
