"""Settings read from the environment, with safe defaults for the embedded one-machine mode.

Embedded (nothing set): SQLite in var/, Celery tasks run in-process, local-memory cache.
Scale-out: DATABASE_URL=postgres://..., REDIS_URL=redis://... (broker, result backend, cache).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# A key that is public by construction: it is only ever used with DEBUG on.
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a long random value when DEBUG is off "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# How many reverse proxies in front of the app append the client's address to X-Forwarded-For
# (config.client_address). 0 (the default) ignores the header: the socket peer is the client.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT is the number of proxies in front of the app: 0 or more.")

INSTALLED_APPS = [
    "accounts.apps.AdminConfig",  # django.contrib.admin with our tenancy-aware default site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "accounts",
    "labeling",
    "exports",
    "argilla_compat",
    "config.apps.ConfigConfig",  # its system checks (config.checks)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]
# A call authenticated by an API key (config.handlers) runs through the first list only; it skips
# the second, whose layers serve browsers. Every entry of MIDDLEWARE is in exactly one of them
# (system check config.E001 / config.E002), so a middleware added later is placed on purpose.
MIDDLEWARE_FOR_API_KEYS = [
    # Security headers (nosniff, referrer and opener policies, HSTS) belong on every response.
    "django.middleware.security.SecurityMiddleware",
    # Trailing-slash redirects and DISALLOWED_USER_AGENTS apply to every client.
    "django.middleware.common.CommonMiddleware",
    # X-Frame-Options on every response, the API's HTML docs page included.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The portal's policy; it leaves /api/ alone, but key-authenticated calls must not differ from others.
    "config.middleware.ContentSecurityPolicyMiddleware",
]
MIDDLEWARE_SKIPPED_FOR_API_KEYS = [
    # Static files are never asked for with an API key; the short chain's paths are /api/ and /argilla/.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The key authenticates the call; the session is never read.
    "django.contrib.sessions.middleware.SessionMiddleware",
    # CSRF protects cookie-authenticated writes; a key is not sent by the browser on its own.
    "django.middleware.csrf.CsrfViewMiddleware",
    # request.user comes from the key (DRF's authentication), not from the session.
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Flash messages live in the session or cookies, which API clients do not carry.
    "django.contrib.messages.middleware.MessageMiddleware",
    # allauth's login flows are browser pages.
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
# The SQLite database and collected static files live here; create it so `manage.py` works on a fresh clone.
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if IS_POSTGRES:
    # Our subclass of Django's backend checks a reused connection without a round trip.
    DATABASES["default"].update(ENGINE="config.postgresql", CONN_HEALTH_CHECKS=True)
else:
    # SQLite: wait for the writer instead of failing with "database is locked";
    # IMMEDIATE transactions serialize writers up front (our claim fallback relies on it).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
# The annotation loop's hand-written statements (config.rows) are prepared once per connection; the
# ORM's client-side-bound statements never are. Turn this off behind a connection pooler in
# transaction mode (PgBouncer), which cannot keep prepared statements.
DB_PREPARED_STATEMENTS = IS_POSTGRES and env_bool("DB_PREPARED_STATEMENTS", True)
if DB_PREPARED_STATEMENTS:
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
LOGIN_URL = "/accounts/login/"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# Labelers are created by owners; nobody signs themselves up.
ACCOUNT_ADAPTER = "accounts.adapters.InviteOnlyAccountAdapter"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "labeling@localhost")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # Fail fast: the cache only holds counters, and a hung Redis must not hang requests.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
# Jobs survive a killed worker (exports.services.jobs, exports.tasks):
# - acks_late: a message is acknowledged only once its job finished, so a job is never lost in transit;
# - reject_on_worker_lost: when a pool process dies, its message goes back to the queue at once
#   (Celery's default would acknowledge it as failed);
# - prefetch 1: a worker holds no more messages than it runs, so a killed one strands none waiting;
# - visibility_timeout: how long Redis waits before handing out again a message whose whole worker
#   vanished. A job running longer than this is handed out a second time; the job's lease makes that
#   second message wait, so correctness does not depend on it. It must exceed the longest countdown a
#   job's message is sent with (a lease, seconds), or Redis would deliver delayed messages early.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# One queue name per deployment (several instances may share one Redis).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
# A running job's lease: renewed every third of it while its worker process lives; once expired, the
# job is taken over by its next message and runs again from scratch, at most JOB_MAX_ATTEMPTS times
# in all before it is failed with the reason. A live job without progress for JOB_STALE_AFTER_SECONDS
# is failed as stuck.
JOB_LEASE_SECONDS = 30
JOB_MAX_ATTEMPTS = 3
JOB_STALE_AFTER_SECONDS = 900

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"failed_auth": "30/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Demonstrations API",
    "DESCRIPTION": "Collect human demonstrations for fine-tuning language models.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `type` / `status` / `format` / `on_error` field: one component name per choice set.
    "ENUM_NAME_OVERRIDES": {
        "QuestionTypeEnum": "labeling.models.Question.Type",
        "MetadataPropertyTypeEnum": "labeling.models.MetadataProperty.Type",
        "SuggestionTypeEnum": "labeling.models.Suggestion.Type",
        "ResponseStatusEnum": "labeling.models.Response.Status",
        "RecordStatusEnum": "labeling.models.Record.Status",
        "OnErrorEnum": ["reject", "skip"],
        "JobStatusEnum": "exports.models.JobStatus",
        "ExportFormatEnum": "exports.models.ExportJob.Format",
        "ImportFormatEnum": "exports.models.ImportJob.Format",
        "ImportOnErrorEnum": "exports.models.ImportJob.OnError",
        "ExportReviewStatusEnum": "exports.pipeline.options.REVIEW_STATUSES",
        "ResponseReviewStatusEnum": "labeling.models.Response.ReviewStatus",
    },
}

# Uploads: larger bodies are refused before parsing (DESIGN §9 "Files").
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(64 * 1024 * 1024)))
# JSON bodies of both APIs nest at most this deep (config.bodies): Argilla's records need about 6 levels.
DATA_UPLOAD_MAX_JSON_DEPTH = int(os.environ.get("DATA_UPLOAD_MAX_JSON_DEPTH", "64"))
FILE_UPLOAD_MAX_SIZE = int(os.environ.get("FILE_UPLOAD_MAX_SIZE", str(100 * 1024 * 1024)))

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# How long a record handed out by "next record" stays reserved for its labeler (DESIGN §4).
CLAIM_TTL_SECONDS = int(os.environ.get("CLAIM_TTL_SECONDS", "600"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
