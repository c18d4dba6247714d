"""SPARQL 1.1 Protocol, Update, Graph Store Protocol and the named analyst queries.

Routes (all call ``service.sparql``; blocking work runs in a thread, never on the event loop;
queries use ``query_async``, which sends a query already screened straight to a worker):

* ``GET/POST /sparql``: queries by GET, by POST form (``application/x-www-form-urlencoded``)
  and by POST ``application/sparql-query``, with ``default-graph-uri``/``named-graph-uri``;
  with no query, the SPARQL 1.1 Service Description (Turtle by default).
* ``POST /update``: SPARQL 1.1 Update (``application/sparql-update`` or a form with
  ``update``), with ``using-graph-uri``/``using-named-graph-uri``.
* ``GET/PUT/POST/DELETE /graph-store?graph=IRI``: Graph Store Protocol over named graphs.
* ``GET /queries`` and ``GET /queries/{name}?param=...``: the named analyst queries.

Writes need the token the server was started with (``--token``, ``CONFLICTKG_TOKEN``) as
``Authorization: Bearer ...``; without a configured token the service is read-only. CORS is
off (no middleware is added). Protocol input is decoded once, by the standard library.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qs, parse_qsl

import pyoxigraph as ox
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring as safe_xml
from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URLPath
from starlette.types import ASGIApp, Receive, Scope, Send

from conflictkg.config import DEFAULT_MAX_UPLOAD_BYTES
from conflictkg.errors import ConflictKGError, NotFound, QueryError
from conflictkg.service import GraphService
from conflictkg.sparql.formats import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    content_type,
    negotiate,
    serialize_triples,
)
from conflictkg.sparql.named import load_named_queries
from conflictkg.sparql.screen import too_large

from .app import _error_response, service_of
from .auth import client_key, client_key_of, write_refusal

__all__ = ["include", "router"]

router = APIRouter(tags=["sparql"])

SPARQL_PATH = "/sparql"
QUERIES_PREFIX = "/queries/"
#: Base IRIs :class:`FastReads` remembers (one per scheme, server, root path and Host header).
_BASES_KEPT = 256
UPDATE_PATH = "/update"
FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
MULTIPART = "multipart/form-data"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
#: Media type -> the W3C format IRI announced in the service description.
_FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
}


class ParamInfo(BaseModel):
    name: str
    type: str
    required: bool
    description: str


class NamedQueryInfo(BaseModel):
    name: str
    title: str
    description: str
    params: list[ParamInfo]
    url: str


class WriteAnswer(BaseModel):
    """What a successful write changed."""

    graphs: list[str]


class ErrorAnswer(BaseModel):
    """Every error: a stable code (docs/errors.md) and a message; SHACL refusals add the report."""

    error: str
    message: str
    report: dict[str, Any] | None = None


_ERRORS = {
    400: "malformed or refused (E051 syntax, E052 SERVICE/LOAD/XML entities, E053 unknown dataset graph, "
         "E054 protocol misuse, E093 update not applicable, E094 not evaluable)",
    401: "a write without the right token (E058)",
    403: "a read-only server (E058), or a protected graph (E090)",
    404: "no such graph (E062) or named query (E061)",
    406: "no acceptable result type (E059)",
    413: "the text or body is larger than its limit (E091, E054), or the write holds too many triples (E092)",
    415: "an unsupported request Content-Type (E059)",
    422: "more rows than --max-rows (E057), more memory than a query worker may use (E100), a write that "
         "breaks the SHACL shapes (E040), bad named-query parameters (E054)",
    503: "stopped at the time limit or every worker busy (E055, E056), too many queries from this client or in "
         "the queue (E101, E102), or no SHACL gate (E058); always with Retry-After",
}


def _answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorAnswer, "description": _ERRORS[code]} for code in codes}


def _string(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _query_params(*, query_required: bool) -> list[dict[str, Any]]:
    iri_list = {"type": "array", "items": {"type": "string"}}
    return [
        {"name": "query", "in": "query", "required": query_required, "schema": _string("a SPARQL 1.1 query")},
        {"name": "default-graph-uri", "in": "query", "required": False, "schema": iri_list, "explode": True},
        {"name": "named-graph-uri", "in": "query", "required": False, "schema": iri_list, "explode": True},
    ]


_RESULTS = {media: {"schema": {"type": "string"}} for media in (*RESULT_FORMATS, *GRAPH_FORMATS)}
_GRAPH_BODIES = {"text/turtle": {"schema": {"type": "string"}}, "application/n-triples": {"schema": {"type": "string"}},
                 "application/rdf+xml": {"schema": {"type": "string"}}}
_GRAPH_PARAM = [{"name": "graph", "in": "query", "required": True, "schema": _string("the named graph's IRI")}]
_NAMED_QUERIES = sorted(load_named_queries())


# --- request decoding ---------------------------------------------------------------------


def _media(request: Request) -> tuple[str | None, str | None]:
    """(media type, charset) of the request body, lower-cased."""
    header = request.headers.get("content-type")
    if not header:
        return None, None
    parts = [p.strip() for p in header.split(";")]
    charset = None
    for param in parts[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return parts[0].lower(), charset


async def _body(request: Request, limit: int = DEFAULT_MAX_UPLOAD_BYTES, kind: str | None = None) -> bytes:
    """The request body, read up to ``limit`` bytes: a larger one is a 413 (E091 for a query or an
    update of ``kind``, E054 for an upload) before the rest is read."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            if kind is not None:
                raise too_large(kind, size, limit)
            raise QueryError(f"the request body is larger than {limit} bytes", code="E054", status=413)
        chunks.append(chunk)
    return b"".join(chunks)


def _text(data: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise QueryError(f"the body must be UTF-8, not {charset} (SPARQL 1.1 Protocol)", code="E054", status=400)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise QueryError("the body is not valid UTF-8", code="E054", status=400) from None


def _params(request: Request, form: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """URL parameters merged with form parameters (each decoded exactly once)."""
    merged: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        merged.setdefault(key, []).append(value)
    for key, values in (form or {}).items():
        merged.setdefault(key, []).extend(values)
    return merged


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise QueryError(f"give exactly one '{name}' parameter, not {len(values)}", code="E054", status=400)
    return values[0]


def _form(data: bytes, charset: str | None) -> dict[str, list[str]]:
    return parse_qs(_text(data, charset), keep_blank_values=True, strict_parsing=False)


def _unsupported(media: str | None, allowed: list[str]) -> QueryError:
    said = f"Content-Type {media}" if media else "no Content-Type"
    return QueryError(f"{said}: send one of {', '.join(allowed)}", code="E059", status=415)


# --- queries ------------------------------------------------------------------------------


def _endpoint_url(request: Request, path: str) -> str:
    """The absolute URL of one of this router's routes (``request.url_for`` searches the whole
    route table on every call, a visible part of what a small query costs)."""
    return str(URLPath(path).make_absolute_url(request.base_url))


async def _answer_query(request: Request, service: GraphService, query: str, params: dict[str, list[str]]) -> Response:
    result = await service.sparql.query_async(
        query,
        accept=request.headers.get("accept"),
        default_graph_uris=params.get("default-graph-uri", []),
        named_graph_uris=params.get("named-graph-uri", []),
        base_iri=_endpoint_url(request, SPARQL_PATH),
        client=client_key(request, service),
    )
    return Response(result.body, media_type=content_type(result.media_type), headers={"Vary": "Accept"})


@router.get(SPARQL_PATH, name="sparql_get", summary="SPARQL 1.1 query by GET; the service description with no query",
            responses={200: {"content": _RESULTS, "description": "the results, or the service description"},
                       **_answers(400, 406, 413, 422, 503)},
            openapi_extra={"parameters": _query_params(query_required=False)})
async def sparql_get(request: Request, service: GraphService = Depends(service_of)) -> Response:
    params = _params(request)
    if "update" in params:
        raise QueryError("updates are not accepted by GET: POST them to /update", code="E054", status=400)
    query = _one(params, "query")
    if query is None:
        return await run_in_threadpool(_service_description, request, service)
    return await _answer_query(request, service, query, params)


def _head(response: Response) -> Response:
    """The answer to HEAD: the GET answer's status and headers (its Content-Length too), no body."""
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    head = Response(b"", status_code=response.status_code, headers=headers)
    head.headers["content-length"] = str(len(response.body))
    return head


@router.head(SPARQL_PATH, summary="The headers GET /sparql would answer with, without the body",
             responses=_answers(400, 406, 413, 422, 503), openapi_extra={"parameters": _query_params(query_required=False)})
async def sparql_head(request: Request, service: GraphService = Depends(service_of)) -> Response:
    return _head(await sparql_get(request, service))


@router.post(SPARQL_PATH, summary="SPARQL 1.1 query by POST (form or application/sparql-query)",
             responses={200: {"content": _RESULTS, "description": "the results"}, **_answers(400, 406, 413, 415, 422, 503)},
             openapi_extra={"parameters": _query_params(query_required=False)[1:], "requestBody": {"required": True, "content": {
                 QUERY_TYPE: {"schema": _string("a SPARQL 1.1 query")},
                 FORM: {"schema": {"type": "object", "required": ["query"], "properties": {
                     "query": _string("a SPARQL 1.1 query"),
                     "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                     "named-graph-uri": {"type": "array", "items": {"type": "string"}}}}}}}})
async def sparql_post(request: Request, service: GraphService = Depends(service_of)) -> Response:
    media, charset = _media(request)
    data = await _body(request, service.settings.max_query_bytes, "query")
    if media == FORM:
        params = _params(request, _form(data, charset))
        if "update" in params:
            raise QueryError("this is the query endpoint: POST updates to /update", code="E054", status=400)
        query = _one(params, "query")
        if query is None:
            raise QueryError("the form has no 'query' parameter", code="E054", status=400)
    elif media == QUERY_TYPE:
        params = _params(request)
        if "query" in params:
            raise QueryError("the query is the body: do not also pass a 'query' parameter", code="E054", status=400)
        query = _text(data, charset)
    else:
        raise _unsupported(media, [FORM, QUERY_TYPE])
    return await _answer_query(request, service, query, params)


def _service_description(request: Request, service: GraphService) -> Response:
    accept = request.headers.get("accept")
    media = negotiate(accept, list(GRAPH_FORMATS))
    if media is None:
        raise QueryError(f"the service description is available as {', '.join(GRAPH_FORMATS)}", code="E059",
                         status=406)
    endpoint = _endpoint_url(request, SPARQL_PATH)
    s, d, dg = ox.NamedNode(endpoint + "#service"), ox.NamedNode(endpoint + "#dataset"), ox.NamedNode(endpoint + "#default-graph")
    sd = lambda name: ox.NamedNode(SD + name)  # noqa: E731
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples = [
        ox.Triple(s, rdf_type, sd("Service")),
        ox.Triple(s, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(s, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(s, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(s, sd("defaultDataset"), d),
        ox.Triple(d, rdf_type, sd("Dataset")),
        ox.Triple(d, sd("defaultGraph"), dg),
        ox.Triple(dg, rdf_type, sd("Graph")),
        ox.Triple(s, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal(
            "conflictkg: actors, events and attributed claims from conflict news. The default graph is the union "
            "of the named graphs (one per article, one for the dictionaries). SERVICE, LOAD and dataset IRIs that "
            "are not graphs of the store are refused.")),
    ]
    if service.settings.token is not None:
        triples.append(ox.Triple(s, sd("supportedLanguage"), sd("SPARQL11Update")))
    for fmt in sorted(set(_FORMAT_IRIS.values())):
        triples.append(ox.Triple(s, sd("resultFormat"), ox.NamedNode(FORMATS_NS + fmt)))
    for i, name in enumerate(sorted(service.sparql.known_graphs())):
        node = ox.NamedNode(f"{endpoint}#named-graph-{i}")
        triples += [ox.Triple(d, sd("namedGraph"), node), ox.Triple(node, rdf_type, sd("NamedGraph")),
                    ox.Triple(node, sd("name"), ox.NamedNode(name))]
    prefixes = {"sd": SD, "formats": FORMATS_NS}
    body = serialize_triples(triples, media, prefixes)
    return Response(body, media_type=content_type(media), headers={"Vary": "Accept"})


# --- writes -------------------------------------------------------------------------------


@router.get(UPDATE_PATH, include_in_schema=False)
async def update_get() -> Response:
    raise QueryError("updates must be POSTed (SPARQL 1.1 Protocol)", code="E054", status=405)


@router.post(UPDATE_PATH, response_model=WriteAnswer, summary="SPARQL 1.1 Update (needs the write token)",
             responses=_answers(400, 401, 403, 413, 415, 422, 503),
             openapi_extra={"parameters": [
                 {"name": name, "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}}}
                 for name in ("using-graph-uri", "using-named-graph-uri")],
                 "requestBody": {"required": True, "content": {
                     UPDATE_TYPE: {"schema": _string("a SPARQL 1.1 update")},
                     FORM: {"schema": {"type": "object", "required": ["update"],
                                       "properties": {"update": _string("a SPARQL 1.1 update")}}}}}})
async def update_post(request: Request, service: GraphService = Depends(service_of)) -> Any:
    refusal = write_refusal(request, service, action="writes")
    if refusal is not None:
        return refusal
    media, charset = _media(request)
    data = await _body(request, service.settings.max_update_bytes, "update")
    if media == FORM:
        params = _params(request, _form(data, charset))
        if "query" in params:
            raise QueryError("this is the update endpoint: send queries to /sparql", code="E054", status=400)
        update = _one(params, "update")
        if update is None:
            raise QueryError("the form has no 'update' parameter", code="E054", status=400)
    elif media == UPDATE_TYPE:
        params = _params(request)
        update = _text(data, charset)
    else:
        raise _unsupported(media, [FORM, UPDATE_TYPE])
    result = await run_in_threadpool(
        service.sparql.update,
        update,
        using_graph_uris=params.get("using-graph-uri", []),
        using_named_graph_uris=params.get("using-named-graph-uri", []),
        base_iri=_endpoint_url(request, UPDATE_PATH),
    )
    return WriteAnswer(graphs=result.graphs)


def _graph_param(request: Request, *, writing: bool) -> str:
    params = _params(request)
    graph = _one(params, "graph")
    if graph is None:
        if "default" in params:
            what = "write to" if writing else "read"
            raise QueryError(f"cannot {what} the default graph here: it is the union of the named graphs; "
                             "name a graph with ?graph=IRI", code="E054", status=400)
        raise QueryError("name the graph with ?graph=IRI", code="E054", status=400)
    try:
        ox.NamedNode(graph)
    except ValueError:
        raise QueryError(f"?graph={graph!r} is not an absolute IRI", code="E054", status=400) from None
    return graph


def _parse_multipart(data: bytes, header: str, limit: int, base: str) -> list[ox.Triple]:
    """A Graph Store POST in ``multipart/form-data``: every part is an RDF document to add (GSP 5.5)."""
    message = BytesParser().parsebytes(b"Content-Type: " + header.encode("latin-1") + b"\r\n\r\n" + data)
    if not message.is_multipart():
        raise QueryError("malformed multipart/form-data body", code="E051", status=400)
    triples: dict[ox.Triple, None] = {}
    for part in message.get_payload():  # type: ignore[union-attr]
        body = part.get_payload(decode=True) or b""
        for triple in _parse_upload(body, part.get_content_type(), part.get_content_charset(), limit, base):
            triples[triple] = None
        if len(triples) > limit:
            raise _too_many_triples(limit)
    return list(triples)


def _too_many_triples(limit: int) -> QueryError:
    return QueryError(f"the upload holds more than {limit} triples, the limit of one write "
                      "(CONFLICTKG_MAX_WRITE_TRIPLES); split it, or load bulk data with `conflictkg build`",
                      code="E092", status=413)


def _parse_upload(data: bytes, media: str | None, charset: str | None, limit: int, base: str) -> list[ox.Triple]:
    """The uploaded triples (pyoxigraph terms, exactly as sent; relative IRIs resolved against the graph's
    IRI, ``base``); more than ``limit`` is a 413 (E092)."""
    if media not in ("text/turtle", "application/n-triples", "application/rdf+xml"):
        raise _unsupported(media, ["text/turtle", "application/n-triples", "application/rdf+xml"])
    if charset not in (None, "utf-8", "utf8"):
        raise QueryError(f"the body must be UTF-8, not {charset}", code="E054", status=400)
    if media == "application/rdf+xml":
        try:
            safe_xml(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
            raise QueryError("RDF/XML with a DTD or entity declarations is refused", code="E052", status=400) from None
        except Exception as exc:  # defusedxml raises the stdlib ParseError for malformed XML
            raise QueryError(f"malformed RDF/XML: {exc}", code="E051", status=400) from None
    triples: dict[ox.Triple, None] = {}
    try:
        for triple in ox.parse(data, format=GRAPH_FORMATS[media], base_iri=base):
            if not isinstance(triple, ox.Triple):  # pragma: no cover - the three formats give triples
                triple = triple.triple
            triples[triple] = None
            if len(triples) > limit:
                raise _too_many_triples(limit)
    except SyntaxError as exc:
        raise QueryError(f"malformed {media}: {exc}", code="E051", status=400) from None
    return list(triples)


@router.get("/graph-store", summary="Graph Store Protocol: one named graph",
            responses={200: {"content": {m: {"schema": {"type": "string"}} for m in GRAPH_FORMATS},
                             "description": "the graph"}, **_answers(400, 404, 406)},
            openapi_extra={"parameters": _GRAPH_PARAM})
async def graph_get(request: Request, service: GraphService = Depends(service_of)) -> Response:
    graph = _graph_param(request, writing=False)
    media = negotiate(request.headers.get("accept"), list(GRAPH_FORMATS))
    if media is None:
        raise QueryError(f"graphs are available as {', '.join(GRAPH_FORMATS)}", code="E059", status=406)
    if graph not in service.sparql.known_graphs():
        raise NotFound(f"no graph <{graph}> in the store", code="E062")
    body = await run_in_threadpool(service.sparql.graph_body, graph, media)
    return Response(body, media_type=content_type(media), headers={"Vary": "Accept"})


async def _write_graph(request: Request, service: GraphService, *, merge: bool) -> Response:
    refusal = write_refusal(request, service, action="writes")
    if refusal is not None:
        return refusal
    graph = _graph_param(request, writing=True)
    media, charset = _media(request)
    data = await _body(request)
    limit = service.settings.max_write_triples
    if media == MULTIPART and merge:
        content = await run_in_threadpool(_parse_multipart, data, request.headers["content-type"], limit, graph)
    else:
        content = await run_in_threadpool(_parse_upload, data, media, charset, limit, graph)
    existed = graph in service.sparql.known_graphs()
    await run_in_threadpool(service.sparql.replace_graph, graph, content, merge=merge)
    return Response(status_code=204 if existed else 201)


@router.head("/graph-store", summary="The headers GET /graph-store would answer with, without the body",
             responses=_answers(400, 404, 406), openapi_extra={"parameters": _GRAPH_PARAM})
async def graph_head(request: Request, service: GraphService = Depends(service_of)) -> Response:
    return _head(await graph_get(request, service))


@router.put("/graph-store", summary="Graph Store Protocol: replace a named graph (needs the write token)",
            status_code=201, responses={204: {"description": "the graph existed and was replaced"},
                                        **_answers(400, 401, 403, 413, 415, 422, 503)},
            openapi_extra={"parameters": _GRAPH_PARAM, "requestBody": {"required": True, "content": _GRAPH_BODIES}})
async def graph_put(request: Request, service: GraphService = Depends(service_of)) -> Response:
    return await _write_graph(request, service, merge=False)


@router.post("/graph-store", summary="Graph Store Protocol: add to a named graph (needs the write token)",
             status_code=201, responses={204: {"description": "the graph existed and was merged with the body"},
                                         **_answers(400, 401, 403, 413, 415, 422, 503)},
             openapi_extra={"parameters": _GRAPH_PARAM, "requestBody": {"required": True, "content": {
                 **_GRAPH_BODIES, MULTIPART: {"schema": {"type": "object"}}}}})
async def graph_post(request: Request, service: GraphService = Depends(service_of)) -> Response:
    return await _write_graph(request, service, merge=True)


@router.delete("/graph-store", summary="Graph Store Protocol: drop a named graph (needs the write token)",
               status_code=204, responses=_answers(400, 401, 403, 404, 422, 503),
               openapi_extra={"parameters": _GRAPH_PARAM})
async def graph_delete(request: Request, service: GraphService = Depends(service_of)) -> Response:
    refusal = write_refusal(request, service, action="writes")
    if refusal is not None:
        return refusal
    graph = _graph_param(request, writing=True)
    if graph not in service.sparql.known_graphs():
        raise NotFound(f"no graph <{graph}> in the store", code="E062")
    await run_in_threadpool(service.sparql.drop_graph, graph)
    return Response(status_code=204)


# --- named queries ------------------------------------------------------------------------


@router.get("/queries", response_model=list[NamedQueryInfo], summary="The named analyst queries")
def queries_list(request: Request, service: GraphService = Depends(service_of)) -> list[NamedQueryInfo]:
    return [
        NamedQueryInfo(**q.to_dict(), url=str(request.url_for("queries_run", name=name)))  # type: ignore[arg-type]
        for name, q in service.sparql.named_queries().items()
    ]


@router.get("/queries/{name}", name="queries_run", summary="Run a named query; parameters are bound as RDF terms",
            responses={200: {"content": _RESULTS, "description": "the results"}, **_answers(404, 406, 422, 503)})
async def queries_run(request: Request, name: str = Path(json_schema_extra={"enum": _NAMED_QUERIES}),
                      service: GraphService = Depends(service_of)) -> Response:
    params: dict[str, str] = {}
    for key, values in _params(request).items():
        if len(values) > 1:
            raise QueryError(f"give parameter {key!r} once, not {len(values)} times", code="E054", status=422)
        params[key] = values[0]
    result = await service.sparql.run_named_async(name, params, accept=request.headers.get("accept"),
                                                  client=client_key(request, service))
    return Response(result.body, media_type=content_type(result.media_type), headers={"Vary": "Accept"})


# --- the hot reads, straight from ASGI --------------------------------------------------------


class FastReads:
    """``GET /sparql?query=...`` and ``GET /queries/{name}``, answered without FastAPI's routing,
    dependency solving and response classes (a third of what a small query cost the server).

    An ASGI layer in front of the app: a request of exactly the common shape is answered here,
    through the same service calls, limits and errors as the routes above (``sparql_get`` and
    ``queries_run``); any other request, and any unusual shape of these two (no ``query``, a
    repeated parameter, ``update``), goes on to the app, which answers it as before. What the app's
    middlewares do for these routes is done here too: ``Server-Timing``, and stopping the query of
    a client that went away (:class:`.app.CancelOnDisconnect`).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._bases: dict[tuple[Any, ...], str] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        name = path[len(QUERIES_PREFIX):] if path.startswith(QUERIES_PREFIX) else None
        if path != SPARQL_PATH and (not name or "/" in name):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        params: dict[str, list[str]] = {}
        for key, value in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True):
            params.setdefault(key, []).append(value)
        if name is None:
            if len(params.get("query", ())) != 1 or "update" in params:
                await self.app(scope, receive, send)
                return
        elif any(len(values) > 1 for values in params.values()):
            await self.app(scope, receive, send)
            return
        accept = authorization = host = None
        for key, value in scope["headers"]:
            if key == b"accept":
                accept = value.decode("latin-1")
            elif key == b"authorization":
                authorization = value.decode("latin-1")
            elif key == b"host":
                host = value
        service: GraphService = scope["app"].state.service
        client = scope.get("client")
        who = client_key_of(authorization, client[0] if client else None, service)
        await _answer_watched(self._answer(scope, service, name, params, accept, host, who), scope, receive, send,
                              start)

    async def _answer(self, scope: Scope, service: GraphService, name: str | None, params: dict[str, list[str]],
                      accept: str | None, host: bytes | None, who: str) -> Any:
        if name is not None:
            return await service.sparql.run_named_async(name, {k: v[0] for k, v in params.items()}, accept=accept,
                                                        client=who)
        return await service.sparql.query_async(
            params["query"][0], accept=accept, default_graph_uris=params.get("default-graph-uri", []),
            named_graph_uris=params.get("named-graph-uri", []), base_iri=self._base_iri(scope, host), client=who)

    def _base_iri(self, scope: Scope, host: bytes | None) -> str:
        """What ``_endpoint_url(request, SPARQL_PATH)`` gives for this request, remembered per scheme, server,
        root path and Host header (a few hundred at most: the Host header is the client's to choose)."""
        server = scope.get("server")
        key = (scope.get("scheme"), tuple(server) if server else None, scope.get("root_path", ""), host)
        found = self._bases.get(key)
        if found is None:
            found = _endpoint_url(Request(scope), SPARQL_PATH)
            if len(self._bases) < _BASES_KEPT:
                self._bases[key] = found
        return found


async def _answer_watched(answer: Coroutine[Any, Any, Any], scope: Scope, receive: Receive, send: Send,
                          start: float) -> None:
    """Await ``answer`` (a query result) and send it, or the error it raised, as the app would; while it
    is prepared, a client that goes away cancels it (its query leaves the queue or its worker stops)."""
    task = asyncio.current_task()
    assert task is not None
    state = {"answered": False, "gone": False}

    async def listen() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                if not state["answered"]:
                    state["gone"] = True
                    task.cancel()
                return

    listener = asyncio.ensure_future(listen())
    try:
        try:
            result = await answer
        except ConflictKGError as exc:
            response = _error_response(Request(scope), exc)
            response.headers.append("server-timing", _timing(start))
            state["answered"] = True
            await response(scope, receive, send)
            return
        body = result.body
        state["answered"] = True
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", content_type(result.media_type).encode("latin-1")),
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"vary", b"Accept"),
            (b"server-timing", _timing(start).encode("latin-1"))]})
        await send({"type": "http.response.body", "body": body})
    except asyncio.CancelledError:
        if not state["gone"]:
            raise  # cancelled from outside (server shutdown), not by the client going away
    finally:
        listener.cancel()


def _timing(start: float) -> str:
    return f"app;dur={(time.perf_counter() - start) * 1000:.3f}"


def include(app: FastAPI) -> None:
    """Mount the SPARQL routes on ``app``, with :class:`FastReads` in front of the two hot ones."""
    app.include_router(router)
    app.add_middleware(FastReads)

