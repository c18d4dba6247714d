"""Property: awkward labels, IRIs and numbers always export to valid files that read back unchanged.

"Unchanged" up to what XML can carry: characters XML 1.0 forbids (NUL and other C0 controls,
lone surrogates, U+FFFE/U+FFFF) come back as U+FFFD; JSON keeps them exactly.
"""

from __future__ import annotations

import copy
import io
import json
import math
from typing import Any

import networkx as nx
import pytest
from fixtures_network import SCHEMAS, graphology_read, node_available
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from lxml import etree

from conflictkg.exports import clean_text, write_export
from conflictkg.projection import harmonise, node_id

GRAPHML = etree.XMLSchema(etree.parse(str(SCHEMAS / "graphml-1.0" / "graphml.xsd")))
GEXF = etree.RelaxNG(etree.parse(str(SCHEMAS / "gexf-1.3" / "gexf.rng")))

AWKWARD = ["<&>\"'", "&lt;&#13;&#x1;", "INF", "inf", "NaN", "null", "\x00\x01\x1f\x7f", "\ud800 lone", "emoji 😀🇸🇾", "x" * 5000,
           "  lead and trail  ", "tab\tcr\rlf\n", "]]>", "&amp;", "", " ", "\ufffe\uffff", "عربى", "true"]
texts = st.one_of(st.sampled_from(AWKWARD), st.text(max_size=40),
                  st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=20))
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -0, 1, -1, 2**31, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 10**40]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e308, 5e-324, float("nan"), float("inf")]),
)
iris = st.builds(lambda t: "https://w3id.org/conflictkg/id/" + t, texts) | texts


@st.composite
def graphs(draw: Any) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    node_iris = draw(st.lists(iris, min_size=1, max_size=5, unique_by=node_id))
    for iri in node_iris:
        attrs = {"label": draw(texts), "iri": iri, "node_type": draw(st.sampled_from(["Actor", "Event", "Claim", "X"])),
                 "value": draw(numbers), "note": draw(texts | numbers | st.booleans() | st.none())}
        if draw(st.booleans()):
            attrs["start"] = draw(st.sampled_from(["2018-02-07", "2018-02", "not a date", "2018-02-30"]))
        g.add_node(node_id(iri), **attrs)
    ids = list(g)
    for i in range(draw(st.integers(0, 6))):
        u, v = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        key = draw(st.one_of(st.just(i), texts))
        g.add_edge(u, v, key=key, relation=draw(texts), label=draw(texts), weight=draw(numbers),
                   count=draw(numbers), date=draw(texts))
    return g


def _xml_value(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def _edge_order(edge: tuple) -> tuple:
    u, v, d = edge
    return (u, v, sorted((k, repr(x)) for k, x in d.items()))


def _expected(g: nx.MultiDiGraph, *, xml: bool) -> tuple[dict, list]:
    h = copy.deepcopy(g)
    harmonise(h)
    clean = _xml_value if xml else (lambda x: x)
    nodes = {n: {k: clean(v) for k, v in d.items()} for n, d in h.nodes(data=True)}
    edges = []
    for u, v, _, d in h.edges(keys=True, data=True):
        edges.append((u, v, {k: clean(x) for k, x in d.items()}))
    return nodes, sorted(edges, key=_edge_order)


def _read(g: nx.Graph) -> tuple[dict, list]:
    nodes = {n: dict(d) for n, d in g.nodes(data=True)}
    edges = [(u, v, {k: x for k, x in d.items() if k != "id"}) for u, v, d in g.edges(data=True)]
    return nodes, sorted(edges, key=_edge_order)


def _export(g: nx.Graph, fmt: str) -> bytes:
    buf = io.BytesIO()
    write_export(g, fmt, buf)
    return buf.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_awkward_values_export_to_valid_files_that_read_back(g: nx.MultiDiGraph) -> None:
    note(f"nodes={list(g.nodes(data=True))!r}\nedges={list(g.edges(keys=True, data=True))!r}")
    graphml = _export(g, "graphml")
    assert GRAPHML.validate(etree.fromstring(graphml).getroottree()), GRAPHML.error_log
    back = nx.read_graphml(io.BytesIO(graphml), force_multigraph=True)
    assert _read(back) == _expected(g, xml=True)
    edge_ids = [k for *_, k in back.edges(keys=True)]
    assert len(edge_ids) == len(set(edge_ids)) == g.number_of_edges()

    gexf = _export(g, "gexf")
    assert GEXF.validate(etree.fromstring(gexf).getroottree()), GEXF.error_log
    back = nx.read_gexf(io.BytesIO(gexf), version="1.3")
    nodes, edges = _read(back)
    exp_nodes, exp_edges = _expected(g, xml=True)
    for n, d in nodes.items():
        d.pop("viz")
        # dates that are not valid xsd:date values stay out of the timeline attributes
        if "start" in exp_nodes[n] and not _is_date(exp_nodes[n]["start"]):
            exp_nodes[n].pop("start")
    assert nodes == exp_nodes
    assert edges == exp_edges

    data = json.loads(_export(g, "json"))
    back = nx.node_link_graph(data, edges="edges")
    assert _read(back) == _expected(g, xml=False)


def _is_date(value: Any) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return len(value) == 10


def test_non_token_node_ids_and_keys_still_validate() -> None:
    g = nx.MultiDiGraph()
    g.add_node("https://example.org/a b#c", label="a")
    g.add_node("ünïcode/😀", label="b")
    g.add_edge("https://example.org/a b#c", "ünïcode/😀", key="same", relation="r", **{"odd key": 1, "nan": math.nan})
    g.add_edge("ünïcode/😀", "https://example.org/a b#c", key="same", relation="r")
    for fmt, schema in (("graphml", GRAPHML), ("gexf", GEXF)):
        doc = etree.fromstring(_export(g, fmt)).getroottree()
        assert schema.validate(doc), schema.error_log
        ids = [e.get("id") for e in doc.getroot().iter("{*}edge")]
        assert len(set(ids)) == 2


@pytest.mark.skipif(not node_available(), reason="Node.js is not installed: graphology parsers unavailable")
def test_graphology_reads_awkward_values(tmp_path) -> None:  # type: ignore[no-untyped-def]
    g = nx.MultiDiGraph()
    for i, text in enumerate(AWKWARD):
        g.add_node(node_id(f"https://w3id.org/conflictkg/id/n/{text}"), label=text, iri=text, node_type="Actor",
                   value=[0, -1, 2**31, -(2**53), 2**53, 7][i % 6], score=[0.0, -2.5, 1e300][i % 3])
    nodes = list(g)
    for i, text in enumerate(AWKWARD):
        g.add_edge(nodes[i], nodes[(i + 1) % len(nodes)], key=f"e-{i}", relation=text, label=text, weight=1.5,
                   note=text)
    expected_nodes = {n: {k: _xml_value(v) for k, v in d.items()} for n, d in g.nodes(data=True)}
    expected_edges = {k: (u, v, {a: _xml_value(x) for a, x in d.items()}) for u, v, k, d in g.edges(keys=True, data=True)}
    for fmt in ("graphml", "gexf"):
        path = tmp_path / f"awkward.{fmt}"
        path.write_bytes(_export(g, fmt))
        parsed = graphology_read(fmt, path)
        got_nodes = {n["id"]: n["attributes"] for n in parsed["nodes"]}
        got_edges = {e["id"]: (e["source"], e["target"], e["attributes"]) for e in parsed["edges"]}
        want_nodes, want_edges = copy.deepcopy(expected_nodes), copy.deepcopy(expected_edges)
        if fmt == "gexf":
            for d in got_nodes.values():
                assert d.pop("color") == "rgb(31,119,180)"
            for _, _, d in got_edges.values():
                assert d.pop("kind", "") == d["relation"]
            # graphology reads an empty GEXF label (an XML attribute) as no label
            for d in [*want_nodes.values(), *(e[2] for e in want_edges.values())]:
                if d["label"] == "":
                    del d["label"]
        assert got_nodes == want_nodes
        assert got_edges == want_edges
