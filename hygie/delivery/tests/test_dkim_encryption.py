"""DKIM private keys are stored encrypted, and every stored secret survives a key rotation."""

from __future__ import annotations

import importlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import CommandError, call_command
from django.db import connection

from hygie.delivery.models import SendingProfile
from hygie.lib.crypto import encrypt
from hygie.reporting.models import Mailbox


@pytest.fixture(scope="module")
def pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def stored(profile: SendingProfile) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT dkim_private_key FROM {SendingProfile._meta.db_table} WHERE id = %s",  # noqa: S608
            [profile.pk],
        )
        return cursor.fetchone()[0]


def test_the_key_is_never_stored_in_clear(organisation, pem):
    profile = SendingProfile.objects.create(
        organisation=organisation, dkim_domain="union.example", dkim_selector="s1"
    )
    profile.dkim_private_key = pem
    profile.save()
    raw = stored(profile)
    assert "PRIVATE KEY" not in raw and pem not in raw
    assert SendingProfile.objects.get(pk=profile.pk).dkim_private_key == pem


def test_the_migration_encrypts_keys_stored_in_clear(organisation, pem):
    from django.apps import apps

    profile = SendingProfile.objects.create(organisation=organisation)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {SendingProfile._meta.db_table} SET dkim_private_key = %s WHERE id = %s",  # noqa: S608
            [pem, profile.pk],
        )
    # A key written before the migration still reads (and signs) until it runs.
    assert SendingProfile.objects.get(pk=profile.pk).dkim_private_key == pem
    migration = importlib.import_module("hygie.delivery.migrations.0005_encrypt_dkim_private_keys")
    editor = connection.schema_editor()
    migration.encrypt_keys(apps, editor)
    assert "PRIVATE KEY" not in stored(profile)
    assert SendingProfile.objects.get(pk=profile.pk).dkim_private_key == pem
    migration.encrypt_keys(apps, editor)  # running twice changes nothing
    assert SendingProfile.objects.get(pk=profile.pk).dkim_private_key == pem


def test_a_key_rotation_keeps_every_secret(organisation, pem, settings):
    settings.FIELD_ENCRYPTION_KEY = "old key " + "o" * 40
    profile = SendingProfile.objects.create(organisation=organisation, dkim_private_key=pem)
    mailbox = Mailbox.objects.create(
        organisation=organisation,
        host="imap.example.org",
        username="u",
        password_encrypted=encrypt("mot de passe"),
    )
    before = stored(profile)

    settings.FIELD_ENCRYPTION_KEY = "new key " + "n" * 40
    settings.FIELD_ENCRYPTION_KEY_FALLBACKS = ["old key " + "o" * 40]
    call_command("rotate_encryption_key")
    assert stored(profile) != before

    settings.FIELD_ENCRYPTION_KEY_FALLBACKS = []
    from hygie.lib.crypto import decrypt

    assert SendingProfile.objects.get(pk=profile.pk).dkim_private_key == pem
    assert decrypt(Mailbox.objects.get(pk=mailbox.pk).password_encrypted) == "mot de passe"


def test_a_rotation_without_the_old_key_names_what_is_lost(organisation, pem, settings):
    settings.FIELD_ENCRYPTION_KEY = "old key " + "o" * 40
    profile = SendingProfile.objects.create(organisation=organisation, dkim_private_key=pem)
    before = stored(profile)
    settings.FIELD_ENCRYPTION_KEY = "new key " + "n" * 40
    with pytest.raises(CommandError, match="SendingProfile"):
        call_command("rotate_encryption_key")
    assert stored(profile) == before  # left as it was, never wiped
    assert SendingProfile.objects.get(pk=profile.pk).dkim_private_key == ""
