"""Graph routes under ``/graph``: nodes, neighbours, paths, centrality, contested figures, statements, exports.

Every route calls ``service.network`` (:class:`conflictkg.network.NetworkViews`) and types
its answer with the Pydantic models below. Node ids are the slugs of the projections
(``actor.interior-ministry``); a full IRI is accepted too (URL-encoded). Unknown ids answer
404 (``E061``), bad parameters 422 (``E070``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from conflictkg.config import (
    DEFAULT_EXPORT_FORMAT,
    DEFAULT_GRAPH_VIEW,
    DEFAULT_MAX_PATHS,
    DEFAULT_NEIGHBOUR_DEPTH,
    DEFAULT_TOP_K,
)
from conflictkg.exports import FORMATS
from conflictkg.network import CENTRALITY_MEASURES, DIRECTIONS
from conflictkg.projection import NODE_TYPES, VIEWS
from conflictkg.service import GraphService

from .app import service_of

__all__ = ["include", "router"]

router = APIRouter(prefix="/graph", tags=["graph"])

Scalar = str | int | float | bool
Service = Annotated[GraphService, Depends(service_of)]


def _enum(values: tuple[str, ...] | list[str], description: str) -> Any:
    return Query(description=f"{description} One of: {', '.join(values)}.",
                 json_schema_extra={"enum": list(values)})


ViewParam = Annotated[str, _enum(VIEWS, "The projection: actors and events, or claims as nodes.")]
TypesParam = Annotated[
    list[str] | None,
    Query(description=f"Keep only nodes of these node types (repeat or comma-separate): {', '.join(NODE_TYPES)}."),
]


class NodeSummary(BaseModel):
    """A node as listed: its id (slug), label and type."""

    id: str = Field(description="The node id: an NMTOKEN slug of its IRI, e.g. actor.interior-ministry")
    label: str | None
    node_type: str | None = Field(description="Actor, Event, Claim or Article")
    subtype: str | None = Field(description="The most specific class, e.g. Ministry, Attack; a claim's stance")


class NodeDetail(NodeSummary):
    iri: str
    view: str
    attributes: dict[str, Scalar] = Field(description="Every other attribute: literals of the node, dates, figures")
    in_degree: int
    out_degree: int


class Edge(BaseModel):
    id: str = Field(description="Unique edge id (a claim's id for collapsed claims)")
    source: str
    target: str
    relation: str | None = Field(description="hasActor, affiliatedWith, backs, claim, about, wasAttributedTo, ...")
    attributes: dict[str, Scalar]


class Neighbour(NodeSummary):
    distance: int


class Neighbours(BaseModel):
    center: NodeSummary
    view: str
    depth: int
    direction: str
    types: list[str]
    nodes: list[Neighbour]
    edges: list[Edge]


class Path(BaseModel):
    nodes: list[NodeSummary]
    edges: list[Edge] = Field(description="Every edge, either direction, between consecutive nodes")


class Paths(BaseModel):
    source: str
    target: str
    view: str
    length: int | None = Field(description="Hops of the shortest path; null when the nodes are not connected")
    paths: list[Path]


class Score(NodeSummary):
    score: float


class Centrality(BaseModel):
    measure: str
    view: str
    types: list[str]
    scores: list[Score]


class Ref(BaseModel):
    id: str
    label: str


class Source(BaseModel):
    id: str
    headline: str | None
    published: str | None
    url: str | None


class FigureOut(BaseModel):
    id: str
    measure: str = Field(description="Killed, Wounded, KilledOrWounded, Attackers, Missing or Captured")
    low: int | None = Field(description="Inclusive lower bound; null = open")
    high: int | None = Field(description="Inclusive upper bound; null = open")
    qualifier: str = Field(description="Exact, Approximately, AtLeast, MoreThan, UpTo, LessThan, Range or Vague")
    surface: str = Field(description="The figure as written, e.g. 'about 100'")
    counted_group: str | None = Field(description="Who the figure counts, as written ('Russian citizens')")
    population: Ref | None = Field(
        description="Who the figure counts, placed as a population of the event (null: the group could not be placed, "
                    "and the figure is never compared)")


class ClaimedFigure(FigureOut):
    claim: str
    claimant: Ref
    on_behalf_of: Ref | None
    date: str | None = Field(description="Claim date (YYYY-MM-DD or YYYY-MM)")
    date_basis: str | None = Field(description="DateStated, or DateOfReport (made on or before the article's date)")
    stance: str
    certainty: str
    hedges: list[str]
    source: Source


class Conflict(BaseModel):
    kind: Literal["contradiction", "revision"] = Field(
        description="contradiction: two sources; revision: one source changed its figure (first = earlier)")
    first: str = Field(description="Figure id (the lower figure of a contradiction, the earlier of a revision)")
    second: str = Field(description="Figure id")
    first_range: list[int | None] | None = Field(description="[low, high] compared ('about' widened); null = open")
    second_range: list[int | None] | None
    relation: Literal["SamePopulation", "FirstWithinSecond", "SecondWithinFirst"] = Field(
        description="How the first figure's population relates to the second's")
    first_population: Ref
    second_population: Ref
    same_group: bool = Field(description="Both count the same people (relation SamePopulation)")
    same_claimant: bool = Field(description="A revision: the same source (claimant or its organisation)")
    reason: str


class RevisionLine(BaseModel):
    figures: list[str] = Field(description="Figure ids of one source's revised figures, by claim date")
    claimants: list[Ref]


class MeasureFigures(BaseModel):
    measure: str
    figures: list[ClaimedFigure] = Field(description="Ordered by claim date (undated last), then claimant")
    conflicts: list[Conflict] = Field(description="Stored pairs that cannot both be true (conflictkg.derived)")
    revision_lines: list[RevisionLine] = Field(description="Each source's revised figures, joined in date order")


class ContestedFigures(BaseModel):
    event: NodeSummary
    measures: list[MeasureFigures]
    conflict_count: int


class BoundClaim(BaseModel):
    id: str = Field(description="Claim id")
    claimant: Ref | None
    date: str | None


class FigureSummary(BaseModel):
    measure: str
    population: Ref
    low: int | None = Field(description="The lowest number the sources' latest figures allow")
    best: int | None = Field(description="The median of the sources' latest figures")
    high: int | None = Field(description="The highest number they state")
    sources: int = Field(description="How many sources (a claimant and its organisation are one)")
    low_from: list[BoundClaim]
    best_from: list[BoundClaim]
    high_from: list[BoundClaim]


class EventSummary(BaseModel):
    event: NodeSummary
    summaries: list[FigureSummary]


class Statement(BaseModel):
    claim: str
    role: Literal["claimant", "on_behalf_of"]
    claimant: Ref
    date: str | None
    date_basis: str | None
    stance: str
    certainty: str
    hedges: list[str]
    channel: str | None
    reported_via: Ref | None
    events: list[Ref]
    figures: list[FigureOut]
    quote: str | None = Field(description="The evidence sentence(s) as written in the article")
    source: Source


class Statements(BaseModel):
    actor: NodeSummary
    statements: list[Statement]


class _Answers:
    """Serialised answers of one app, least recently used first, at most :data:`ANSWERS_BYTES` of them."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._items: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], body: bytes) -> None:
        if len(body) > self.limit // 16:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self.size += len(body) - (len(old) if old is not None else 0)
            self._items[key] = body
            while self.size > self.limit:
                _, freed = self._items.popitem(last=False)
                self.size -= len(freed)


#: Bytes of serialised neighbourhoods an app keeps (keyed by the projection they were read from).
ANSWERS_BYTES = 16 * 1024 * 1024


def _neighbours_body(service: GraphService, node_id: str, depth: int, types: list[str] | None, direction: str,
                     view: str, graph: Any = None) -> bytes:
    data = service.network.neighbours(node_id, depth=depth, types=types, direction=direction, view=view, graph=graph)
    return Neighbours.model_validate(data).model_dump_json().encode("utf-8")


@router.get("/nodes/{node_id:path}/neighbours", response_model=Neighbours, summary="Neighbours of a node")
async def neighbours(node_id: str, request: Request, service: Service, view: ViewParam = DEFAULT_GRAPH_VIEW,
                     depth: Annotated[int, Query(description="Hops (1 to 4)")] = DEFAULT_NEIGHBOUR_DEPTH,
                     types: TypesParam = None,
                     direction: Annotated[str, _enum(DIRECTIONS, "Follow edges out, in or both ways.")] = "both",
                     ) -> Response:
    """Answered on the event loop from the answers already serialised for the newest projection; a new
    question (or the first projection, which may have to be built) is worked out in a thread."""
    current = service.network.current(view)
    if current is None:
        body = await run_in_threadpool(_neighbours_body, service, node_id, depth, types, direction, view)
        return Response(body, media_type="application/json")
    stamp, graph = current
    answers: _Answers = request.app.state.neighbour_answers
    key = (stamp, id(graph), node_id, view, depth, tuple(types or ()), direction)
    body = answers.get(key)
    if body is None:
        body = await run_in_threadpool(_neighbours_body, service, node_id, depth, types, direction, view, graph)
        answers.put(key, body)
    return Response(body, media_type="application/json")


@router.get("/nodes/{node_id:path}", response_model=NodeDetail, summary="A node with its attributes")
def node(node_id: str, service: Service,
         view: Annotated[str, _enum(VIEWS, "The projection to read the node from.")] = "claims",
         ) -> dict[str, Any]:
    return service.network.node(node_id, view=view)


@router.get("/paths", response_model=Paths, summary="Shortest paths between two nodes (direction ignored)")
def paths(service: Service, source: Annotated[str, Query(description="Node id or IRI")],
          target: Annotated[str, Query(description="Node id or IRI")], view: ViewParam = DEFAULT_GRAPH_VIEW,
          limit: Annotated[int, Query(description="Most paths returned (1 to 100)")] = DEFAULT_MAX_PATHS,
          ) -> dict[str, Any]:
    return service.network.paths(source, target, view=view, limit=limit)


@router.get("/centrality", response_model=Centrality, summary="The most central nodes")
def centrality(service: Service,
               measure: Annotated[str, _enum(CENTRALITY_MEASURES, "Centrality measure.")] = "degree",
               top: Annotated[int, Query(description="How many nodes (1 to 1000)")] = DEFAULT_TOP_K,
               types: TypesParam = None, view: ViewParam = DEFAULT_GRAPH_VIEW) -> dict[str, Any]:
    return service.network.centrality(measure=measure, top=top, types=types, view=view)


@router.get("/events/{event_id:path}/figures", response_model=ContestedFigures,
            summary="Contested figures: every number claimed about an event, with its real contradictions and revisions")
def event_figures(event_id: str, service: Service) -> dict[str, Any]:
    return service.network.contested_figures(event_id)


@router.get("/events/{event_id:path}/summary", response_model=EventSummary,
            summary="Low, best and high estimates per measure and population, with the claims behind each")
def event_summary(event_id: str, service: Service) -> dict[str, Any]:
    return service.network.figure_summary(event_id)


@router.get("/actors/{actor_id:path}/statements", response_model=Statements,
            summary="What an actor said, or was said on its behalf, over time")
def actor_statements(actor_id: str, service: Service) -> dict[str, Any]:
    return service.network.statements(actor_id)


@router.get(
    "/export",
    summary="Export a projection for Gephi (GEXF 1.3, GraphML) or web libraries (JSON node-link)",
    response_class=StreamingResponse,
    responses={200: {"content": {f.media_type: {} for f in FORMATS.values()},
                     "description": "The file, streamed"}},
)
def export(service: Service,
           format: Annotated[str, _enum(tuple(FORMATS), "File format.")] = DEFAULT_EXPORT_FORMAT,
           view: ViewParam = DEFAULT_GRAPH_VIEW) -> StreamingResponse:
    chunks = service.network.export(format, view)  # validates before the response starts
    spec = FORMATS[format]
    name = f"conflictkg-{view}{spec.suffix}"
    return StreamingResponse(chunks, media_type=spec.media_type,
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


def include(app: FastAPI) -> None:
    """Add the ``/graph`` routes to ``app``."""
    app.state.neighbour_answers = _Answers(ANSWERS_BYTES)
    app.include_router(router)
