"""Hygie settings: one module, driven by environment variables.

Every variable is listed with its meaning in `.env.example`. Local defaults give
a working platform on SQLite; production sets the variables (see
docs/operations.md). A dangerous production configuration stops start-up with
a message naming the variable to fix.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from hygie.lib.env import env_bool, env_cache, env_int, env_list, env_secret, env_str
from hygie.lib.netguard import parse_networks

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HYGIE_VAR_DIR", str(BASE_DIR / "var")))

# pytest imports these settings itself; the flag lets the suite run without
# production secrets while production can never end up in this branch.
TESTING = "pytest" in sys.modules
DEBUG = env_bool("DEBUG", default=False)

_DEV_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_secret("SECRET_KEY") or _DEV_SECRET_KEY
if not DEBUG and not TESTING and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. With DEBUG off, set SECRET_KEY (or SECRET_KEY_FILE) to a long "
        "random value, for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

PUBLIC_BASE_URL = env_str("HYGIE_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
TRACKING_BASE_URL = env_str("HYGIE_TRACKING_BASE_URL", "http://localhost:8000").rstrip("/")
# Host names on which only the public tracking URLs are served (look-alike
# simulation domains). They never receive console cookies.
TRACKING_HOSTS = env_list("HYGIE_TRACKING_HOSTS", ["localhost"])

_default_hosts = ["127.0.0.1", "localhost"] if (DEBUG or TESTING) else []
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", _default_hosts)
if not DEBUG and not TESTING and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is empty. With DEBUG off, list the host names that serve Hygie "
        "(console and tracking), comma-separated, for example: "
        "ALLOWED_HOSTS=hygie.example.org,suivi.example.net"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [PUBLIC_BASE_URL])

INSTALLED_APPS = [
    # The Django admin on a site that requires a verified second factor.
    "hygie.accounts.admin_app.SecondFactorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks_db",
    "hygie.accounts",
    "hygie.operations",
    "hygie.audience",
    "hygie.library",
    "hygie.delivery",
    "hygie.awareness",
    "hygie.phishing",
    "hygie.portal",
    "hygie.analytics",
    "hygie.incidents",
    "hygie.reporting",
    "hygie.console",
    "hygie.api",
]

MIDDLEWARE = [
    "hygie.operations.middleware.HostRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "hygie.accounts.cache_control.PrivatePagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hygie.operations.middleware.FrenchTypographyMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hygie.urls"
TRACKING_URLCONF = "hygie.urls_tracking"
WSGI_APPLICATION = "hygie.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hygie.accounts.context_processors.organisation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'hygie.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; IMMEDIATE transactions take
    # the write lock up front so concurrent writers queue instead of failing
    # with "database is locked" when a read lock would need upgrading.
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            # 64 MB of page cache: large imports update several indexes at once,
            # and the default 2 MB cache would spill to disk all the time.
            " PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and staff security ---------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "console:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# django-axes: lock a (user name, address) pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("HYGIE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HYGIE_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "hygie.accounts.throttling.attempted_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

OTP_TOTP_ISSUER = env_str("HYGIE_TOTP_ISSUER", "Hygie")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The Django admin (superusers, password and second factor). Production may turn it
# off entirely: every task it serves has a console page or a management command.
ADMIN_ENABLED = env_bool("HYGIE_ADMIN_ENABLED", default=True)

_https = urlsplit(PUBLIC_BASE_URL).scheme == "https"
SESSION_COOKIE_NAME = "console_session"
SESSION_COOKIE_AGE = env_int("HYGIE_SESSION_HOURS", 10, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _https
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SECURE = _https
CSRF_COOKIE_HTTPONLY = True
# On by default when every public address is https: a plain-HTTP request is redirected.
SECURE_SSL_REDIRECT = env_bool(
    "HYGIE_SSL_REDIRECT",
    default=_https and urlsplit(TRACKING_BASE_URL).scheme == "https",
)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("HYGIE_BEHIND_PROXY", False) else None
)
SECURE_HSTS_SECONDS = 31536000 if _https else 0
# Whether every subdomain of the operator's domain serves HTTPS, and whether to commit
# to the browsers' preload list, only the operator knows: both are opt-in, and Django's
# deploy warnings about them (W005, W021) are silenced until then (docs/security.md).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HYGIE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("HYGIE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Strict CSP: nothing is loaded from another site; no inline script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# --- Internationalisation ----------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files ------------------------------------------------------------
STATIC_URL = "/static/"
# Filled by collectstatic in production; development and tests serve from the finders.
STATIC_ROOT = (
    None
    if (DEBUG or TESTING)
    else Path(env_str("HYGIE_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
)
STATICFILES_DIRS = [BASE_DIR / "static"]
_static_backend = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
    if (DEBUG or TESTING)
    else "whitenoise.storage.CompressedManifestStaticFilesStorage"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": _static_backend},
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# Looked up at each request, as in development: otherwise every test client's middleware
# lists every static file (Django's admin ships hundreds) when it is created.
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# --- Email -------------------------------------------------------------------
# Django 6.1 mailers. "default" carries staff mail (invitations, password
# resets) and, until an organisation configures its own relay, campaign mail.
_EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
_SMTP_OPTIONS = {
    "host": env_str("EMAIL_HOST", "127.0.0.1"),
    "port": env_int("EMAIL_PORT", 1025, minimum=1),
    "username": env_str("EMAIL_HOST_USER"),
    "password": env_secret("EMAIL_HOST_PASSWORD"),
    "use_tls": env_bool("EMAIL_USE_TLS", default=False),
    "use_ssl": env_bool("EMAIL_USE_SSL", default=False),
    "timeout": env_int("EMAIL_TIMEOUT", 20, minimum=1),
}
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        # Other backends (console, file) take none of the SMTP options.
        "OPTIONS": _SMTP_OPTIONS if _EMAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    },
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Hygie <no-reply@hygie.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The local mail catcher started by `make run` in demo mode.
MAIL_CATCHER_ENABLED = env_bool("HYGIE_MAIL_CATCHER", default=DEBUG)
MAIL_CATCHER_PORT = env_int("HYGIE_MAIL_CATCHER_PORT", 1025, minimum=1)
MAIL_CATCHER_DIR = VAR_DIR / "mail"

# --- Background work ---------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Rate limits and single-use form nonces of the public pages are counted in the cache:
# per process by default, shared by every web process with a Redis URL.
CACHES = {"default": env_cache("HYGIE_CACHE_URL")}
HEARTBEAT_INTERVAL_SECONDS = env_int("HYGIE_HEARTBEAT_SECONDS", 15, minimum=1)
SCHEDULER_TICK_SECONDS = env_int("HYGIE_SCHEDULER_TICK_SECONDS", 10, minimum=1)
WORKER_IDLE_SECONDS = env_int("HYGIE_WORKER_IDLE_SECONDS", 1, minimum=0)

# --- Product defaults --------------------------------------------------------
# Key of the hashes that keep suppressed addresses (unsubscribed, bounced,
# erased). Changing it forgets every suppression: set it once, keep it.
SUPPRESSION_HASH_KEY = env_secret("HYGIE_SUPPRESSION_KEY") or f"suppression:{SECRET_KEY}"
# Key that encrypts stored secrets: report mailbox passwords, DKIM private keys (any
# string; a Fernet key is derived from it). Change it with a rotation (docs/security.md).
FIELD_ENCRYPTION_KEY = env_secret("HYGIE_FIELD_ENCRYPTION_KEY") or f"fields:{SECRET_KEY}"
# Previous keys, still accepted for reading during a key rotation (docs/security.md).
FIELD_ENCRYPTION_KEY_FALLBACKS = env_list("HYGIE_FIELD_ENCRYPTION_KEY_FALLBACKS")
# Delivery engine: how long a worker's claim on a batch lasts before another
# worker may take it over, and how many messages a worker claims at once.
DELIVERY_LEASE_SECONDS = env_int("HYGIE_DELIVERY_LEASE_SECONDS", 300, minimum=5)
DELIVERY_BATCH_SIZE = env_int("HYGIE_DELIVERY_BATCH_SIZE", 200, minimum=1)
# Email provider API instead of SMTP for deliveries (a django-anymail backend path,
# e.g. "anymail.backends.brevo.EmailBackend"). Its settings: ANYMAIL_* variables.
MAIL_PROVIDER_BACKEND = env_str("HYGIE_MAIL_PROVIDER")
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_")
}
# SMS: "file" (kept in <var>/sms, the default), "console" (logged) or "http".
SMS_BACKEND = env_str("HYGIE_SMS_BACKEND", "file")
SMS_URL = env_str("HYGIE_SMS_URL")
SMS_TOKEN = env_secret("HYGIE_SMS_TOKEN")
SMS_SENDER = env_str("HYGIE_SMS_SENDER", "Hygie")
# Report mailboxes: the server connects only to public addresses on the IMAP ports
# (143, 993). For a self-hosted mail server, the operator may add ports and networks.
REPORT_MAILBOX_EXTRA_PORTS = [int(p) for p in env_list("HYGIE_MAILBOX_EXTRA_PORTS") if p.isdigit()]
REPORT_MAILBOX_ALLOWED_NETWORKS = env_list("HYGIE_MAILBOX_ALLOWED_NETWORKS")
try:
    parse_networks(REPORT_MAILBOX_ALLOWED_NETWORKS)
except ValueError as _exc:
    raise ImproperlyConfigured(
        f"HYGIE_MAILBOX_ALLOWED_NETWORKS: {_exc}. Write networks like 10.0.0.0/24, comma-separated."
    ) from None
# Webhooks: endpoints must resolve to public addresses; the operator may allow networks
# (a receiver on the union's own private network).
WEBHOOK_ALLOWED_NETWORKS = env_list("HYGIE_WEBHOOK_ALLOWED_NETWORKS")
try:
    parse_networks(WEBHOOK_ALLOWED_NETWORKS)
except ValueError as _exc:
    raise ImproperlyConfigured(
        f"HYGIE_WEBHOOK_ALLOWED_NETWORKS: {_exc}. Write networks like 10.0.0.0/24, comma-separated."
    ) from None
# API: calls per minute allowed to one token.
API_CALLS_PER_MINUTE = env_int("HYGIE_API_CALLS_PER_MINUTE", 120, minimum=1)
# A request body read into memory: 10,000 members of the API's bulk upsert in one call
# take about 3 MB, beyond Django's 2.5 MB default.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("HYGIE_REQUEST_MAX_MB", 12, minimum=1) * 1024 * 1024
IMPORT_MAX_BYTES = env_int("HYGIE_IMPORT_MAX_MB", 50, minimum=1) * 1024 * 1024
# An XLSX file is a zip: refused when its content would expand beyond this size.
IMPORT_MAX_UNCOMPRESSED_BYTES = (
    env_int("HYGIE_IMPORT_MAX_UNCOMPRESSED_MB", 200, minimum=1) * 1024 * 1024
)
# XLSX files are parsed in a child process capped at this much memory and CPU time.
IMPORT_MEMORY_MB = env_int("HYGIE_IMPORT_MEMORY_MB", 512, minimum=32)
IMPORT_CPU_SECONDS = env_int("HYGIE_IMPORT_CPU_SECONDS", 600, minimum=1)
INVITATION_VALID_DAYS = env_int("HYGIE_INVITATION_VALID_DAYS", 7, minimum=1)

# --- Logging: one JSON object per line, ready for any log collector ----------
LOG_LEVEL = env_str("HYGIE_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        "axes": {"level": "WARNING"},
        # Logs every empty poll at INFO; our worker logs what matters.
        "django_tasks_db": {"level": "WARNING"},
        # WeasyPrint logs each step of every PDF (an attachment per message) at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # aiosmtpd (mail catcher, tests) logs every SMTP command at INFO.
        "mail.log": {"level": "WARNING"},
    },
}
