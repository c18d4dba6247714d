"""Who may write (the one check behind every write route: SPARQL Update, Graph Store, adding
articles), and who is asking (the key of the query pool's per-client limits)."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request
from fastapi.responses import JSONResponse

from conflictkg.errors import QueryError
from conflictkg.service import GraphService

__all__ = ["write_refusal", "client_key", "client_key_of"]


def _has_token(request: Request, token: str) -> bool:
    return _bearer_is(request.headers.get("authorization", ""), token)


def _bearer_is(authorization: str, token: str) -> bool:
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def client_key(request: Request, service: GraphService) -> str:
    """Who is asking, for the per-client limits of the query pool: the holder of the server's
    token, else the remote address. Only the real token counts (a made-up bearer string would
    let one address pose as many clients); the key never contains the token itself."""
    return client_key_of(request.headers.get("authorization"), request.client.host if request.client else None, service)


def client_key_of(authorization: str | None, host: str | None, service: GraphService) -> str:
    """:func:`client_key` from the ``Authorization`` header and the client's address (an ASGI scope's)."""
    token = service.settings.token
    if token is not None and _bearer_is(authorization or "", token):
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:16]
    return "address:" + (host if host is not None else "unknown")


def write_refusal(request: Request, service: GraphService, *, action: str) -> JSONResponse | None:
    """None when ``request`` carries the server's write token; otherwise the 403 (read-only
    server) or 401 (missing or wrong token) answer. ``action`` names what was refused."""
    token = service.settings.token
    if token is None:
        exc = QueryError(f"this server is read-only: start it with --token (CONFLICTKG_TOKEN) to accept {action}",
                         code="E058", status=403)
        return JSONResponse(exc.to_dict(), status_code=403)
    if _has_token(request, token):
        return None
    exc = QueryError(f"{action} need 'Authorization: Bearer <token>' with the server's token", code="E058", status=401)
    return JSONResponse(exc.to_dict(), status_code=401, headers={"WWW-Authenticate": 'Bearer realm="conflictkg"'})
