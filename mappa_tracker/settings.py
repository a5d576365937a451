"""Settings for MAPPA Tracker, read from the environment (12-factor).

With nothing set, the app runs on a SQLite file and a Celery broker on the file system, so a
newcomer needs only Python and Node. DATABASE_URL and REDIS_URL switch it to PostgreSQL and Redis.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from .env import env_bool, env_int, env_int_list, env_list, env_str

# Paths and secrets -------------------------------------------------------------------------

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MAPPA_VAR_DIR", str(BASE_DIR / "var")))

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 - refused below unless DEBUG
DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: with DEBUG off the app refuses the development key. "
        "Set SECRET_KEY to a long random string, or DEBUG=1 for local development."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Applications ------------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "guardian",
    "import_export",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files (no CDN)
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Project apps, cut by domain.
    "frontend",
    "accounts",
    "forces",
    "recommendations",
    "responses",
    "reminders",
    "national",
    "spreadsheets",
    "api",
    "outbox",
    "audit",
    "history",
]

# The order matters: a request id first, so every later layer (and every history row) can log it;
# JSON errors for /api/ wrap everything below the static files; API tokens are resolved before the
# sign-in requirement; two-factor is enforced right after the OTP check of a password sign-in; the
# force scope is entered last, once the user is known.
MIDDLEWARE = [
    "audit.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "api.errors.ApiJsonErrorsMiddleware",
    "csp.middleware.CSPMiddleware",
    # The service's own 404/500 pages even with DEBUG on (Django's technical pages for superusers),
    # high in the list so an exception in any middleware under it (sessions, language, CSRF,
    # sign-in, two-factor, scoping) still gets them; under CSP so those pages keep its header.
    "frontend.errors.ServiceErrorPagesMiddleware",
    "frontend.sessions.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # A repeat read of a cached force page is answered here, before the user is even loaded: it
    # was stored only after every layer below let it through, and only while nothing was written.
    "frontend.page_cache.PageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "api.authentication.ApiTokenMiddleware",
    "accounts.middleware.DeactivatedAccountMiddleware",  # says why a deactivated user's session or token fails
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "forces.middleware.ForceScopeMiddleware",
]

ROOT_URLCONF = "mappa_tracker.urls"
WSGI_APPLICATION = "mappa_tracker.wsgi.application"
ASGI_APPLICATION = "mappa_tracker.asgi.application"
CSRF_FAILURE_VIEW = "frontend.views.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "forces.context_processors.tenancy",
                "accounts.context_processors.people",
            ],
        },
    },
]
# Django's widget templates, with plain inputs, textareas and selects drawn in Python (frontend.renderers).
FORM_RENDERER = "frontend.renderers.FastWidgetRenderer"

# Database ----------------------------------------------------------------------------------
# A SQLite file under VAR_DIR by default (the folder is made at start-up, see
# mappa_tracker.startup); DATABASE_URL (postgres://...) for PostgreSQL.
_database_url = env_str("DATABASE_URL")
if _database_url:
    try:
        DATABASES = {
            "default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
        }
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL ({exc}): use e.g. postgres://user:password@host:5432/name."
        ) from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "mappa.sqlite3",
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# Accounts, sign-in and sessions ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on through a force's own OpenID Connect provider (accounts.oidc); it answers
    # only the callback's authenticate() call, never a username and password.
    "accounts.oidc.ForceOIDCBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60)  # reset links last one hour
# Password reset e-mails: at most this many an hour per address, and per client address.
PASSWORD_RESET_PER_EMAIL_PER_HOUR = env_int("PASSWORD_RESET_PER_EMAIL_PER_HOUR", 3)
PASSWORD_RESET_PER_IP_PER_HOUR = env_int("PASSWORD_RESET_PER_IP_PER_HOUR", 20)
ANONYMOUS_USER_NAME = None  # guardian: anonymous users get no object permissions
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "demo-pass-2022")
# An invitation's link works once, for this many days; sending it again makes a new link.
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)
# OpenID Connect (mozilla-django-oidc, one provider per force in accounts.IdentityProvider):
# the authorisation-code flow with PKCE, a nonce, and at most this many seconds for each call to
# the provider. OIDC_VERIFY_SSL is only ever turned off for a provider on loopback in tests.
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_RP_SCOPES = "openid email profile"
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_VERIFY_SSL = env_bool("OIDC_VERIFY_SSL", True)
OIDC_CREATE_USER = False

# Sessions expire after inactivity. The expiry is pushed back when a signed-in request comes more
# than SESSION_REFRESH_SECONDS after the last push (frontend.sessions), not on every request, which
# wrote the session row on every page. Sessions stay server-side (revocable); with Redis they are
# read from the cache and written through to the database (cached_db).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lock-out after repeated failures (django-axes), shown on a GOV.UK page instead of plain text.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hour
# The account is locked from the address it was attacked from, together: not every user behind that
# address (behind a reverse proxy that is everybody) and not the account everywhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_LOCKOUT_CALLABLE = None
# How many reverse proxies of the service's own stand in front of the app (each appends to
# X-Forwarded-For); 0 when clients reach it directly. The lock-out and the reset limit both read
# the client's address through accounts.client_ip, which trusts exactly that many.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"

# Two-factor (django-otp) is required for chief officers, the national team and administrators,
# except for demo users while DEBUG is on so that the quick start works.
OTP_REQUIRED = env_bool("OTP_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = "MAPPA Tracker"

# Languages and time ------------------------------------------------------------------------
LANGUAGES = [("en", _("English")), ("cy", _("Welsh"))]
LANGUAGE_CODE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files, evidence and uploads --------------------------------------------------------
STATIC_URL = "/static/"
# The image builds static files into a folder of its own (STATIC_ROOT), so that the private-files
# volume mounted on var/ cannot hide the manifest (staticfiles.json) of a newer build.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "mappa_tracker.storage.StaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Source maps are fetched only by a developer's browser tools: whitenoise serves them as they are
# rather than spending the build compressing them (a fifth of the build's time).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
# Pages, stylesheets and the API docs name static files by their hashed names only (the manifest),
# so the unhashed copies are left out: half the files to compress at build time and to ship.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
# Evidence files and rendered letters live outside the web root and are served only through views
# that check the user's force.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "private")))
MEDIA_URL = None
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
# A published response to import (PDF, Word, HTML, text): refused above this size.
HISTORY_MAX_BYTES = env_int("HISTORY_MAX_BYTES", 20 * 1024 * 1024)
# An administrator's zip of published responses for one inspection (each letter inside is held to
# HISTORY_MAX_BYTES's sibling limits in history.batch: members, unpacked size, per-letter size).
HISTORY_BATCH_MAX_BYTES = env_int("HISTORY_BATCH_MAX_BYTES", 100 * 1024 * 1024)
# Reading a zip of up to 200 letters (about a second each as PDF) is stopped after this many seconds.
HISTORY_BATCH_SOFT_TIME_LIMIT = env_int("HISTORY_BATCH_SOFT_TIME_LIMIT", 1200)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Spreadsheet import and export; imports with more rows than SPREADSHEET_ASYNC_ROWS are checked
# and applied in a Celery task, with progress shown.
SPREADSHEET_MAX_BYTES = env_int("SPREADSHEET_MAX_BYTES", 5 * 1024 * 1024)
SPREADSHEET_MAX_ROWS = env_int("SPREADSHEET_MAX_ROWS", 5000)
SPREADSHEET_ASYNC_ROWS = env_int("SPREADSHEET_ASYNC_ROWS", 200)
SPREADSHEET_MAX_COLUMNS = env_int("SPREADSHEET_MAX_COLUMNS", 50)
# Zip-based files (XLSX, DOCX) are measured before they are opened: a small file that unzips to
# hundreds of megabytes is refused unread.
UPLOAD_MAX_UNCOMPRESSED_BYTES = env_int("UPLOAD_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
UPLOAD_MAX_COMPRESSION_RATIO = env_int("UPLOAD_MAX_COMPRESSION_RATIO", 100)
UPLOAD_MAX_ZIP_ENTRIES = env_int("UPLOAD_MAX_ZIP_ENTRIES", 2000)
# An import task is stopped after this many seconds and refused address space beyond this many
# bytes (the worker child's limit, set while the task runs).
IMPORT_TASK_SOFT_TIME_LIMIT = env_int("IMPORT_TASK_SOFT_TIME_LIMIT", 300)
IMPORT_TASK_TIME_LIMIT = env_int("IMPORT_TASK_TIME_LIMIT", 330)
IMPORT_TASK_MAX_MEMORY_BYTES = env_int("IMPORT_TASK_MAX_MEMORY_BYTES", 1024 * 1024 * 1024)

# E-mail ------------------------------------------------------------------------------------
# A file per message under var/mail by default, so a newcomer can read what was sent.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "MAPPA Tracker <no-reply@mappa-tracker.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery ------------------------------------------------------------------------------------
# Redis when REDIS_URL (or CELERY_BROKER_URL) is set, else a broker on the file system whose
# folders are made at start-up (mappa_tracker.startup).
REDIS_URL = env_str("REDIS_URL")
# The cache: Redis when REDIS_URL is set (shared by every gunicorn worker, so a change seen by one
# is seen by all), else local memory (one process, development). Keys carry the database's name,
# so two databases sharing one Redis never read each other's entries.
CACHES = {
    "default": (
        {
            # Django's Redis cache, sharing one client per connection pool, reading from the
            # database and refusing changes while Redis cannot be reached (mappa_tracker.cache).
            "BACKEND": "mappa_tracker.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"mappa:{DATABASES['default']['NAME']}",
            # An unreachable Redis costs a page a second at most, not the system's TCP timeout.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "mappa"}
    )
}
if REDIS_URL:
    # Django's cached database sessions, a sign-out removing the cached copy first (frontend.sessions).
    SESSION_ENGINE = "frontend.sessions"
# Repeat reads of the force pages come from the cache for this many seconds at most, and never
# after any write (frontend.page_cache); 0 turns it off. Only with Redis by default: a write in one
# process (another gunicorn worker, a Celery worker) must drop the pages every process serves.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300 if REDIS_URL else 0)
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL) or "filesystem://"
if not CELERY_BROKER_URL.startswith(("redis://", "rediss://", "filesystem://", "memory://", "amqp://")):
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL/REDIS_URL {CELERY_BROKER_URL!r} is not a broker URL: use e.g. redis://127.0.0.1:6379/0."
    )
CELERY_BROKER_FOLDER = VAR_DIR / "celery-broker"
if CELERY_BROKER_URL == "filesystem://":
    # The worker's control messages (pidbox) would otherwise land in a control/ folder in the cwd.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
    }
else:
    # Redis gives an unacknowledged task to another worker after this (derived below); the
    # stuck-work sweep acts sooner for imports and letter renders.
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
# Hard time limits (seconds). The tasks that need longer name their own (imports, history
# readings, letter and pack renders); every other task is killed at CELERY_TASK_TIME_LIMIT.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
LETTER_RENDER_SOFT_TIME_LIMIT = env_int("LETTER_RENDER_SOFT_TIME_LIMIT", 120)
LETTER_RENDER_TIME_LIMIT = env_int("LETTER_RENDER_TIME_LIMIT", 150)
NATIONAL_PACK_SOFT_TIME_LIMIT = env_int("NATIONAL_PACK_SOFT_TIME_LIMIT", 240)
NATIONAL_PACK_TIME_LIMIT = env_int("NATIONAL_PACK_TIME_LIMIT", 270)
TASK_HARD_TIME_LIMITS = (
    CELERY_TASK_TIME_LIMIT,
    IMPORT_TASK_TIME_LIMIT,
    HISTORY_BATCH_SOFT_TIME_LIMIT + 60,
    LETTER_RENDER_TIME_LIMIT,
    NATIONAL_PACK_TIME_LIMIT,
)
# Longer than any task may run: a message is handed to a second worker only when the first is
# certainly dead, never while it may still be working (tests/test_stuck_work.py checks every task).
LONGEST_TASK_SECONDS = max(TASK_HARD_TIME_LIMITS)
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", LONGEST_TASK_SECONDS + 300)
if CELERY_VISIBILITY_TIMEOUT <= LONGEST_TASK_SECONDS:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT ({CELERY_VISIBILITY_TIMEOUT} s) must be longer than the longest task "
        f"time limit ({LONGEST_TASK_SECONDS} s), or a running task would be given to a second worker."
    )
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = CELERY_VISIBILITY_TIMEOUT
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another worker
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker child that grew past this (KiB) is replaced after its task.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 512 * 1024)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The reminders sweep runs hourly: the ledger makes repeats harmless, and hourly runs mean a
# machine that was off at a given hour still sends the day's milestones.
CELERY_BEAT_SCHEDULE: dict = {
    "outbox-flush": {"task": "outbox.flush", "schedule": 60.0},
    "reminders-sweep": {"task": "reminders.sweep", "schedule": env_int("REMINDER_SWEEP_EVERY_SECONDS", 3600)},
    # Imports and renders a dead worker left behind are started again once, then marked failed.
    "stuck-work-sweep": {
        "task": "spreadsheets.requeue_stuck_work",
        "schedule": env_int("STUCK_WORK_SWEEP_EVERY_SECONDS", 60),
    },
}
STUCK_WORK_AFTER_SECONDS = env_int("STUCK_WORK_AFTER_SECONDS", 180)

# Reminders, responses and letters ----------------------------------------------------------
# Forces' OPCCs can override their own reminder offsets.
REMINDER_DAYS_BEFORE_DUE = env_int_list("REMINDER_DAYS_BEFORE_DUE", [90, 30, 7, 1])
REMINDER_RESPONSE_DAYS_BEFORE = env_int_list("REMINDER_RESPONSE_DAYS_BEFORE", [28, 14, 7, 1])
REMINDER_OVERDUE_EVERY_DAYS = env_int("REMINDER_OVERDUE_EVERY_DAYS", 7)
REMINDER_ESCALATE_AFTER_DAYS = env_int("REMINDER_ESCALATE_AFTER_DAYS", 7)
REMINDER_STALE_AFTER_DAYS = env_int("REMINDER_STALE_AFTER_DAYS", 60)

# Copies of a published response (Police Act 1996 s55 as amended).
RESPONSE_COPY_RECIPIENTS = env_list(
    "RESPONSE_COPY_RECIPIENTS", ["hmicfrs@example.invalid", "home-secretary@example.invalid"]
)
RESPONSE_DEFAULT_ADDRESSEE = env_str(
    "RESPONSE_DEFAULT_ADDRESSEE",
    "The Rt Hon the Home Secretary\nHome Office\n2 Marsham Street\nLondon\nSW1P 4DF",
)
# A render takes seconds: one queued or running longer than this is taken as lost (worker killed).
LETTER_RENDER_STALE_SECONDS = env_int("LETTER_RENDER_STALE_SECONDS", 180)
# Letterhead logos and signatures: PNG or SVG, at most this many bytes and pixels on a side.
LETTER_IMAGE_MAX_BYTES = env_int("LETTER_IMAGE_MAX_BYTES", 1024 * 1024)
LETTER_IMAGE_MAX_SIDE = env_int("LETTER_IMAGE_MAX_SIDE", 4000)

# API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",  # first, so a refusal says 401 with WWW-Authenticate
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON with a bounded nesting depth: a deep body is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
}
# API tokens last this many days from their creation.
API_TOKEN_MAX_AGE_DAYS = env_int("API_TOKEN_MAX_AGE_DAYS", 90)
SPECTACULAR_SETTINGS = {
    "TITLE": "MAPPA Tracker API",
    "DESCRIPTION": "Police forces' progress on inspection recommendations and their PCC's section 55 responses.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": [
        "api.authentication.TokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RecordStatusEnum": "recommendations.models.Record.Status",
        "RagEnum": "recommendations.models.Record.Rag",
        "ProgressUpdateKindEnum": "recommendations.models.ProgressUpdate.Kind",
        "ResponseStatusEnum": "responses.models.Response.Status",
    },
}

# Security headers --------------------------------------------------------------------------
# check --deploy passes without silencing anything: HSTS, secure cookies and the SSL redirect are
# on unless DEBUG, and the CSRF cookie is HttpOnly. The CSP allows no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's own health check speaks plain HTTP
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None

# Logging -----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
