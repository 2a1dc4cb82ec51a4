"""The sending settings page: every value checked, the DKIM key never shown back."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.urls import reverse

from hygie.accounts.models import AuditEntry
from hygie.delivery.models import SendingProfile
from hygie.delivery.sending import profile_of


def _pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _form(**changes: str) -> dict[str, str]:
    data = {
        "rate_per_minute": "300",
        "simulation_domain": "espace-pro-sante.example",
        "extra_simulation_domains": "Dossier-Patient.example\nmessagerie-cabinet.example\n",
        "link_words": "rdv, dossier  agenda",
        "return_path": "",
        "dkim_domain": "",
        "dkim_selector": "",
        "dkim_private_key": "",
        "identification_header": "X-Exercice: automne-2026",
    }
    return data | changes


def test_an_administrator_saves_the_sending_settings(console, admin, organisation):
    staff = console(admin)
    pem = _pem()
    response = staff.post(
        reverse("delivery:sending"),
        _form(dkim_domain="Union.example", dkim_selector="s2026", dkim_private_key=pem),
    )
    assert response.status_code == 302
    profile = SendingProfile.objects.get(organisation=organisation)
    assert profile.rate_per_minute == 300
    assert profile.simulation_domains == [
        "espace-pro-sante.example",
        "dossier-patient.example",
        "messagerie-cabinet.example",
    ]
    assert profile.link_words == ["rdv", "dossier", "agenda"]
    assert (
        profile.dkim_domain == "union.example" and profile.dkim_private_key.strip() == pem.strip()
    )
    assert profile.identification_header == "X-Exercice: automne-2026"
    entry = AuditEntry.objects.get(action="sending.settings_changed")
    assert entry.details["changed"]["dkim_private_key"] == "changed"
    assert "PRIVATE KEY" not in str(entry.details)
    # The key is never shown back; saving again without one keeps it.
    page = staff.get(reverse("delivery:sending")).content.decode()
    assert "PRIVATE KEY" not in page and "s2026" in page
    staff.post(
        reverse("delivery:sending"),
        _form(dkim_domain="union.example", dkim_selector="s2026", rate_per_minute="200"),
    )
    profile.refresh_from_db()
    assert profile.rate_per_minute == 200 and profile.dkim_private_key.strip() == pem.strip()
    staff.post(reverse("delivery:sending"), _form(remove_dkim_key="on"))
    profile.refresh_from_db()
    assert profile.dkim_private_key == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("simulation_domain", "pas un domaine"),
        ("simulation_domain", "intranet"),
        ("extra_simulation_domains", "ok.example\nmal_forme!.example"),
        ("link_words", "rdv Mot-Interdit!"),
        ("identification_header", "X-Exercice: a\r\nBcc: victime@example.org"),
        ("identification_header", "pas d'en-tête"),
        ("rate_per_minute", "0"),
        ("dkim_private_key", "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----"),
    ],
)
def test_bad_values_are_refused_with_what_is_wrong(console, admin, organisation, field, value):
    before = profile_of(organisation.pk)
    response = console(admin).post(reverse("delivery:sending"), _form(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    after = SendingProfile.objects.get(organisation=organisation)
    assert (after.simulation_domain, after.link_words, after.identification_header) == (
        before.simulation_domain,
        before.link_words,
        before.identification_header,
    )
    assert not AuditEntry.objects.filter(action="sending.settings_changed").exists()


def test_other_or_orphan_dkim_keys_are_refused(console, admin, organisation):
    staff = console(admin)
    curve = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    other = staff.post(
        reverse("delivery:sending"),
        _form(dkim_domain="u.example", dkim_selector="s", dkim_private_key=curve.decode()),
    )
    assert "dkim_private_key" in other.context["form"].errors
    orphan = staff.post(reverse("delivery:sending"), _form(dkim_private_key=_pem()))
    assert "dkim_domain" in orphan.context["form"].errors
    assert profile_of(organisation.pk).dkim_private_key == ""


def test_the_platforms_own_domain_is_not_a_simulation_domain(console, admin, settings):
    settings.PUBLIC_BASE_URL = "https://securite.union-medecins.example"
    staff = console(admin)
    for domain in ("union-medecins.example", "securite.union-medecins.example"):
        response = staff.post(reverse("delivery:sending"), _form(simulation_domain=domain))
        assert "simulation_domain" in response.context["form"].errors
    assert staff.post(reverse("delivery:sending"), _form()).status_code == 302
