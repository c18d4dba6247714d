"""The W3C SPARQL 1.1 Protocol tests (../shared/w3c/sparql11/protocol/manifest.ttl), replayed
against /sparql and /update through the real ASGI app, on every backend.

A small manifest runner: each test's ``ut:graphData`` is loaded into the store as the named
graph its label names, its ``ht:requests`` are replayed in order (paths ``/sparql/...`` go to
``/update`` for the update tests, with the write token, since conflictkg serves updates at
their own endpoint, as the manifest allows), and each response is checked for the expected
status class, result format and boolean. Every test passes or is skipped with the reason in
:data:`SKIPS`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS

from conflictkg.service import GraphService
from conflictkg.sparql.formats import GRAPH_FORMATS, RESULT_FORMATS

from fixtures_sparql import TOKEN, Client, RecordingGate, backend, make_service, with_gate  # noqa: F401
from fixtures_w3c import SKIPS

W3C_DIR = Path(os.environ.get("CONFLICTKG_W3C_DIR", Path(__file__).resolve().parents[2] / "shared" / "w3c")) \
    / "sparql11" / "protocol"
MANIFEST = W3C_DIR / "manifest.ttl"
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")

def _manifest() -> Graph:
    graph = Graph()
    graph.parse(MANIFEST, format="turtle", publicID=BASE)
    return graph


def _tests() -> list[Any]:
    if not MANIFEST.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"W3C manifest not found at {MANIFEST}"))]
    graph = _manifest()
    manifest = next(graph.subjects(MF.entries, None))
    entries = Collection(graph, graph.value(manifest, MF.entries))
    params = []
    for test in entries:
        marks = [pytest.mark.skip(reason=SKIPS[str(test)])] if str(test) in SKIPS else []
        params.append(pytest.param(str(test), id=str(test).rsplit("#", 1)[1], marks=marks))
    return params


@pytest.fixture(scope="module")
def manifest() -> Graph:
    return _manifest()


@pytest.fixture(scope="module")
def service(backend: str) -> Iterator[GraphService]:  # noqa: F811
    # The suite's data are generic example triples, not conflictkg data: the real SHACL gate
    # refuses them (untyped subjects, E105; tests/test_validation_typed.py). The protocol is
    # tested here with a gate that records and lets them through.
    service = with_gate(make_service(backend, graphs={}, token=TOKEN), RecordingGate())
    try:
        yield service
    finally:
        service.close()


def _reset(service: GraphService, graph: Graph, test: URIRef) -> None:
    for name in service.store.named_graphs():
        service.store.drop_graph(name)
    data: dict[URIRef, Graph] = {}
    for item in graph.objects(test, UT.graphData):
        source = graph.value(item, UT.graph)
        name = URIRef(str(graph.value(item, RDFS.label)))
        local = W3C_DIR / Path(urlsplit(str(source)).path).name
        data[name] = Graph().parse(local, format="nt")
    if data:
        service.store.replace_graphs(data)


def _request(graph: Graph, node: Any, *, update: bool) -> dict[str, Any]:
    path = str(graph.value(node, HT.absolutePath))
    split = urlsplit(path)
    target = ("/update" if update else "/sparql") + (f"?{split.query}" if split.query else "")
    headers = {}
    header_list = graph.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    if update:
        headers["authorization"] = f"Bearer {TOKEN}"
    body = graph.value(node, HT.body)
    content = str(graph.value(body, CNT.chars)).encode("utf-8") if body is not None else None
    return {"method": str(graph.value(node, HT.methodName)), "url": target, "headers": headers, "content": content}


def _boolean(response: Any) -> bool:
    media = response.headers["content-type"].split(";")[0]
    fmt = RESULT_FORMATS[media]
    parsed = ox.parse_query_results(response.content, format=fmt)
    assert isinstance(parsed, ox.QueryBoolean), f"not a boolean result: {response.text[:200]}"
    return bool(parsed)


def _check_format(response: Any, expected: str) -> None:
    media = response.headers["content-type"].split(";")[0]
    if expected == "boolean":
        _boolean(response)
    elif expected == "tabular":
        assert media in RESULT_FORMATS, media
        assert isinstance(ox.parse_query_results(response.content, format=RESULT_FORMATS[media]), ox.QuerySolutions)
    else:
        assert expected == "RDF"
        assert media in GRAPH_FORMATS, media
        list(ox.parse(response.content, format=GRAPH_FORMATS[media]))


@pytest.mark.parametrize("test_iri", _tests())
def test_w3c_protocol(test_iri: str, manifest: Graph, service: GraphService) -> None:
    _protocol(test_iri, manifest, service)


def _protocol(test_iri: str, manifest: Graph, service: GraphService) -> None:
    test = URIRef(test_iri)
    _reset(service, manifest, test)
    client = Client(service)
    update = test_iri.rsplit("#", 1)[1].startswith(("update_", "bad_update_"))
    action = manifest.value(test, MF.action)
    for node in Collection(manifest, manifest.value(action, HT.requests)):
        # the follow-up ASKs of update tests are queries: route by the request's own content type
        content_type = ""
        header_list = manifest.value(node, HT.headers)
        if header_list is not None:
            content_type = " ".join(str(manifest.value(h, HT.fieldValue)) for h in Collection(manifest, header_list))
        is_update = update and "sparql-query" not in content_type
        request = _request(manifest, node, update=is_update)
        response = client.request(**request)
        expected = manifest.value(node, HT.resp)
        classes = {str(s).rsplit("StatusCode", 1)[1] for s in manifest.objects(expected, MF.expectedStatus)}
        assert f"{str(response.status_code)[0]}xx" in classes, (request, response.status_code, response.text)
        fmt = manifest.value(expected, MF.expectedFormat)
        if fmt is not None:
            _check_format(response, str(fmt))
        boolean = manifest.value(expected, MF.expectedBoolean)
        if boolean is not None:
            assert _boolean(response) is boolean.toPython(), (request, response.text)


def test_unknown_dataset_graph_is_refused(service: GraphService) -> None:
    """The answer conflictkg gives where the skipped W3C tests expect a query over an empty graph."""
    client = Client(service)
    r = client.post("/sparql?default-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata0.rdf",
                    content=b"query=ASK%20%7B%7D", headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400
    assert json.loads(r.text)["error"] == "E053"
