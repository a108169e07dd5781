"""The customer report as PDF, read back with pypdf; nothing but local files is ever fetched."""

from __future__ import annotations

import dataclasses
import gc
import io

import pytest
from pypdf import PdfReader

from servanda.reporting.pdf import _cyclic_gc_paused, _fetcher, render_pdf
from tests.unit.reporting.acme_march import acme_march


@pytest.fixture(scope="module")
def pdf() -> bytes:
    # A small report (no trend cards, outage timelines or trails): WeasyPrint takes seconds a page.
    report = dataclasses.replace(acme_march(), objectives=(), availability=(), trails=())
    return render_pdf(report)


def test_the_pdf_reads_back_with_the_reports_figures(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    first = reader.pages[0].extract_text()
    assert "ACME GmbH" in first
    assert "March 2026 · times in Europe/Berlin" in first
    assert "EUR 4,100.00" in first
    assert "05 Mar 2026 15:00" in text  # T4's breach, in Berlin time
    assert "Credits owed to ACME GmbH" in text


def test_the_fonts_are_embedded_so_the_pdf_reads_the_same_everywhere(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts
    assert all("DejaVu" in name for name in fonts)


@pytest.mark.parametrize(
    "url", ["http://example.invalid/logo.png", "https://example.invalid/x.css", "ftp://h/f"]
)
def test_the_fetcher_refuses_every_url_that_is_not_a_local_file_or_data(url: str) -> None:
    with pytest.raises(ValueError, match=r"disallowed protocol|never fetch"):
        _fetcher()(url)


def test_the_fetcher_reads_data_urls_which_carry_the_charts() -> None:
    assert _fetcher()("data:text/plain,hello").read() == b"hello"


def _fail_while_paused() -> None:
    with _cyclic_gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("layout failed")


def test_the_cyclic_collector_is_paused_while_rendering_and_restored_after_errors() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        _fail_while_paused()
    assert gc.isenabled()
    gc.disable()
    try:
        with _cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()
