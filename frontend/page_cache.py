"""Serve repeat reads of the busiest pages from the cache, never a stale or another's page.

What is cached: the whole response of a GET to one of PAGES (a force's work pages, the record page,
the API record list and the national team's pages, each of which is still written in the access
log when it comes from the cache) for the session that asked for it: keyed on everything in its session
(the user, their password hash, two-factor device and language), the host, the exact URL (query
string and page number included), the Accept header and the day it was drawn (overdue and "no
update for N days" depend on the date). With Redis (REDIS_URL) the cache is shared by every
gunicorn worker; without it the page cache is off by default (settings.PAGE_CACHE_SECONDS).

When it is dropped: every cached page carries the *data version* it was drawn under, a random
token that any write to the database replaces, and is served only while that token is current.
Writes are seen where they happen, on the database connection (an execute wrapper on every
connection of every process: web, worker, management command), so no writer can forget to say so,
whether it saves, bulk-creates, updates a queryset or runs SQL. The token is replaced at the write
(so a page drawn during the transaction is never filed under the new token) and again when the
transaction commits (so a page drawn from the old rows while it was open is dropped too); a write
outside a transaction commits at once, and the token is replaced again as soon as it has. Only the
tables that reads themselves write (the session row, sign-in attempts, the national access log) do
not count. One token for all forces rather than one per force: a write anywhere empties every
force's cached pages, which costs hit rate, not truth. The pages also expire after
PAGE_CACHE_SECONDS (a new release's templates show within that time).

Tenancy: see PageCacheMiddleware. CSRF tokens in cached forms are stored as a placeholder and filled
in per request; a page is never stored or served while a message waits to be shown.
"""

import hashlib
import logging
import re
import uuid

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils import timezone

from mappa_tracker.cache import CacheUnavailable

from .sessions import REFRESHED_KEY

logger = logging.getLogger(__name__)

VERSION_KEY = "page-cache:data-version"
# Named URLs whose GET responses are cached.
PAGES = frozenset(
    {
        "forces:overview",
        "recommendations:home",
        "recommendations:record-list",
        "recommendations:inspection-list",
        "recommendations:record-detail",
        "audit:record-history",
        "responses:list",
        "responses:detail",
        "api:record-list",
        # The national team's pages. Each look across forces is written down (national.AccessLog),
        # so the view class says who may have its page stored and writes the same entry for a page
        # served from the cache as its view does (see NationalView).
        "national:dashboard",
        "national:compare",
        "national:force-answers",
        "national:search",
        "national:pack",
        "national:force-pack",
    }
)
# Tables written by reading itself (the session's expiry, sign-in attempts, who looked at the
# national pages): not changes of what a page shows.
READ_PATH_TABLES = ("django_session", "axes_", "national_accesslog")
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)', re.IGNORECASE)
# Statements that change no row. Anything else that is not a plain INSERT, UPDATE or DELETE of a
# read-path table (a CTE that writes, TRUNCATE, COPY, DDL, a statement not recognised) counts as a
# write: when unsure, drop the cache.
READ_STATEMENTS = frozenset(
    {"SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET", "SHOW", "EXPLAIN", "PRAGMA"}
)
CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = "\x00csrf\x00"
MESSAGES_SESSION_KEY = SessionStorage.session_key
MESSAGES_COOKIE = CookieStorage.cookie_name


def data_version() -> str | None:
    """The current token, made on first use; None while the cache cannot be reached."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def bump_data_version() -> None:
    """Retire the current token: the next reader makes a new one. A removal, so it is refused
    (mappa_tracker.cache.CacheUnavailable) rather than lost while Redis cannot be reached: a write
    whose token could not be replaced is not made, and no page drawn before it outlives it."""
    cache.delete(VERSION_KEY)


def _bump_after_commit() -> None:
    # The change is committed: a cache that went away meanwhile cannot undo it, so say so in the
    # log instead of failing the request that made it (its pages expire after PAGE_CACHE_SECONDS).
    try:
        bump_data_version()
    except CacheUnavailable:
        logger.exception("The data version could not be replaced after a commit.")


def _is_write(sql) -> bool:
    text = sql if isinstance(sql, str) else str(sql)
    first = text.lstrip(" \t\r\n(").split(None, 1)[0].upper() if text.strip() else "SELECT"
    if first in READ_STATEMENTS:
        return False
    match = WRITE.match(text)
    return not (match and match.group(1).lower().startswith(READ_PATH_TABLES))


def _watch_writes(execute, sql, params, many, context):
    if not _is_write(sql):
        return execute(sql, params, many, context)
    bump_data_version()
    connection = context["connection"]
    if not connection.in_atomic_block:
        # Autocommit: the statement is its own transaction and commits as it returns. A page that
        # read the token just replaced, then its rows before this statement committed, would
        # otherwise be filed under a token that stays current; replacing it again drops that page.
        try:
            return execute(sql, params, many, context)
        finally:
            _bump_after_commit()
    if not any(func is _bump_after_commit for _, func, _ in connection.run_on_commit):
        transaction.on_commit(_bump_after_commit, using=connection.alias)
    return execute(sql, params, many, context)


def watch_connection(sender, connection, **kwargs):
    # First in the list, not last: connection.execute_wrapper() pops the last entry when its block
    # ends, and a connection first opened inside such a block must not lose its watcher to it.
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch_writes)


def install() -> None:
    """Watch the writes of every database connection of this process (called from app ready)."""
    connection_created.connect(watch_connection, dispatch_uid="page_cache.watch_connection")
    for connection in connections.all(initialized_only=True):
        watch_connection(None, connection)


def _session_state(request):
    """Everything in the session a page can depend on (who, how verified, which language), bar the
    expiry stamp; None when there is no signed-in user or a message waits to be shown."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session or MESSAGES_SESSION_KEY in session:
        return None
    if request.COOKIES.get(MESSAGES_COOKIE):
        return None
    return repr(sorted((k, repr(v)) for k, v in session.items() if k != REFRESHED_KEY))


def _page_key(request, session_state: str) -> str:
    parts = [
        str(timezone.localdate()),
        session_state,
        request.get_host(),
        request.scheme,
        request.get_full_path(),
        request.headers.get("Accept", ""),
    ]
    return "page-cache:page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class PageCacheMiddleware:
    """Answer a repeat GET of a cached page without running the layers under it or its view.

    It sits under the session and CSRF layers and over authentication, so a hit costs no query at
    all. That is sound because a page is only *stored* after every layer under it ran (the user was
    signed in and active, passed two-factor, and ForceScopeMiddleware found they may read the
    force), it is keyed on the whole session (the user, their password hash, their two-factor
    device, their language) and it is only served while the data version it was drawn under is
    current: whatever could change the outcome of those checks (deactivating the user, a change of
    role or membership, a new password, a removed device) is a write, which replaces the version.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = self._key(request)
        if key is None:
            return self.get_response(request)
        # One round trip for the data version and the page, which carries the version it was
        # drawn under: a page drawn before the latest write is never served.
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY) or data_version()
        if version is None:  # the cache cannot be reached: draw the page, keep nothing
            return self.get_response(request)
        stored = found.get(key)
        if stored is not None and stored[0] == version:
            _, status, headers, body = stored
            replayed = getattr(request.page_cache_view, "page_cache_served", None)
            if replayed is not None:
                replayed(request)
            if CSRF_PLACEHOLDER.encode() in body:
                body = body.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
            response = HttpResponse(body, status=status)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if self._storable(request, response):
            body = CSRF_INPUT.sub(
                lambda m: m.group(1) + CSRF_PLACEHOLDER + m.group(2), response.content.decode()
            ).encode()
            stored = (version, response.status_code, list(response.items()), body)
            cache.set(key, stored, settings.PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def _key(request):
        if settings.PAGE_CACHE_SECONDS <= 0 or request.method != "GET":
            return None
        if "Authorization" in request.headers:  # an API token speaks for its user, not the session
            return None
        session_state = _session_state(request)
        if session_state is None:
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name not in PAGES:
            return None
        request.page_cache_view = getattr(match.func, "view_class", None)
        request.page_cache_kwargs = match.kwargs
        return _page_key(request, session_state)

    @staticmethod
    def _storable(request, response) -> bool:
        # A view class may say who may have its page stored (the national pages: the national
        # team); the force pages: whoever ForceScopeMiddleware found may read the force.
        allows = getattr(request.page_cache_view, "page_cache_allows", None)
        if allows is not None:
            allowed = allows(request)
        else:
            access = getattr(request, "force_access", None)
            allowed = access is not None and access.can_read
        user = getattr(request, "user", None)
        return (
            allowed
            and user is not None
            and user.is_authenticated
            and str(user.pk) == str(request.session.get(SESSION_KEY))
            and not getattr(request, "_messages", None)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "no-store" not in response.get("Cache-Control", "")
            and response.get("Content-Type", "").startswith(("text/html", "application/json"))
        )
