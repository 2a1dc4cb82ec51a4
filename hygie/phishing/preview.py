"""Scenarios and campaign variants shown in the console as they will be received,
with sample values in the placeholders (never a real person's)."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.conf import settings

from hygie.accounts.models import Organisation
from hygie.delivery import attachments
from hygie.delivery.models import Variant
from hygie.delivery.placeholders import substitute
from hygie.delivery.sending import profile_of
from hygie.phishing.content.scenarios import attachment_of
from hygie.phishing.models import Scenario
from hygie.phishing.variants import QR_IMAGE

SAMPLE_TOKEN = "exemple"  # noqa: S105 - shown in previews, not a secret


def sample_values(organisation: Organisation, *, link_template: str = "") -> dict[str, str]:
    """`link_template`: a campaign's (its host and path); empty: a scenario's sample."""
    template = link_template or f"{settings.TRACKING_BASE_URL}/espace1a2b/{{token}}/"
    link = template.replace("{token}", SAMPLE_TOKEN)
    return {
        "first_name": "Camille",
        "last_name": "Martin",
        "civility": "Docteur",
        "greeting": "Bonjour Docteur Martin",
        "full_name": "Camille Martin",
        "practice": "Cabinet médical des Tilleuls",
        "email": "camille.martin@example.org",
        "organisation": organisation.brand_name or organisation.name,
        "link": link,
        "unsubscribe_link": "",
    }


def _qr(html: str, link: str) -> str:
    # In the message the code is an image served by the tracking host; here it is
    # drawn inline, since the preview frame loads nothing.
    uri = segno.make(link, error="m").png_data_uri(scale=4, border=2)
    image = QR_IMAGE.replace("{{ lien }}q.png", uri)
    return html.replace("{{ qr_code }}", image).replace(QR_IMAGE, image)


@dataclass(frozen=True)
class Rendered:
    sender: str
    sender_address: str
    subject: str
    text: str
    html: str
    sms: str


def render_scenario(scenario: Scenario, organisation: Organisation) -> Rendered:
    values = sample_values(organisation)
    data = scenario.data
    domains = profile_of(organisation.pk).simulation_domains
    domain = domains[0] if domains else "domaine-de-simulation.invalid"
    local = str(data.get("sender_local_part", ""))
    return Rendered(
        sender=str(data.get("sender_name", "")),
        sender_address=f"{local}@{domain}" if local else "",
        subject=substitute(str(data.get("subject", "")), values),
        text=substitute(str(data.get("text_body", "")), values),
        html=substitute(
            _qr(str(data.get("html_body", "")), values["link"]), values, escape_html=True
        ),
        sms=substitute(str(data.get("sms_body", "")), values),
    )


def render_variant(variant: Variant, organisation: Organisation) -> Rendered:
    """A campaign's variant exactly as its mailing carries it (report link included)."""
    values = sample_values(organisation, link_template=variant.mailing.link_template)
    return Rendered(
        sender=variant.from_name,
        sender_address=variant.from_email,
        subject=substitute(variant.subject, values),
        text=substitute(variant.text_body, values),
        html=substitute(_qr(variant.html_body, values["link"]), values, escape_html=True),
        sms=substitute(variant.sms_body, values),
    )


def landing_html(scenario: Scenario) -> str:
    return str((scenario.data.get("landing") or {}).get("html", ""))


def attachment_html(scenario: Scenario, organisation: Organisation) -> str:
    """The scenario's attachment with sample values, as its PDF is drawn ("" if none)."""
    source = attachment_of(scenario.data)[1]
    return attachments.filled(source, sample_values(organisation)) if source else ""


def attachment_pdf(scenario: Scenario, organisation: Organisation) -> bytes:
    name, source = attachment_of(scenario.data)
    return attachments.render(source, sample_values(organisation), name=name)


def variant_attachment_pdf(variant: Variant, organisation: Organisation) -> bytes:
    """A campaign variant's attachment, drawn for a sample person on the campaign's link."""
    values = sample_values(organisation, link_template=variant.mailing.link_template)
    return attachments.render(variant.attachment_html, values, name=variant.attachment_name)
