"""What a letter is printed on and signed with: the letterhead, the signatory and their signature image.

A draft prints the force's letterhead and the signature as they are now. At sign-off all of it
(office names, address, contacts, footer, reference prefix, the logo's and the signature's files
and SHA-256) is frozen on the version and signed with its text, so a signed letter prints exactly
what the chief officer signed, whatever the letterhead page says later; the frozen image files are
kept, and a render whose files no longer match their hash is refused.

Kept apart from `letters` so that signing off does not import WeasyPrint.
"""

import copy
from dataclasses import dataclass, replace

from django.db.models import Q

from forces.services import holders_on

from .models import Letterhead, ResponseVersion, Signature, current_letterhead_address

# The letterhead's printed words, frozen by name (the address is frozen on its own field as well,
# for versions signed before the rest was).
PRINTED_FIELDS = (
    "office_name",
    "office_name_cy",
    "telephone",
    "email",
    "website",
    "reference_prefix",
    "footer",
    "footer_cy",
    "logo_alt",
)


@dataclass(frozen=True)
class Image:
    """A stored image file printed on a letter, with the hash it must still have."""

    file: str
    content_type: str
    sha256: str

    def as_json(self) -> dict:
        return {"file": self.file, "content_type": self.content_type, "sha256": self.sha256}

    @classmethod
    def from_json(cls, data) -> "Image | None":
        return cls(data["file"], data["content_type"], data["sha256"]) if data else None


@dataclass(frozen=True)
class PrintedLetterhead:
    """The letterhead a letter prints: the force's current one, or the one frozen at sign-off."""

    address: str = ""
    office_name: str = ""
    office_name_cy: str = ""
    telephone: str = ""
    email: str = ""
    website: str = ""
    reference_prefix: str = ""
    footer: str = ""
    footer_cy: str = ""
    logo_alt: str = ""
    logo: Image | None = None
    frozen: bool = False


@dataclass
class Signatory:
    """Who signs the letter: name, title in each language, and their signature image if any."""

    name: str
    title: str
    title_cy: str
    signature: Image | None = None


def _signatory_name(version) -> tuple[str, object]:
    holders = holders_on(version.force, version.letter_date)
    return (version.signatory_name or holders.commissioner_name or "").strip(), holders


def _current_signature(force, name: str) -> Image | None:
    row = Signature.objects.filter(force=force, signatory_name=name).first() if name else None
    return Image(row.file, row.content_type, row.sha256) if row else None


def signatory_for(version) -> Signatory:
    """The person who signs this version's letter.

    The one place the letter asks "who signs?": the version's own signatory fields, filled in from
    the commissioner who held office on the letter's date when the response was started, else that
    office-holder. The signature image is the one frozen at sign-off, else (a draft, or a version
    signed before images were frozen) the one uploaded for that name on the letterhead page.
    """
    name, holders = _signatory_name(version)
    frozen = version.letterhead_frozen if version.is_signed else {}
    signature = (
        Image.from_json(frozen.get("signature")) if frozen else _current_signature(version.force, name)
    )
    return Signatory(
        name=name,
        title=version.signatory_title or holders.commissioner_title,
        title_cy=version.signatory_title_cy,
        signature=signature,
    )


def current_letterhead(force) -> PrintedLetterhead:
    row = Letterhead.objects.filter(force=force).first()
    printed = {name: getattr(row, name) for name in PRINTED_FIELDS} if row else {}
    logo = Image(row.logo, row.logo_content_type, row.logo_sha256) if row and row.logo else None
    return PrintedLetterhead(address=current_letterhead_address(force), logo=logo, **printed)


def printed_letterhead(version) -> PrintedLetterhead:
    """The letterhead this version's letter prints: frozen at sign-off, else the force's current one."""
    frozen = version.letterhead_frozen if version.is_signed else {}
    if not frozen:
        current = current_letterhead(version.force)
        if version.is_signed:  # signed before the rest was frozen: only its address was
            return replace(current, address=version.letterhead_address)
        return current
    printed = {name: frozen.get(name, "") for name in PRINTED_FIELDS}
    return PrintedLetterhead(
        address=frozen.get("address", ""),
        logo=Image.from_json(frozen.get("logo")),
        frozen=True,
        **printed,
    )


def freeze(version) -> None:
    """Freeze the force's letterhead and the signatory's signature onto the version being signed."""
    current = current_letterhead(version.force)
    name, _holders = _signatory_name(version)
    signature = _current_signature(version.force, name)
    # The address is always recorded, even when blank: a snapshot is never empty, so a version signed
    # on a bare letterhead prints a bare letterhead for good.
    snapshot = {"address": current.address}
    snapshot |= {name: getattr(current, name) for name in PRINTED_FIELDS if getattr(current, name)}
    if current.logo:
        snapshot["logo"] = current.logo.as_json()
    if signature:
        snapshot["signature"] = signature.as_json()
    version.letterhead_address = current.address
    version.letterhead_frozen = snapshot


def files_still_signed(force, names) -> set[str]:
    """Of these stored image names, those a signed version of the force still prints."""
    names = [name for name in names if name]
    if not names:
        return set()
    query = Q()
    for name in names:
        query |= Q(letterhead_frozen__logo__file=name) | Q(letterhead_frozen__signature__file=name)
    kept = set()
    for snapshot in (
        ResponseVersion.objects.filter(force=force).filter(query).values_list("letterhead_frozen", flat=True)
    ):
        kept |= {(snapshot.get(part) or {}).get("file") for part in ("logo", "signature")}
    return kept & set(names)


def digest_to_sign(version, sections=None) -> str:
    """The hash a chief officer signs: the text with the letterhead and signature as they are now
    (a signed version: the hash it was signed with). The version itself is not changed."""
    if version.is_signed:
        return version.content_sha256(sections)
    signing = copy.copy(version)
    freeze(signing)
    return signing.content_sha256(sections)
