"""``conflictkg validate``: Turtle files or the whole store, text or JSON, exit 0 only when it conforms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures_validation import A1, N, apply, base_graphs
from rdflib import Graph, URIRef

from conflictkg.cli import main
from conflictkg.namespaces import CKG, DICTIONARY_GRAPH, PROV
from conflictkg.rdf import to_turtle
from conflictkg.store import EmbeddedStore
from conflictkg.validation import format_term


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CONFLICTKG_FORMAT", "CONFLICTKG_STORE", "CONFLICTKG_BACKEND"):
        monkeypatch.delenv(name, raising=False)


def _write(tmp_path: Path, graphs: dict) -> list[str]:
    files = []
    for i, graph in enumerate(graphs.values()):
        path = tmp_path / f"g{i}.ttl"
        path.write_text(to_turtle(graph), encoding="utf-8")
        files.append(str(path))
    return files


def _broken() -> dict:
    graphs = {}
    for name, graph in base_graphs().items():
        copy = Graph()
        copy += graph
        if str(name).endswith(A1):
            apply(copy, [("set", "FIG", CKG.measure, CKG.Dead)])
        graphs[name] = copy
    return graphs


def test_files_that_conform_exit_0_with_a_readable_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    graphs = dict(base_graphs())
    dictionary = Graph()
    for triple in graphs[DICTIONARY_GRAPH]:
        dictionary.add(triple)
    agency = URIRef("https://w3id.org/conflictkg/id/actor/agency-x")
    dictionary.remove((agency, PROV.wasDerivedFrom, None))  # a Warning, not a Violation
    graphs[DICTIONARY_GRAPH] = dictionary
    files = _write(tmp_path, graphs)
    assert main(["--store", str(tmp_path / "store"), "validate", *files]) == 0
    out = capsys.readouterr().out
    assert out.startswith("SHACL validation conforms: 0 violations, 1 warning\n")
    assert "Warning: This dictionary entry (an actor or a place) lacks prov:wasDerivedFrom ckgg:dictionary" in out
    assert "  node:  ckgid:actor/agency-x\n" in out


def test_files_that_break_a_shape_exit_1_and_json_names_node_path_value(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    files = _write(tmp_path, _broken())
    assert main(["--store", ":memory:", "validate", "--format", "json", *files]) == 1
    body = json.loads(capsys.readouterr().out)
    assert body["conforms"] is False
    assert body["counts"] == {"Violation": 1, "Warning": 0, "Info": 0}
    assert body["truncated"] is False
    assert body["results"][0] == {
        "severity": "Violation",
        "focusNode": format_term(N["FIG"]),
        "path": "ckg:measure",
        "value": "ckg:Dead",
        "shape": "ckgsh:Figure-measure",
        "constraint": "sh:InConstraintComponent",
        "message": "A figure needs exactly one ckg:measure from the list: ckg:Killed, ckg:Wounded, "
                   "ckg:KilledOrWounded, ckg:Attackers, ckg:Missing, ckg:Captured.",
    }


def test_format_from_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    files = _write(tmp_path, base_graphs())
    monkeypatch.setenv("CONFLICTKG_FORMAT", "json")
    assert main(["--store", ":memory:", "validate", *files]) == 0
    assert json.loads(capsys.readouterr().out)["conforms"] is True


def test_unparsable_file_exits_2_naming_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b \n", encoding="utf-8")
    assert main(["--store", ":memory:", "validate", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"conflictkg: [E026] {bad}: not valid Turtle")


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", ":memory:", "validate", str(tmp_path / "nope.ttl")]) == 2
    assert capsys.readouterr().err == f"conflictkg: [E029] {tmp_path / 'nope.ttl'}: no such file\n"


def _committed(path: Path) -> None:
    """A store holding the committed graph (data/turtle/, the ontology and the curated dictionary)."""
    from conflictkg.config import Settings
    from conflictkg.service import GraphService

    with GraphService(settings=Settings.from_env().with_(store=path)) as service:
        assert service.ensure_loaded() > 0


def test_whole_store_conforms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _committed(tmp_path / "store")
    assert main(["--store", str(tmp_path / "store"), "validate", "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["conforms"] is True
    assert body["counts"]["Violation"] == 0
    assert all(r["severity"] == "Warning" for r in body["results"])


def test_whole_store_with_a_violation_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _committed(tmp_path / "store")
    store = EmbeddedStore(tmp_path / "store")
    name = next(g for g in store.named_graphs() if "/article/" in str(g))
    graph = store.graph(name)
    figure = next(iter(sorted(graph.subjects(CKG.measure, None))))
    graph.set((figure, CKG.measure, CKG.Dead))
    store.replace_graph(name, graph)
    store.close()
    assert main(["--store", str(tmp_path / "store"), "validate"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("SHACL validation does not conform: 1 violation, ")
    assert "\n\nViolation: A figure needs" in out
    assert f"  node:  {format_term(figure)}\n  path:  ckg:measure\n  value: ckg:Dead\n" in out


def test_reports_are_capped_and_say_so() -> None:
    from conflictkg.validation import MAX_REPORT_RESULTS, ValidationReport, ValidationResult

    results = [ValidationResult(focus_node=f"ckgid:claim/{i:04d}", path="ckg:stance", value="ckg:Maybe",
                                message="A claim needs exactly one ckg:stance from the list.", severity="Violation",
                                shape="ckgsh:Claim-stance", constraint="sh:InConstraintComponent")
               for i in range(MAX_REPORT_RESULTS + 5)]
    warning = ValidationResult(focus_node="ckgid:claim/x", path=None, value=None, message="No date.",
                               severity="Warning", shape="ckgsh:Claim-claimDateMissing", constraint="sh:OrConstraintComponent")
    report = ValidationReport(conforms=False, results=results + [warning])
    body = report.to_dict()
    assert body["truncated"] is True
    assert body["counts"] == {"Violation": MAX_REPORT_RESULTS + 5, "Warning": 1, "Info": 0}
    assert len(body["results"]) == MAX_REPORT_RESULTS
    text = report.to_text()
    assert text.startswith(f"SHACL validation does not conform: {MAX_REPORT_RESULTS + 5} violations, 1 warning\n")
    assert text.endswith("\n... and 6 more results not shown\n")
