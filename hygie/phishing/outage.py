"""Tracking while the database is unreachable: answer as usual, keep the hit, record
it once the database is back.

A pixel still gets its image, a click its page (the "service momentarily
unavailable" page, the same whatever the token, as nothing can be looked up), a
beacon its empty answer. The hit goes to a local spool (hygie.operations.spool)
with what the detector needs to judge it later: the time, the method, the request
headers and the client address, and for a form only the names of the fields that
were filled, never their values. The spool is replayed exactly once: by this
process after its next hit that reached the database, or by a worker of the same
machine; a replayed hit counts at the time it was made.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hygie.lib.visits import Visit
from hygie.operations.loop import CONNECTION_ERRORS
from hygie.operations.spool import Spool
from hygie.phishing import lookup, services
from hygie.phishing.models import HitKind
from hygie.phishing.views import public

logger = logging.getLogger(__name__)

SPOOL = Spool("tracking")

# Headers never kept: they are not the detector's business.
_DROPPED_HEADERS = {"HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_PROXY_AUTHORIZATION"}


def _fallback(endpoint: str, request: HttpRequest, prefix: str, token: str) -> HttpResponse:
    """The answer given without the database: what an unknown token would get, or
    the maintenance page where a known one would have shown its explanation."""
    if endpoint == "open_pixel":
        response = HttpResponse(public.PIXEL, content_type="image/gif")
        response["Cache-Control"] = "no-store"
        return response
    if endpoint == "presence":
        return HttpResponse(status=204)
    if endpoint == "qr_image":
        # The same code as for any token (it only leads to the tracked link), not kept.
        scheme = urlsplit(settings.TRACKING_BASE_URL).scheme
        buffer = io.BytesIO()
        segno.make(f"{scheme}://{request.get_host()}/{prefix}/{token}/", error="m").save(
            buffer, kind="png", scale=6, border=2
        )
        response = HttpResponse(buffer.getvalue(), content_type="image/png")
        response["Cache-Control"] = "no-store"
        return response
    if endpoint == "not_me":
        return render(request, "phishing/not_me.html")
    if endpoint == "hidden_link":
        return public._neutral(request, prefix, token)
    if endpoint == "report":
        page = "phishing/reported.html" if request.method == "POST" else "phishing/report.html"
        return public._page(request, page, prefix, token)
    if request.method == "HEAD":
        return HttpResponse()
    return public._page(request, "phishing/unavailable.html", prefix, token)


def _records(endpoint: str, request: HttpRequest) -> bool:
    """Whether this request would have recorded something."""
    if endpoint == "qr_image":
        return False
    if endpoint in ("report", "presence", "not_me"):
        return request.method == "POST"
    if endpoint == "open_pixel":
        return request.method == "GET"
    return True


def spooled(endpoint: str, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`view`, answering as usual and keeping its hit when the database is unreachable."""

    @wraps(view)
    def wrapper(request: HttpRequest, prefix: str, token: str, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, prefix, token, **kwargs)
        except CONNECTION_ERRORS as exc:
            if _records(endpoint, request):
                keep(endpoint, request, prefix, token)
            logger.warning(
                "tracking hit kept for later: database unavailable",
                extra={"endpoint": endpoint, "error": str(exc).strip()[:200]},
            )
            return _fallback(endpoint, request, prefix, token)
        if _spooled_here.is_set():
            replay_soon()
        return response

    return wrapper


def keep(endpoint: str, request: HttpRequest, prefix: str, token: str) -> None:
    meta = {
        name: str(value)
        for name, value in request.META.items()
        if (name.startswith("HTTP_") and name not in _DROPPED_HEADERS) or name == "REMOTE_ADDR"
    }
    filled = []
    if endpoint == "tracked_link" and request.method == "POST":
        # Names only: the values are dropped here, as in the view.
        filled = [name for name, value in request.POST.items() if str(value).strip()]
    SPOOL.append(
        {
            "endpoint": endpoint,
            "prefix": prefix,
            "token": token,
            "method": request.method,
            "at": timezone.now().isoformat(),
            "meta": meta,
            "filled": filled,
        }
    )
    _spooled_here.set()


def _visit(record: dict[str, Any]) -> Visit:
    return Visit(method=record["method"], meta=dict(record["meta"]))


def record(spooled_hit: dict[str, Any]) -> None:
    """Record one spooled hit as its view would have (inside the spool's transaction)."""
    endpoint = spooled_hit["endpoint"]
    prefix, token = spooled_hit["prefix"], spooled_hit["token"]
    visit = _visit(spooled_hit)
    at = datetime.fromisoformat(spooled_hit["at"])
    moment = lookup.HIT_TIME.set(at)
    try:
        if endpoint in ("open_pixel", "tracked_link", "hidden_link"):
            page = endpoint == "tracked_link" and visit.method != "HEAD"
            related = ("person__practice",) if endpoint == "tracked_link" else ()
            hit = lookup.hit(prefix, token, *related, visit=visit, page=page)
            if hit is None:
                return
            if endpoint == "open_pixel":
                services.delivery_record_open(
                    delivery=hit.delivery, visit=visit, now=hit.at, signals=hit.signals
                )
            elif visit.method == "POST":
                services.delivery_record_hit(
                    delivery=hit.delivery,
                    kind=HitKind.SUBMIT,
                    visit=visit,
                    submitted_fields=spooled_hit.get("filled", []),
                    awaiting_page=True,
                    now=hit.at,
                    signals=hit.signals,
                )
            else:
                services.delivery_record_hit(
                    delivery=hit.delivery,
                    kind=HitKind.CLICK,
                    visit=visit,
                    hidden_link=endpoint == "hidden_link",
                    awaiting_page=page,
                    now=hit.at,
                    signals=hit.signals,
                )
            return
        delivery = lookup.delivery(prefix, token)
        if delivery is None:
            return
        if endpoint == "report":
            services.delivery_record_hit(
                delivery=delivery, kind=HitKind.REPORT, visit=visit, awaiting_page=True, now=at
            )
        elif endpoint == "presence":
            services.delivery_confirm_presence(delivery=delivery, visit=visit, now=at)
        elif endpoint == "not_me":
            services.delivery_disown_hits(delivery=delivery)
    finally:
        lookup.HIT_TIME.reset(moment)


def replay_tracking_spool(worker_id: str = "") -> int:
    """Worker step (and the tracking process's own replay): record the spooled hits."""
    if not SPOOL.pending():
        return 0
    return SPOOL.replay(record)


# --- This process's own replay ---------------------------------------------------

_spooled_here = threading.Event()
_replaying = threading.Lock()
_last_try = [0.0]
RETRY_SECONDS = 5.0


def replay_soon() -> None:
    """The database answered again: replay what this process kept, in the background
    (a hit does not wait for it), at most one replay at a time."""
    if time.monotonic() - _last_try[0] < RETRY_SECONDS or not _replaying.acquire(blocking=False):
        return
    _last_try[0] = time.monotonic()
    threading.Thread(target=_replay_in_background, daemon=True, name="tracking-spool").start()


def _replay_in_background() -> None:
    try:
        _spooled_here.clear()
        replay_tracking_spool()
    except Exception:
        _spooled_here.set()  # try again after a later hit
        logger.warning("tracking spool replay failed; kept for later", exc_info=True)
    finally:
        connections.close_all()
        _replaying.release()
