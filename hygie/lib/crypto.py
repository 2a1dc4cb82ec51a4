"""Encryption of stored secrets (report mailbox passwords, DKIM private keys) with Fernet.

The Fernet key is derived from `settings.FIELD_ENCRYPTION_KEY` with SHA-256, so any
long random string works as the setting; by default it is derived from SECRET_KEY.
To change the key without losing the secrets, put the new one in
HYGIE_FIELD_ENCRYPTION_KEY and the old one in HYGIE_FIELD_ENCRYPTION_KEY_FALLBACKS,
run `manage.py rotate_encryption_key` (it re-encrypts every stored secret with the new
key), then remove the fallback (docs/security.md).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret was encrypted with another key (the key changed)."""


def _fernet_for(key: str) -> Fernet:
    digest = hashlib.sha256(str(key).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _fernet() -> MultiFernet:
    """The current key first (it encrypts); fallbacks only decrypt."""
    keys = [settings.FIELD_ENCRYPTION_KEY, *getattr(settings, "FIELD_ENCRYPTION_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(key) for key in keys])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable from exc


def reencrypt(token: str) -> str:
    """The same secret encrypted with the current key (SecretUnreadable if no key reads it)."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable from exc


def looks_encrypted(value: str) -> bool:
    """A Fernet token (version byte 0x80, base64): what `encrypt` produces."""
    return value.startswith("gAAAAA")
