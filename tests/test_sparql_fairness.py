"""One heavy client cannot starve the others: capacity reserved for short queries, per-client and
queue limits answered at once with 503 and Retry-After. Orderings are asserted, never timings."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from conflictkg.api.app import create_app
from conflictkg.service import GraphService

from fixtures_sparql import make_service

#: 246 quads to the fourth power: far beyond any time limit here.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LIGHT = ("SELECT ?label WHERE { <https://w3id.org/conflictkg/id/place/valetown> "
         "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }")
LIGHT_ANSWER = "label\r\nValetown\r\n"
TIMEOUT = 2.0


def _service(**overrides: Any) -> GraphService:
    settings = {"query_timeout": TIMEOUT, "query_workers": 2, "reserved_workers": 1, "short_query_timeout": 0.5,
                **overrides}
    return make_service("embedded", **settings)


class _Clients:
    """Requests through the real app, each from the remote address it names."""

    def __init__(self, service: GraphService) -> None:
        self.service = service
        self.app = create_app(service)
        self.finished: list[str] = []

    async def get(self, name: str, address: str, query: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get("/sparql", params={"query": query}, headers={"accept": "text/csv"})
        self.finished.append(name)
        return response

    async def until(self, condition: Callable[[dict[str, Any]], bool]) -> None:
        pool, _ = self.service.sparql._workers()
        deadline = time.monotonic() + 60
        while not condition(pool.status()):
            assert time.monotonic() < deadline, pool.status()
            await asyncio.sleep(0.02)

    async def ready(self, workers: int) -> None:
        await self.until(lambda s: s["idle"] + s["idle_reserved"] == workers)


def _run(scenario: Callable[[_Clients], Awaitable[Any]], **overrides: Any) -> Any:
    service = _service(**overrides)
    try:
        clients = _Clients(service)
        service.sparql._workers()
        return asyncio.run(scenario(clients))
    finally:
        service.close()


def _busy_error(response: httpx.Response) -> tuple[int, str, str | None]:
    return response.status_code, response.json()["error"], response.headers.get("retry-after")


def _two_slow_then_light(reserved: int) -> tuple[list[str], list[httpx.Response]]:
    async def scenario(c: _Clients) -> tuple[list[str], list[httpx.Response]]:
        await c.ready(2 + reserved)
        slow = [asyncio.create_task(c.get(f"slow{i}", "10.0.0.1", SLOW)) for i in (1, 2)]
        await c.until(lambda s: s["running"].get("address:10.0.0.1") == 2)
        light = asyncio.create_task(c.get("light", "10.0.0.2", LIGHT))
        answers = await asyncio.gather(*slow, light)
        return c.finished, answers

    return _run(scenario, reserved_workers=reserved)  # type: ignore[no-any-return]


def test_without_reserved_capacity_two_slow_queries_hold_back_a_light_one() -> None:
    """The problem (issue 11, point 5): two slow queries take both workers and everyone waits."""
    finished, _answers = _two_slow_then_light(reserved=0)
    assert finished[0] != "light"  # it got a worker only once a slow query was stopped at the time limit


def test_two_slow_queries_take_both_workers_and_a_light_query_still_answers() -> None:
    finished, (slow1, slow2, light) = _two_slow_then_light(reserved=1)
    assert finished[0] == "light"
    assert (light.status_code, light.text) == (200, LIGHT_ANSWER)
    for slow in (slow1, slow2):
        assert _busy_error(slow) == (503, "E055", "2")
        assert slow.json()["message"] == ("the query was stopped at the time limit of 2 s (--query-timeout); "
                                          "narrow it or add a LIMIT")


def test_a_slow_query_on_the_reserved_worker_is_moved_off_it_and_light_queries_go_on() -> None:
    async def scenario(c: _Clients) -> tuple[list[str], list[httpx.Response], int]:
        await c.ready(3)
        pool, _ = c.service.sparql._workers()
        reserved_before = {w.process.pid for w in pool._all if w.reserved}
        slow = [asyncio.create_task(c.get(f"slow{i}", "10.0.0.1", SLOW)) for i in (1, 2)]
        await c.until(lambda s: s["running"].get("address:10.0.0.1") == 2)
        third = asyncio.create_task(c.get("slow3", "10.0.0.3", SLOW))
        # the third takes the reserved worker, outlives its short limit and waits for a general one
        # while a fresh reserved worker starts
        await c.until(lambda s: s["waiting"] == 1 and not s["running"].get("address:10.0.0.3")
                      and s["idle_reserved"] == 1)
        light = await c.get("light", "10.0.0.2", LIGHT)
        replaced = len(reserved_before - {w.process.pid for w in pool._all if w.reserved})
        return c.finished, [*(await asyncio.gather(*slow, third)), light], replaced

    # a longer limit: the slow queries must outlast the start of the new reserved worker
    finished, (slow1, slow2, slow3, light), replaced = _run(scenario, query_timeout=10.0)
    assert finished[0] == "light"
    assert (light.status_code, light.text) == (200, LIGHT_ANSWER)
    assert replaced == 1  # the reserved worker that ran the third slow query was stopped
    assert [r.status_code for r in (slow1, slow2, slow3)] == [503, 503, 503]
    assert all(r.headers["retry-after"] == "2" for r in (slow1, slow2, slow3))


def test_a_client_past_its_limit_is_refused_at_once() -> None:
    async def scenario(c: _Clients) -> tuple[list[str], httpx.Response, httpx.Response]:
        await c.ready(3)
        slow = [asyncio.create_task(c.get(f"slow{i}", "10.0.0.1", SLOW)) for i in (1, 2)]
        await c.until(lambda s: s["running"].get("address:10.0.0.1") == 2)
        refused = await c.get("third", "10.0.0.1", LIGHT)
        other = await c.get("other", "10.0.0.2", LIGHT)
        await asyncio.gather(*slow)
        return c.finished, refused, other

    finished, refused, other = _run(scenario, client_queries=2)
    assert finished[:2] == ["third", "other"]
    assert _busy_error(refused) == (503, "E101", "2")
    assert refused.json()["message"] == ("this client already has 2 queries running or waiting (--client-queries); "
                                         "wait for their answers")
    assert (other.status_code, other.text) == (200, LIGHT_ANSWER)


def test_a_full_queue_refuses_at_once() -> None:
    async def scenario(c: _Clients) -> tuple[list[str], httpx.Response, httpx.Response]:
        await c.ready(1)
        slow = asyncio.create_task(c.get("slow", "10.0.0.1", SLOW))
        await c.until(lambda s: s["running"].get("address:10.0.0.1") == 1)
        queued = asyncio.create_task(c.get("queued", "10.0.0.2", LIGHT))
        await c.until(lambda s: s["waiting"] == 1)
        refused = await c.get("refused", "10.0.0.3", LIGHT)
        await slow
        return c.finished, refused, await queued

    finished, refused, queued = _run(scenario, query_workers=1, reserved_workers=0, query_queue=1)
    assert finished[0] == "refused"
    assert _busy_error(refused) == (503, "E102", "2")
    assert refused.json()["message"] == ("the queue of queries waiting for a worker is full (1, --query-queue); "
                                         "try again later")
    # it waited behind the slow query: answered by the worker started after the kill, or out of time
    assert (queued.status_code, queued.text) == (200, LIGHT_ANSWER) or _busy_error(queued) == (503, "E056", "2")


def _asgi_get(app: Any, query: str, address: str) -> tuple[asyncio.Task[None], asyncio.Event, list[dict[str, Any]]]:
    """A GET /sparql straight through ASGI, whose client goes away when the returned event is set."""
    from urllib.parse import urlencode

    gone = asyncio.Event()
    sent: list[dict[str, Any]] = []
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/sparql", "raw_path": b"/sparql", "query_string": urlencode({"query": query}).encode(),
             "headers": [(b"host", b"testserver")], "client": (address, 40000), "server": ("testserver", 80),
             "root_path": ""}
    return asyncio.ensure_future(app(scope, receive, send)), gone, sent


def test_no_work_for_clients_that_have_gone_away() -> None:
    """A running query's worker is stopped, and a waiting query leaves the queue, when the client
    disconnects (the time limit is a minute: only the disconnect can end them here)."""
    async def scenario(c: _Clients) -> tuple[list[Any], list[Any], dict[str, Any], bool]:
        await c.ready(1)
        pool, _ = c.service.sparql._workers()
        before = pool.pids()
        running, running_gone, running_sent = _asgi_get(c.app, SLOW, "10.0.0.1")
        await c.until(lambda s: s["running"].get("address:10.0.0.1") == 1)
        waiting, waiting_gone, waiting_sent = _asgi_get(c.app, LIGHT, "10.0.0.2")
        await c.until(lambda s: s["waiting"] == 1)
        waiting_gone.set()
        await asyncio.wait_for(waiting, 30)
        running_gone.set()
        await asyncio.wait_for(running, 30)
        await c.ready(1)
        light = await c.get("light", "10.0.0.3", LIGHT)
        return running_sent, waiting_sent, pool.status(), bool(before & pool.pids()) or light.text != LIGHT_ANSWER

    running_sent, waiting_sent, status, stale = _run(scenario, query_timeout=60.0, query_workers=1,
                                                     reserved_workers=0)
    assert running_sent == [] and waiting_sent == []  # nobody was answered: nobody was listening
    assert status == {"idle": 1, "idle_reserved": 0, "waiting": 0, "running": {}}
    assert not stale  # the slow query's worker was replaced, and the new one answers
