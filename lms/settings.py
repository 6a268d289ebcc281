"""Jiangxue settings: one environment-driven module.

Every value has an embedded default (SQLite, local files, in-memory cache,
eager Celery tasks) so a newcomer can run the product with no configuration.
Setting a variable switches that part to production: ``DATABASE_URL``
(PostgreSQL), ``REDIS_URL`` / ``CELERY_BROKER_URL`` (Celery broker and cache),
``AWS_STORAGE_BUCKET_NAME`` (S3-compatible storage). See ``.env.example`` and
``docs/operations.md`` for the full table.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)

# Development-only key; with DEBUG off the variable is required.
_DEV_SECRET_KEY = "django-insecure-jiangxue-development-key-not-for-production-use-0123456789"
SECRET_KEY = env("SECRET_KEY", default=None)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"
AUTH_USER_MODEL = "lms.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1

# ------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "treebeard",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "django_celery_beat",
    "storages",
]
LOCAL_APPS = [
    "lms",
    "media_pipeline",
    "courses",
    "progress",
    "vouchers",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "lms.middleware.StaffMFARequiredMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# ------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections: a new connection per request made a login 1.5×
# slower on this machine (docs/performance.md, bench/connections.py).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# ------------------------------------------------------------------------------
# Cache and Celery
# ------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="jiangxue"),
        }
    }
    # Sessions are read on every heartbeat: from Redis, with the database
    # behind it so a cache flush logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
# No broker configured: run tasks in-process, and let their errors raise.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = "default"
# Transcoding is long and CPU-bound: it gets its own queue and its own workers.
CELERY_TRANSCODE_QUEUE = "transcode"
CELERY_TASK_ROUTES = {
    # Housekeeping stays on the default queue; the rest of media_pipeline transcodes.
    "media_pipeline.tasks.upload_abandoned_prune": {"queue": CELERY_TASK_DEFAULT_QUEUE},
    "media_pipeline.tasks.*": {"queue": CELERY_TRANSCODE_QUEUE},
}
# django-celery-beat's DatabaseScheduler copies these into its tables at start;
# admins may then edit or add schedules in the database.
CELERY_BEAT_SCHEDULE = {
    "media-prune-abandoned-uploads": {
        "task": "media_pipeline.tasks.upload_abandoned_prune",
        "schedule": 6 * 3600,
    },
    # Heartbeats wait in Redis at most this long before they are credited.
    "progress-heartbeats-flush": {
        "task": "progress.tasks.heartbeats_flush",
        "schedule": 5.0,
        "options": {"expires": 5},
    },
    "progress-play-sessions-summarise": {
        "task": "progress.tasks.play_sessions_summarise",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", 7200)}

# ------------------------------------------------------------------------------
# Storage
# ------------------------------------------------------------------------------
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "lms" / "static"]

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=600),
            "default_acl": None,
            "file_overwrite": False,
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="path"),
            "signature_version": "s3v4",
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# ------------------------------------------------------------------------------
# Internationalisation: Chinese first, English translation
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "lms" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# ------------------------------------------------------------------------------
# Authentication (django-allauth)
# ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "profile"
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
# Either a mobile number or an e-mail address, or both: neither is required on
# its own, and lms.forms.WorkerSignupForm insists on one of them. allauth's
# account.W001 assumes one login method is always required, so it is silenced.
ACCOUNT_SIGNUP_FIELDS = ["phone", "email", "password1*", "password2*"]
SILENCED_SYSTEM_CHECKS = ["account.W001"]
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_PHONE_VERIFICATION_ENABLED = env.bool("ACCOUNT_PHONE_VERIFICATION_ENABLED", default=False)
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_ADAPTER = "lms.adapters.AccountAdapter"
ACCOUNT_USER_DISPLAY = "lms.adapters.user_display"
ACCOUNT_FORMS = {"signup": "lms.forms.WorkerSignupForm", "login": "lms.forms.LoginForm"}
# Sign-up says plainly when a mobile number, e-mail address or ID number is
# already registered: "one ID number, one account" cannot be kept silent, and
# workers with little computer experience need the reason. Guessing is slowed
# by ACCOUNT_RATE_LIMITS instead.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Jiangxue"
# Wagtail's own login form would skip allauth's TOTP step: staff sign in
# through allauth (lms.middleware also redirects /admin/login/).
WAGTAILADMIN_LOGIN_URL = "account_login"

# Keys for the resident ID number: a keyed hash for uniqueness and Fernet
# encryption for the stored value. Derived from SECRET_KEY when unset; set them
# explicitly in production so a SECRET_KEY rotation does not orphan identities.
IDENTITY_HASH_KEY = env("IDENTITY_HASH_KEY", default="")
IDENTITY_ENCRYPTION_KEYS = env.list("IDENTITY_ENCRYPTION_KEYS", default=[])
# Error reports leave posted ID numbers out, like passwords.
DEFAULT_EXCEPTION_REPORTER_FILTER = "lms.identity.IdentityExceptionReporterFilter"

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.console.EmailBackend"
        if DEBUG
        else "django.core.mail.backends.smtp.EmailBackend"
    ),
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="匠学 Jiangxue <noreply@localhost>")

# ------------------------------------------------------------------------------
# Wagtail
# ------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "匠学 Jiangxue"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
# The database backend uses PostgreSQL full-text search on PostgreSQL and
# SQLite FTS locally: one configuration for both.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "txt", "zip"]
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024

# ------------------------------------------------------------------------------
# REST API
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "lms.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jiangxue API",
    "DESCRIPTION": "匠学 — online vocational training for industrial workers",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["lms.api.public_api_endpoints"],
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
}

# ------------------------------------------------------------------------------
# Security (production values apply when DEBUG is off)
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# ------------------------------------------------------------------------------
# Logging
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# ------------------------------------------------------------------------------
# Media pipeline
# ------------------------------------------------------------------------------
# Sources longer than this (seconds) are refused after probing.
MEDIA_PIPELINE_MAX_DURATION = env.int("MEDIA_PIPELINE_MAX_DURATION", default=4 * 3600)
MEDIA_PIPELINE_MAX_UPLOAD_BYTES = env.int("MEDIA_PIPELINE_MAX_UPLOAD_BYTES", default=8 * 2**30)
# (short side in pixels, video bits per second); a source is never upscaled.
MEDIA_PIPELINE_LADDER = [(360, 800_000), (540, 1_400_000), (720, 2_800_000), (1080, 5_000_000)]
MEDIA_PIPELINE_SEGMENT_SECONDS = 4
# ffmpeg -threads; 0 lets ffmpeg use every core (one transcode per worker).
MEDIA_PIPELINE_FFMPEG_THREADS = env.int("MEDIA_PIPELINE_FFMPEG_THREADS", default=0)
# An ffmpeg that reports no progress for this long is killed and the video
# marked failed (ffmpeg reports twice a second while it works).
MEDIA_PIPELINE_FFMPEG_STALL_SECONDS = env.int("MEDIA_PIPELINE_FFMPEG_STALL_SECONDS", default=300)

# ------------------------------------------------------------------------------
# Media uploads
# ------------------------------------------------------------------------------
# S3 mode: presigned multipart part size (S3's minimum is 5 MiB; grown
# automatically to stay within 10 000 parts). Local mode: chunk size the
# browser PUTs. The limit on the whole file is MEDIA_PIPELINE_MAX_UPLOAD_BYTES.
MEDIA_PIPELINE_UPLOAD_PART_SIZE = env.int("MEDIA_PIPELINE_UPLOAD_PART_SIZE", default=16 * 2**20)
MEDIA_PIPELINE_UPLOAD_CHUNK_SIZE = env.int("MEDIA_PIPELINE_UPLOAD_CHUNK_SIZE", default=8 * 2**20)
# Lifetime (s) of a presigned part URL.
MEDIA_PIPELINE_UPLOAD_URL_EXPIRES = env.int("MEDIA_PIPELINE_UPLOAD_URL_EXPIRES", default=3600)

# ------------------------------------------------------------------------------
# Progress: heartbeats and crediting
# ------------------------------------------------------------------------------
# Heartbeats are acknowledged once they are in this Redis (a stream); the
# flusher folds them into PostgreSQL. Without it (the embedded default) an
# in-process stand-in holds them and every heartbeat is flushed at once.
PROGRESS_REDIS_URL = env("PROGRESS_REDIS_URL", default=REDIS_URL)
PROGRESS_FLUSH_INLINE = env.bool("PROGRESS_FLUSH_INLINE", default=not PROGRESS_REDIS_URL)
# The player sends a heartbeat this often (s) while playing.
PROGRESS_HEARTBEAT_SECONDS = 5
# A hidden tab keeps crediting this long (s), then stops.
PROGRESS_HIDDEN_GRACE_SECONDS = 15
# Presence prompts (防挂机) come at a random moment in this range (s) of play.
PROGRESS_PROMPT_MIN_SECONDS = env.int("PROGRESS_PROMPT_MIN_SECONDS", default=300)
PROGRESS_PROMPT_MAX_SECONDS = env.int("PROGRESS_PROMPT_MAX_SECONDS", default=900)
# A session silent this long (s) gets its summary written to the ledger.
PROGRESS_SESSION_IDLE_SECONDS = 600

# ------------------------------------------------------------------------------
# xAPI: the Learning Record Store
# ------------------------------------------------------------------------------
# Largest multipart/mixed statement request (statements and attachment data),
# bytes; larger ones are refused with 413. Such bodies are read past
# DATA_UPLOAD_MAX_MEMORY_SIZE, up to this limit, and held in memory.
XAPI_ATTACHMENT_MAX_BYTES = env.int("XAPI_ATTACHMENT_MAX_BYTES", default=20 * 2**20)

# ------------------------------------------------------------------------------
# Ledger
# ------------------------------------------------------------------------------
# Ed25519 key that signs ledger checkpoints: a PEM or the base64 of the raw
# 32-byte private key. It lives in the secret store, never in the database.
# Unset with DEBUG on: a development key is generated once into var/.
LEDGER_SIGNING_KEY = env.str("LEDGER_SIGNING_KEY", default="", multiline=True)
LEDGER_DEV_KEY_PATH = BASE_DIR / "var" / "ledger-signing-key.pem"
# Public keys (base64 of the raw 32 bytes, comma-separated) of retired signing
# keys, so checkpoints they signed still verify.
LEDGER_PUBLIC_KEYS = env.list("LEDGER_PUBLIC_KEYS", default=[])
CELERY_BEAT_SCHEDULE["ledger-checkpoint"] = {
    "task": "lms.tasks.ledger_checkpoint",
    "schedule": 10 * 60,
}

# ------------------------------------------------------------------------------
# Certificates and signed credentials
# ------------------------------------------------------------------------------
# Ed25519 key that signs the certificates' credentials (Open Badges 3.0,
# eddsa-jcs-2022): a PEM or the base64 of the raw 32-byte private key, kept in
# the secret store. Unset with DEBUG on: a development key is generated once
# into var/. Its public key is published at /verify/keys.json.
CREDENTIAL_SIGNING_KEY = env.str("CREDENTIAL_SIGNING_KEY", default="", multiline=True)
CREDENTIAL_DEV_KEY_PATH = BASE_DIR / "var" / "credential-signing-key.pem"
# Public keys (base64 of the raw 32 bytes, comma-separated) of retired
# credential keys, still published so credentials they signed verify.
CREDENTIAL_PUBLIC_KEYS = env.list("CREDENTIAL_PUBLIC_KEYS", default=[])
# A CJK TrueType font (TTF, or a TTC with CERTIFICATE_FONT_INDEX) embedded in
# certificate PDFs; Debian's fonts-wqy-zenhei by default (make system-deps).
# ReportLab embeds TrueType outlines only, not OpenType/CFF (.otf).
CERTIFICATE_FONT_PATH = env(
    "CERTIFICATE_FONT_PATH", default="/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
)
CERTIFICATE_FONT_INDEX = env.int("CERTIFICATE_FONT_INDEX", default=0)

# ------------------------------------------------------------------------------
# --- Progress: check-ins ---
# ------------------------------------------------------------------------------
# The classroom QR token changes every this many seconds and is accepted for
# its own period and the next, so a photo of the screen expires within twice
# this time.
PROGRESS_CHECKIN_ROTATE_SECONDS = env.int("PROGRESS_CHECKIN_ROTATE_SECONDS", default=10)

# ------------------------------------------------------------------------------
# --- Progress: practical tasks ---
# ------------------------------------------------------------------------------
# A worker's photos (each) and short video of their work: limits of what is
# accepted. Photos are stored re-encoded (at most 2560 px), so far smaller.
PROGRESS_PRACTICAL_MAX_PHOTO_BYTES = env.int(
    "PROGRESS_PRACTICAL_MAX_PHOTO_BYTES", default=15 * 2**20
)
PROGRESS_PRACTICAL_MAX_VIDEO_BYTES = env.int(
    "PROGRESS_PRACTICAL_MAX_VIDEO_BYTES", default=300 * 2**20
)
PROGRESS_PRACTICAL_MAX_VIDEO_SECONDS = env.int("PROGRESS_PRACTICAL_MAX_VIDEO_SECONDS", default=300)

# ------------------------------------------------------------------------------
# xAPI: the platform's own statements and their forwarding
# ------------------------------------------------------------------------------
# Workers are xAPI Agents with an account on this homePage, named by user id.
XAPI_ACCOUNT_HOMEPAGE = env("XAPI_ACCOUNT_HOMEPAGE", default=WAGTAILADMIN_BASE_URL)
# An external LRS (its endpoint, e.g. https://lrs.example.org/xapi/) that every
# statement the platform makes is also sent to; unset: none is sent.
XAPI_FORWARD_URL = env("XAPI_FORWARD_URL", default="")
XAPI_FORWARD_USERNAME = env("XAPI_FORWARD_USERNAME", default="")
XAPI_FORWARD_PASSWORD = env("XAPI_FORWARD_PASSWORD", default="")
# Seconds to wait for the external LRS; statements per request.
XAPI_FORWARD_TIMEOUT = env.float("XAPI_FORWARD_TIMEOUT", default=10.0)
XAPI_FORWARD_BATCH_SIZE = env.int("XAPI_FORWARD_BATCH_SIZE", default=50)
# Failed deliveries are retried with exponential backoff (30 s, 1 min, 2 min …
# at most 6 h, with jitter); after this many attempts a statement is a dead
# letter that an admin retries from the Wagtail admin.
XAPI_FORWARD_MAX_ATTEMPTS = env.int("XAPI_FORWARD_MAX_ATTEMPTS", default=15)
XAPI_FORWARD_BACKOFF_SECONDS = 30
XAPI_FORWARD_BACKOFF_MAX_SECONDS = 6 * 3600
CELERY_BEAT_SCHEDULE["xapi-forwards-deliver"] = {
    "task": "progress.tasks.xapi_forwards_deliver",
    "schedule": 30.0,
    "options": {"expires": 30},
}
