"""The API's own writes: a user's API token (records, owners and responses are their apps' services)."""

from django.db import transaction
from rest_framework.authtoken.models import Token


@transaction.atomic
def issue_token(user) -> Token:
    """A new token for `user`; the old one stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def revoke_token(user) -> bool:
    """Revoke `user`'s token, if any: programs using it stop signing in at once. True if there was one."""
    return Token.objects.filter(user=user).delete()[0] > 0
