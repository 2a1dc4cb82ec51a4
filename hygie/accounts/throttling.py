"""How django-axes names the account behind a sign-in attempt."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The email address tried, normalised so that case changes do not reset the count.

    Django's sign-in form passes the address under the user model's USERNAME_FIELD
    ("email"), which axes would not find under its default "username" key.
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or request.POST.get("username")
    return str(value).strip().lower() if value else None
