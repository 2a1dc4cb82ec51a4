"""The mail catcher in the console: what the demo platform "sent", as a recipient sees it.

Caught mail belongs to every organisation of the installation, so only platform
superusers see it, and only when the catcher is enabled (demo and development).
"""

from __future__ import annotations

import re
from datetime import datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET

from hygie.accounts.access import console_view
from hygie.accounts.roles import Permission
from hygie.operations.mail_catcher import caught_messages

NAME = re.compile(r"^[0-9T]+-[0-9a-f]{12}\.eml$")
# The headers a person reads, by their names in the page's language, in this order.
SHOWN_HEADERS = {
    "from": _("From"),
    "to": _("To"),
    "reply-to": _("Reply to"),
    "subject": _("Subject"),
    "date": _("Date"),
    "message-id": _("Message identifier"),
    "list-unsubscribe": _("Unsubscribe address"),
}


def sent_at(value: object) -> datetime | str:
    """A Date header as an instant (shown in the reader's time zone and language), or
    as it was written when it cannot be read."""
    text = str(value or "")
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return text
    return moment if moment.tzinfo is not None else text


def _zone(request: HttpRequest) -> str:
    organisation = getattr(request, "organisation", None)
    return organisation.time_zone if organisation is not None else settings.TIME_ZONE


def _allowed(request: HttpRequest) -> None:
    if not settings.MAIL_CATCHER_ENABLED:
        raise Http404
    if not request.user.is_superuser:
        raise PermissionDenied


def _load(name: str) -> tuple[Path, EmailMessage]:
    if not NAME.match(name):
        raise Http404
    path = Path(settings.MAIL_CATCHER_DIR) / name
    if not path.is_file():
        raise Http404
    message = message_from_bytes(path.read_bytes(), policy=default_policy)
    return path, message


@require_GET
@console_view(Permission.VIEW_OPERATIONS)
def catcher_list(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    page = Paginator(caught_messages(Path(settings.MAIL_CATCHER_DIR)), 50).get_page(
        request.GET.get("page")
    )
    rows = []
    for path in page.object_list:
        with path.open("rb") as handle:
            head = handle.read(16384)
        message = message_from_bytes(head.split(b"\r\n\r\n", 1)[0], policy=default_policy)
        rows.append(
            {
                "name": path.name,
                "to": message["To"],
                "subject": message["Subject"],
                "date": sent_at(message["Date"]),
            }
        )
    return render(
        request,
        "operations/catcher_list.html",
        {"page": page, "rows": rows, "zone": _zone(request)},
    )


@require_GET
@console_view(Permission.VIEW_OPERATIONS)
def catcher_detail(request: HttpRequest, name: str) -> HttpResponse:
    _allowed(request)
    path, message = _load(name)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return render(
        request,
        "operations/catcher_detail.html",
        {
            "name": name,
            "subject": message["Subject"] or "",
            "headers": [
                (label, sent_at(message[key]) if key == "date" else str(message[key]))
                for key, label in SHOWN_HEADERS.items()
                if message[key] is not None
            ],
            "zone": _zone(request),
            "text": text.get_content() if text is not None else "",
            "has_html": html is not None,
            "raw": path.read_bytes().decode("utf-8", "replace"),
        },
    )


@require_GET
@console_view(Permission.VIEW_OPERATIONS)
@csp_override(
    {
        # The message's own HTML, shown in a sandboxed frame of the detail page:
        # its inline styles render, nothing in it can run or load from elsewhere.
        "default-src": [CSP.NONE],
        "style-src": [CSP.UNSAFE_INLINE],
        "img-src": ["data:"],
        "frame-ancestors": [CSP.SELF],
        "sandbox": True,  # type: ignore[dict-item]  # a bare directive
    }
)
def catcher_html(request: HttpRequest, name: str) -> HttpResponse:
    _allowed(request)
    _path, message = _load(name)
    html = message.get_body(("html",))
    if html is None:
        raise Http404
    response = HttpResponse(html.get_content(), content_type="text/html; charset=utf-8")
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
