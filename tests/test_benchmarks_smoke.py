"""Smoke tests of the benchmarks at tiny sizes: they run and report; nothing is timed here."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))


def test_export_bench_smoke(capsys) -> None:  # type: ignore[no-untyped-def]
    from benchmarks import export

    assert export.main(["--edges", "300", "--formats", "graphml,gexf,json"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ") and not line.startswith("| format")]
    assert [r.split("|")[1].strip() for r in rows] == ["graphml", "gexf", "json"]
    for row in rows:
        cells = [c.strip() for c in row.split("|")[1:-1]]
        assert cells[2] == "300"  # edges
        assert float(cells[3]) > 0 and float(cells[6].replace(",", "")) > 0  # file size, writer peak
    g = export.synthetic_graph(300)
    assert g.number_of_edges() == 300
    keys = [k for *_, k in g.edges(keys=True)]
    assert len(keys) == len(set(keys))


# --- SHACL validation benchmark (issue 3) ---------------------------------------------------


def test_validation_bench_smoke(capsys) -> None:  # type: ignore[no-untyped-def]
    from benchmarks import validation

    assert validation.main(["--triples", "8000", "--samples", "2", "--repeats", "1", "--full-timeout", "300"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## SHACL validation: per-article gate vs store size")
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in out.splitlines() if line.startswith("| ") and not line.startswith("| |")}
    empty, large = (int(x.replace(",", "")) for x in rows["triples in the store"])
    assert 0 < empty < large
    assert rows["per-article `validate_delta`, median of 2 articles x 1 runs"][0].endswith(" ms")
    assert float(rows["ratio large / empty (target < 1.5)"][1].strip("*")) > 0
    assert "conforms: 0 violations" in rows["whole-store `validate_store` (pySHACL, cap 300 s)"][1]
    assert "WARNING" not in out


def test_full_benchmark_quick(tmp_path: Path) -> None:
    """``python -m benchmarks --quick`` runs every benchmark at tiny sizes and writes every section and table."""
    import os
    import subprocess

    from benchmarks.virtuoso import available as virtuoso_available

    out = tmp_path / "BENCHMARKS.md"
    env = dict(os.environ, CONFLICTKG_BENCH_OUT=str(tmp_path / "cache"))  # not the repository's cache
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)], cwd=ROOT, check=False,
                          capture_output=True, text=True, timeout=900, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# conflictkg benchmarks\n")
    # The file is exactly the sections the command printed.
    assert text.split("\n", 3)[3].strip() == proc.stdout.strip()
    from benchmarks.suite import SECTIONS

    titles = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert sorted(titles) == sorted(SECTIONS)
    tables = {
        "Machine": "| CPU |",
        "Targets": "| target | measured | result |",
        "Data": "| requested | quads written |",
        "Bulk load": "| triples (quads) | engine | load time |",
        "Query latency": "| query | rows | pyoxigraph direct | conflictkg | rdflib Graph | rdflib-endpoint |",
        "Concurrent clients": "| endpoint | workers | clients | requests | errors |",
        "Reads under writes": "| triples | readers | writes | read requests | read errors | write errors |",
        "Extraction and ingest": "| store | triples before | articles | failed |",
        "SHACL validation": "| ratio large / empty",
        "Export": "| format | nodes | edges |",
    }
    sections = {s.split("\n", 1)[0]: s for s in text.split("\n## ")[1:]}
    for title, header in tables.items():
        assert header in sections[title], title
    queries = sections["Query latency"]
    names = ("actor-statements", "casualty-figures", "contested-figures", "contradictions", "point lookup",
             "2-hop join + FILTER", "aggregation (GROUP BY + AVG)", "OPTIONAL + ORDER BY")
    for name in names:
        row = next(line for line in queries.splitlines() if line.startswith(f"| {name}"))
        cells = [c.strip() for c in row.split("|")[1:-1]]
        assert all(c.endswith(")") and "ms" in c for c in cells[2:6]), row  # every engine answered
        assert cells[7].endswith("ms"), row  # conflictkg's server-side time
    assert "Round trip of the bare FastAPI + uvicorn route" in queries
    assert re.search(r"exported by `conflictkg contradictions -o FILE` .*: [\d,]+ pairs in [\d.,]+ s\.", queries), queries
    targets = [line for line in sections["Targets"].splitlines() if line[:3] in {f"| {d}" for d in "12345"}]
    assert [line.split(".", 1)[0] for line in targets] == ["| 1", "| 2a", "| 2b", "| 3a", "| 3b", "| 4", "| 5"]
    concurrency = [line for line in sections["Concurrent clients"].splitlines() if line.startswith("| /")]
    assert {line.split("|")[2].strip() for line in concurrency} == {"1", "2"}  # one and two server processes
    for line in concurrency:
        assert line.split("|")[5].strip() == "0", line  # no errors under concurrent clients
        assert line.split("|")[10].strip().endswith(" us/req"), line  # the load generator's own CPU per request
    load_row = next(line for line in sections["Reads under writes"].splitlines() if line.startswith("| 6,000 |"))
    assert [c.strip() for c in load_row.split("|")[5:7]] == ["0", "0"]  # no read or write errors
    virtuoso = sections["Virtuoso"]
    if virtuoso_available():
        assert "| query | rows | Virtuoso | conflictkg --backend remote |" in virtuoso
        for name in names:
            row = next(line for line in virtuoso.splitlines() if line.startswith(f"| {name}"))
            cells = [c.strip() for c in row.split("|")[1:-1]]
            assert all("ms" in c for c in cells[2:5]), row  # Virtuoso, conflictkg on it, conflictkg embedded
    ingest_rows = [l for l in sections["Extraction and ingest"].splitlines() if l.startswith("| empty")]
    assert ingest_rows and ingest_rows[0].split("|")[4].strip() == "0"  # no article failed
    assert "python -m benchmarks" in sections["Reproduce"]


def test_loadgen_counts_answers_and_errors() -> None:
    """The concurrency client reads whole answers (by length and by chunks) and counts non-200s as errors."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from benchmarks.loadgen import run_load

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            if self.path.startswith("/chunked"):
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for part in (b"hello ", b"world"):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\n\r\n")
                return
            status = 404 if self.path.startswith("/missing") else 200
            body = b'{"ok": true}'
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        ok = run_load(base, "/fine", clients=3, seconds=0.3)
        assert ok.requests > 3 and ok.errors == 0 and len(ok.latencies) == ok.requests
        # its own CPU (the loop's thread, not the server's threads in this process): some, never more than it ran
        assert 0 < ok.client_cpu < ok.seconds + 0.2 and ok.client_cpu_us == 1e6 * ok.client_cpu / ok.requests
        chunked = run_load(base, "/chunked", clients=2, seconds=0.3)
        assert chunked.requests > 2 and chunked.errors == 0
        missing = run_load(base, "/missing", clients=2, seconds=0.3)
        assert missing.requests > 0 and missing.errors == missing.requests and missing.first_error == "HTTP 404"
        assert missing.throughput == 0
    finally:
        server.shutdown()
        server.server_close()


def test_targets_judge_measurements() -> None:
    """PASS and FAIL follow the numbers: the geometric mean, lower bounds, the server-side allowance, scaling."""
    from benchmarks.loadgen import LoadResult
    from benchmarks.queries import EngineRun, QuerySpec, Timing
    from benchmarks.suite import SizeRun
    from benchmarks.datasets import Artefact
    from benchmarks import targets

    named = QuerySpec("q", "named", "SELECT * {}", query="q")
    shape = QuerySpec("s", "shape", "SELECT * {}")

    def run(ours: list[float], peer: Timing, server: float, direct: float) -> SizeRun:
        r = SizeRun(1_000_000, Artefact(Path("x"), 1_000_000, 1.0, None, "", False), {}, {}, [named, shape], 20.0)
        r.engines = {
            "conflictkg": EngineRun(timings={"q": Timing(ours, 5), "s": Timing([0.002], 5)}, server={"q": server}),
            "rdflib-endpoint": EngineRun(timings={"q": peer, "s": Timing([0.004], 5)}),
            "pyoxigraph direct": EngineRun(timings={"q": Timing([direct], 5), "s": Timing([0.0001], 5)}),
        }
        r.bare = Timing([0.0003], 0)
        return r

    fast = run([0.010], Timing([0.200], 5), server=0.0095, direct=0.008)
    assert targets.target_peer(fast).result == "PASS"  # 20x on the analyst query, 2x on the shape
    assert targets.target_server_side(fast).result == "PASS"  # 9.5 ms <= 1.2 * 8 + 0.5
    assert targets.target_peer(run([0.010], Timing([0.050], 5), 0.0095, 0.008)).result == "FAIL"  # 5x
    bounded = targets.target_peer(run([0.010], Timing(status="did not finish within 20 s"), 0.0095, 0.008))
    assert bounded.result == "PASS" and ">2,000x" in bounded.measured
    assert targets.target_server_side(run([0.010], Timing([0.2], 5), 0.0105, 0.008)).result == "FAIL"
    over = targets.overheads(fast)  # the shape: 2 ms - 0.1 ms - 0.3 ms
    assert [(s.name, round(o * 1000, 1)) for s, o, _n in over] == [("q", 1.7), ("s", 1.6)]
    assert targets.target_overhead(fast).result == "FAIL"

    def load(clients: int, rate: float, errors: int = 0) -> LoadResult:
        return LoadResult(clients, int(rate), errors, 1.0, [0.001] * int(rate))

    one = [("/graph", load(8, 100)), ("/graph", load(32, 100))]
    assert targets.target_scaling({1: one, 2: [("/graph", load(8, 170)), ("/graph", load(32, 160))]},
                                  1_000_000).result == "PASS"
    assert targets.target_scaling({1: one, 2: [("/graph", load(8, 170)), ("/graph", load(32, 150))]},
                                  1_000_000).result == "FAIL"
    assert targets.target_scaling({1: one}, 1_000_000).result == "NOT MEASURED"


def test_the_generator_writes_the_derived_graphs_the_pipeline_would() -> None:
    """The synthetic graph's per-event derived graphs (contradictions, revisions, figure summaries) are those
    conflictkg.derived computes from the same articles in one store (what a build's Derivation.rebuild makes)."""
    import pyoxigraph as ox

    from benchmarks.generator import iter_graphs
    from conflictkg.derived import Derivation
    from conflictkg.store import EmbeddedStore, to_oxigraph

    graphs = list(iter_graphs(20_000, 1))
    written = {g: set(lines) for g, lines in graphs if "/derived/" in g}
    store = EmbeddedStore(None)
    store.oxigraph.load("".join(line for g, lines in graphs if "/derived/" not in g for line in lines).encode(),
                        format=ox.RdfFormat.N_QUADS)
    store.build_union_default_graph()
    rebuilt = {str(g): {f"{to_oxigraph(s)} {to_oxigraph(p)} {to_oxigraph(o)} <{g}> .\n" for s, p, o in content}
               for g, content in Derivation(store).rebuild().items()}
    assert len(written) >= 10
    assert written == rebuilt
    kinds = {line.split(" ")[2] for lines in written.values() for line in lines if "rdf-syntax-ns#type" in line}
    assert {"<https://w3id.org/conflictkg/ontology#Contradiction>", "<https://w3id.org/conflictkg/ontology#Revision>",
            "<https://w3id.org/conflictkg/ontology#FigureSummary>"} <= kinds


def test_synthetic_articles_are_deterministic_and_extractable() -> None:
    from benchmarks.articles import synthetic_articles
    from conflictkg.config import Settings
    from conflictkg.service import GraphService

    a = [x.text for x in synthetic_articles(3, seed=5)]
    assert a == [x.text for x in synthetic_articles(3, seed=5)]
    assert a != [x.text for x in synthetic_articles(3, seed=6)]
    assert [x.text for x in synthetic_articles(1, seed=5, first=2)] == a[2:]
    with GraphService(settings=Settings(store=None)) as service:
        doc = service.builder.extract(next(synthetic_articles(1, seed=5)))
    assert len(doc.claims) >= 3
    assert any(f.measure == "killed" for c in doc.claims for f in c.figures)
    assert {c.stance for c in doc.claims} >= {"asserts"}


def test_standalone_benchmark_commands(tmp_path: Path) -> None:
    """The commands run on their own: the data cache, the HTTP profile, and Virtuoso alone (when installed)."""
    import os
    import subprocess

    from benchmarks.virtuoso import available as virtuoso_available

    env = dict(os.environ, CONFLICTKG_BENCH_OUT=str(tmp_path / "cache"))

    def run(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, check=False, capture_output=True, text=True,
                              timeout=600, env=env)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return proc.stdout

    built = run("benchmarks.datasets", "--sizes", "6000")
    assert "6,171 quads" in built and "built in this run" in built  # articles, reports, events, derived graphs
    assert "cached, built" in run("benchmarks.datasets", "--sizes", "6000")  # the second time it is reused
    profile = run("benchmarks.httpprofile", "--triples", "6000", "--requests", "20", "--queries",
                  "point lookup|/graph/nodes/actor.a20/neighbours")
    assert "### point lookup" in profile and "| where | us per request |" in profile
    assert "| uvicorn (protocol, httptools) |" in profile
    graph = profile.split("### /graph/nodes/actor.a20/neighbours")[1]  # a path of the app, profiled as it is
    assert "| fastapi |" in graph and "conflictkg: query screen" not in graph
    if virtuoso_available():
        text = run("benchmarks.virtuoso", "--sizes", "6000", "--no-remote", "--repeats", "1", "--fast-repeats", "1",
                   "--budget", "0.1")
        row = next(line for line in text.splitlines() if line.startswith("| casualty-figures"))
        cells = [c.strip() for c in row.split("|")[1:-1]]
        assert cells[2].endswith(")") and "ms" in cells[2] and "ms" in cells[4], row  # Virtuoso, conflictkg embedded


# --- reads under writes (issue 11) -----------------------------------------------------------


def test_load_bench_smoke() -> None:
    """A tiny load run: readers and a writer through a real server, no errors, and the last write shows."""
    from benchmarks import load

    result = load.run(6_000, clients=2, seconds=2.0, log=lambda _m: None)
    assert (result.errors, result.write_errors) == (0, 0)
    # One write a second, each waiting for the server: on a loaded machine a write may take longer than the
    # run, so at least one write is what can be asserted without timing.
    assert result.requests > 0 and result.writes >= 1
    assert result.visible_after is not None
    table = load.markdown([result])
    row = next(line for line in table.splitlines() if line.startswith("| 6,000 | 2 |"))
    assert row.split("|")[3].strip() == f"{result.writes} (1 per 1 s)"
