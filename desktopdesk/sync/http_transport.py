"""The sync transport over HTTP: sync.md's push and pull on the server's REST API."""

from __future__ import annotations

import uuid
from typing import Any

from desktopdesk.sync.client_http import ServerClient

PROTOCOL = 1
API = "/sync"  # ServerClient prefixes /api/v1


class HttpTransport:
    """Push and pull through a signed-in ``ServerClient`` (errors surface as its own)."""

    def __init__(self, client: ServerClient) -> None:
        self.client = client

    def meta(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.client.get_json(f"{API}/meta")
        return answer

    def push(self, client_id: uuid.UUID, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        answer: dict[str, Any] = self.client.post_json(f"{API}/push", {
            "client_id": str(client_id), "protocol": PROTOCOL, "mutations": mutations})
        return answer

    def pull(self, client_id: uuid.UUID, cookie: str, token: str | None) -> dict[str, Any]:
        answer: dict[str, Any] = self.client.post_json(f"{API}/pull", {
            "client_id": str(client_id), "protocol": PROTOCOL, "cookie": cookie,
            "page_token": token})
        return answer
