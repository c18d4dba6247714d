"""The FastAPI application: every route calls the one :class:`GraphService` it is given."""

from __future__ import annotations

import time

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conflictkg.errors import ConflictKGError, NotFound, QueryError, ValidationFailed
from conflictkg.service import GraphService

__all__ = ["create_app"]


def create_app(service: GraphService) -> FastAPI:
    """Build the app over ``service``. Routers read it from ``request.app.state.service``."""
    app = FastAPI(
        title="conflictkg",
        summary="Actors, events and attributed claims from conflict news: SPARQL 1.1, graph API, exports.",
        version="0.1.0",
    )
    app.state.service = service
    app.add_middleware(ServerTiming)
    app.add_exception_handler(ConflictKGError, _error_response)  # type: ignore[arg-type]
    for include in ROUTERS:
        include(app)
    return app


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


def _error_response(request: Request, exc: ConflictKGError) -> JSONResponse:
    if isinstance(exc, QueryError):
        status = exc.status
    elif isinstance(exc, ValidationFailed):
        status = 422
    elif isinstance(exc, NotFound):
        status = 404
    else:
        status = 400
    return JSONResponse(exc.to_dict(), status_code=status)


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
