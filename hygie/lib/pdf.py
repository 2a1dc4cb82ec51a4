"""PDF documents rendered from Django templates with WeasyPrint.

The same HTML (and the same server-side SVG charts) serves the page and its
PDF. Rendering never reaches the network: the URL fetcher only answers
`data:` URIs and files under the static directories, so a template (or a
value inside it) cannot make the server fetch a remote resource.
"""

from __future__ import annotations

import mimetypes
import ssl
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from hygie.lib.typography import french_html

# Host-less base so that relative and /static/ URLs resolve to something the
# fetcher recognises without a real server.
PDF_BASE_URL = "https://pdf.invalid/"


class BlockedFetch(ValueError):
    pass


def _static_file(path: str) -> Path | None:
    prefix = settings.STATIC_URL
    if not path.startswith(prefix):
        return None
    relative = unquote(path[len(prefix) :])
    if ".." in Path(relative).parts:
        return None
    found: Any = finders.find(relative)
    if isinstance(found, str | Path):
        return Path(found)
    if not settings.STATIC_ROOT:
        return None
    candidate = Path(settings.STATIC_ROOT) / relative
    return candidate if candidate.is_file() else None


def fetch_local(url: str) -> tuple[bytes, str]:
    """The bytes and MIME type of a data: URI or a static file; nothing else."""
    if url.startswith("data:"):
        with urllib.request.urlopen(url) as response:  # noqa: S310 (data: only)
            return response.read(), response.headers.get_content_type()
    parsed = urlparse(url)
    if f"{parsed.scheme}://{parsed.netloc}/" == PDF_BASE_URL:
        found = _static_file(parsed.path)
        if found is not None:
            mime_type, _ = mimetypes.guess_type(found.name)
            return found.read_bytes(), mime_type or "application/octet-stream"
    raise BlockedFetch(f"PDF rendering does not fetch {url!r}")


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            body, mime_type = fetch_local(url)
            return URLFetcherResponse(url, body, headers={"Content-Type": mime_type})

    # The fetcher never opens a connection; an empty TLS context spares reading the
    # system's certificate authorities at every PDF (WeasyPrint's default does).
    return LocalFetcher(ssl_context=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))


# Tagged PDF for assistive technologies (PDF/UA-1): a structure tree (headings, tables,
# lists, figures with their text), the document's language (from <html lang>) and its
# title (from <title>) shown in place of the file name.
ACCESSIBLE_VARIANT = "pdf/ua-1"


def render_pdf(template_name: str, context: dict[str, Any], *, language: str = "fr") -> bytes:
    """Render `template_name` (extending pdf/base.html) to tagged, accessible PDF bytes."""
    fetcher = _fetcher()  # first: the fast tests refuse a rendering here (hygie/conftest.py)
    from weasyprint import HTML

    with translation.override(language):
        html = str(render_to_string(template_name, context))
    if language.startswith("fr"):
        html = french_html(html)
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher)
    return bytes(document.write_pdf(pdf_variant=ACCESSIBLE_VARIANT))


def html_to_pdf(html: str) -> bytes:
    """A PDF from a complete HTML string (an attachment), with the same closed fetcher:
    images must be `data:` URIs or static files."""
    fetcher = _fetcher()
    from weasyprint import HTML

    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher)
    return bytes(document.write_pdf())


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
