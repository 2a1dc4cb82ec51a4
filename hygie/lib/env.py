"""Typed readers for configuration taken from environment variables.

Every setting that differs between a laptop and production is read through
these helpers so that a bad value fails loudly at start-up, naming the
variable, instead of surfacing later as a confusing runtime error.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_secret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (container secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


LOCAL_CACHE = "django.core.cache.backends.locmem.LocMemCache"
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


def env_cache(name: str) -> dict[str, object]:
    """The default cache, from a URL: empty or locmem:// (this process only) or a Redis
    server (redis://host:6379/0, rediss:// with TLS, unix:///path/to/redis.sock)."""
    raw = os.environ.get(name, "").strip()
    if raw in ("", "locmem://"):
        return {"BACKEND": LOCAL_CACHE}
    if raw.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": REDIS_CACHE, "LOCATION": raw, "KEY_PREFIX": "hygie"}
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a cache URL: use redis://host:6379/0 (shared by every "
        "process) or locmem:// (this process only)."
    )
