"""The admin site: superusers reach it only after their second factor, like the console.

A password alone must never open the admin: it shows every account and could be
used to enrol a new authenticator, walking around the console's two-factor rule.
"""

from __future__ import annotations

from django_otp.admin import OTPAdminSite


class SecondFactorAdminSite(OTPAdminSite):  # type: ignore[misc]  # untyped library
    # Keep the standard instance name so `admin:` URL names keep working.
    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
