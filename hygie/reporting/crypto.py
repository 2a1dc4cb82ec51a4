"""Encryption of stored secrets (the mailbox password) with Fernet.

The Fernet key is derived from `settings.FIELD_ENCRYPTION_KEY` with SHA-256, so any
long random string works as the setting; by default it is derived from SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret was encrypted with another key (the key changed)."""


def _fernet() -> Fernet:
    digest = hashlib.sha256(str(settings.FIELD_ENCRYPTION_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable from exc
