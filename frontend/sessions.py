"""Keep a signed-in session alive without writing it on every request.

Django's SESSION_SAVE_EVERY_REQUEST pushes the expiry back by writing the session row on every
page. Here a request pushes it back only when the last push is more than SESSION_REFRESH_SECONDS
old (a stamp kept in the session), so a session still ends SESSION_COOKIE_AGE after its last use,
give or take that interval, and a busy user's pages read the session without writing it.
"""

import time

from django.conf import settings
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
