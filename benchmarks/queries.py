"""Query latency: conflictkg over HTTP vs pyoxigraph direct, rdflib, rdflib-endpoint (and Virtuoso).

The query set is the named analyst queries of ``api/queries`` (bound to IRIs of the synthetic
world) plus four classic shapes. Every engine runs the same queries over the same N-Quads:

- ``pyoxigraph direct``: a checkpoint of the on-disk store the server opens, opened read-only as
  the server's query workers do and queried in a child process
  over its default graph (the union of the named graphs, stored as conflictkg keeps it) with the
  parameters as ``substitutions``, results serialised to
  SPARQL JSON by pyoxigraph (the floor: what conflictkg adds on top is its HTTP layer);
- ``conflictkg``: real HTTP to ``conflictkg serve`` (named queries at ``/queries/{name}``);
  besides the client's round trip, the server's own time per request is kept (its
  ``Server-Timing`` header);
- ``rdflib Graph``: an rdflib ``Dataset`` (union default graph) in a child process, parameters
  as ``initBindings``;
- ``rdflib-endpoint``: its own uvicorn server over the same data, the parameters inlined as a
  ``VALUES`` block (its protocol has no bindings).

Every HTTP engine is timed through the same lean keep-alive client (:mod:`.client`).

Each query gets a warm-up run (not counted) and then ``repeats`` timed runs, fewer when a run is
slow (the total per query stays near ``budget`` seconds). A run longer than ``cap`` seconds is
reported as "did not finish within cap s" instead of hanging: the child process (pyoxigraph
cannot be interrupted) or the stuck server (rdflib-endpoint) is replaced for the next queries.
Engines are objects (:class:`ChildEngine`, :class:`HttpEngine`) so that a suite can time each
query on every engine in turn.
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
    "first_page",
    "QuerySpec",
    "Timing",
    "query_set",
    "ChildEngine",
    "HttpEngine",
    "Settings",
    "run_http",
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
        text = first_page(q.text)
        named.append(QuerySpec(name, "named", text, required, name))
        optional = {p.name: values[p.name] for p in q.params if not p.required and p.name in values}
        if optional:  # also the narrower question, with the optional parameters bound
            named.append(QuerySpec(f"{name}, one {'/'.join(optional)}", "named", text, required | optional, name))
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


def first_page(text: str) -> str:
    """What ``/queries/{name}`` runs without paging parameters, as a text every engine reads: the named
    query's first page (its first :data:`~conflictkg.config.NAMED_QUERY_PAGE` rows, in the order the
    screen gives it), IRIs written plainly."""
    from conflictkg.config import NAMED_QUERY_PAGE
    from conflictkg.sparql.lexer import tokenize
    from conflictkg.sparql.screen import bounded_text, select_modifiers

    plain, modifiers = select_modifiers(tokenize(text).tokens, plain_iris=True)
    return bounded_text(plain, modifiers, None, (NAMED_QUERY_PAGE, 0))[0]


def _busy_event(world: _World) -> str:
    """Of twenty events mid-corpus, the one whose derived graph holds the most contradictions and
    revisions, then the most casualty figures (so the analyst queries bound to it have rows)."""
    from .generator import _Derivations

    mid = world.n_events // 2
    candidates = range(max(0, mid - 10), min(world.n_events, mid + 10))
    derive = _Derivations(world)
    killed: dict[int, int] = {}
    first = max(0, 3 * candidates.start - 9)
    for index in range(first, min(world.n_articles, 3 * candidates.stop + 9)):
        w = world.article(index)
        if w.report[0] in candidates:
            derive.add(w)
            killed[w.report[0]] = killed.get(w.report[0], 0) + sum("#Killed>" in line for line in w.lines)
    pairs = {graph.rsplit("/", 1)[-1]: sum("ontology#FigureConflict>" in line for line in lines)
             for graph, lines in derive.complete(None)}
    events = {k: world.event(k)[0] for k in candidates}
    best = max(candidates, key=lambda k: (pairs.get(events[k].rsplit("/", 1)[-1], 0), killed.get(k, 0), events[k]))
    return events[best]


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

        store = ox.Store.read_only(source)  # its own checkpoint of the store, opened as the query workers do

        def runner(spec: QuerySpec) -> Callable[[], int]:
            subs = {ox.Variable(k): ox.NamedNode(v) for k, v in spec.bindings.items()} or None

            def run() -> bytes:
                # the stored default graph: the union of the named graphs, as conflictkg keeps it (conflictkg.store)
                result = store.query(spec.text, substitutions=subs)
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


@dataclass
class Settings:
    """How each query is timed (see :func:`_measure`) and when the run stops."""

    repeats: int
    budget: float
    cap: float
    fast_repeats: int = 0
    deadline: float = math.inf


class ChildEngine:
    """pyoxigraph direct (``direct``: the on-disk store at ``source``) or rdflib (``rdflib``: the N-Quads
    file ``source``) in a child process. A query that passes its cap is reported as not finished and
    the child is replaced by a fresh one (up to ``restarts`` times) for the queries after it."""

    def __init__(self, kind: str, source: Path, settings: Settings, *, load_cap: float, log: Callable[[str], None],
                 restarts: int = 2) -> None:
        self.kind, self.source, self.settings = kind, source, settings
        self.load_cap, self.log, self.restarts = load_cap, log, restarts
        self.run = EngineRun()
        self.dead = ""
        self._proc: Any = None
        self._conn: Any = None
        self._spawn()

    def _spawn(self) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child_end = ctx.Pipe()
        self._proc = ctx.Process(target=_child, args=(self.kind, str(self.source), child_end), daemon=True)
        self._proc.start()
        self._loaded = False

    def _ready(self) -> bool:
        """Wait for the child's data to be loaded (the first time: record load time and memory)."""
        if self._loaded:
            return True
        if not self._conn.poll(self.load_cap):
            self.dead = f"load did not finish within {self.load_cap:.0f} s"
            self.run.status = self.dead
            return False
        info = self._conn.recv()
        if self.run.load_s is None:
            self.run.load_s, self.run.max_rss_mib = info["load_s"], info["max_rss_mib"]
            self.log(f"  {self.kind}: loaded in {self.run.load_s:.1f} s")
        self._loaded = True
        return True

    def measure(self, spec: QuerySpec, cap: float | None = None) -> Timing:
        s = self.settings
        if not self.dead and time.monotonic() > s.deadline:
            self.dead = OUT_OF_TIME
        if self.dead or not self._ready():
            self.run.timings[spec.name] = t = Timing(status=self.dead)
            return t
        limit = s.cap if cap is None else cap
        self._conn.send((spec, s.repeats, s.fast_repeats, s.budget, limit))
        wait = limit + s.budget + 5 if self.kind == "direct" else 2 * limit + s.budget + 10  # rdflib stops itself
        stuck = not self._conn.poll(wait)
        t = Timing(status=f"did not finish within {wait:.0f} s") if stuck else Timing.from_dict(self._conn.recv())
        self.run.timings[spec.name] = t
        self.log(f"  {self.kind}: {spec.name}: " + (f"{1000 * t.median:.1f} ms x{len(t.samples)}" if t.ok else t.status))
        if stuck:
            self._stop()
            if self.restarts > 0:
                self.restarts -= 1
                self._spawn()
            else:
                self.dead = self.run.status = f"not run ({self.kind} was stopped after a query passed {wait:.0f} s)"
        return t

    def _stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join()
            self._proc = None

    def close(self) -> None:
        if self._proc is not None and self._loaded and self._proc.is_alive():
            self._conn.send(None)
            self._proc.join(5)
        if self._proc is not None and self._proc.is_alive():
            self._stop()
        self._proc = None


def _checked(response: Response) -> Response:
    """``response``, or a RuntimeError when it is not a complete 200 answer."""
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:160]}")
    if response.headers.get("x-sql-state") == "S1TAT":  # Virtuoso's partial answer at its own time limit
        raise RuntimeError("HTTP 503: a partial answer (X-SQL-State: S1TAT)")
    return response


def _rows(response: Response) -> int:
    return _json_rows(response.content)


class HttpEngine:
    """An HTTP endpoint: ``conflictkg`` (named queries at /queries/{name}), ``rdflib-endpoint`` or
    ``virtuoso`` (the parameters inlined as a VALUES block), timed through :class:`.client.Client`.

    rdflib-endpoint answers on its event loop, so after a query passes the cap it answers
    nothing else: ``restart`` (up to ``restarts`` times) gives the base URL of a fresh server.
    """

    def __init__(self, flavour: str, base: str, settings: Settings, *, log: Callable[[str], None],
                 restart: Callable[[], str] | None = None, restarts: int = 0) -> None:
        self.flavour, self.settings, self.log = flavour, settings, log
        self.restart, self.restarts = restart, restarts
        self.run = EngineRun()
        self.dead = ""
        self.accept = {"Accept": "application/sparql-results+json"}
        self.client = Client(base, timeout=settings.cap, headers=self.accept)
        if flavour == "conflictkg":
            _warm_workers(base, self.accept)

    def measure(self, spec: QuerySpec, cap: float | None = None, *, last: bool = False) -> Timing:
        """Time ``spec``; ``last``: no query follows (a stuck server is not restarted for nothing)."""
        s = self.settings
        if not self.dead and time.monotonic() > s.deadline:
            self.dead = OUT_OF_TIME
        if self.dead:
            self.run.timings[spec.name] = t = Timing(status=self.dead)
            return t
        limit = s.cap if cap is None else cap
        path, params = _request(self.flavour, spec)
        server_times: list[float] = []

        def request(c: Client = self.client) -> Response:
            response = _checked(c.get(path, params=params, timeout=limit))
            took = response.server_ms()
            if took is not None:
                server_times.append(took / 1000)
            return response

        stuck = False
        try:
            t = _measure(request, _rows, repeats=s.repeats, budget=s.budget, fast_repeats=s.fast_repeats)
            if server_times:
                self.run.server[spec.name] = statistics.median(server_times[-len(t.samples):])  # not the warm-up
        except ClientTimeout:
            t = Timing(status=f"did not finish within {limit:.0f} s")
            stuck = self.flavour == "rdflib-endpoint"  # its event loop is stuck in the query: nothing else will answer
        except RuntimeError as exc:
            t = Timing(status="did not finish within the server's time limit (HTTP 503)" if str(exc).startswith("HTTP 503")
                       else f"error: {str(exc)[:120]}")
        except ClientError as exc:
            t = Timing(status=f"error: {str(exc)[:120]}")
        self.run.timings[spec.name] = t
        self.log(f"  {self.flavour}: {spec.name}: " + (f"{1000 * t.median:.1f} ms x{len(t.samples)}" if t.ok else t.status))
        if stuck:
            self.client.close()
            if self.restart is not None and self.restarts > 0 and not last and time.monotonic() < s.deadline:
                self.restarts -= 1
                self.log(f"  {self.flavour}: restarting the server")
                try:
                    self.client = Client(self.restart(), timeout=s.cap, headers=self.accept)
                except (RuntimeError, TimeoutError) as exc:
                    self.dead = self.run.status = f"not run ({self.flavour} could not be restarted: {exc})"
            else:
                self.dead = self.run.status = (f"not run ({self.flavour} stopped answering after a query passed "
                                               f"{limit:.0f} s)")
        return t

    def close(self) -> None:
        self.client.close()


def run_http(flavour: str, base: str, specs: Sequence[QuerySpec], *, log: Callable[[str], None],
             restart: Callable[[], str] | None = None, restarts: int = 0,
             caps: Mapping[str, float] | None = None, **settings: Any) -> EngineRun:
    """Every spec on one HTTP endpoint (see :class:`HttpEngine`); ``caps`` overrides the cap per spec name."""
    engine = HttpEngine(flavour, base, Settings(**settings), log=log, restart=restart, restarts=restarts)
    try:
        for spec in specs:
            engine.measure(spec, (caps or {}).get(spec.name), last=spec is specs[-1])
    finally:
        engine.close()
    return engine.run


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
