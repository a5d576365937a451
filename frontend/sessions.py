"""Sessions: kept alive without a write on every request, and signed out everywhere at once.

Django's SESSION_SAVE_EVERY_REQUEST pushes the expiry back by writing the session row on every
page. Here a request pushes it back only when the last push is more than SESSION_REFRESH_SECONDS
old (a stamp kept in the session), so a session still ends SESSION_COOKIE_AGE after its last use,
give or take that interval, and a busy user's pages read the session without writing it.

With Redis, SESSION_ENGINE names this module: Django's cached database sessions (read from the
cache, written through to the database), except that a deleted session (signing out, or the old key
when signing in) leaves the cache first. Django removes the row first and the cached copy after; if
the cache could not be reached at that moment the copy stayed, and would sign the user back in when
Redis returned. Here the sign-out is refused instead (mappa_tracker.cache.CacheUnavailable: a 503
page), and the copy is removed again after the row, in case a request read the row back into the
cache in between.
"""

import time

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware

REFRESHED_KEY = "_refreshed_at"


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.accessed
            and not session.is_empty()
            and response.status_code != 500
        ):
            now = int(time.time())
            if now - session.get(REFRESHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_KEY] = now  # marks the session modified: saved with a new expiry
        return super().process_response(request, response)


class SessionStore(cached_db.SessionStore):
    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        cached = self.cache_key_prefix + session_key
        self._cache.delete(cached)
        DatabaseSessionStore.delete(self, session_key)
        self._cache.delete(cached)
