"""The time limit really stops a heavy query (its worker is killed) and answers with an honest
error, while a concurrent simple query answers; on every backend."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from conflictkg.service import GraphService

from fixtures_sparql import Client, backend, service_fixture  # noqa: F401

#: 246 quads to the fourth power: billions of rows to count, far beyond any time limit here.
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = ("SELECT ?label WHERE { <https://w3id.org/conflictkg/id/place/valetown> "
          "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }")


@pytest.fixture(scope="module")
def service(backend: str) -> Iterator[GraphService]:  # noqa: F811
    # Two general workers and no reserved one: these tests are about the time limit and reading
    # answers; a query moved off a reserved worker (tests/test_sparql_fairness.py) would lose
    # part of its short time limit here.
    yield from service_fixture(backend, query_timeout=2.0, query_workers=2, reserved_workers=0)


def test_heavy_query_stops_at_the_limit_while_a_simple_one_answers(service: GraphService) -> None:
    client = Client(service)
    warm = client.get("/sparql", params={"query": SIMPLE}, headers={"accept": "text/csv"})
    assert warm.text == "label\r\nValetown\r\n"

    async def scenario() -> tuple[str, bool, int, dict[str, str]]:
        heavy = asyncio.create_task(client.arequest("GET", "/sparql", params={"query": CARTESIAN}))
        await asyncio.sleep(0)  # let the heavy request start first
        simple = await client.arequest("GET", "/sparql", params={"query": SIMPLE}, headers={"accept": "text/csv"})
        heavy_was_done = heavy.done()
        answer = await heavy
        return simple.text, heavy_was_done, answer.status_code, answer.json()

    simple_text, heavy_was_done, status, body = asyncio.run(scenario())
    assert simple_text == "label\r\nValetown\r\n"
    assert not heavy_was_done  # the simple query answered while the heavy one was still running
    assert status == 503
    assert body == {"error": "E055", "message": "the query was stopped at the time limit of 2 s (--query-timeout); "
                    "narrow it or add a LIMIT"}
    # the service goes on answering after the kill
    again = client.get("/sparql", params={"query": SIMPLE}, headers={"accept": "text/csv"})
    assert again.text == "label\r\nValetown\r\n"


def test_the_worker_of_a_stopped_query_is_really_gone(service: GraphService) -> None:
    if not service.sparql.embedded:
        pytest.skip("the remote server runs its own queries; only the embedded store has worker processes")
    pool, _ = service.sparql._workers()
    before = {w.process.pid for w in pool._all}
    client = Client(service)
    assert client.get("/sparql", params={"query": CARTESIAN}).status_code == 503
    killed = before - {w.process.pid for w in pool._all}
    assert len(killed) == 1
    pid = killed.pop()
    import os

    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # reaped: the process no longer exists


def _no_thread_path(*args: object, **kwargs: object) -> None:
    raise AssertionError("the query went through the blocking path in a thread")


def test_a_query_screened_before_is_sent_from_the_event_loop(service: GraphService,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    if not service.sparql.embedded:
        pytest.skip("only the embedded store has worker processes")
    client = Client(service)
    assert client.get("/sparql", params={"query": SIMPLE}, headers={"accept": "text/csv"}).status_code == 200
    monkeypatch.setattr(service.sparql, "query", _no_thread_path)
    again = client.get("/sparql", params={"query": SIMPLE}, headers={"accept": "text/csv"})
    assert (again.status_code, again.text) == (200, "label\r\nValetown\r\n")


def test_the_event_loop_path_stops_a_heavy_query_at_the_limit(service: GraphService,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    if not service.sparql.embedded:
        pytest.skip("only the embedded store has worker processes")
    from conflictkg.sparql.screen import screen_query

    client = Client(service)
    assert client.get("/sparql", params={"query": SIMPLE}, headers={"accept": "text/csv"}).status_code == 200
    screen_query(CARTESIAN, service.sparql.known_graphs())  # screened before: the request takes the event-loop path
    pool, _ = service.sparql._workers()
    before = {w.process.pid for w in pool._all}
    monkeypatch.setattr(service.sparql, "query", _no_thread_path)
    r = client.get("/sparql", params={"query": CARTESIAN})
    assert (r.status_code, r.json()) == (503, {"error": "E055", "message": "the query was stopped at the time limit "
                                               "of 2 s (--query-timeout); narrow it or add a LIMIT"})
    killed = before - {w.process.pid for w in pool._all}
    assert len(killed) == 1
    import os

    with pytest.raises(ProcessLookupError):
        os.kill(killed.pop(), 0)


def test_a_large_answer_comes_whole_from_the_event_loop_path_on_uvloop(service: GraphService) -> None:
    """uvicorn serves on uvloop, which makes a watched pipe non-blocking: an answer larger than the
    pipe's buffer (64 KiB) must still be read whole, and the worker must stay usable."""
    uvloop = pytest.importorskip("uvloop")
    values = " ".join(str(i) for i in range(12))  # 246 quads x 12: a large answer that is cheap to sort
    query = f"SELECT ?s ?o ?t WHERE {{ ?s ?p ?o VALUES ?t {{ {values} }} }} ORDER BY ?s ?o ?t LIMIT 3000"
    client = Client(service)
    first = client.get("/sparql", params={"query": query})  # screened, in a thread
    assert first.status_code == 200 and len(first.content) > 4 * 65536
    for _ in range(3):  # more than the workers: each of them answers once from the event loop
        again = uvloop.run(client.arequest("GET", "/sparql", params={"query": query}))
        assert (again.status_code, again.content) == (200, first.content)
    assert client.get("/sparql", params={"query": SIMPLE}, headers={"accept": "text/csv"}).text == "label\r\nValetown\r\n"
