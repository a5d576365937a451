"""The client's address, as far as the service's own reverse proxies can vouch for it.

One helper for everything that counts by address: the sign-in lock-out (django-axes, through
AXES_CLIENT_IP_CALLABLE) and the password reset limit. Behind TRUSTED_PROXY_COUNT reverse proxies
(0: the app faces clients directly) each proxy appends the address it saw to X-Forwarded-For, so
the client is the entry that many places from its end. Entries further left are whatever the client
chose to send and are never trusted; a header shorter than the chain, or an entry that is not an
address, falls back to REMOTE_ADDR (the nearest proxy) rather than to anything the client wrote.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
