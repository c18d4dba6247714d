"""The FastAPI application: every route calls the one :class:`GraphService` it is given."""

from __future__ import annotations

import asyncio
import inspect
import math
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conflictkg.errors import ConflictKGError, NotFound, QueryError, ValidationFailed
from conflictkg.service import GraphService
from conflictkg.sparql.pool import RETRY_AFTER

__all__ = ["create_app"]


def create_app(service: GraphService) -> FastAPI:
    """Build the app over ``service``. Routers read it from ``request.app.state.service``."""
    app = FastAPI(
        title="conflictkg",
        summary="Actors, events and attributed claims from conflict news: SPARQL 1.1, graph API, exports.",
        version="0.1.0",
        **_NO_TELEMETRY,
    )
    app.state.service = service
    app.add_middleware(CancelOnDisconnect)
    app.add_middleware(ServerTiming)
    app.add_exception_handler(ConflictKGError, _error_response)  # type: ignore[arg-type]
    for include in ROUTERS:
        include(app)
    return app


#: FastAPI's native OpenTelemetry off (FastAPI 0.165 and later): it asks the global providers on every
#: request whether they are configured (about 7 us a request); conflictkg
#: reports its own time in ``Server-Timing``.
_NO_TELEMETRY: dict[str, Any] = ({"telemetry": {"tracing": False, "metrics": False, "logs": False}}
                                 if "telemetry" in inspect.signature(FastAPI.__init__).parameters else {})


class ServerTiming:
    """Adds ``Server-Timing: app;dur=<milliseconds>`` to every response: the app's own time, from
    the request reaching it to the response starting (HTTP parsing and the socket not included).
    A plain ASGI middleware: a few microseconds per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = f"app;dur={(time.perf_counter() - start) * 1000:.3f}".encode()
                message = {**message, "headers": [*message.get("headers", []), (b"server-timing", took)]}
            await send(message)

        await self.app(scope, receive, timed)


class CancelOnDisconnect:
    """Stops the work of a query whose client has gone away.

    For the routes that hand work to the query workers (``/sparql``, ``/queries/...``), the
    request runs in its own task while this middleware listens for ``http.disconnect`` once
    the request body has been read: when the client goes away before the answer is complete,
    the task is cancelled, so its query leaves the queue or its worker is stopped (see
    :mod:`conflictkg.sparql.pool`). The body itself is read only as fast as the route reads it.
    """

    PREFIXES = ("/sparql", "/queries/")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.PREFIXES):
            await self.app(scope, receive, send)
            return
        queue: asyncio.Queue[Message] = asyncio.Queue()
        body_read = asyncio.Event()
        answered = False
        headers = dict(scope.get("headers") or [])
        if scope["method"] in ("GET", "HEAD") and b"content-length" not in headers \
                and b"transfer-encoding" not in headers:
            body_read.set()

        async def request_receive() -> Message:
            if body_read.is_set():
                return await queue.get()
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_read.set()
            return message

        async def request_send(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                answered = True
            await send(message)

        task = asyncio.ensure_future(self.app(scope, request_receive, request_send))

        async def listen() -> None:
            await body_read.wait()
            while True:
                message = await receive()
                await queue.put(message)
                if message["type"] == "http.disconnect":
                    if not answered:
                        task.cancel()
                    return

        listener = asyncio.ensure_future(listen())
        try:
            await task
        except asyncio.CancelledError:
            if not listener.done() or answered:
                raise  # cancelled from outside (server shutdown), not by the client going away
        finally:
            listener.cancel()


def _error_response(request: Request, exc: ConflictKGError) -> JSONResponse:
    headers = None
    if isinstance(exc, QueryError):
        status = exc.status
        if status == 503:  # every 503 says when to come back
            headers = {"Retry-After": str(math.ceil(exc.retry_after or RETRY_AFTER))}
    elif isinstance(exc, ValidationFailed):
        status = 422
    elif isinstance(exc, NotFound):
        status = 404
    else:
        status = 400
    return JSONResponse(exc.to_dict(), status_code=status, headers=headers)


async def service_of(request: Request) -> GraphService:
    """The app's graph service (use as a FastAPI dependency).

    ``async`` on purpose: FastAPI runs a plain ``def`` dependency in its thread pool, a thread
    hop (two context switches) on every request for a dictionary lookup.
    """
    return request.app.state.service  # type: ignore[no-any-return]


def _include_routers() -> list:  # type: ignore[type-arg]
    """Each module of this package that has routes contributes an ``include(app)`` here."""
    from . import (  # the analyst's workbench: its JSON under /api, the page at / (issue 7)
        articles,
        events,  # why reports were joined; merges and splits (issue 13)
        graph,  # graph API and exports (issue 5)
        sparql,  # SPARQL protocol, update, graph store, named queries (issue 4)
        ui,
    )

    return [events.include, graph.include, sparql.include, articles.include, ui.include]


ROUTERS = _include_routers()
