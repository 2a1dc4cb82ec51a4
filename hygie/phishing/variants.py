"""What a scenario puts into a simulation's mailing: the variant's fields, with the
tracked parts (the hidden link robots follow, the open image, the QR code, the way to
report), and the campaign's link prefix."""

from __future__ import annotations

import html
import secrets
from collections.abc import Sequence

from hygie.phishing.content.scenarios import attachment_of
from hygie.phishing.models import Scenario, SimulationCampaign

PREFIXES = ("espace", "compte", "acces", "document", "dossier", "portail", "suivi", "connexion")


# The QR code of a QR scenario is an image served by the tracking host; it encodes
# the person's tracked link. Loading the image is not a click (scanning it is).
QR_IMAGE = (
    '<img src="{{ lien }}q.png" alt="QR code" width="180" height="180" '
    'style="display:block;width:180px;height:180px">'
)


def new_path_prefix(words: Sequence[str]) -> str:
    """A word and four random hex digits, not used by another campaign yet when one is
    free after a few draws (tracking reads campaigns by prefix; a shared prefix works,
    at the cost of reading both campaigns)."""
    prefix = ""
    for _attempt in range(8):
        prefix = secrets.choice(words) + secrets.token_hex(2)
        if not SimulationCampaign.objects.filter(path_prefix=prefix).exists():
            break
    return prefix


def variant_key(scenario: Scenario) -> str:
    """The mailing variant that carries a scenario (variant keys are 8 characters)."""
    return f"s{scenario.pk}"


# Names the open image takes, one per campaign: no fixed file name for filters to learn.
IMAGE_NAMES = ("logo", "entete", "banniere", "signature", "pied", "illustration", "marque")


def open_pixel_html(image: str) -> str:
    # Whether an open counts per person is decided when it happens, from the
    # organisation's setting at that time (see delivery_record_open).
    return (
        f'<img src="{{{{ lien }}}}{image}.gif" width="1" height="1" alt="" '
        'style="display:block;width:1px;height:1px;border:0">'
    )


# How to report, at the end of the message when the campaign asks for it: forward it
# to the organisation's reporting address. Never a link: a "report" link inside a
# suspicious message would teach clicking in it (older messages kept theirs, and the
# r/ address still answers them).
REPORT_TEXT = "\n\n--\nUn doute sur ce message ? Ne cliquez sur rien : transférez-le à {address}\n"
REPORT_HTML = (
    '<p style="font-size:12px;color:#6b7280;margin-top:24px">Un doute sur ce message ? '
    "Ne cliquez sur rien : transférez-le à {address}</p>"
)


def variant_fields(
    scenario: Scenario, *, domain: str, report_address: str, image: str = IMAGE_NAMES[0]
) -> dict[str, str]:
    """What a scenario puts into a mailing variant, tracked parts included.
    `report_address`: the reporting address the message names ("" for none; an SMS
    cannot be forwarded to an email address, so it never carries one)."""
    data = scenario.data
    text = str(data.get("text_body", ""))
    html_body = str(data.get("html_body", "")).replace("{{ qr_code }}", QR_IMAGE)
    sms = str(data.get("sms_body", ""))
    if report_address:
        if text:
            text += REPORT_TEXT.format(address=report_address)
        if html_body:
            html_body += REPORT_HTML.format(address=html.escape(report_address))
    if html_body:
        html_body += hidden_link_html() + open_pixel_html(image)
    attachment_name, attachment_html = attachment_of(data)
    return {
        "subject": str(data.get("subject", "")),
        "text_body": text,
        "html_body": html_body,
        "sms_body": sms,
        "from_name": str(data.get("sender_name", "")),
        "from_email": f"{data['sender_local_part']}@{domain}"
        if domain and data.get("sender_local_part")
        else "",
        "attachment_name": attachment_name,
        "attachment_html": attachment_html,
    }


def hidden_link_html() -> str:
    # A link no person sees or can click; robots that follow every href find it.
    return (
        '<a href="{{ lien }}h/" style="display:none;font-size:0;color:transparent" '
        'aria-hidden="true" tabindex="-1"></a>'
    )
