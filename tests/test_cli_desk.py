"""The command line as a person uses it: real processes, a real server beside them, bad input everywhere.

* every subcommand, given bad input, exits non-zero with a coded error and never a traceback;
* read commands work while ``conflictkg serve`` holds the store; write commands stop with
  E110 naming the server, and ``add`` with the token goes through it;
* a build writes Turtle beside its own store, never into the repository.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from conflictkg.cli import build_parser
from conflictkg.resources import TURTLE_DIR

from fixtures_web import BRIDGE, page

TOKEN = "desk-token"
CODED = re.compile(r"\[E\d{3}\] ")


def run(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTKG_")}
    return subprocess.run([sys.executable, "-m", "conflictkg.cli", *args], cwd=cwd, env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=timeout)


def subcommands() -> list[str]:
    parser = build_parser()
    return sorted(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


def small_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text("Bridge battle\n\nThe Syrian army said on Monday that 12 rebels were killed near the "
                                  "Kessel bridge.\n", encoding="utf-8")
    (folder / "metadata.json").write_text(json.dumps([{"file": "a.txt", "title": "Bridge battle",
                                                       "published": "2024-04-02"}]), encoding="utf-8")
    return folder


# --- no traceback, ever ---------------------------------------------------------------------------


def bad_inputs(tmp: Path) -> dict[str, list[list[str]]]:
    broken = tmp / "broken"
    broken.mkdir()
    (broken / "metadata.json").write_text("[{", encoding="utf-8")
    (broken / "a.txt").write_text("Some text.\n", encoding="utf-8")
    return {
        "build": [["build", str(tmp / "no-such-folder")], ["build", str(broken)]],
        "add": [["add", str(tmp / "no-such-file.html")], ["add", str(tmp)], ["add", "http://127.0.0.1:9/nothing-listens"]],
        "claims": [["claims", "--format", "xml"], ["claims", "-o", str(tmp / "no-such-dir" / "c.csv")]],
        "query": [["query", "SELECT WHERE"], ["query", f"@{tmp / 'no-such-query.rq'}"]],
        "export": [["export", "--format", "pdf"], ["export", "-o", str(tmp / "no-such-dir" / "g.gexf")]],
        "validate": [["validate", str(tmp / "missing.ttl")]],
        "serve": [["serve", "--port", "70000"], ["serve", "--query-timeout", "-1"]],
    }


def test_no_subcommand_prints_a_traceback(tmp_path: Path) -> None:
    not_a_store = tmp_path / "plain-file"
    not_a_store.write_text("not a store", encoding="utf-8")
    env = {"CONFLICTKG_STORE": str(tmp_path / "store"), "CONFLICTKG_QUERY_WORKERS": "1"}
    specific = bad_inputs(tmp_path)
    cases: list[list[str]] = [[], ["no-such-command"], ["--store"]]
    for name in subcommands():  # a command added later is covered by the generic cases
        cases += [[name, "--no-such-flag"], ["--store", str(not_a_store), name], *specific.get(name, [])]
    assert set(specific) <= set(subcommands())
    with ThreadPoolExecutor(max_workers=4) as pool:  # each is a process of its own
        results = list(pool.map(lambda args: (args, run(*args, cwd=tmp_path, env=env)), cases))
    for args, done in results:
        shown = f"conflictkg {' '.join(args)}: {done.returncode}\n{done.stderr}"
        assert done.returncode != 0, shown
        assert "Traceback" not in done.stderr + done.stdout, shown
        assert CODED.search(done.stderr), shown


def test_bad_command_lines_and_stores_are_coded(tmp_path: Path) -> None:
    file = tmp_path / "plain-file"
    file.write_text("x", encoding="utf-8")
    done = run("--store", str(file), "claims", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"conflictkg: [E111] cannot open the store {file}: ")
    done = run("claims", "--bogus", cwd=tmp_path)
    assert (done.returncode, done.stderr.splitlines()[-1]) == (2, "conflictkg: [E114] unrecognized arguments: --bogus")


# --- beside a running server -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("beside")
    env = {"CONFLICTKG_STORE": str(tmp / "kg" / "store"), "CONFLICTKG_QUERY_WORKERS": "1",
           "CONFLICTKG_CORPUS_DIR": str(tmp / "no-corpus")}
    built = run("build", str(small_corpus(tmp / "corpus")), cwd=tmp, env=env)
    assert built.returncode == 0, built.stderr
    port = free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTKG_")}
    log = open(tmp / "serve.log", "w+")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "conflictkg.cli", "serve", "--port", str(port), "--token", TOKEN],
                            cwd=tmp, env={**base, **env}, stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (tmp / "serve.log").read_text()
            try:
                if httpx.get(url + "api/facets", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "conflictkg serve did not answer within 90 s"
            time.sleep(0.2)
        yield tmp, url, env
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.seek(0)
        first = log.readline()
        log.close()
        # the workbench's address is the first thing serve prints
        assert first == f"conflictkg: the workbench is at {url} (SPARQL at /sparql; writes need the token)\n"
        assert not (tmp / "kg" / "store.server.json").exists()  # the server's record goes with it


def test_read_commands_work_beside_the_server(served: tuple[Path, str, dict[str, str]]) -> None:
    tmp, url, env = served
    record = json.loads((tmp / "kg" / "store.server.json").read_text(encoding="utf-8"))
    assert record["url"] == url and record["writes"] is True
    note = (f"[W010] the store {tmp / 'kg' / 'store'} is held by `conflictkg serve` at {url} (process {record['pid']}); "
            "reading it as it is now, read-only\n")
    claims = run("claims", cwd=tmp, env=env)
    assert (claims.returncode, claims.stderr) == (0, note)
    rows = [json.loads(line) for line in claims.stdout.splitlines()]
    assert [(r["claimant"], r["evidence"]) for r in rows] == [
        ("Syrian Arab Army", "The Syrian army said on Monday that 12 rebels were killed near the Kessel bridge.")]
    query = run("query", "SELECT (COUNT(*) AS ?n) WHERE { ?c a ckg:Claim }", cwd=tmp, env=env)
    assert (query.returncode, query.stdout, query.stderr) == (0, "n\n1\n", note)
    export = run("export", "--format", "json", cwd=tmp, env=env)
    assert export.returncode == 0, export.stderr
    assert "actor.syrian-arab-army" in {n["id"] for n in json.loads(export.stdout)["nodes"]}
    validate = run("validate", cwd=tmp, env=env)
    assert validate.returncode == 0, validate.stdout + validate.stderr


def test_write_commands_name_the_server(served: tuple[Path, str, dict[str, str]]) -> None:
    tmp, url, env = served
    pid = json.loads((tmp / "kg" / "store.server.json").read_text(encoding="utf-8"))["pid"]
    done = run("build", str(tmp / "corpus"), cwd=tmp, env=env)
    assert done.returncode == 2
    assert done.stderr == (f"conflictkg: [E110] cannot write to the store {tmp / 'kg' / 'store'}: it is in use by "
                           f"`conflictkg serve` at {url} (process {pid}); stop it first, or add articles through it "
                           "with `conflictkg add --token TOKEN ...`\n")
    (tmp / "bridge.html").write_text(page(BRIDGE), encoding="utf-8")
    done = run("add", str(tmp / "bridge.html"), cwd=tmp, env=env)
    assert done.returncode == 2 and done.stderr.startswith("conflictkg: [E110] ")
    # with the token: through the server
    done = run("add", "--token", TOKEN, str(tmp / "bridge.html"), cwd=tmp, env=env)
    assert done.returncode == 0, done.stderr
    listed = httpx.get(url + "api/articles", timeout=30).json()
    added = next(a for a in listed if a["file_name"] == "bridge.html")
    assert added["headline"] == BRIDGE["title"] and added["publisher"] == "The Valley Courier"  # the outlet, named
    assert done.stderr.splitlines()[-2:] == [
        f"added {tmp / 'bridge.html'}: article {added['key']} \u201c{BRIDGE['title']}\u201d, 2 claims, 1 events",
        "1 added, 0 already in the store, 0 failed"]
    detail = httpx.get(url + f"api/articles/{added['key']}", timeout=30).json()
    assert detail["text_source"] == "added" and detail["text"].startswith(BRIDGE["title"] + "\n\n")
    again = run("add", "--token", TOKEN, str(tmp / "bridge.html"), cwd=tmp, env=env)
    assert again.returncode == 0 and again.stderr.splitlines()[-1] == "0 added, 1 already in the store, 0 failed"


# --- where output goes ------------------------------------------------------------------------------


def test_a_build_writes_turtle_beside_its_store(tmp_path: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in TURTLE_DIR.glob("*.ttl")}
    env = {"CONFLICTKG_STORE": str(tmp_path / "kg" / "store")}
    done = run("build", str(small_corpus(tmp_path / "corpus")), cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in (tmp_path / "kg" / "turtle").iterdir())
    # the article's graph, the dictionary's, its event's (and that event's derived summary, when it has one)
    assert [f.split("-")[0] for f in files if not f.startswith("derived-")] == ["article", "dictionary.ttl", "event"]
    assert {p.name: p.stat().st_mtime_ns for p in TURTLE_DIR.glob("*.ttl")} == before  # the repository is untouched
    shipped = run("--turtle-dir", str(TURTLE_DIR), "build", str(tmp_path / "corpus"), cwd=tmp_path, env=env)
    assert (shipped.returncode, shipped.stderr) == (2, (
        f"conflictkg: [E113] {TURTLE_DIR} holds the graph shipped with conflictkg, which only scripts/rebuild-graph "
        "writes; name another Turtle folder (--turtle-dir)\n"))
    assert {p.name: p.stat().st_mtime_ns for p in TURTLE_DIR.glob("*.ttl")} == before
    done = run("--turtle-dir", str(tmp_path / "elsewhere"), "build", str(tmp_path / "corpus"), cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == files


def test_add_a_text_file_with_its_metadata_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conflictkg.cli import main

    note = tmp_path / "note.txt"
    note.write_text("Bridge shelled\n\nThe Syrian Observatory for Human Rights said on Sunday that 3 people were wounded "
                    "near the Kessel bridge.\n", encoding="utf-8")
    store = str(tmp_path / "kg" / "store")
    code = main(["--store", store, "add", str(note), "--published", "2024-04-08", "--title", "Bridge shelled",
                 "--url", "https://valley-courier.invalid/bridge-shelled"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert err.splitlines()[-1] == "1 added, 0 already in the store, 0 failed"
    assert main(["--store", store, "claims"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["claimant"], r["date"], r["article"]) for r in rows] == [
        ("Syrian Observatory for Human Rights", "2024-04-07", "note.txt")]  # "on Sunday" resolved from the date given
    code = main(["--store", store, "add", "--published", "2024-13-01", str(note)])
    assert code == 1
    assert capsys.readouterr().err.splitlines()[0] == "error: [E070] published must be a date YYYY-MM-DD; got '2024-13-01'"
