"""Sending a signed webhook over HTTP with httpx.

A 2xx answer is success; any other status, a timeout or a connection error
is a failure that the delivery service retries. Redirects are not followed
(a receiver that moved must be re-subscribed, so a signed body never lands
somewhere unexpected). Timeout: ``timeout_seconds`` for the whole exchange.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

import httpx

from servanda.services.webhooks import SendResult


class HttpxWebhookSender:
    def __init__(self, timeout_seconds: float = 5.0) -> None:
        self._client = httpx.Client(timeout=timeout_seconds, follow_redirects=False)

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> SendResult:
        try:
            response = self._client.post(url, content=body, headers=headers)
        except (httpx.HTTPError, httpx.InvalidURL) as failure:
            # InvalidURL is not an HTTPError: a URL httpx refuses is a failed attempt
            # like any other, never a crash of the worker's delivery loop.
            return SendResult(ok=False, error=f"{type(failure).__name__}: {failure}")
        ok = 200 <= response.status_code < 300
        reason = "" if ok else f"HTTP {response.status_code}: {response.text[:200]}"
        return SendResult(ok=ok, status_code=response.status_code, error=reason)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
