"""Separation of duties: nobody approves their own work.

A chief officer may not decide an extension they asked for, nor sign off a response version they
wrote or edited: another chief officer of the force (or one delegated to it) must. The services
call these checks, so the pages and the API refuse alike, with a message that says who can act.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def check_not_own_extension(extension, user) -> None:
    if extension.requested_by_id is not None and extension.requested_by_id == getattr(user, "pk", None):
        raise ValidationError(
            _("You asked for this extension, so another chief officer of the force must decide it."),
            code="own_request",
        )


def check_not_editor(version, user) -> None:
    if getattr(user, "pk", None) in set(version.editor_ids or []):
        raise ValidationError(
            _("You edited this version, so another chief officer of the force must sign it off."),
            code="own_edit",
        )


def note_editor(version, user) -> None:
    """Remember who changed a version's text (called before the version is saved)."""
    pk = getattr(user, "pk", None)
    if pk is not None and pk not in (version.editor_ids or []):
        version.editor_ids = [*(version.editor_ids or []), pk]
