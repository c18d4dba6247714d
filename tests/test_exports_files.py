"""Every export validates against its schema and reads back, in networkx and in graphology, unchanged."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fixtures_network import SCHEMAS, graphology_read, make_client, make_service, make_store, node_available
from lxml import etree

from conflictkg.cli import main
from conflictkg.fixtures import fixture_graphs
from conflictkg.store import EmbeddedStore

from conflictkg.exports import NODE_COLOURS  # isort: skip

VIEWS = ("actor-event", "claims")
GRAPHML_NS = "{http://graphml.graphdrawing.org/xmlns}"
GEXF_NS = "{http://gexf.net/1.3}"
needs_node = pytest.mark.skipif(not node_available(), reason="Node.js is not installed: graphology parsers unavailable")


@pytest.fixture(scope="module")
def service():  # type: ignore[no-untyped-def]
    return make_service(make_store(contested=True))


@pytest.fixture(scope="module")
def exported(service, tmp_path_factory) -> dict[tuple[str, str], Path]:  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("exports")
    files = {}
    for view in VIEWS:
        for fmt in ("graphml", "gexf", "json"):
            path = out / f"{view}.{fmt}"
            with open(path, "wb") as f:
                service.network.write(fmt, view, f)
            files[view, fmt] = path
    return files


@pytest.fixture(scope="module")
def graphml_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "graphml-1.0" / "graphml.xsd")))


@pytest.fixture(scope="module")
def gexf_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "gexf-1.3" / "gexf.rng")))


def expected(g: nx.MultiDiGraph) -> tuple[dict[str, dict[str, Any]], dict[str, tuple[str, str, dict[str, Any]]]]:
    nodes = {n: dict(d) for n, d in g.nodes(data=True)}
    edges = {k: (u, v, dict(d)) for u, v, k, d in g.edges(keys=True, data=True)}
    return nodes, edges


def read_back(g: nx.Graph) -> tuple[dict[str, dict[str, Any]], dict[str, tuple[str, str, dict[str, Any]]]]:
    nodes = {n: dict(d) for n, d in g.nodes(data=True)}
    if g.is_multigraph():
        edges = {str(k): (u, v, {a: x for a, x in d.items() if not (a == "id" and x == k)})
                 for u, v, k, d in g.edges(keys=True, data=True)}
    else:
        edges = {str(d["id"]): (u, v, {k: x for k, x in d.items() if k != "id"}) for u, v, d in g.edges(data=True)}
    return nodes, edges


def test_the_views_have_parallel_edges_and_dated_claims(service) -> None:  # type: ignore[no-untyped-def]
    g = service.network.graph("actor-event")
    pairs = [(u, v) for u, v, _ in g.edges(keys=True)]
    assert len(pairs) > len(set(pairs)), "the ministry's two claims about one event are parallel edges"
    assert all(d["weight"] > 0 for *_, d in g.edges(data=True))
    assert {d["node_type"] for _, d in g.nodes(data=True)} == {"Actor", "Event"}
    assert {d["node_type"] for _, d in service.network.graph("claims").nodes(data=True)} == {
        "Actor", "Event", "Claim", "Article"}


@pytest.mark.parametrize("view", VIEWS)
def test_graphml_is_valid_and_well_formed_for_gephi(exported, graphml_schema, view: str) -> None:  # type: ignore[no-untyped-def]
    doc = etree.parse(str(exported[view, "graphml"]))
    assert graphml_schema.validate(doc), graphml_schema.error_log
    keys = doc.getroot().findall(f"{GRAPHML_NS}key")
    names = [(k.get("for"), k.get("attr.name")) for k in keys]
    assert len(names) == len(set(names)), "one key per (for, name): one type per column"
    assert {k.get("attr.type") for k in keys} <= {"boolean", "long", "double", "string"}
    assert {("node", "label"), ("node", "node_type"), ("node", "iri"), ("edge", "relation"), ("edge", "label"),
            ("edge", "weight")} <= set(names)
    assert {k.get("attr.type") for k in keys if k.get("attr.name") == "weight"} == {"double"}
    ids = [e.get("id") for e in doc.getroot().iter(f"{GRAPHML_NS}edge")]
    assert len(ids) == len(set(ids)) and all(ids)


@pytest.mark.parametrize("view", VIEWS)
def test_graphml_reads_back_in_networkx(service, exported, view: str) -> None:  # type: ignore[no-untyped-def]
    back = nx.read_graphml(exported[view, "graphml"], force_multigraph=True)
    assert read_back(back) == expected(service.network.graph(view))


@pytest.mark.parametrize("view", VIEWS)
def test_gexf_is_valid_dynamic_and_typed(service, exported, gexf_schema, view: str) -> None:  # type: ignore[no-untyped-def]
    doc = etree.parse(str(exported[view, "gexf"]))
    assert gexf_schema.validate(doc), gexf_schema.error_log
    graph = doc.getroot().find(f"{GEXF_NS}graph")
    assert (graph.get("mode"), graph.get("timeformat"), graph.get("defaultedgetype")) == ("dynamic", "date", "directed")
    g = service.network.graph(view)
    edges = {e.get("id"): e for e in graph.iter(f"{GEXF_NS}edge")}
    assert len(edges) == g.number_of_edges()
    for u, v, k, d in g.edges(keys=True, data=True):
        e = edges[k]
        assert (e.get("source"), e.get("target"), e.get("kind"), e.get("label")) == (u, v, d["relation"], d["relation"])
        assert (e.get("start"), e.get("end")) == (d.get("start"), d.get("end"))
    nodes = {n.get("id"): n for n in graph.iter(f"{GEXF_NS}node")}
    for n, d in g.nodes(data=True):
        assert nodes[n].get("label") == d["label"]
        assert nodes[n].get("start") == d.get("start")
        colour = nodes[n].find("{http://gexf.net/1.3/viz}color")
        assert tuple(int(colour.get(c)) for c in "rgb") == NODE_COLOURS[d["node_type"]]
    events = [n for n, d in g.nodes(data=True) if d["node_type"] == "Event"]
    assert events and all(nodes[n].get("start") for n in events), "events carry dates for the timeline"
    claims = [k for *_, k, d in g.edges(keys=True, data=True) if d.get("edge_class") == "claim"]
    assert view == "claims" or (claims and all(edges[k].get("start") for k in claims))


@pytest.mark.parametrize("view", VIEWS)
def test_gexf_reads_back_in_networkx(service, exported, view: str) -> None:  # type: ignore[no-untyped-def]
    back = nx.read_gexf(exported[view, "gexf"], version="1.3")
    nodes, edges = read_back(back)
    for d in nodes.values():
        d.pop("viz")
    assert (nodes, edges) == expected(service.network.graph(view))


@needs_node
@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphology_reads_the_same_graph(service, exported, view: str, fmt: str) -> None:  # type: ignore[no-untyped-def]
    parsed = graphology_read(fmt, exported[view, fmt])
    assert parsed["type"] == "directed"
    nodes, edges = expected(service.network.graph(view))
    if fmt == "gexf":  # graphology keeps the viz colour and the edge kind, and ignores the time attributes
        for d in nodes.values():
            d["color"] = "rgb({},{},{})".format(*NODE_COLOURS[d["node_type"]])
            d.pop("start", None)
            d.pop("end", None)
        for _, _, d in edges.values():
            d["kind"] = d["relation"]
            d.pop("start", None)
            d.pop("end", None)
    assert {n["id"]: n["attributes"] for n in parsed["nodes"]} == nodes
    assert {e["id"]: (e["source"], e["target"], e["attributes"]) for e in parsed["edges"]} == edges
    assert parsed["multi"] == (len({(u, v) for u, v, _ in edges.values()}) < len(edges))


@pytest.mark.parametrize("view", VIEWS)
def test_json_node_link_reads_back(service, exported, view: str) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(exported[view, "json"].read_text(encoding="utf-8"))
    back = nx.node_link_graph(data, edges="edges")
    assert back.is_multigraph() and back.is_directed()
    assert read_back(back) == expected(service.network.graph(view))


def test_http_export_streams_the_same_bytes(service) -> None:  # type: ignore[no-untyped-def]
    client = make_client(contested=True)
    for fmt, media in (("graphml", "application/graphml+xml"), ("gexf", "application/gexf+xml"),
                       ("json", "application/json")):
        r = client.get("/graph/export", params={"format": fmt, "view": "claims"})
        assert r.status_code == 200
        assert r.headers["content-type"].split(";")[0] == media
        assert r.headers["content-disposition"] == f'attachment; filename="conflictkg-claims.{fmt}"'
        buf = io.BytesIO()
        service.network.write(fmt, "claims", buf)
        assert r.content == buf.getvalue()
    default = client.get("/graph/export")
    assert default.headers["content-disposition"] == 'attachment; filename="conflictkg-actor-event.gexf"'


def test_cli_export_writes_a_valid_file(tmp_path: Path, graphml_schema, gexf_schema, capsys) -> None:  # type: ignore[no-untyped-def]
    store_dir = tmp_path / "store"
    store = EmbeddedStore(store_dir)
    store.replace_graphs(fixture_graphs())
    store.close()
    out = tmp_path / "kg.graphml"
    assert main(["--store", str(store_dir), "export", "--format", "graphml", "--view", "claims", "-o", str(out)]) == 0
    assert graphml_schema.validate(etree.parse(str(out)))
    assert "wrote" in capsys.readouterr().err
    back = nx.read_graphml(out, force_multigraph=True)
    assert back.number_of_nodes() == 13 and back.number_of_edges() == 18
    gexf = tmp_path / "kg.gexf"
    assert main(["--store", str(store_dir), "export", "-o", str(gexf)]) == 0  # defaults: gexf, actor-event
    assert gexf_schema.validate(etree.parse(str(gexf)))
    assert main(["--store", str(store_dir), "export", "--format", "pdf", "-o", str(tmp_path / "x")]) == 2
    assert "format must be one of graphml, gexf, json; got 'pdf'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.part").exists()
