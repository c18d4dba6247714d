"""Shared helpers for the SPARQL service tests: services over the fixture graph, on each backend,
and a small synchronous client that drives the real ASGI app in-process (httpx ASGITransport)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest
from rdflib import Graph, URIRef

from conflictkg import fixtures
from conflictkg.api.app import create_app
from conflictkg.config import Settings
from conflictkg.derived import Derivation
from conflictkg.model import Article, ArticleMeta, Claim, Figure, PartialDate, Span
from conflictkg.namespaces import CKGID, article_graph
from conflictkg.rdf import write_article
from conflictkg.service import GraphService
from conflictkg.store import EmbeddedStore, GraphStore

#: Virtuoso's SPARQL endpoint for the remote-backend variant (set by .ci/virtuoso.sh).
VIRTUOSO_ENV = "CONFLICTKG_TEST_VIRTUOSO"
BACKENDS = ["embedded", "virtuoso"]
EVENT = str(CKGID[f"event/{fixtures.EVENT_KEY}"])
TOKEN = "test-token-3f9a"

#: A third, invented article: an official says "up to 10 guards" died, contradicting "at least 12";
#: an agency's "about 11" is close enough to "at least 12" (approximately: +/- 10 %, at least 1).
DENIAL_TEXT = (
    "Governor disputes toll\n\n"
    "The North government said up to 10 guards died in the Valetown attack.\n\n"
    "Agency X reported that about 11 guards were killed.\n"
)


def denial_graph() -> tuple[URIRef, Graph]:
    article = Article(text=DENIAL_TEXT, meta=ArticleMeta(file_name="a3.txt", title=None,
                                                          published=dt.date(2020, 3, 7), date_basis="stated"))
    sentence = "The North government said up to 10 guards died in the Valetown attack."
    start = DENIAL_TEXT.index(sentence)
    figure_start = DENIAL_TEXT.index("up to 10")
    claim = Claim(
        claimant=fixtures.A["north-government"],
        span=Span(start, start + len(sentence)),
        date=PartialDate(2020, 3, 7),
        events=[fixtures.EVENT_KEY],
        figures=[Figure(measure="killed", low=None, high=10, qualifier="up_to", surface="up to 10",
                        span=Span(figure_start, figure_start + len("up to 10")), group="guards", rule="figure.up-to",
                        population=fixtures.GUARDS)],
        rules=["attr.subject-said"],
    )
    second = "Agency X reported that about 11 guards were killed."
    start2 = DENIAL_TEXT.index(second)
    figure2 = DENIAL_TEXT.index("about 11")
    agency = Claim(
        claimant=fixtures.A["agency-x"],
        span=Span(start2, start2 + len(second)),
        date=PartialDate(2020, 3, 7),
        events=[fixtures.EVENT_KEY],
        figures=[Figure(measure="killed", low=11, high=11, qualifier="approximately", surface="about 11",
                        span=Span(figure2, figure2 + len("about 11")), group="guards", rule="figure.approximately",
                        population=fixtures.GUARDS)],
        channel="media_report",
        rules=["attr.subject-said"],
    )
    graph = write_article(article, title="Governor disputes toll", title_basis="text", publisher=None,
                          claims=[claim, agency], events=[], actors=[])
    return article_graph(article.key), graph


def corpus(*, with_denial: bool = False) -> dict[URIRef, Graph]:
    graphs = dict(fixtures.fixture_graphs())
    if with_denial:
        name, graph = denial_graph()
        graphs[name] = graph
    return graphs


def open_backend(backend: str, settings: Settings) -> GraphStore:
    """A store of the given backend, emptied."""
    if backend == "embedded":
        return EmbeddedStore(None)
    url = os.environ.get(VIRTUOSO_ENV)
    if not url:
        pytest.skip(f"the Virtuoso variant needs {VIRTUOSO_ENV}=<sparql endpoint URL> (run .ci/virtuoso.sh)")
    from conflictkg.remote import RemoteStore

    store = RemoteStore.from_settings(settings.with_(backend="remote", remote_query=url))
    for name in store.named_graphs():
        store.drop_graph(name)
    return store


def make_service(backend: str = "embedded", *, graphs: Mapping[URIRef, Graph] | None = None,
                 **overrides: Any) -> GraphService:
    settings = Settings().with_(store=None, **overrides)
    store = open_backend(backend, settings)
    if graphs is None:
        graphs = corpus()
    if graphs:
        store.replace_graphs(graphs)
        store.replace_graphs(Derivation(store).rebuild())  # what every write path adds (conflictkg.derived)
    return GraphService(settings=settings, store=store)


class Client:
    """Synchronous requests through the real ASGI app, no socket."""

    def __init__(self, service: GraphService) -> None:
        self.app = create_app(service)

    async def arequest(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.request(method, url, **kwargs)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return asyncio.run(self.arequest(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


def service_fixture(backend: str, **overrides: Any) -> Iterator[GraphService]:
    service = make_service(backend, **overrides)
    try:
        yield service
    finally:
        service.close()


class RecordingGate:
    """A SHACL-gate stand-in for protocol tests: records what it is asked to check, and refuses
    writes to graphs named in ``refuse``. The real gate is tested where conflictkg.validation exists."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.calls: list[dict[str, int]] = []
        self.refuse = refuse

    def __call__(self, graphs: Mapping[URIRef, Graph]) -> None:
        from conflictkg.errors import ValidationFailed

        self.calls.append({str(name): len(graph) for name, graph in graphs.items()})
        for name in graphs:
            if str(name) in self.refuse:
                raise ValidationFailed(f"test gate refuses <{name}>", report={"refused": str(name)})


def with_gate(service: GraphService, gate: Any) -> GraphService:
    """Give ``service`` a SPARQL engine whose write gate is ``gate`` (``service.sparql`` is a cached property)."""
    from conflictkg.sparql import SparqlEngine

    previous = service.__dict__.get("sparql")
    if previous is not None:
        previous.close()  # its query workers stop
    service.__dict__["sparql"] = SparqlEngine(service.store, service.settings, gate=gate)
    return service
