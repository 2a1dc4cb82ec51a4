"""A text column stored encrypted (hygie.lib.crypto), read back in clear by the code.

The database, its backups and its dumps only ever hold the Fernet token. A value that
the current keys cannot read (the key changed without a rotation) reads as empty, is
logged, and has to be entered again.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import models

from hygie.lib.crypto import SecretUnreadable, decrypt, encrypt, looks_encrypted

logger = logging.getLogger(__name__)


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if not value:
            return value
        if not looks_encrypted(value):
            return value  # written before encryption; the data migration encrypts it
        try:
            return decrypt(value)
        except SecretUnreadable:
            logger.error("a stored secret cannot be decrypted", extra={"field": self.name})
            return ""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(str(value))
