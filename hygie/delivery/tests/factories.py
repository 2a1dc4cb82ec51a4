from __future__ import annotations

from datetime import time

from hygie.audience.models import Person, Practice, Segment
from hygie.delivery.models import Mailing, SendingProfile, Variant

ALWAYS = {
    "window_days": [0, 1, 2, 3, 4, 5, 6],
    "window_start": time(0, 0),
    "window_end": time(23, 59, 59),
}


def people(organisation, count: int, **extra) -> list[Person]:
    practice = Practice.objects.create(organisation=organisation, name="Maison de santé Étoile")
    return [
        Person.objects.create(
            organisation=organisation,
            email=f"dr{n}@example.org",
            first_name="Élise",
            last_name=f"Durand{n}",
            civility="dr",
            practice=practice,
            departement="33",
            **extra,
        )
        for n in range(count)
    ]


def mailing(
    organisation,
    *,
    segment=None,
    subject="Bonjour {{ prenom }} — sécurité",
    text=(
        "Bonjour {{ civilite }} {{ nom }},\nLisez : {{ lien }}\n"
        "Désinscription : {{ lien_desinscription }}"
    ),
    html=(
        "<style>p{color:#123456}</style><p>Bonjour {{ prenom }}</p>"
        '<a href="{{ lien }}">Lire</a><script>alert(1)</script>'
    ),
    **fields,
) -> Mailing:
    segment = segment or Segment.objects.create(
        organisation=organisation, name=f"Tous {Segment.objects.count()}"
    )
    values = {
        **ALWAYS,
        "name": "Lettre",
        "segment": segment,
        "from_email": "securite@urps.example",
        "from_name": "URPS Sécurité",
        "link_template": "https://hygie.example/c/{token}/",
        **fields,
    }
    m = Mailing.objects.create(organisation=organisation, **values)
    Variant.objects.create(mailing=m, key="A", subject=subject, text_body=text, html_body=html)
    return m


def dkim_signing(organisation, *, domain: str = "urps.example", selector: str = "hygie") -> bytes:
    """Give `organisation` a new DKIM key; returns the DNS record a verifier reads."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    SendingProfile.objects.create(
        organisation=organisation,
        dkim_domain=domain,
        dkim_selector=selector,
        dkim_private_key=private,
    )
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
