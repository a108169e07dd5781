"""The httpx sender turns every failure to send into a failed attempt, never an exception."""

from __future__ import annotations

from servanda.adapters.webhooks import HttpxWebhookSender


def test_a_url_httpx_refuses_is_a_failed_attempt_not_a_crash() -> None:
    with HttpxWebhookSender(timeout_seconds=0.5) as sender:
        result = sender.send("http://127.0.0.1:9/\x1ehook", b"{}", {})
    assert not result.ok
    assert "InvalidURL" in result.error
