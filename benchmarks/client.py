"""The benchmarks' HTTP client: one keep-alive connection of the standard library's ``http.client``.

Every HTTP engine (conflictkg, rdflib-endpoint) is timed through this same client, so the
numbers compare servers, not clients. It is lean on purpose: httpx spends about half a
millisecond of its own per request, as much as conflictkg's whole HTTP layer. A connection
the server closed while idle (keep-alive timeout) is reopened once and the GET sent again.
"""

from __future__ import annotations

import http.client
import json
import socket
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit

__all__ = ["Client", "ClientError", "ClientTimeout", "Response"]


class ClientError(Exception):
    """The request failed below HTTP (connection refused or reset, malformed answer)."""


class ClientTimeout(ClientError):
    """No answer within the client's timeout."""


@dataclass(frozen=True)
class Response:
    status_code: int
    content: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)

    def server_ms(self) -> float | None:
        """The server's own time for the request, from its ``Server-Timing: app;dur=...`` header."""
        for metric in self.headers.get("server-timing", "").split(","):
            name, _, params = metric.strip().partition(";")
            if name == "app" and params.startswith("dur="):
                return float(params[4:])
        return None


class Client:
    """Requests to one server over one keep-alive connection."""

    def __init__(self, base: str, *, timeout: float, headers: dict[str, str] | None = None) -> None:
        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.prefix = url.path.rstrip("/")
        self.timeout = timeout
        self.headers = dict(headers or {})
        self._conn: http.client.HTTPConnection | None = None

    def get(self, path: str, params: dict[str, str] | None = None, *, timeout: float | None = None) -> Response:
        """GET ``path``; ``timeout`` (seconds) overrides the client's for this request."""
        return self.request("GET", path, params=params, timeout=timeout)

    def request(self, method: str, path: str, *, params: dict[str, str] | None = None, body: bytes | None = None,
                headers: dict[str, str] | None = None, timeout: float | None = None) -> Response:
        """Send ``method`` to ``path`` with ``body`` and extra ``headers``; see :meth:`get`."""
        target = self.prefix + path + ("?" + urlencode(params) if params else "")
        limit = self.timeout if timeout is None else timeout
        for attempt in (1, 2):
            conn = self._connection()
            conn.timeout = limit
            if conn.sock is not None:
                conn.sock.settimeout(limit)
            try:
                conn.request(method, target, body=body, headers={**self.headers, **(headers or {})})
                answer = conn.getresponse()
                body = answer.read()
            except (socket.timeout, TimeoutError):
                self.close()
                raise ClientTimeout(f"no answer within {limit:g} s") from None
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self.close()  # the server dropped the idle connection: reconnect once
                if attempt == 2:
                    raise ClientError(str(exc)) from None
                continue
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise ClientError(f"{type(exc).__name__}: {exc}") from None
            return Response(answer.status, body, {k.lower(): v for k, v in answer.getheaders()})
        raise AssertionError("unreachable")  # pragma: no cover

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
