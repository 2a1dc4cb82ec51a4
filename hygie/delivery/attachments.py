"""PDF attachments rendered for each recipient.

A variant may carry an attachment as HTML with placeholders; each message gets its own
PDF, so that the link and QR code inside lead to that recipient's personal link (a
simulation's "attachment with a link"). The QR code is drawn into the document as a
`data:` image: the PDF renderer fetches nothing from the network (hygie.lib.pdf).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import segno

from hygie.delivery import placeholders
from hygie.lib.pdf import html_to_pdf

QR_PLACEHOLDER = re.compile(r"\{\{\s*qr_code\s*\}\}")
# Stands for the QR code while the other placeholders are substituted.
_QR_MARK = "\ue000qr\ue000"
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\.pdf")


def problems(name: str, html: str) -> dict[str, str]:
    """What is wrong with an attachment, by field (empty: nothing, or no attachment)."""
    if not name and not html.strip():
        return {}
    found = {}
    if not FILE_NAME.fullmatch(name):
        found["attachment_name"] = (
            "the attachment needs a file name of letters, digits, dots, hyphens or "
            "underscores ending in .pdf"
        )
    unknown = set(placeholders.unknown_placeholders(html)) - {"qr_code"}
    if not html.strip():
        found["attachment_html"] = "the attachment has no content"
    elif unknown:
        found["attachment_html"] = f"unknown placeholder(s): {', '.join(sorted(unknown))}"
    elif "<script" in html.lower():
        found["attachment_html"] = "no script in an attachment"
    return found


def qr_image(link: str) -> str:
    uri = segno.make(link, error="m").png_data_uri(scale=5, border=2)
    return f'<img src="{uri}" alt="QR code" style="width:42mm;height:42mm">'


def filled(html: str, values: Mapping[str, str]) -> str:
    """The attachment's HTML for one recipient: placeholders filled (escaped), the QR
    code of their link drawn in."""
    text = placeholders.substitute(QR_PLACEHOLDER.sub(_QR_MARK, html), values, escape_html=True)
    return text.replace(_QR_MARK, qr_image(values.get("link", "")))


def render(html: str, values: Mapping[str, str]) -> bytes:
    """The PDF of one recipient."""
    return html_to_pdf(filled(html, values))
