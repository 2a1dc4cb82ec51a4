"""Second factor for staff: TOTP apps, with single-use backup codes."""

from __future__ import annotations

from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hygie.accounts.models import Organisation, User

BACKUP_CODE_COUNT = 10


def has_confirmed_device(user: User) -> bool:
    return bool(user_has_device(user, confirmed=True))


def _verified(user: User) -> bool:
    # Set on the request's user by django-otp's middleware, which keeps only a confirmed
    # device of that user: a verified session proves a confirmed device with no query.
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def needs_two_factor_verification(user: User) -> bool:
    """A user with a second factor must use it in every session."""
    return not _verified(user) and has_confirmed_device(user)


def needs_two_factor_setup(user: User, organisation: Organisation) -> bool:
    return organisation.require_two_factor and not (_verified(user) or has_confirmed_device(user))


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed device being set up, created on first use with a fresh key."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    return device


def totp_provisioning_uri(device: TOTPDevice) -> str:
    return str(device.config_url)


def replace_backup_codes(user: User) -> list[str]:
    """Create a new set of backup codes, invalidating the previous ones."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="backup", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify_code(user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """The confirmed device that accepts this code, if any (throttled by django-otp)."""
    code = code.replace(" ", "").strip()
    if not code:
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(code):
            return device
    for backup in StaticDevice.objects.filter(user=user, confirmed=True):
        if backup.verify_is_allowed()[0] and backup.verify_token(code):
            return backup
    return None


def disable_two_factor(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
