import copy
import io

import pytest
from pypdf import PdfReader

from hygie.lib.pdf import BlockedFetch, fetch_local, render_pdf
from hygie.testing.pdf import pdf_text


@pytest.fixture
def template_dir(settings, tmp_path):
    """A directory of extra templates, searched first."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates  # assignment resets the template engines
    (tmp_path / "pdf").mkdir()
    return tmp_path / "pdf"


@pytest.mark.slow  # renders a PDF (see hygie/testing/selection.py)
def test_renders_french_text_with_accents(template_dir):
    (template_dir / "sample.html").write_text(
        '{% extends "pdf/base.html" %}{% block content %}<h1>Déclaration à la CNIL</h1>'
        "<p>Échéance : lundi 2 mars à 14 h 05 — « sous 72 heures ».</p>{% endblock %}",
        encoding="utf-8",
    )
    content = render_pdf("pdf/sample.html", {})
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    assert "Déclaration à la CNIL" in text
    assert "« sous 72 heures »" in text
    # French typography: no-break spaces, narrow inside the guillemets.
    raw = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Échéance\u00a0: lundi" in raw and "«\u202fsous 72\u00a0heures\u202f»" in raw


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/logo.png",
        "file:///etc/passwd",
        "https://pdf.invalid/static/../../settings.py",
        "https://pdf.invalid/media/anything",
    ],
)
def test_fetcher_refuses_anything_but_static_and_data(url):
    with pytest.raises(BlockedFetch):
        fetch_local(url)


def test_fetcher_serves_static_files_and_data_uris():
    body, mime_type = fetch_local("https://pdf.invalid/static/img/favicon.svg")
    assert mime_type == "image/svg+xml"
    assert b"<svg" in body
    assert fetch_local("data:text/plain,hello") == (b"hello", "text/plain")


@pytest.mark.slow  # renders a PDF (see hygie/testing/selection.py)
def test_remote_image_in_a_template_is_not_fetched(monkeypatch, template_dir):
    import urllib.request

    def forbidden(*args, **kwargs):
        raise AssertionError("network access during PDF rendering")

    monkeypatch.setattr(urllib.request, "urlopen", forbidden)
    (template_dir / "remote.html").write_text(
        '{% extends "pdf/base.html" %}{% block content %}'
        '<img src="http://203.0.113.5/track.png"><p>Texte</p>{% endblock %}',
        encoding="utf-8",
    )
    content = render_pdf("pdf/remote.html", {})
    assert "Texte" in pdf_text(content)
