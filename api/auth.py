"""Who may write: the one check behind every write route (SPARQL Update, Graph Store, adding articles)."""

from __future__ import annotations

import hmac

from fastapi import Request
from fastapi.responses import JSONResponse

from conflictkg.errors import QueryError
from conflictkg.service import GraphService

__all__ = ["write_refusal"]


def write_refusal(request: Request, service: GraphService, *, action: str) -> JSONResponse | None:
    """None when ``request`` carries the server's write token; otherwise the 403 (read-only
    server) or 401 (missing or wrong token) answer. ``action`` names what was refused."""
    token = service.settings.token
    if token is None:
        exc = QueryError(f"this server is read-only: start it with --token (CONFLICTKG_TOKEN) to accept {action}",
                         code="E058", status=403)
        return JSONResponse(exc.to_dict(), status_code=403)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return None
    exc = QueryError(f"{action} need 'Authorization: Bearer <token>' with the server's token", code="E058", status=401)
    return JSONResponse(exc.to_dict(), status_code=401, headers={"WWW-Authenticate": 'Bearer realm="conflictkg"'})
