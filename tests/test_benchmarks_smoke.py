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
