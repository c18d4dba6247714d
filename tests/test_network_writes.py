"""Writes do not collapse /graph reads (issue 11, point 6): after a write the old projection keeps
answering while the new one is built in the background, once, however many writes arrive
meanwhile; the new one answers with the change once it is ready.

The projection build is held back on purpose (``project`` waits for an event) so that "during
the rebuild" is a state the test controls, not a timing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from rdflib import Graph, URIRef

from conflictkg import network
from conflictkg.config import Settings
from conflictkg.service import GraphService
from conflictkg.store import EmbeddedStore

from fixtures_network import CONTESTED_EVENT, contested_graphs, create_app, make_store

TOKEN = "test-token-network"
NEW_EVENT = f"event.{CONTESTED_EVENT}"
NEIGHBOURS = f"/graph/nodes/{NEW_EVENT}/neighbours"
KNOWN = "/graph/nodes/actor.interior-ministry/neighbours"
#: Bound on waiting for a state of the test (never an assertion about speed).
PATIENCE = 60.0


class _HeldProjection:
    """Wraps ``NetworkViews._build`` (a first build here, a rebuild in the builder process): counts
    builds, and holds each until released."""

    def __init__(self) -> None:
        self.real = network.NetworkViews._build
        self.started: list[str] = []
        self.running = 0
        self.most_at_once = 0
        self.gate = threading.Event()
        self.gate.set()
        self._lock = threading.Lock()

    def __call__(self, views: network.NetworkViews, view: str, *, cold: bool) -> Any:
        with self._lock:
            self.started.append(view)
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            assert self.gate.wait(PATIENCE), "the test never released the build"
            return self.real(views, view, cold=cold)
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> _HeldProjection:
    wrapper = _HeldProjection()
    monkeypatch.setattr(network.NetworkViews, "_build", lambda views, view, *, cold: wrapper(views, view, cold=cold))
    return wrapper


@pytest.fixture
def service() -> Iterator[GraphService]:
    store: EmbeddedStore = make_store()
    service = GraphService(settings=Settings.from_env().with_(store=None, token=TOKEN), store=store)
    yield service
    service.close()


class _AppClient:
    """Blocking requests through the real ASGI app (each in its own event loop, so threads may share it)."""

    def __init__(self, service: GraphService) -> None:
        self.app = create_app(service)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        import asyncio

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(go())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)


def _write(client: _AppClient, name: URIRef, graph: Graph) -> httpx.Response:
    return client.request("PUT", "/graph-store", params={"graph": str(name)}, content=graph.serialize(format="turtle"),
                          headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"})


def _in_thread(fn: Any) -> Any:
    """Run ``fn`` in a thread and return its result; fails if it does not return within PATIENCE (a read
    that waits for the held-back build never returns until the test releases it)."""
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    thread.start()
    thread.join(PATIENCE)
    assert out, "the read waited for the projection to be rebuilt"
    return out[0]


def _until(condition: Any) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_a_write_does_not_make_reads_wait_for_the_rebuild(service: GraphService, held: _HeldProjection) -> None:
    client = _AppClient(service)
    before = client.get(KNOWN, params={"view": "actor-event"})
    assert before.status_code == 200
    assert client.get(NEIGHBOURS).json()["error"] == "E061"
    assert held.started == ["actor-event"]

    held.gate.clear()  # from now on a build waits until the test says so
    # One write that brings a new event: the article's graph with its event's graph folded in.
    name, graph = next((n, g) for n, g in contested_graphs().items() if "/article/" in str(n))
    for n, g in contested_graphs().items():
        if "/graph/event/" in str(n):
            graph += g
    assert _write(client, name, graph).status_code in (201, 204)
    # The old projection answers at once, without the new article, while the new one is being built.
    during = _in_thread(lambda: client.get(KNOWN, params={"view": "actor-event"}))
    assert during.json() == before.json()
    assert _in_thread(lambda: client.get(NEIGHBOURS)).status_code == 404
    _until(lambda: held.running == 1)

    # More writes while the build runs do not start builds of their own (they never queue up).
    for _ in range(3):
        generation = service.store.generation  # type: ignore[attr-defined]
        assert _write(client, name, graph).status_code in (201, 204)  # the same article again: still a write
        assert service.store.generation > generation  # type: ignore[attr-defined]
        assert _in_thread(lambda: client.get(KNOWN, params={"view": "actor-event"})).status_code == 200
    assert held.running == 1

    held.gate.set()
    _until(lambda: client.get(NEIGHBOURS).status_code == 200)
    after = client.get(NEIGHBOURS).json()
    assert after["center"]["id"] == NEW_EVENT
    assert held.most_at_once == 1
    # one build for the first write, and at most one more for everything written while it ran
    assert held.started.count("actor-event") in (2, 3)


def test_readers_of_a_projection_not_built_yet_share_one_build(service: GraphService, held: _HeldProjection) -> None:
    client = _AppClient(service)
    held.gate.clear()
    answers: list[httpx.Response] = []
    readers = [threading.Thread(target=lambda: answers.append(client.get(KNOWN, params={"view": "actor-event"})))
               for _ in range(4)]
    for reader in readers:
        reader.start()
    _until(lambda: held.running == 1)
    held.gate.set()
    for reader in readers:
        reader.join(PATIENCE)
    assert [a.status_code for a in answers] == [200] * 4
    assert len({a.text for a in answers}) == 1
    assert held.started == ["actor-event"]
