"""The Django admin: a verified second factor, no TOTP secret shown, and an off switch."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client
from django.urls import clear_url_caches
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from hygie.accounts.tests.factories import PASSWORD, UserFactory, confirmed_totp_device
from hygie.accounts.tests.test_sign_in import current_code
from hygie.accounts.two_factor import replace_backup_codes


@pytest.fixture
def superuser(organisation):
    organisation.require_two_factor = True
    organisation.save()
    user = UserFactory(email="root@urps-test.example", is_staff=True, is_superuser=True)
    from hygie.accounts.tests.factories import MembershipFactory

    MembershipFactory(organisation=organisation, user=user)
    return user


def test_a_password_alone_does_not_open_the_admin(client: Client, superuser):
    confirmed_totp_device(superuser)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": superuser.email, "password": PASSWORD}
    )
    assert response.status_code == 200  # the form asks for the code again
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 302
    assert client.get("/admin/accounts/user/").status_code == 302


def test_a_console_session_without_second_factor_does_not_open_the_admin(client: Client, superuser):
    confirmed_totp_device(superuser)
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 302


def test_the_admin_opens_with_password_and_code(client: Client, superuser):
    device = confirmed_totp_device(superuser)
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": superuser.email,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": current_code(device),
        },
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_totp_secrets_and_backup_codes_are_never_shown(client: Client, superuser):
    device = confirmed_totp_device(superuser)
    codes = replace_backup_codes(superuser)
    client.post(
        "/admin/login/?next=/admin/",
        {
            "username": superuser.email,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": current_code(device),
        },
    )
    backup = StaticDevice.objects.get(user=superuser)
    pages = [
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        "/admin/otp_static/staticdevice/",
        f"/admin/otp_static/staticdevice/{backup.pk}/change/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert device.key.encode() not in response.content, url
        for code in codes:
            assert code.encode() not in response.content, url
    # No new authenticator can be enrolled from the admin: that happens in the console,
    # behind the user's own second factor.
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    for view in ("config", "qrcode"):
        response = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/{view}/", follow=True)
        assert device.key.encode() not in response.content
        assert b"otpauth" not in response.content
    assert TOTPDevice.objects.filter(user=superuser).count() == 1


def test_production_can_turn_the_admin_off(client: Client, settings, superuser):
    import hygie.urls

    settings.ADMIN_ENABLED = False
    importlib.reload(hygie.urls)
    clear_url_caches()
    try:
        assert client.get("/admin/login/").status_code == 404
        assert client.get("/admin/").status_code == 404
    finally:
        settings.ADMIN_ENABLED = True
        importlib.reload(hygie.urls)
        clear_url_caches()
    assert client.get("/admin/login/").status_code == 200
