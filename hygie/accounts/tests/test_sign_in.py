"""Sign-in with a password and a TOTP second factor, throttling and password reset."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hygie.accounts.tests.factories import PASSWORD, confirmed_totp_device


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def password_step(client, user, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": password})


def test_first_sign_in_requires_setting_up_two_factor(client, admin):
    assert password_step(client, admin).status_code == 302
    response = client.get(reverse("console:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))

    setup = client.get(reverse("accounts:two_factor_setup"))
    assert b"<svg" in setup.content  # the QR code is inline, not fetched from a server
    device = TOTPDevice.objects.get(user=admin, confirmed=False)

    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": "000000"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()  # django-otp slows down retries after a failure

    done = client.post(reverse("accounts:two_factor_setup"), {"code": current_code(device)})
    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    assert client.get(reverse("console:dashboard")).status_code == 200


def test_a_user_with_a_device_must_enter_a_code_each_session(client, admin):
    device = confirmed_totp_device(admin)
    password_step(client, admin)
    response = client.get(reverse("console:dashboard"))
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))

    refused = client.post(reverse("accounts:two_factor_verify"), {"code": "123456"})
    assert refused.status_code == 200
    assert client.get(reverse("console:dashboard")).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttle_reset()

    accepted = client.post(reverse("accounts:two_factor_verify"), {"code": current_code(device)})
    assert accepted.status_code == 302
    assert client.get(reverse("console:dashboard")).status_code == 200


def test_a_backup_code_works_once(client, admin):
    from hygie.accounts.two_factor import replace_backup_codes

    confirmed_totp_device(admin)
    code = replace_backup_codes(admin)[0]
    password_step(client, admin)
    client.post(reverse("accounts:two_factor_verify"), {"code": code})
    assert client.get(reverse("console:dashboard")).status_code == 200

    client.post(reverse("accounts:logout"))
    password_step(client, admin)
    again = client.post(reverse("accounts:two_factor_verify"), {"code": code})
    assert again.status_code == 200
    assert client.get(reverse("console:dashboard")).status_code == 302


def test_verify_redirect_ignores_foreign_next(client, admin):
    device = confirmed_totp_device(admin)
    password_step(client, admin)
    response = client.post(
        reverse("accounts:two_factor_verify"),
        {"code": current_code(device), "next": "https://evil.example/phish"},
    )
    assert response["Location"] == reverse("console:dashboard")


def test_sign_in_pauses_after_repeated_failures(client, admin):
    for _ in range(5):
        response = password_step(client, admin, password="wrong password")
    assert response.status_code == 429
    # Even the right password is refused while the pause lasts.
    locked = password_step(client, admin)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_names_no_account(client, admin):
    response = password_step(client, admin, password="nope")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


@override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)
def test_password_reset_by_email(client, admin):
    cache.clear()  # rate-limit counters outlive tests
    response = client.post(reverse("accounts:password_reset"), {"email": admin.email.upper()})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [admin.email]
    link = re.search(r"https?://\S+/password-reset/\S+/", message.body)
    assert link, message.body
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.context["validlink"]
    client.post(
        form_page.redirect_chain[-1][0],
        {
            "new_password1": "a brand new passphrase 2026",
            "new_password2": "a brand new passphrase 2026",
        },
    )
    admin.refresh_from_db()
    assert admin.check_password("a brand new passphrase 2026")


@override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)
def test_password_reset_for_unknown_address_sends_nothing(client, db):
    cache.clear()
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_sign_in_page_speaks_both_languages(client, db, language):
    client.cookies["django_language"] = language
    page = client.get(reverse("accounts:login"))
    expected = "Se connecter" if language == "fr" else "Sign in"
    assert expected in page.content.decode()


def test_a_verified_session_looks_devices_up_once_per_page(console, admin):
    """The middleware finds the session's device; the console's checks then ask nothing more
    of the device tables (before, each page asked twice for every kind of device)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = console(admin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("console:dashboard"))
    assert response.status_code == 200
    device_queries = [q["sql"] for q in queries if "otp_" in q["sql"]]
    assert len(device_queries) == 1, device_queries


def test_a_session_without_its_code_still_has_to_give_it(client, admin):
    confirmed_totp_device(admin)
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("console:dashboard"))
    assert response.status_code == 302
    assert reverse("accounts:two_factor_verify") in response["Location"]
