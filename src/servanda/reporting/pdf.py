"""PDF from the report HTML with WeasyPrint; only ``file:`` and ``data:`` URLs are ever read.

Rendering runs with the cyclic garbage collector paused: WeasyPrint builds
hundreds of thousands of short-lived objects per report, reference counting
frees them, and the collector's passes over them cost 15-20 % of the time.
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from servanda.services.customer_report import CustomerReport

LOCAL_PROTOCOLS = frozenset({"file", "data"})


def _fetcher() -> Any:  # noqa: ANN401 - WeasyPrint's fetcher type differs between releases
    _weasyprint()
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint < 68: a plain function
        from weasyprint import default_url_fetcher

        def local_only(url: str, timeout: int = 10, ssl_context: Any = None) -> Any:  # noqa: ANN401
            if url.split(":", 1)[0] not in LOCAL_PROTOCOLS:
                raise ValueError(f"reports never fetch from the network ({url})")
            return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)

        return local_only
    return URLFetcher(allowed_protocols=LOCAL_PROTOCOLS)


def _weasyprint() -> Any:  # noqa: ANN401 - the weasyprint module
    """Import WeasyPrint; its notice that HarfBuzz-Subset will be required later is not our error.

    Without the system library it subsets fonts with fontTools (slower, same PDF).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        import weasyprint

    return weasyprint


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def html_to_pdf(html: str) -> bytes:
    HTML = _weasyprint().HTML

    with _cyclic_gc_paused():
        document: bytes = HTML(string=html, url_fetcher=_fetcher()).write_pdf()
    return document


def render_pdf(report: CustomerReport) -> bytes:
    """The monthly customer SLA report as PDF bytes."""
    from servanda.reporting.html import customer_report_html

    return html_to_pdf(customer_report_html(report))
