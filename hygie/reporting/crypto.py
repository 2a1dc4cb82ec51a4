"""The report mailbox's password is encrypted with the shared helper of hygie.lib.crypto."""

from hygie.lib.crypto import SecretUnreadable, decrypt, encrypt

__all__ = ["SecretUnreadable", "decrypt", "encrypt"]
