"""``conflictkg query`` and ``conflictkg serve --get``: thin faces over the same service."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.cli import main


@pytest.fixture
def base_args(tmp_path: Path) -> list[str]:
    empty = tmp_path / "turtle"
    empty.mkdir()
    return ["--store", ":memory:", "--turtle-dir", str(empty)]


def test_query_prints_results(base_args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*base_args, "query", 'SELECT ?x ?y { VALUES (?x ?y) { (1 "a,b") (2 "c") } }']) == 0
    assert capsys.readouterr().out == 'x,y\r\n1,"a,b"\r\n2,c\r\n'
    assert main([*base_args, "query", "--format", "tsv", 'SELECT ?x { VALUES ?x { <urn:a> } }']) == 0
    assert capsys.readouterr().out == "?x\n<urn:a>\n"
    # the ontology is loaded on first start: the store is not empty
    assert main([*base_args, "query",
                 "ASK { GRAPH <https://w3id.org/conflictkg/graph/ontology> { ?c a <http://www.w3.org/2002/07/owl#Class> } }"]) == 0
    assert capsys.readouterr().out == '{"head":{},"boolean":true}\n'


def test_query_errors_are_coded(base_args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*base_args, "query", "LOAD <file:///etc/hostname>"]) == 2
    assert "[E052] LOAD is not allowed" in capsys.readouterr().err
    assert main([*base_args, "query", "SELECT * FROM <file:///etc/hostname> { ?s ?p ?o }"]) == 2
    assert "[E053] FROM <file:///etc/hostname> is not a graph of this store" in capsys.readouterr().err
    assert main([*base_args, "query", "--format", "csv", "ASK {}"]) == 2
    assert "--format csv cannot hold ASK results" in capsys.readouterr().err


def test_serve_get_goes_through_the_app(base_args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*base_args, "serve", "--get", "/sparql?query=ASK%20%7B%7D"]) == 0
    assert capsys.readouterr().out == '{"head":{},"boolean":true}'
    assert main([*base_args, "serve", "--get", "/sparql?query=ASK%20%7B"]) == 1
    assert '"error":"E051"' in capsys.readouterr().out
