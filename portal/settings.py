"""Settings for the merchant reporting portal, read from the environment.

Every value has an embedded default for a laptop (SQLite, a file-system Celery broker, locmem cache) so
that a fresh checkout runs with no server. Production sets ``DATABASE_URL`` (PostgreSQL),
``REDIS_URL`` / ``CELERY_BROKER_URL`` (Redis), ``SECRET_KEY``, ``FIELD_ENCRYPTION_KEYS`` and
``DEBUG=false``; see README.md.
"""

import base64
import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str(
    "SECRET_KEY", default="django-insecure-dev-only-key-change-me-in-production-0123456789"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "merchants",
    "transactions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "merchants.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.common.replicas.PinToPrimaryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "merchants.members.middleware.MembershipMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "merchants.members.context_processors.membership",
            ],
            # Template tags live with their feature, not in an app's templatetags/ folder.
            "libraries": {"complaint_tags": "transactions.complaints.templatetags"},
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the Celery worker writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
# Read replicas (PostgreSQL streaming standbys): the read-only pages may read from them, see
# portal/common/replicas.py. Comma-separated URLs; empty: every read goes to the primary.
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[])):
    DATABASES[f"replica_{_number}"] = env.db_url_config(_url) | {
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        # Tests create their database on the primary; the standby receives it by replication.
        "TEST": {"MIRROR": "default"},
    }
    DATABASES[f"replica_{_number}"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
DATABASE_ROUTERS = ["portal.common.replicas.ReplicaRouter"]
# The operators' switch: off, every read goes to the primary even with replicas configured.
DATABASE_REPLICA_READS = env.bool("DATABASE_REPLICA_READS", default=True)
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=2.0)
REPLICA_RETRY_SECONDS = env.float("REPLICA_RETRY_SECONDS", default=10.0)
# How long a browser that has just written reads from the primary (read-your-own-writes).
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The audit's rules of one part are found by this many threads, each on its own database
# connection (PostgreSQL; transactions/audit/side_by_side.py); 1: one after another.
AUDIT_FIND_THREADS = env.int("AUDIT_FIND_THREADS", default=2)
# A scheduled audit run is split into parts of this many merchants, one Celery task each. Every
# part reads the run's window again for every rule: more parts pay off only with workers that
# have cores and database capacity of their own (docs/scaling.md).
AUDIT_MERCHANTS_PER_PART = env.int("AUDIT_MERCHANTS_PER_PART", default=5000)

REDIS_URL = env.str("REDIS_URL", default="")
# Real-time screening keeps the recent state of cards and terminals here (transactions/decisions/
# state.py); unset: the database answers the same questions.
DECISIONS_REDIS_URL = env.str("DECISIONS_REDIS_URL", default=REDIS_URL)
# The operators' switch: off, terminal reports are stored and answered without a decision (the
# scheduled audit still runs). For an incident, and for measuring what screening costs.
DECISIONS_SCREENING = env.bool("DECISIONS_SCREENING", default=True)
# Each process keeps the screening's checks, thresholds, limits and live rules this many seconds
# (transactions/decisions/config.py); 0: read them for every report.
DECISIONS_CONFIG_SECONDS = env.int("DECISIONS_CONFIG_SECONDS", default=5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Per process, whatever REDIS_URL says: what screening learns slowly (a merchant's usual hours)
# must not wait on, or fail with, a Redis that is down.
CACHES["screening"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes checks every password login first (portal and admin), then the usual backend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- i18n: Simplified Chinese and English, times in Asia/Shanghai -----------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=16 * 1024 * 1024)
# Licence and ID documents: images or PDF, at most this many bytes each.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=5 * 1024 * 1024)
# Inspection photos: JPEG or PNG (checked by Pillow), at most this many bytes each; a check-in
# or a photo's GPS farther than this many metres from the premises or a terminal is flagged.
INSPECTION_PHOTO_MAX_BYTES = env.int("INSPECTION_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
INSPECTION_RADIUS_M = env.int("INSPECTION_RADIUS_M", default=500)

# --- e-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email("EMAIL_URL"))

# --- security ---------------------------------------------------------------------------------
# Production runs behind a TLS proxy: HTTPS only, HSTS, secure cookies. DEBUG (scripts/run) turns
# them off for plain-HTTP development; each can still be set on its own.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
# A back office: a working day at most, and signed out when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# No script of ours reads the CSRF cookie (forms carry the token; Swagger UI gets it rendered in).
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Trust the proxy's X-Forwarded-Proto only where a proxy sets it (a client could send it too).
if env.bool("SECURE_PROXY_SSL_HEADER", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): our scripts come only from our static files, never
# inline (no onclick=, no <script> blocks); styles likewise. Django admin runs under this policy
# (django-celery-beat's form script is moved to static/js); the API doc pages relax styles for
# Swagger UI / Redoc only (portal/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # One inline style attribute, allowed by its hash: django-simple-history's history page
        # (style="border-top: 0"). Any other inline style is refused.
        "style-src": [
            "'self'",
            "'unsafe-hashes'",
            "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
        ],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is refused for the cool-off period; a success clears the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no start-up banner on every manage.py command
AXES_LOCKOUT_CALLABLE = "merchants.accounts.views.locked_out"
# Behind one proxy that sets X-Forwarded-For, count failures per client address, not the proxy's.
if env.bool("TRUST_X_FORWARDED_FOR", default=False):
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# Two-factor authentication (django-otp): staff always, other users once they enrol a device.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Reporting portal")
OTP_LOGIN_URL = "otp_verify"
# models.W040: a report-list index carries INCLUDE columns, which only PostgreSQL has; SQLite (the
# embedded default) builds the index on its key columns alone, which is all it needs.
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=["models.W040"])


def _derived_fernet_key(secret: str) -> str:
    return base64.urlsafe_b64encode(
        hashlib.sha256(f"field-encryption:{secret}".encode()).digest()
    ).decode()


# Fernet keys for encrypted fields, newest first; older keys still decrypt (MultiFernet rotation).
FIELD_ENCRYPTION_KEYS_FROM_ENV = "FIELD_ENCRYPTION_KEYS" in env
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[_derived_fernet_key(SECRET_KEY)])
# Key of the keyed hashes that find an ID number without storing it (the legal representative's,
# matched against the external risk list: docs/risk.md). Changing it breaks the stored digests.
BLIND_INDEX_KEY_FROM_ENV = "BLIND_INDEX_KEY" in env
BLIND_INDEX_KEY = env.str(
    "BLIND_INDEX_KEY", default=hashlib.sha256(f"blind-index:{SECRET_KEY}".encode()).hexdigest()
)

# --- acquirer -------------------------------------------------------------------------------
# 3-digit acquiring institution code that starts every MID we assign.
ACQUIRER_INSTITUTION_CODE = env.str("ACQUIRER_INSTITUTION_CODE", default="898")

# A service provider is flagged for review when more than this percentage of its rated merchants
# are rated high or prohibited (docs/risk.md, "Service providers").
PROVIDER_REVIEW_HIGH_RISK_PERCENT = env.int("PROVIDER_REVIEW_HIGH_RISK_PERCENT", default=20)

# Terminal upload API: the largest body accepted (a 5000-report batch is about 3 MB).
TERMINAL_API_MAX_BODY_BYTES = env.int("TERMINAL_API_MAX_BODY_BYTES", default=8 * 1024 * 1024)

# --- The cardholder's channel (transactions/complaints/cardholder/, docs/cardholder.md) --------
# Text messages (the proof code for a phone number, the tracking code): a class with
# ``send(*, to, message)``. The console default prints them, like the console e-mail backend.
SMS_BACKEND = env.str(
    "SMS_BACKEND", default="transactions.complaints.cardholder.sms.ConsoleSMSBackend"
)
# Attempts per window, counted in the default cache (Redis when REDIS_URL is set): "<n>/<period>"
# with the period in seconds or as minute / hour / day.
CARDHOLDER_RATE_LIMITS = {
    "lookup_address": env.str("CARDHOLDER_LOOKUP_PER_ADDRESS", default="20/hour"),
    "lookup_card": env.str("CARDHOLDER_LOOKUP_PER_CARD", default="10/hour"),
    "proof_address": env.str("CARDHOLDER_PROOF_PER_ADDRESS", default="5/hour"),
    "proof_contact": env.str("CARDHOLDER_PROOF_PER_CONTACT", default="3/hour"),
    "tracking_address": env.str("CARDHOLDER_TRACKING_FAILURES_PER_ADDRESS", default="20/hour"),
}

# --- REST framework -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "NON_FIELD_ERRORS_KEY": "non_field_errors",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Merchant reporting portal API",
    "DESCRIPTION": "Terminal upload API (see shared API contract) and merchant endpoints.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery" / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A message a worker took and never acknowledged (it died: tasks ack late) is delivered again
    # after this many seconds: 15 minutes instead of the default hour, so an audit part lost with
    # its worker is redone soon. Audit parts and uploads take well under that (a task still
    # running then is delivered a second time, which they are safe against).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 15 * 60}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# One queue per kind of work, so each can have workers (and machines) of its own: a long audit
# never delays an upload's processing. Tasks not named here go to the default queue, "celery".
# One worker may take them all (the Procfile's worker takes WORKER_QUEUES); docs/scaling.md shows
# the split.
CELERY_TASK_ROUTES = {
    "transactions.tasks.process_upload": {"queue": "ingest"},
    "transactions.tasks.requeue_stalled_uploads": {"queue": "ingest"},
    "transactions.tasks.run_audit": {"queue": "audit"},
    "transactions.tasks.audit_part": {"queue": "audit"},
    "transactions.tasks.flag_overdue_complaints": {"queue": "audit"},
    "transactions.tasks.import_settlement_file": {"queue": "recon"},
    "transactions.tasks.reconcile_pending_files": {"queue": "recon"},
    # Background report exports and regulator reports (export_regulator_report).
    "transactions.tasks.export_*": {"queue": "export"},
    "transactions.tasks.archive_*": {"queue": "export"},
}
WORKER_QUEUES = ("celery", "ingest", "audit", "recon", "export")
# An Excel export of more rows than this is built by a worker (transactions/reports/background.py)
# and kept for download this many hours; smaller ones, and every CSV, stream at once.
EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=100_000)
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=24)
# PostgreSQL's report table is partitioned by Beijing month of the report's time
# (docs/partitions.md): beat makes this month's partition and this many more ahead.
REPORT_PARTITIONS_AHEAD = env.int("REPORT_PARTITIONS_AHEAD", default=3)
# The archive (docs/archive.md): reports of months older than the hot window (in months, this one
# included) are written to Parquet under ARCHIVE_ROOT; older partitions may be detached into the
# "archive" schema (manage.py report_partitions detach --cold; never automatic). The retention
# period (the AML law: at least ten years) ends before anything is deleted, and then only through
# a deletion job a second person approves.
ARCHIVE_ROOT = env.path("ARCHIVE_ROOT", default=VAR_DIR / "archive")
ARCHIVE_HOT_MONTHS = env.int("ARCHIVE_HOT_MONTHS", default=25)
RETENTION_YEARS = env.int("RETENTION_YEARS", default=10)
# Rows per database fetch and per Parquet row group when a month is written.
ARCHIVE_BATCH_ROWS = env.int("ARCHIVE_BATCH_ROWS", default=50_000)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# --- webhooks (docs/webhooks.md) ----------------------------------------------------------------
# Hosts a webhook may reach over plain http and on any address (a test receiver on 127.0.0.1);
# DEBUG allows both for every host. Empty in production.
WEBHOOK_ALLOWED_TEST_HOSTS = env.list("WEBHOOK_ALLOWED_TEST_HOSTS", default=[])
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=5)
WEBHOOK_RETRY_FOR = timedelta(hours=env.int("WEBHOOK_RETRY_HOURS", default=24))
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=10)
WEBHOOK_DISABLE_AFTER = timedelta(hours=env.int("WEBHOOK_DISABLE_AFTER_HOURS", default=24))
# Events, their deliveries and the delivery log are kept this long, then purged daily (an event
# still being retried is kept until its delivery ends).
WEBHOOK_KEEP_DAYS = env.int("WEBHOOK_KEEP_DAYS", default=90)

# --- logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
SIMPLE_HISTORY_REVERT_DISABLED = True  # the trail is read-only in admin
