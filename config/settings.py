"""OSP settings, all from environment variables.

Zero-setup defaults: a SQLite file in the project and Celery on kombu's filesystem
transport (no server). Production sets DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG=0 and
ALLOWED_HOSTS; with DEBUG off the secure settings below are on and `check --deploy` passes.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OSP_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envint(name: str, default: str, *, low: int, high: int) -> int:
    raw = os.environ.get(name, default)
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}, got {value}")
    return value


DEBUG = envbool("DEBUG", "1")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# --- The business -----------------------------------------------------------------
# Empty: the interface says "Our company" in the user's language.
OSP_COMPANY_NAME = os.environ.get("OSP_COMPANY_NAME", "")
OSP_FISCAL_YEAR_START_MONTH = envint("OSP_FISCAL_YEAR_START_MONTH", "1", low=1, high=12)
OSP_BASE_CURRENCY = os.environ.get("OSP_BASE_CURRENCY", "USD").upper()
if len(OSP_BASE_CURRENCY) != 3 or not OSP_BASE_CURRENCY.isalpha():
    raise ImproperlyConfigured("OSP_BASE_CURRENCY must be a three-letter ISO 4217 code")

# --- Applications -------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "osp",
    "accounts",
    "opportunities",
    "plans",
    "forecasting",
    "sync",
    "demo",
    "benchmarks",  # make bench's commands
]

MIDDLEWARE = [
    "osp.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "osp.User"
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out username/address pair before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "config.context_processors.osp",
            ],
        },
    },
    # The fragments a page repeats many times (the board's up to 330 cards, the list's
    # rows, the filter's options), where Django's template engine cost most of the page's
    # time: Jinja2 templates in the apps' jinja2/ folders, autoescaping on (Django's
    # backend's default), rendered with `using="jinja2"` (and osp.widgets.FilterForm).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {"environment": "config.jinja2.environment"},
    },
]

# --- Database -----------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {}
    if envbool("DATABASE_POOL", "0"):
        # Django's native pool (psycopg 3); persistent connections must then stay off.
        DATABASES["default"]["OPTIONS"]["pool"] = True
    else:
        # Each gunicorn or Celery process keeps its connection this many seconds instead
        # of opening one per request (a new PostgreSQL connection costs more than most
        # pages' queries); checked before reuse, so a restarted database is survived.
        DATABASES["default"]["CONN_MAX_AGE"] = envint("DATABASE_CONN_MAX_AGE", "60",
                                                      low=0, high=3600)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if not envbool("DATABASE_JIT", "0"):
        # PostgreSQL's JIT compiles a plan whose estimated cost is high, which a page's
        # risk rules or a manager's account list easily reach: over a second of
        # compiling for a query that runs in 200 ms (issue #7). Pages are short queries.
        DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database of `make run`, where web and worker write at once: each
    # transaction takes SQLite's write lock when it begins, so two never deadlock upgrading
    # a read to a write ("database is locked"), and writers run one at a time.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Internationalisation -----------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Chinese amounts grouped by thousands with a comma (config/formats/zh_Hans/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
if not DEBUG:
    # Static files from the app server, compressed and cached forever by their hashed
    # names: no separate file server needed for a deployment (runserver serves them in
    # development).
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
# Uploaded evidence lives outside the web root and has no URL of its own: it is served
# only by views that check who may see the opportunity.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
OSP_UPLOAD_MAX_MB = envint("OSP_UPLOAD_MAX_MB", "10", low=1, high=1024)

# --- API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so an unauthenticated call gets 401 with WWW-Authenticate: Bearer.
        "sync.auth.IntegrationTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["sync.auth.ApiRateThrottle"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "osp.rest.FilterBackend",  # django-filter, strict about values (osp/rest.py)
        "osp.rest.SearchFilter",
        "osp.rest.OrderingFilter",
    ],
    # JSON bounded in size and depth (osp/rest.py); forms as DRF reads them.
    "DEFAULT_PARSER_CLASSES": [
        "osp.rest.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "osp.rest.Pagination",
    # The browsable pages only with DEBUG on (they break the content security policy).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "osp.rest.ContentNegotiation",
    # Documents the error answers too (osp/schema.py).
    "DEFAULT_SCHEMA_CLASS": "osp.schema.AutoSchema",
    "EXCEPTION_HANDLER": "osp.rest.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OSP API",
    "DESCRIPTION": "Territories, accounts, contacts, partners and opportunities of the "
    "Optimized Sales Process. Every list and record obeys the same visibility rules as "
    "the browser.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "opportunities.models.Stage",
        "ApprovalKindEnum": "opportunities.models.ApprovalKind",
        "ApprovalStatusEnum": "opportunities.models.ApprovalStatus",
        "PlanKindEnum": "plans.models.PlanKind",
    },
}

# Integration clients have their own rate (admin); people using the API share this one.
OSP_API_RATE = os.environ.get("OSP_API_RATE", "1200/min")
# The change feed keeps deletions (and every other change) this long; a client whose
# cursor is older must resync. Published in the README; never less than 30 days.
OSP_SYNC_RETENTION_DAYS = envint("OSP_SYNC_RETENTION_DAYS", "30", low=30, high=3650)
OSP_IDEMPOTENCY_HOURS = envint("OSP_IDEMPOTENCY_HOURS", "24", low=1, high=24 * 90)
# The largest body a sync address reads (a batch holds up to 500 records; every other
# address keeps Django's DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB). 16 MB is 500 records of
# 32 KB each: every short field at its maximum length and pages of free text.
OSP_SYNC_MAX_BODY_MB = envint("OSP_SYNC_MAX_BODY_MB", "16", low=3, high=512)

# --- Celery -------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Rate limits count across every web process, so they need a shared cache when there is
# one; `make run` (no Redis) keeps them per process. The cache gets its own Redis database
# (1 unless CACHE_URL says otherwise), apart from Celery's messages.
CACHE_URL = os.environ.get("CACHE_URL") or (
    urlsplit(REDIS_URL)._replace(path="/1").geturl() if REDIS_URL else "")
if CACHE_URL:
    # django-redis keeps one redis-py client per server; Django's own RedisCache builds a
    # new one (about 170 response callbacks to fill) for every cache call.
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache",
                          "LOCATION": CACHE_URL, "KEY_PREFIX": "osp"}}
    # Every request reads its session: from Redis, with the database behind it (a
    # session outlives a flushed cache).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:  # shared by the processes of `make run` (web, worker) on one machine
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    # Embedded broker: messages are files under var/, so `make run` needs no server. It
    # cannot give back the message of a killed worker; the hourly catch-up runs make up.
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
        # Kombu's exchange tables, else in a control/ folder of the working directory.
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Kombu keeps each message delivered from Redis aside until it is acknowledged; if
        # its worker dies (killed, OOM, power), the message goes back to the queue once it
        # has waited this long (seconds; checked when a worker starts, then about every
        # 100 s). An hour by default: above the longest task plus any retry countdown, or
        # a slow task would be handed to a second worker while it still runs (harmless,
        # the tasks are idempotent, but wasted); the hourly catch-up runs fill the gap.
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", "3600", low=1,
                                     high=7 * 24 * 3600),
        # A broker gone without closing the TCP connection (host down, failover) must
        # raise, not hang a publish (beat) forever, so that the reconnection below starts.
        "socket_timeout": 30,
        "socket_connect_timeout": 10,
        "socket_keepalive": True,
    }
# No results by default; tests that wait on a real worker set CELERY_RESULT_BACKEND_URL.
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND_URL") or None
CELERY_IMPORTS = ["osp.health"]
# A task is acknowledged when it has finished, and a worker process that dies mid-task
# gives its message back, so a kill loses no work; every task is idempotent (unique
# constraints, locks), so running one again sends, slips or snapshots nothing twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The broker restarting: worker and beat keep trying to reconnect, never give up (the
# compose file restarts Redis; its append-only file keeps the queued messages). A running
# task finishes rather than being cancelled when the connection drops. Beat retries a
# publish for about a minute before it gives that tick up; each periodic task catches up
# on everything due, so the next tick makes up for a lost one.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 15, "interval_start": 0,
                                    "interval_step": 1, "interval_max": 5}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Proves to /health/ that beat schedules and a worker consumes.
    "worker-heartbeat": {
        "task": "osp.health.worker_heartbeat",
        "schedule": 60.0,
    },
    # Stage 7 means "closes this quarter": a deal still at 7 on the first day of a new
    # quarter moves back to 6 just after midnight. Hourly (a cheap query that finds nothing
    # most of the time), so a tick lost with the broker delays it an hour, not a day.
    "slip-stage-7-past-quarter-end": {
        "task": "opportunities.tasks.slip_stage_7_past_quarter_end",
        "schedule": crontab(minute=5),
    },
    "route-approvals-around-who-is-away": {
        "task": "opportunities.tasks.route_approvals_around_who_is_away",
        "schedule": crontab(minute=7),
    },
    # Hourly; the tasks start sending at the hour an admin sets in the Reminder policy, and
    # each reminder goes once per subject and period whatever the number of runs.
    "selling-cycle-reminders": {
        "task": "opportunities.tasks.send_selling_cycle_reminders",
        "schedule": crontab(minute=0),
    },
    # Due on Monday at 06:00; the task takes it once a week, so it runs hourly to catch up
    # if the Monday tick was lost.
    "weekly-forecast-snapshot": {
        "task": "forecasting.tasks.take_weekly_snapshot",
        "schedule": crontab(minute=0),
    },
    "prune-sync-feed": {
        "task": "sync.tasks.prune_sync_history",
        "schedule": crontab(hour=1, minute=15),
    },
    "plan-reminders": {
        "task": "plans.tasks.send_plan_reminders",
        "schedule": crontab(minute=10),
    },
}
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "osp@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25", low=1, high=65535)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")

# --- Security (production) ----------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    # The containers' own health checks speak plain HTTP to 127.0.0.1.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000", low=0, high=10**9)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Login throttling: after OSP_LOGIN_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair is refused (429, a page saying for how long) until the cool-off
# passes; a successful login resets the count.
AXES_FAILURE_LIMIT = envint("OSP_LOGIN_FAILURE_LIMIT", "5", low=1, high=1000)
AXES_COOLOFF_TIME = timedelta(minutes=envint("OSP_LOGIN_COOLOFF_MINUTES", "15", low=1,
                                             high=7 * 24 * 60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "osp.views.locked_out"
# The address comes from django-ipware. Each proxy appends the address it was reached from
# to X-Forwarded-For (nginx's $proxy_add_x_forwarded_for), so behind N proxies the client
# is the N-th entry from the right: the last proxy is REMOTE_ADDR, not in the header, hence
# ipware's count of N - 1 proxies after the client. Not strict: entries a client forged to
# the left of the ones our proxies added are ignored instead of discarding the header
# (which would key every such request on the proxy's address); REMOTE_ADDR is for a request
# that came without the header. Without proxies only REMOTE_ADDR counts: a client must not
# choose its own key with a forged header.
OSP_PROXY_COUNT = envint("OSP_PROXY_COUNT", "0", low=0, high=10)
if OSP_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = OSP_PROXY_COUNT - 1
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
    AXES_IPWARE_PROXY_COUNT = None
IPWARE_STRICT = False
AXES_VERBOSE = False

# Content security policy: every script and style comes from our own static files (no
# inline code, no inline style attributes, no eval), so an injected <script> cannot run.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# JSON lines with the request id in production (LOG_FORMAT=json), plain text in development.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "osp.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "osp.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": os.environ.get("LOG_FORMAT",
                                                         "text" if DEBUG else "json")}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
