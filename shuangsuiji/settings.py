"""Django settings for Shuangsuiji.

Configuration comes from environment variables (see README.md, "配置 / Configuration"):

- ``DATABASE_URL``  database; default is the embedded SQLite file ``var/shuangsuiji.sqlite3``.
- ``SECRET_KEY``    required when ``DEBUG`` is off.
- ``ALLOWED_HOSTS`` comma-separated host names; default ``127.0.0.1,localhost``.
- ``DEBUG``         ``1`` to turn debug on; off by default (``make run`` turns it on).
- ``SHUANGSUIJI_SECURE_COOKIES`` ``1`` when served over HTTPS (secure cookies, HSTS).
- ``SHUANGSUIJI_AUDIT_ANCHOR_FILE`` append-only file of audit-chain anchors; put it on another volume/host.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHUANGSUIJI_VAR_DIR", BASE_DIR / "var"))


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DEBUG")
TESTING = env_flag("SHUANGSUIJI_TESTING")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured("SECRET_KEY 未设置：生产环境必须通过环境变量 SECRET_KEY 提供密钥。")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "axes",
    "huey.contrib.djhuey",
    "shuangsuiji.audit",
    "shuangsuiji.immutability",
    "shuangsuiji.orgs",
    "shuangsuiji.accounts",
    "shuangsuiji.workdays",
    "shuangsuiji.tags",
    "shuangsuiji.imports",
    "shuangsuiji.items",
    "shuangsuiji.plans",
    "shuangsuiji.targets",
    "shuangsuiji.inspectors",
    "shuangsuiji.tasks",
    "shuangsuiji.printing",
    "shuangsuiji.inspections",
    "shuangsuiji.followups",
    "shuangsuiji.publicity",
    "shuangsuiji.reports",
    "shuangsuiji.web",
    "shuangsuiji.demo",
]

MIDDLEWARE = [
    "shuangsuiji.audit.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "shuangsuiji.web.middleware.SecurityHeadersMiddleware",
    "shuangsuiji.web.limits.RequestLimitsMiddleware",
    "shuangsuiji.publicity.ratelimit.PublicRateLimitMiddleware",
    "shuangsuiji.publicity.pagecache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shuangsuiji.tasks.index_views.IndexPendingMiddleware",
    "axes.middleware.AxesMiddleware",
]

if not DEBUG and not TESTING:
    # Production serves the collected static files itself (no CDN, no separate web server needed).
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "shuangsuiji.urls"
WSGI_APPLICATION = "shuangsuiji.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shuangsuiji.web.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite (WAL, IMMEDIATE transactions so that writers serialise at BEGIN) by default;
# PostgreSQL when DATABASE_URL says so.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'shuangsuiji.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # psycopg prepares a statement on its fifth run on a connection. Django's own cursors bind
    # parameters into the text and are never prepared; the portal's fixed statements bind them
    # on the server (``publicity.published._cursor``) and are planned once per connection. (A
    # connection pooler in transaction mode must keep prepared statements: PgBouncer >= 1.21
    # with ``max_prepared_statements``.)
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS.insert(0, "shuangsuiji.accounts.hashers.FastArgon2PasswordHasher")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock an account (per user name and IP) after 5 failures for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions expire after 8 hours, and when the browser closes.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Security headers -------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_flag("SHUANGSUIJI_SECURE_COOKIES"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    # Behind the TLS proxy: it must set ``X-Forwarded-Proto: https`` (README, production);
    # a plain-HTTP request that reaches the application is redirected to HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # HSTS covers the platform's own host only: an office does not own its parent domain's
    # other hosts (includeSubDomains), and intranet names cannot be on browsers' preload list.
    SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (vendored; no CDN) ----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = VAR_DIR / "media"

# --- Cache ------------------------------------------------------------------------------
# A file cache shared by the web process and the job-queue worker (import progress). Tests
# use a per-process memory cache: parallel test workers must not share progress keys.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        if TESTING
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}
    )
}
# Public portal and public API: requests per client address per window (seconds); beyond → 429.
# Environment SHUANGSUIJI_PUBLIC_RATE_LIMIT="300/60" (requests/seconds; "0/60": no limit).
_rate = os.environ.get("SHUANGSUIJI_PUBLIC_RATE_LIMIT", "100000/60" if TESTING else "300/60").split("/")
SHUANGSUIJI_PUBLIC_RATE_LIMIT = (int(_rate[0]), int(_rate[1]) if len(_rate) > 1 else 60)
# Where the per-address counts live, one count for every gunicorn worker (publicity/ratelimit.py):
# Redis (atomic INCR, every host) when SHUANGSUIJI_REDIS_URL or REDIS_URL is set; else files
# under SHUANGSUIJI_PUBLIC_RATE_LIMIT_DIR incremented under flock (atomic across the workers of
# one host); tests: the per-process memory cache.
# (Tests keep the per-process cache even where the machine exports REDIS_URL: counts must not
# carry over between test runs.)
_redis_url = "" if TESTING else (os.environ.get("SHUANGSUIJI_REDIS_URL") or os.environ.get("REDIS_URL"))
if _redis_url:
    CACHES["ratelimit"] = {"BACKEND": "shuangsuiji.publicity.rediscache.SharedClientRedisCache", "LOCATION": _redis_url}
SHUANGSUIJI_PUBLIC_RATE_LIMIT_CACHE = "ratelimit" if _redis_url else ("default" if TESTING else None)
# Whole-page cache of the public portal (publicity/pagecache.py): pages under "portal", the
# publication generation that invalidates them under "portal_generation". With Redis both live
# there (one cache for every worker and host; keys prefixed by the database name); without it
# each worker keeps pages in memory and the generation is in the shared file cache. Tests: memory.
# SHUANGSUIJI_PORTAL_CACHE_SECONDS: how long a page is kept at most ("0" turns the cache off).
SHUANGSUIJI_PORTAL_CACHE_SECONDS = int(os.environ.get("SHUANGSUIJI_PORTAL_CACHE_SECONDS", "600"))
if _redis_url:
    _prefix = f"portal:{DATABASES['default']['NAME']}"
    CACHES["portal"] = {**CACHES["ratelimit"], "KEY_PREFIX": _prefix}
    CACHES["portal_generation"] = CACHES["portal"]
else:
    CACHES["portal"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "portal-pages",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
    CACHES["portal_generation"] = (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal-generation"}
        if TESTING
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "portal-generation"),
        }
    )
SHUANGSUIJI_PUBLIC_RATE_LIMIT_DIR = os.environ.get("SHUANGSUIJI_PUBLIC_RATE_LIMIT_DIR", str(VAR_DIR / "ratelimit"))
# Annual plans are due by this (month, day) of their year; (2, 28) means the end of February.
SHUANGSUIJI_PLAN_DUE_MONTH_DAY = (2, 28)

# --- Audit anchors ----------------------------------------------------------------------
# The head of the audit chain is appended here daily and on every audit_verify (one JSON line
# per anchor; see shuangsuiji/audit/anchors.py). The default lies under VAR_DIR but in its own
# directory, apart from the SQLite file; production must put it on another volume or host
# (append-only mount, WORM share), where a database insider cannot rewrite it.
SHUANGSUIJI_AUDIT_ANCHOR_FILE = os.environ.get(
    "SHUANGSUIJI_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors" / "audit-anchors.jsonl")
)
# 一企一表 print jobs (shuangsuiji.printing): files kept this many days, then removed; sheets
# per PDF volume; the fonts Typst embeds (Debian's fonts-noto-cjk).
SHUANGSUIJI_PRINT_KEEP_DAYS = int(os.environ.get("SHUANGSUIJI_PRINT_KEEP_DAYS", "7"))
SHUANGSUIJI_PRINT_SHEETS_PER_FILE = int(os.environ.get("SHUANGSUIJI_PRINT_SHEETS_PER_FILE", "50"))
SHUANGSUIJI_PDF_FONT_DIR = os.environ.get("SHUANGSUIJI_PDF_FONT_DIR", "/usr/share/fonts/opentype/noto")

# --- Job queue --------------------------------------------------------------------------
# huey: SQLite storage by default (nothing else to run on an intranet box), Redis when
# HUEY_REDIS_URL is set. See docs/architecture.md for why huey.
if os.environ.get("HUEY_REDIS_URL"):
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "shuangsuiji",
        "url": os.environ["HUEY_REDIS_URL"],
        "immediate": False,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "shuangsuiji",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": env_flag("HUEY_IMMEDIATE", default=TESTING),
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
