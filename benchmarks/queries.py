"""Query latency: conflictkg's ``/sparql`` over HTTP vs pyoxigraph direct, rdflib and rdflib-endpoint.

The query set is the named analyst queries of ``api/queries`` (bound to IRIs of the synthetic
world) plus four classic shapes. Every engine runs the same queries over the same N-Quads:

- ``pyoxigraph direct``: the on-disk store the server will open, queried in a child process
  with the union default graph and the parameters as ``substitutions``, results serialised to
  SPARQL JSON (the floor: what conflictkg adds on top is its HTTP layer);
- ``conflictkg /sparql``: real HTTP to ``conflictkg serve`` (named queries at ``/queries/{name}``);
  besides the client's round trip, the server's own time per request is kept (its
  ``Server-Timing`` header);
- ``rdflib Graph``: an rdflib ``Dataset`` (union default graph) in a child process, parameters
  as ``initBindings``;
- ``rdflib-endpoint``: its own uvicorn server over the same data, the parameters inlined as a
  ``VALUES`` block (its protocol has no bindings).

Both HTTP engines are timed through the same lean keep-alive client (:mod:`.client`).

Each query gets a warm-up run (not counted) and then ``repeats`` timed runs, fewer when a run is
slow (the total per query stays near ``budget`` seconds). A run longer than ``cap`` seconds stops
that engine: the child process or server is killed and the table says "did not finish within
cap s" instead of hanging.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing as mp
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conflictkg.sparql.named import load_named_queries
from conflictkg.sparql.screen import with_values

from .client import Client, ClientError, ClientTimeout, Response
from .generator import CKGID, GeneratorConfig, _articles_for, _World

__all__ = [
    "PREFIXES",
    "QuerySpec",
    "Timing",
    "query_set",
    "run_direct",
    "run_http",
    "run_rdflib",
    "round_trip",
]

OUT_OF_TIME = "not run: the run's time budget was used up"
PREFIXES = """PREFIX ckg: <https://w3id.org/conflictkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <http://schema.org/>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@dataclass(frozen=True)
class QuerySpec:
    name: str
    """The row's label (an analyst query's name, with ", one event" when an optional parameter is bound)."""
    kind: str
    """``named`` (an analyst query of api/queries) or ``shape`` (a classic shape)."""
    text: str
    bindings: dict[str, str] = field(default_factory=dict)
    """Parameter name -> IRI."""
    query: str = ""
    """``named`` only: the analyst query's name (``/queries/{query}``)."""

    def inlined(self) -> str:
        """The text with the bindings as a VALUES block (as conflictkg's remote backend sends it)."""
        return with_values(self.text, {name: f"<{iri}>" for name, iri in self.bindings.items()})


@dataclass
class Timing:
    samples: list[float] = field(default_factory=list)
    rows: int | None = None
    status: str = "ok"
    cold: bool = False
    """The only sample is the first run (the query took longer than the per-query budget)."""

    @property
    def ok(self) -> bool:
        return self.status == "ok" and bool(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        s = sorted(self.samples)
        return s[min(len(s) - 1, max(0, round(0.95 * (len(s) - 1))))]

    def to_dict(self) -> dict[str, Any]:
        return {"samples": self.samples, "rows": self.rows, "status": self.status, "cold": self.cold}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Timing:
        return cls(list(d["samples"]), d["rows"], d["status"], bool(d.get("cold")))


def query_set(n_triples: int, seed: int = 1) -> list[QuerySpec]:
    """The analyst queries and the four shapes, bound to IRIs that exist in the world of ``n_triples``."""
    config = GeneratorConfig()
    world = _World(_articles_for(n_triples, config), seed, config)
    event = _busy_event(world)
    actor = CKGID + "actor/a20"
    article = CKGID + "article/" + hashlib.sha256(f"{seed}-0".encode()).hexdigest()[:16]
    named: list[QuerySpec] = []
    values = {"event": event, "actor": actor}
    for name, q in load_named_queries().items():
        unknown = [p.name for p in q.params if p.required and p.name not in values]
        if unknown:
            raise ValueError(f"no benchmark value for required parameter(s) {unknown} of {name}")
        required = {p.name: values[p.name] for p in q.params if p.required}
        named.append(QuerySpec(name, "named", q.text, required, name))
        optional = {p.name: values[p.name] for p in q.params if not p.required and p.name in values}
        if optional:  # also the narrower question, with the optional parameters bound
            named.append(QuerySpec(f"{name}, one {'/'.join(optional)}", "named", q.text, required | optional, name))
    specs = [
        QuerySpec("point lookup", "shape", f"SELECT ?p ?o WHERE {{ <{article}> ?p ?o }}"),
        QuerySpec("2-hop join + FILTER", "shape", PREFIXES + f"""SELECT ?claim ?event ?label WHERE {{
  ?claim prov:wasAttributedTo <{actor}> ; ckg:about ?event .
  ?event rdfs:label ?label .
  FILTER(STRSTARTS(STR(?event), "{CKGID}event/"))
}} ORDER BY ?claim LIMIT 100"""),
        QuerySpec("aggregation (GROUP BY + AVG)", "shape", PREFIXES + """SELECT ?claimant (COUNT(?figure) AS ?n) (AVG(?min) AS ?mean) WHERE {
  ?claim prov:wasAttributedTo ?claimant ; ckg:hasFigure ?figure .
  ?figure schema:minValue ?min .
} GROUP BY ?claimant ORDER BY DESC(?n) ?claimant LIMIT 20"""),
        QuerySpec("OPTIONAL + ORDER BY", "shape", PREFIXES + """SELECT ?claim ?date ?via WHERE {
  ?claim a ckg:Claim ; ckg:claimDate ?date .
  OPTIONAL { ?claim ckg:reportedVia ?via }
} ORDER BY DESC(?date) ?claim LIMIT 20"""),
    ]
    # Slowest last (by what rdflib takes): an engine stopped by the time cap loses only the queries after it.
    order = {"casualty-figures": 0, "actor-statements": 1, "contested-figures": 2, "contradictions": 3}
    return specs + sorted(named, key=lambda q: (order.get(q.query, 9), q.name == q.query))


def _busy_event(world: _World) -> str:
    """Of twenty events mid-corpus, the one with the most casualty figures (so the analyst queries have rows)."""
    mid = world.n_events // 2
    candidates = range(max(0, mid - 10), min(world.n_events, mid + 10))
    lines: list[str] = []
    first = max(0, 3 * candidates.start - 9)
    for index in range(first, min(world.n_articles, 3 * candidates.stop + 9)):
        lines += world.article(index).lines
    about: dict[str, str] = {}
    figures: dict[str, str] = {}
    killed: set[str] = set()
    for line in lines:
        s, p, o = line.split(" ", 3)[:3]
        if p.endswith("#about>"):
            about[s] = o[1:-1]
        elif p.endswith("#hasFigure>"):
            figures[o] = s
        elif p.endswith("#measure>") and o.endswith("#Killed>"):
            killed.add(s)
    score: dict[str, int] = {}
    for fig in killed:
        event = about.get(figures.get(fig, ""), "")
        score[event] = score.get(event, 0) + 1
    events = [world.event(k)[0] for k in candidates]
    return max(events, key=lambda e: (score.get(e, 0), e))


def _measure(run: Callable[[], Any], count: Callable[[Any], int], *, repeats: int, budget: float,
             fast_repeats: int = 0, fast: float = 0.02) -> Timing:
    """Warm-up, then up to ``repeats`` timed runs while the total stays under ``budget`` seconds.

    ``run`` does the timed work and returns the answer; ``count`` (rows of an answer) is applied
    to the warm-up's answer only, outside the timing: what is timed is producing (or, over HTTP,
    receiving) the result body, not the client's parsing of it. Queries whose warm-up took less
    than ``fast`` seconds get ``fast_repeats`` runs instead (cheap, and their medians are noisier).
    A query whose first run alone takes more than ``budget`` is not run again: that first (cold)
    run is its only sample, and :attr:`Timing.cold` says so.
    """
    start = time.perf_counter()
    answer = run()
    first = time.perf_counter() - start
    timing = Timing(rows=count(answer))
    if first > budget:
        timing.samples.append(first)
        timing.cold = True
        return timing
    wanted = max(repeats, fast_repeats) if first < fast else repeats
    spent = 0.0
    while len(timing.samples) < wanted and (spent < budget or not timing.samples):
        start = time.perf_counter()
        run()
        elapsed = time.perf_counter() - start
        timing.samples.append(elapsed)
        spent += elapsed
    return timing


def _json_rows(body: bytes) -> int:
    data = json.loads(body)
    return len(data["results"]["bindings"]) if "results" in data else 0


# --- engines in a child process (pyoxigraph direct, rdflib) ------------------------------------


def _child(engine: str, source: str, conn: Any) -> None:  # pragma: no cover - runs in a child process
    import resource

    start = time.perf_counter()
    if engine == "direct":
        import pyoxigraph as ox

        store = ox.Store(source)  # the on-disk store (opened read-write: the server is not running)

        def runner(spec: QuerySpec) -> Callable[[], int]:
            subs = {ox.Variable(k): ox.NamedNode(v) for k, v in spec.bindings.items()} or None

            def run() -> bytes:
                result = store.query(spec.text, use_default_graph_as_union=True, substitutions=subs)
                return result.serialize(format=ox.QueryResultsFormat.JSON)  # type: ignore[union-attr,no-any-return]
            return run
    else:
        from rdflib import Dataset, URIRef

        store = Dataset(default_union=True)
        store.parse(source, format="nquads")

        def runner(spec: QuerySpec) -> Callable[[], int]:
            binds = {k: URIRef(v) for k, v in spec.bindings.items()}

            def run() -> bytes:
                return store.query(spec.text, initBindings=binds).serialize(format="json")  # type: ignore[no-any-return]
            return run
    conn.send({"load_s": time.perf_counter() - start,
               "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    while True:
        msg = conn.recv()
        if msg is None:
            return
        spec, repeats, fast_repeats, budget, cap = msg
        run = runner(spec)
        if engine != "direct":  # rdflib is pure Python: an overtime query can be stopped in-process
            run = _interruptible(run, cap)
        try:
            conn.send(_measure(run, _json_rows, repeats=repeats, budget=budget, fast_repeats=fast_repeats).to_dict())
        except _Overtime:
            conn.send(Timing(status=f"did not finish within {cap:.0f} s").to_dict())
        except Exception as exc:  # noqa: BLE001 - reported in the table
            conn.send(Timing(status=f"error: {type(exc).__name__}: {str(exc)[:120]}").to_dict())


class _Overtime(BaseException):
    """Raised in the rdflib child's main thread when a query passes the cap."""


def _interruptible(run: Callable[[], bytes], cap: float) -> Callable[[], bytes]:  # pragma: no cover - child process
    """``run`` with a watchdog that raises :class:`_Overtime` in this thread after ``cap`` seconds."""
    import ctypes
    import threading

    target = threading.get_ident()

    def wrapped() -> bytes:
        fired = threading.Event()

        def fire() -> None:
            fired.set()
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(_Overtime))

        timer = threading.Timer(cap, fire)
        timer.start()
        try:
            return run()
        finally:
            timer.cancel()
            if fired.is_set():
                time.sleep(0.01)  # let a just-fired exception land here rather than later
    return wrapped


@dataclass
class EngineRun:
    timings: dict[str, Timing] = field(default_factory=dict)
    load_s: float | None = None
    max_rss_mib: float | None = None
    status: str = "ok"
    server: dict[str, float] = field(default_factory=dict)
    """conflictkg only: median of the server's own time per query (``Server-Timing``), seconds."""


def _run_child(engine: str, source: Path, specs: Sequence[QuerySpec], *, repeats: int, budget: float,
               cap: float, load_cap: float, log: Callable[[str], None], deadline: float = math.inf,
               caps: Mapping[str, float] | None = None, fast_repeats: int = 0) -> EngineRun:
    ctx = mp.get_context("spawn")
    parent, child_end = ctx.Pipe()
    proc = ctx.Process(target=_child, args=(engine, str(source), child_end), daemon=True)
    proc.start()
    out = EngineRun()
    try:
        if not parent.poll(load_cap):
            out.status = f"load did not finish within {load_cap:.0f} s"
            for spec in specs:
                out.timings[spec.name] = Timing(status=out.status)
            return out
        info = parent.recv()
        out.load_s, out.max_rss_mib = info["load_s"], info["max_rss_mib"]
        log(f"  {engine}: loaded in {out.load_s:.1f} s")
        dead = ""
        for spec in specs:
            if not dead and time.monotonic() > deadline:
                dead = OUT_OF_TIME
            if dead:
                out.timings[spec.name] = Timing(status=dead)
                continue
            spec_cap = (caps or {}).get(spec.name, cap)
            parent.send((spec, repeats, fast_repeats, budget, spec_cap))
            wait = spec_cap + budget + 5 if engine == "direct" else 2 * spec_cap + budget + 10  # rdflib stops itself
            if parent.poll(wait):
                out.timings[spec.name] = Timing.from_dict(parent.recv())
            else:
                out.timings[spec.name] = Timing(status=f"did not finish within {wait:.0f} s")
                dead = f"not run ({engine} was stopped after a query passed {wait:.0f} s)"
                proc.kill()
            t = out.timings[spec.name]
            log(f"  {engine}: {spec.name}: " + (f"{1000 * t.median:.1f} ms x{len(t.samples)}" if t.ok else t.status))
        if not dead:
            parent.send(None)
    finally:
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()
    return out


def run_direct(store_path: Path, specs: Sequence[QuerySpec], **kw: Any) -> EngineRun:
    return _run_child("direct", store_path, specs, **kw)


def run_rdflib(nquads: Path, specs: Sequence[QuerySpec], **kw: Any) -> EngineRun:
    return _run_child("rdflib", nquads, specs, **kw)


# --- engines over HTTP -------------------------------------------------------------------------


def _checked(response: Response) -> Response:
    """``response``, or a RuntimeError when it is not a complete 200 answer."""
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:160]}")
    if response.headers.get("x-sql-state") == "S1TAT":  # Virtuoso's partial answer at its own time limit
        raise RuntimeError("HTTP 503: a partial answer (X-SQL-State: S1TAT)")
    return response


def _rows(response: Response) -> int:
    return _json_rows(response.content)


def run_http(flavour: str, base: str, specs: Sequence[QuerySpec], *, repeats: int, budget: float, cap: float,
             log: Callable[[str], None], deadline: float = math.inf,
             restart: Callable[[], str] | None = None, restarts: int = 0,
             caps: Mapping[str, float] | None = None, fast_repeats: int = 0) -> EngineRun:
    """``flavour``: ``conflictkg`` (named queries at /queries/{name}), ``rdflib-endpoint`` or ``virtuoso``
    (the parameters inlined as a VALUES block).

    rdflib-endpoint answers on its event loop, so after a query passes the cap it answers
    nothing else: ``restart`` (up to ``restarts`` times) gives the base URL of a fresh server.
    ``caps`` overrides ``cap`` per query (by spec name).
    """
    out = EngineRun()
    accept = {"Accept": "application/sparql-results+json"}
    dead = ""
    client = Client(base, timeout=cap, headers=accept)
    try:
        if flavour == "conflictkg":
            _warm_workers(base, accept)
        server_times: list[float] = []
        for spec in specs:
            path, params = _request(flavour, spec)
            if not dead and time.monotonic() > deadline:
                dead = OUT_OF_TIME
            if dead:
                out.timings[spec.name] = Timing(status=dead)
                continue
            stuck = False
            spec_cap = (caps or {}).get(spec.name, cap)

            def request(c: Client = client, path: str = path, params: dict[str, str] = params,
                        limit: float = spec_cap) -> Response:
                response = _checked(c.get(path, params=params, timeout=limit))
                took = response.server_ms()
                if took is not None:
                    server_times.append(took / 1000)
                return response

            server_times.clear()
            try:
                out.timings[spec.name] = _measure(request, _rows, repeats=repeats, budget=budget,
                                                  fast_repeats=fast_repeats)
                if server_times:
                    timed = server_times[-len(out.timings[spec.name].samples):]  # not the warm-up run
                    out.server[spec.name] = statistics.median(timed)
            except ClientTimeout:
                out.timings[spec.name] = Timing(status=f"did not finish within {spec_cap:.0f} s")
                stuck = flavour == "rdflib-endpoint"  # its event loop is stuck in the query: nothing else will answer
            except RuntimeError as exc:
                status = ("did not finish within the server's time limit (HTTP 503)" if str(exc).startswith("HTTP 503")
                          else f"error: {str(exc)[:120]}")
                out.timings[spec.name] = Timing(status=status)
            except ClientError as exc:
                out.timings[spec.name] = Timing(status=f"error: {str(exc)[:120]}")
            t = out.timings[spec.name]
            log(f"  {flavour}: {spec.name}: " + (f"{1000 * t.median:.1f} ms x{len(t.samples)}" if t.ok else t.status))
            if stuck:
                if spec is specs[-1]:
                    dead = f"not run ({flavour} stopped answering after a query passed {spec_cap:.0f} s)"
                elif restart is not None and restarts > 0 and time.monotonic() < deadline:
                    restarts -= 1
                    log(f"  {flavour}: restarting the server")
                    client.close()
                    try:
                        client = Client(restart(), timeout=cap, headers=accept)
                    except (RuntimeError, TimeoutError) as exc:
                        dead = f"not run ({flavour} could not be restarted: {exc})"
                else:
                    dead = f"not run ({flavour} stopped answering after a query passed {spec_cap:.0f} s)"
    finally:
        client.close()
    if dead:
        out.status = dead
    return out


def round_trip(base: str, path: str, *, repeats: int, budget: float) -> Timing:
    """Latency of ``GET path`` (a route that does no work) through the same client as the engines."""
    with Client(base, timeout=30.0, headers={"Accept": "application/json"}) as client:
        return _measure(lambda: _checked(client.get(path)), lambda _r: 0, repeats=repeats, budget=budget)


def _request(flavour: str, spec: QuerySpec) -> tuple[str, dict[str, str]]:
    """Path and parameters of ``spec`` on ``flavour``'s server."""
    if flavour == "conflictkg" and spec.kind == "named":
        return f"/queries/{spec.query}", dict(spec.bindings)
    if flavour == "conflictkg":
        return "/sparql", {"query": spec.text}
    return "/sparql", {"query": spec.inlined()}


def _warm_workers(base: str, headers: dict[str, str], rounds: int = 3, parallel: int = 4) -> None:
    """A few parallel queries, so every query worker has opened the store snapshot before timing starts."""
    import threading

    def ask() -> None:
        with Client(base, timeout=120.0, headers=headers) as c:
            c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"})

    for _ in range(rounds):
        threads = [threading.Thread(target=ask) for _ in range(parallel)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
