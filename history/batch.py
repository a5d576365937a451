"""Many letters at once: the letters in a zip, read safely, and the force each one is from.

Only the pure parts are here: which members of a zip are letters (refusing paths that climb out,
absolute paths, links, too many members, too much unpacked data) and which force a letter's text
names (by the force's name or its commissioner's). Each letter then goes through the same reading
and preview as a single upload.
"""

import io
import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .reading import UnreadableDocument

LETTER_EXTENSIONS = {"pdf", "docx", "html", "htm", "txt"}
MAX_MEMBERS = 200
MAX_UNPACKED = 200 * 1024 * 1024
MAX_LETTER = 20 * 1024 * 1024


@dataclass(frozen=True)
class Letter:
    name: str
    kind: str
    data: bytes


def letters_in_zip(data: bytes) -> list[Letter]:
    """The letters in the zip; refuses the whole zip if any member is unsafe."""
    from spreadsheets.zipguard import ArchiveRefused, check_archive

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UnreadableDocument(_("The zip file is damaged and cannot be read.")) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise UnreadableDocument(_("The zip holds more than %(n)s files.") % {"n": MAX_MEMBERS})
        if sum(info.file_size for info in infos) > MAX_UNPACKED:
            raise UnreadableDocument(_("The zip unpacks to far more than its size: it was refused."))
        try:
            # The compression ratio of each member too; a DOCX member (a zip itself) is checked
            # again when it is read (reading.lines_from_docx), so a zip of zips unpacks no bomb.
            check_archive(archive, max_bytes=MAX_UNPACKED, max_entries=MAX_MEMBERS)
        except ArchiveRefused as exc:
            raise UnreadableDocument(str(exc)) from exc
        letters = []
        for info in infos:
            name = info.filename.replace("\\", "/")
            parts = name.split("/")
            if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
                raise UnreadableDocument(
                    _("The zip holds a file whose path leaves the folder (%(name)s): it was refused.")
                    % {"name": name[:100]}
                )
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UnreadableDocument(
                    _("The zip holds a link (%(name)s): it was refused.") % {"name": name[:100]}
                )
            if info.is_dir() or parts[0] == "__MACOSX" or posixpath.basename(name).startswith("."):
                continue
            ext = posixpath.splitext(name)[1].lower().lstrip(".")
            if ext not in LETTER_EXTENSIONS:
                continue
            if info.file_size > MAX_LETTER:
                raise UnreadableDocument(_("%(name)s in the zip is too large.") % {"name": name[:100]})
            letters.append(
                Letter(posixpath.basename(name), "html" if ext == "htm" else ext, archive.read(info))
            )
    return letters


def forces_named(text: str, forces) -> list:
    """The forces whose name, or whose commissioner's name, the text gives."""
    text = text.replace("&", "and")  # "AVON & SOMERSET PCC"
    found = []
    for force in forces:
        names = [*force.names, force.commissioner_name]
        short = re.sub(r"\s+(police|constabulary)$", "", force.name, flags=re.I)
        names.append(short)
        if any(n and re.search(rf"\b{re.escape(n)}\b", text, re.I) for n in names):
            found.append(force)
    return found
