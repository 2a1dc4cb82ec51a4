"""Reading back the PDFs Hygie renders, for tests."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader


def pdf_text(document: bytes | Path) -> str:
    """All the text of a PDF on single spaces: extraction breaks lines where the PDF wraps."""
    source = io.BytesIO(document) if isinstance(document, bytes) else document
    return " ".join(" ".join(page.extract_text() for page in PdfReader(source).pages).split())
