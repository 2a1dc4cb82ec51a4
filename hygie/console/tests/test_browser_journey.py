"""A new administrator signs in with two-factor authentication and reaches the dashboard."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import totp

from hygie.accounts.models import Membership
from hygie.accounts.roles import Role
from hygie.accounts.tests.factories import PASSWORD, MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def test_sign_in_with_two_factor_and_see_the_dashboard(live_server, browser_page):
    organisation = OrganisationFactory(name="URPS Navigateur", require_two_factor=True)
    membership: Membership = MembershipFactory(organisation=organisation, role=Role.ADMIN)
    page = browser_page

    page.goto(f"{live_server.url}/console/")
    page.get_by_label("Adresse e-mail").fill(membership.user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.wait_for_url("**/two-factor/setup/**")
    assert page.locator(".qr svg").count() == 1
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.get_by_role("textbox", name="Code").fill(code_for(secret))
    page.get_by_role("button", name="Activer").click()

    codes = page.get_by_test_id("backup-codes").locator("li")
    assert codes.count() == 10
    page.get_by_role("link", name="Continuer vers la console").click()

    page.wait_for_url(f"{live_server.url}/console/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tableau de bord"
    assert "URPS Navigateur" in page.locator("#org-select").inner_text()
    # Administrators see every area of the console in the navigation.
    navigation = page.get_by_role("navigation", name="Navigation principale")
    for area in (
        "Audience",
        "Contenus",
        "Sensibilisation",
        "Simulations",
        "Résultats",
        "Incidents",
        "Équipe",
    ):
        assert navigation.get_by_role("link", name=area).count() == 1
