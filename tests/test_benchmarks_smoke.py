"""Smoke tests of the benchmarks at tiny sizes: they run and report; nothing is timed here."""

from __future__ import annotations

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
    import subprocess

    out = tmp_path / "BENCHMARKS.md"
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)], cwd=ROOT, check=False,
                          capture_output=True, text=True, timeout=600)
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
        "Query latency": "| query | rows | pyoxigraph direct | conflictkg /sparql | rdflib Graph | rdflib-endpoint |",
        "Concurrent clients": "| endpoint | clients | requests | errors |",
        "Reads under writes": "| triples | readers | writes | read requests | read errors | write errors |",
        "Extraction and ingest": "| store | triples before | articles | failed |",
        "SHACL validation": "| ratio large / empty",
        "Export": "| format | nodes | edges |",
    }
    sections = {s.split("\n", 1)[0]: s for s in text.split("\n## ")[1:]}
    for title, header in tables.items():
        assert header in sections[title], title
    queries = sections["Query latency"]
    for name in ("actor-statements", "casualty-figures", "contested-figures", "contradictions", "point lookup",
                 "2-hop join + FILTER", "aggregation (GROUP BY + AVG)", "OPTIONAL + ORDER BY"):
        row = next(line for line in queries.splitlines() if line.startswith(f"| {name}"))
        cells = [c.strip() for c in row.split("|")[1:-1]]
        assert all(c.endswith(")") and "ms" in c for c in cells[2:6]), row  # every engine answered
    targets = sections["Targets"]
    assert targets.count("**") >= 6  # three verdicts
    for line in sections["Concurrent clients"].splitlines():
        if line.startswith("| /"):
            assert line.split("|")[4].strip() == "0", line  # no errors under concurrent clients
    load_row = next(line for line in sections["Reads under writes"].splitlines() if line.startswith("| 6,000 |"))
    assert [c.strip() for c in load_row.split("|")[5:7]] == ["0", "0"]  # no read or write errors
    ingest_rows = [l for l in sections["Extraction and ingest"].splitlines() if l.startswith("| empty")]
    assert ingest_rows and ingest_rows[0].split("|")[4].strip() == "0"  # no article failed
    assert "python -m benchmarks" in sections["Reproduce"]


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


# --- reads under writes (issue 11) -----------------------------------------------------------


def test_load_bench_smoke() -> None:
    """A tiny load run: readers and a writer through a real server, no errors, and the last write shows."""
    from benchmarks import load

    result = load.run(6_000, clients=2, seconds=2.0, log=lambda _m: None)
    assert (result.errors, result.write_errors) == (0, 0)
    assert result.requests > 0 and result.writes >= 2
    assert result.visible_after is not None
    table = load.markdown([result])
    row = next(line for line in table.splitlines() if line.startswith("| 6,000 | 2 |"))
    assert row.split("|")[3].strip() == f"{result.writes} (1 per 1 s)"
