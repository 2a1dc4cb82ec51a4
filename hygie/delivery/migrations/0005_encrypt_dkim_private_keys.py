"""DKIM private keys are stored encrypted, like report mailbox passwords."""

from django.db import migrations

import hygie.lib.encrypted_field
from hygie.lib.crypto import decrypt, encrypt, looks_encrypted


def _rows(schema_editor, table):
    # Raw SQL: the model field would decrypt on read, and these values are still clear.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, dkim_private_key FROM {table} WHERE dkim_private_key <> ''")  # noqa: S608
        return cursor.fetchall()


def _write(schema_editor, table, pk, value):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET dkim_private_key = %s WHERE id = %s", [value, pk])  # noqa: S608


def encrypt_keys(apps, schema_editor):
    table = apps.get_model("delivery", "SendingProfile")._meta.db_table
    for pk, value in _rows(schema_editor, table):
        if not looks_encrypted(value):
            _write(schema_editor, table, pk, encrypt(value))


def decrypt_keys(apps, schema_editor):
    table = apps.get_model("delivery", "SendingProfile")._meta.db_table
    for pk, value in _rows(schema_editor, table):
        if looks_encrypted(value):
            _write(schema_editor, table, pk, decrypt(value))


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0004_mailing_priority"),
    ]

    operations = [
        migrations.AlterField(
            model_name="sendingprofile",
            name="dkim_private_key",
            field=hygie.lib.encrypted_field.EncryptedTextField(
                blank=True,
                help_text="Leave empty to send unsigned.",
                verbose_name="DKIM private key (PEM)",
            ),
        ),
        migrations.RunPython(encrypt_keys, decrypt_keys),
    ]
