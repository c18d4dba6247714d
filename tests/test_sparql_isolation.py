"""Query workers are confined by the operating system, whatever query text reaches them: no
network connection (seccomp), read-only access to their snapshots (Landlock), and a memory cap
(RLIMIT_AS) after which the worker is replaced and the client gets a coded error.

The network tests hand a task to the pool directly (the internal path *behind* the query
screen), so they show what happens if a query the screen should have refused ever ran."""

from __future__ import annotations

import http.server
import os
import struct
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conflictkg.config import Settings
from conflictkg.service import GraphService
from conflictkg.sparql.pool import WorkerPool
from conflictkg.sparql.sandbox import seccomp_program
from conflictkg.sparql.snapshot import Snapshots
from conflictkg.sparql.worker import Task
from conflictkg.store import EmbeddedStore

from fixtures_sparql import Client, corpus, service_fixture

LINUX = sys.platform == "linux" and os.uname().machine in ("x86_64", "aarch64")
needs_linux = pytest.mark.skipif(not LINUX, reason="seccomp and Landlock confinement is Linux-only (docs/security.md)")



def doubling(times: int) -> str:
    """A query whose string doubles ``times`` times (nested BINDs): 2 ** times characters."""
    binds = " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(times))
    return f'SELECT (STRLEN(?x{times}) AS ?n) WHERE {{ BIND("a" AS ?x0) {binds} }}'


#: 512 MiB of string, far beyond the small memory cap these tests set.
DOUBLING = doubling(29)
SIMPLE = ("SELECT ?label WHERE { <https://w3id.org/conflictkg/id/place/valetown> "
          "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }")


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A loopback SPARQL 'endpoint' that records every request it gets."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.hits.append(self.path)
        body = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    handler = type("Recorder", (_Recorder,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", hits
    finally:
        server.shutdown()
        server.server_close()


def _service_task(store: EmbeddedStore, snapshots: Snapshots, url: str) -> Task:
    return Task(snapshot=snapshots.acquire(), query=f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
                media_type="text/csv", max_rows=100, check="stream")


def _pool_answer(confine: bool, url: str) -> tuple[object, ...]:
    store = EmbeddedStore(None)
    store.replace_graphs(corpus())
    snapshots = Snapshots(store.oxigraph, None, lambda: store.generation)
    pool = WorkerPool(1, readable=[str(snapshots.root)], confine=confine)
    try:
        return pool.run(_service_task(store, snapshots, url), time.monotonic() + 30, 30)
    finally:
        pool.close()
        snapshots.close()


@needs_linux
def test_a_worker_cannot_open_a_connection_even_for_a_query_the_screen_never_saw(endpoint) -> None:  # type: ignore[no-untyped-def]
    url, hits = endpoint
    answer = _pool_answer(True, url)
    assert answer[:3] == ("error", "E050", 500)
    assert "Operation not permitted (os error 1)" in str(answer[3])  # EPERM from the seccomp filter
    assert hits == []  # the server saw nothing


def test_without_confinement_the_same_task_reaches_the_server(endpoint) -> None:  # type: ignore[no-untyped-def]
    """The control: what the confinement above prevents really happens without it."""
    url, hits = endpoint
    answer = _pool_answer(False, url)
    assert answer == ("ok", "text/csv", b"o,p,s\r\n", 0)  # the empty result the loopback server sent
    assert hits == ["/sparql"]


@needs_linux
def test_workers_report_the_confinement_they_applied() -> None:
    service = GraphService(settings=Settings().with_(store=None, query_workers=1, reserved_workers=0))
    try:
        assert Client(service).get("/sparql", params={"query": "ASK {}"}).status_code == 200
        pool, _ = service.sparql._workers()
        confinement = pool.confinement
        assert confinement is not None and confinement["missing"] == []
        assert confinement["network"].startswith("seccomp: socket() only for AF_UNIX, no connect()")
        assert confinement["files"].startswith("landlock ABI ")
        assert confinement["memory"] == "RLIMIT_AS 2048 MiB"
    finally:
        service.close()


_CONFINED_CHILD = textwrap.dedent("""
    import json, os, socket, sys
    from conflictkg.sparql.sandbox import confine
    allowed, outside = sys.argv[1], sys.argv[2]
    confinement = confine(readable=[allowed], memory_limit=None)
    out = {"missing": list(confinement.missing)}
    def attempt(name, fn):
        try:
            fn()
            out[name] = "ok"
        except OSError as exc:
            out[name] = exc.errno
    attempt("read inside", lambda: open(os.path.join(allowed, "data.txt")).read())
    attempt("read outside", lambda: open(outside).read())
    attempt("write inside", lambda: open(os.path.join(allowed, "new.txt"), "w").close())
    attempt("inet socket", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
    attempt("inet6 socket", lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM))
    attempt("unix socket", lambda: socket.socket(socket.AF_UNIX).close())
    print(json.dumps(out))
""")


@needs_linux
def test_a_confined_process_reads_only_what_it_was_given_and_writes_nothing(tmp_path: Path) -> None:
    import errno
    import json

    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "data.txt").write_text("snapshot", encoding="utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", _CONFINED_CHILD, str(allowed), str(outside)],
                          capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(proc.stdout) == {
        "missing": [], "read inside": "ok", "read outside": errno.EACCES, "write inside": errno.EACCES,
        "inet socket": errno.EPERM, "inet6 socket": errno.EPERM, "unix socket": "ok",
    }
    assert not (allowed / "new.txt").exists()


# --- the BPF program, run by a tiny interpreter (so aarch64's is checked on any machine) -------


def _run_bpf(program: bytes, arch: int, nr: int, arg0: int) -> int:
    data = struct.pack("=iIQ6Q", nr, arch, 0, arg0, 0, 0, 0, 0, 0)
    code = [struct.unpack("=HBBI", program[i:i + 8]) for i in range(0, len(program), 8)]
    acc, pc = 0, 0
    while True:
        op, jt, jf, k = code[pc]
        if op == 0x20:  # ld w abs
            acc = struct.unpack_from("=I", data, k)[0]
            pc += 1
        elif op in (0x15, 0x35):  # jeq / jge k
            hit = acc == k if op == 0x15 else acc >= k
            pc += 1 + (jt if hit else jf)
        elif op == 0x06:  # ret k
            return k
        else:
            raise AssertionError(f"unexpected opcode {op:#x}")


ALLOW, EPERM = 0x7FFF0000, 0x00050000 | 1


@pytest.mark.parametrize("machine,arch,socket_nr,connect_nr,other_nr", [
    ("x86_64", 0xC000003E, 41, 42, 0),  # read
    ("aarch64", 0xC00000B7, 198, 203, 63),  # read
])
def test_the_filter_denies_inet_sockets_and_connect_for_each_architecture(machine: str, arch: int, socket_nr: int,
                                                                           connect_nr: int, other_nr: int) -> None:
    program = seccomp_program(machine)
    assert _run_bpf(program, arch, socket_nr, 1) == ALLOW  # AF_UNIX
    assert _run_bpf(program, arch, socket_nr, 2) == EPERM  # AF_INET
    assert _run_bpf(program, arch, socket_nr, 10) == EPERM  # AF_INET6
    assert _run_bpf(program, arch, socket_nr, 16) == EPERM  # AF_NETLINK
    assert _run_bpf(program, arch, connect_nr, 1) == EPERM
    assert _run_bpf(program, arch, 425, 0) == EPERM  # io_uring_setup
    assert _run_bpf(program, arch, other_nr, 2) == ALLOW
    assert _run_bpf(program, 0x40000003, socket_nr, 1) == EPERM  # another ABI (i386): nothing at all
    if machine == "x86_64":
        assert _run_bpf(program, arch, 0x40000000 | 41, 1) == EPERM  # x32 system calls


# --- memory ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_workers() -> Iterator[GraphService]:
    yield from service_fixture("embedded", query_timeout=60.0, query_workers=1, reserved_workers=0,
                               worker_memory=1024, worker_recycle=64)


def _wait_for_workers(service: GraphService, count: int) -> set[int]:
    pool, _ = service.sparql._workers()
    deadline = time.monotonic() + 60
    while len(pool.pids()) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return pool.pids()


@needs_linux
def test_a_query_past_the_memory_cap_gets_a_coded_error_and_its_worker_is_replaced(
        small_workers: GraphService) -> None:
    client = Client(small_workers)
    assert client.get("/sparql", params={"query": SIMPLE}, headers={"accept": "text/csv"}).text == \
        "label\r\nValetown\r\n"
    before = _wait_for_workers(small_workers, 1)
    answer = client.get("/sparql", params={"query": DOUBLING})
    assert (answer.status_code, answer.json()) == (422, {
        "error": "E100", "message": "the query needed more memory than a query worker may use (--worker-memory); "
        "narrow it or add a LIMIT"})
    after = _wait_for_workers(small_workers, 1)
    assert before and after and not before & after  # a new worker ...
    with pytest.raises(ProcessLookupError):
        os.kill(before.pop(), 0)  # ... and the old one is gone
    again = client.get("/sparql", params={"query": SIMPLE}, headers={"accept": "text/csv"})
    assert again.text == "label\r\nValetown\r\n"


def test_a_worker_that_grew_past_the_recycle_threshold_answers_then_is_replaced(small_workers: GraphService) -> None:
    """128 MiB of strings: under the cap, over the 64 MiB recycle threshold."""
    client = Client(small_workers)
    before = _wait_for_workers(small_workers, 1)
    answer = client.get("/sparql", params={"query": doubling(27)}, headers={"accept": "text/csv"})
    assert (answer.status_code, answer.text) == (200, f"n\r\n{2 ** 27}\r\n")
    after = _wait_for_workers(small_workers, 1)
    assert not before & after
    small = client.get("/sparql", params={"query": SIMPLE}, headers={"accept": "text/csv"})
    assert small.text == "label\r\nValetown\r\n"
    assert _wait_for_workers(small_workers, 1) == after  # a small query does not recycle its worker


def test_a_worker_started_by_a_large_process_measures_its_own_peak_memory() -> None:
    """``ru_maxrss`` survives fork and exec: a worker started by a large server would inherit the
    server's size as its peak and never be recycled. ``peak_rss`` must be the worker's own."""
    parent = (
        "import subprocess, sys\n"
        "ballast = bytearray(400 * 2**20)\n"
        "for i in range(0, len(ballast), 4096): ballast[i] = 1\n"
        "child = ('from conflictkg.sparql.worker import _open_status, peak_rss; '\n"
        "         '_open_status(); print(peak_rss())')\n"
        "print(subprocess.run([sys.executable, '-c', child], capture_output=True, text=True, check=True).stdout)\n"
    )
    out = subprocess.run([sys.executable, "-c", parent], capture_output=True, text=True, check=True).stdout
    assert 0 < int(out) < 200 * 2**20
