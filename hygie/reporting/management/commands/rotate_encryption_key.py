"""Re-encrypt every stored secret with the current HYGIE_FIELD_ENCRYPTION_KEY.

Procedure (docs/security.md): set the new key in HYGIE_FIELD_ENCRYPTION_KEY and the
old one in HYGIE_FIELD_ENCRYPTION_KEY_FALLBACKS, restart, run this command, then
empty the fallbacks and restart again. Secrets no key can read are left as they are
and listed: they have to be entered again in the console.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Model

from hygie.delivery.models import SendingProfile
from hygie.lib.crypto import SecretUnreadable, looks_encrypted, reencrypt
from hygie.reporting.models import Mailbox

# (model, column) of every encrypted secret.
ENCRYPTED_COLUMNS: list[tuple[type[Model], str]] = [
    (Mailbox, "password_encrypted"),
    (SendingProfile, "dkim_private_key"),
]


class Command(BaseCommand):
    help = "Re-encrypt stored secrets (mailbox passwords, DKIM keys) with the current key."

    def handle(self, *args: Any, **options: Any) -> None:
        unreadable: list[str] = []
        rotated = 0
        with transaction.atomic():
            for model, column in ENCRYPTED_COLUMNS:
                table = model._meta.db_table
                # Raw SQL: the stored tokens themselves, not the decrypted values.
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT id, {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
                    rows = cursor.fetchall()
                for pk, token in rows:
                    if not looks_encrypted(token):
                        continue
                    try:
                        fresh = reencrypt(token)
                    except SecretUnreadable:
                        unreadable.append(f"{model._meta.label} #{pk} ({column})")
                        continue
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608
                            [fresh, pk],
                        )
                    rotated += 1
        self.stdout.write(f"{rotated} secret(s) re-encrypted with the current key.")
        if unreadable:
            raise CommandError(
                "No configured key reads these secrets; enter them again in the console: "
                + ", ".join(unreadable)
            )
