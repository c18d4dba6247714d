"""``conflictkg serve --workers 2`` for real: two server processes on one loopback port, one writer
and one reader of its published snapshots (conflictkg.serving).

A keep-alive connection stays with the process that accepted it, and every answer names that
process (``X-Conflictkg-Process``), so the tests hold one connection to each. A write through
either process is seen through both as soon as it is answered (SPARQL), or once the projection
is rebuilt (``/graph``: polled, no timing asserted); reads keep answering while writes go on.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from conflictkg.serving import PROCESS_HEADER

TOKEN = "workers-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: Seconds the server may take to start, and a polled condition to come true (a loaded machine).
PATIENCE = 120.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Conn:
    """One keep-alive connection (so one server process)."""

    def __init__(self, port: int) -> None:
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
        self.process = ""

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes, str]:
        self.http.request(method, path, body=body, headers=headers or {})
        response = self.http.getresponse()
        data = response.read()
        self.process = response.getheader(PROCESS_HEADER) or ""
        return response.status, data, self.process

    def close(self) -> None:
        self.http.close()

    def ask(self, query: str) -> bool:
        status, body, _ = self.request("GET", "/sparql?" + urlencode({"query": query}),
                                       headers={"Accept": "application/sparql-results+json"})
        assert status == 200, body
        return bool(json.loads(body)["boolean"])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, subprocess.Popen[bytes], Path]]:
    tmp = tmp_path_factory.mktemp("workers")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTKG_")}
    env.update({"CONFLICTKG_STORE": str(tmp / "store"), "CONFLICTKG_TURTLE_DIR": str(tmp / "turtle"),
                "CONFLICTKG_QUERY_WORKERS": "1", "CONFLICTKG_RESERVED_WORKERS": "0"})
    log = tmp / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "conflictkg.cli", "serve", "--port", str(port), "--token", TOKEN,
                                 "--workers", "2"], cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + PATIENCE
        while True:
            assert proc.poll() is None, log.read_text()
            probe = Conn(port)
            try:
                if probe.request("GET", "/sparql?query=ASK%7B%7D")[0] == 200:
                    break
            except OSError:
                pass
            finally:
                probe.close()
            assert time.monotonic() < deadline, "serve --workers 2 did not answer in time:\n" + log.read_text()
            time.sleep(0.3)
        yield port, proc, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def conns(server: tuple[int, subprocess.Popen[bytes], Path]) -> Iterator[dict[str, Conn]]:
    """A connection to each process (new connections land on either, as the kernel spreads them)."""
    found: dict[str, Conn] = {}
    try:
        for _ in range(200):
            conn = Conn(server[0])
            conn.request("GET", "/sparql?query=ASK%7B%7D")
            if conn.process in found:
                conn.close()
            found.setdefault(conn.process, conn)
            if len(found) == 2:
                break
        assert len(found) == 2, f"200 connections all reached {sorted(found)}"
        yield found
    finally:
        for conn in found.values():
            conn.close()


def _article_graph(conn: Conn) -> str:
    query = "SELECT ?g WHERE { GRAPH ?g { ?a a <https://w3id.org/conflictkg/ontology#Article> } } ORDER BY ?g LIMIT 1"
    status, body, _ = conn.request("GET", "/sparql?" + urlencode({"query": query}),
                                   headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body
    return str(json.loads(body)["results"]["bindings"][0]["g"]["value"])


def _poll(condition: object, what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_two_processes_answer_on_one_port(server: tuple[int, subprocess.Popen[bytes], Path],
                                          conns: dict[str, Conn]) -> None:
    log = server[2]
    assert sorted(conns) == ["0/2", "1/2"]
    assert "2 server processes (1 writer, 1 readers)" in log.read_text()
    # the same answer from both: the reader reads the writer's published snapshot
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    bodies = {p: c.request("GET", "/sparql?" + urlencode({"query": query}), headers={"Accept": "text/csv"})[1]
              for p, c in conns.items()}
    assert bodies["0/2"] == bodies["1/2"] and bodies["0/2"].startswith(b"n\r\n")


def test_a_write_through_either_process_is_seen_through_both(conns: dict[str, Conn]) -> None:
    graph = _article_graph(conns["0/2"])
    present = f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    status, turtle, _ = conns["1/2"].request("GET", f"/graph-store?graph={quote(graph, safe='')}",
                                              headers={"Accept": "text/turtle"})
    assert status == 200 and turtle
    for writer, gone in (("1/2", True), ("0/2", False), ("0/2", True), ("1/2", False)):
        conn = conns[writer]
        if gone:
            status, body, process = conn.request("DELETE", f"/graph-store?graph={quote(graph, safe='')}", headers=AUTH)
            assert (status, process) == (204, writer), body
        else:
            status, body, process = conn.request("PUT", f"/graph-store?graph={quote(graph, safe='')}", body=turtle,
                                                 headers={**AUTH, "Content-Type": "text/turtle"})
            assert (status, process) == (201, writer), body
        # answered: every process sees it at once (the snapshot was published before the answer)
        assert {p: c.ask(present) for p, c in conns.items()} == {"0/2": not gone, "1/2": not gone}
    # a write refused by the writer is refused through the reader the same way
    status, body, process = conns["1/2"].request("DELETE", f"/graph-store?graph={quote(graph, safe='')}")
    assert (status, process, json.loads(body)["error"]) == (401, "1/2", "E058")


def test_writes_through_either_process_reach_the_writers_turtle_folder(
        server: tuple[int, subprocess.Popen[bytes], Path], conns: dict[str, Conn]) -> None:
    """One writer, so one Turtle folder: a write forwarded by a reader is mirrored there like the writer's own."""
    from rdflib import Graph, URIRef

    from conflictkg.turtle_folder import TurtleFolder, same_triples

    folder = TurtleFolder(server[2].parent / "turtle")
    graph = _article_graph(conns["0/2"])
    path = folder.file_for(URIRef(graph))
    assert path is not None and path.name.startswith("article-") and path.exists()
    status, turtle, _ = conns["1/2"].request("GET", f"/graph-store?graph={quote(graph, safe='')}",
                                              headers={"Accept": "text/turtle"})
    assert status == 200
    for writer in ("1/2", "0/2"):
        status, body, process = conns[writer].request("DELETE", f"/graph-store?graph={quote(graph, safe='')}", headers=AUTH)
        assert (status, process) == (204, writer), body
        assert not path.exists()
        status, body, process = conns[writer].request("PUT", f"/graph-store?graph={quote(graph, safe='')}", body=turtle,
                                                      headers={**AUTH, "Content-Type": "text/turtle"})
        assert (status, process) == (201, writer), body
        name, on_file = folder.read(path)
        assert name == URIRef(graph) and same_triples(Graph().parse(data=turtle, format="turtle"), on_file)
    assert not [p.name for p in folder.directory.iterdir() if p.name.startswith(".")], "no journal left behind"


def test_graph_projections_follow_the_writes_in_every_process(conns: dict[str, Conn]) -> None:
    graph = _article_graph(conns["0/2"])
    status, body, _ = conns["0/2"].request("GET", "/graph/centrality?view=claims&top=1000&types=Article")
    assert status == 200, body
    article = next(n["id"] for n in json.loads(body)["scores"] if graph.rsplit("/", 1)[-1] in n["id"])
    status, turtle, _ = conns["0/2"].request("GET", f"/graph-store?graph={quote(graph, safe='')}",
                                             headers={"Accept": "text/turtle"})
    assert conns["1/2"].request("DELETE", f"/graph-store?graph={quote(graph, safe='')}", headers=AUTH)[0] == 204

    def gone_everywhere() -> bool:
        return all(c.request("GET", f"/graph/nodes/{article}?view=claims")[0] == 404 for c in conns.values())

    _poll(gone_everywhere, f"{article} still in a projection")
    assert conns["0/2"].request("PUT", f"/graph-store?graph={quote(graph, safe='')}", body=turtle,
                                headers={**AUTH, "Content-Type": "text/turtle"})[0] == 201

    def back_everywhere() -> bool:
        return all(c.request("GET", f"/graph/nodes/{article}?view=claims")[0] == 200 for c in conns.values())

    _poll(back_everywhere, f"{article} not back in every projection")


def test_reads_keep_answering_while_writes_go_on(server: tuple[int, subprocess.Popen[bytes], Path],
                                                 conns: dict[str, Conn]) -> None:
    port = server[0]
    graph = _article_graph(conns["0/2"])
    status, turtle, _ = conns["0/2"].request("GET", f"/graph-store?graph={quote(graph, safe='')}",
                                             headers={"Accept": "text/turtle"})
    writes: list[int] = []
    writer = Conn(port)

    def write() -> None:
        for _ in range(6):
            writes.append(writer.request("DELETE", f"/graph-store?graph={quote(graph, safe='')}", headers=AUTH)[0])
            writes.append(writer.request("PUT", f"/graph-store?graph={quote(graph, safe='')}", body=turtle,
                                         headers={**AUTH, "Content-Type": "text/turtle"})[0])

    thread = threading.Thread(target=write)
    thread.start()
    answers: dict[str, set[bool]] = {"0/2": set(), "1/2": set()}
    while thread.is_alive() or not all(answers.values()):
        for process, conn in conns.items():
            answers[process].add(conn.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))
    thread.join()
    writer.close()
    assert writes == [204, 201] * 6
    assert conns["1/2"].ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")  # the last write put it back


def test_more_than_one_process_needs_the_store_on_disk(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTKG_")}
    result = subprocess.run([sys.executable, "-m", "conflictkg.cli", "--store", ":memory:", "serve", "--workers", "2"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "[E140] --workers above 1 needs the embedded store on disk" in result.stderr
    assert "Traceback" not in result.stderr
