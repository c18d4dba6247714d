"""The ``conflictkg`` command: a thin face over :class:`~conflictkg.service.GraphService`.

Each subcommand parses its flags, builds the service and calls it; no SPARQL and no store
calls live here. Every flag's default comes from ``CONFLICTKG_<FLAG>`` (see
:mod:`conflictkg.config`).

No command prints a traceback: every failure is a coded error (``docs/errors.md``) on standard
error and a non-zero exit status (2; 1 when some articles of a build or an add failed).
Commands registered with ``writes=True`` need the store for writing; the others also work
beside a running ``conflictkg serve``, on the store opened read-only
(:mod:`conflictkg.store_access`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from .config import DEFAULT_SERVER_WORKERS, ENV_PREFIX, Settings
from .errors import ConfigError, ConflictKGError, QueryError, warning
from .service import GraphService

__all__ = ["main", "build_parser"]

Runner = Callable[[argparse.Namespace, GraphService], int]
_COMMANDS: dict[str, Runner] = {}
#: Commands that write to the store (they stop with E110 while another process holds it).
_WRITERS: set[str] = set()


class _Parser(argparse.ArgumentParser):
    """argparse with coded errors: a bad command line is E114 (exit 2), never a traceback."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {ConfigError(message, code='E114')}\n")


def env_flag(parser: argparse.ArgumentParser, flag: str, *aliases: str, help: str, **kwargs: Any) -> None:
    """Add ``--flag`` whose default is ``$CONFLICTKG_FLAG``.

    Settings fields are read by :meth:`Settings.from_env`; a command's own flags read the
    variable here."""
    env = ENV_PREFIX + flag.lstrip("-").replace("-", "_").upper()
    parser.add_argument(flag, *aliases, default=None, help=f"{help} [env {env}]", **kwargs)
    dest = flag.lstrip("-").replace("-", "_")
    if dest not in _SETTINGS_FLAGS and os.environ.get(env):
        parser.set_defaults(**{dest: kwargs.get("type", str)(os.environ[env])})


#: Flags that are settings (their variables are read by Settings.from_env, not by argparse).
_SETTINGS_FLAGS = ("store", "turtle_dir", "host", "port", "query_timeout", "max_rows", "query_workers", "token",
                   "backend", "corpus_dir", "access_log", "fetch_timeout", "max_page_bytes", "fetch_private",
                   "max_query_bytes", "max_update_bytes", "max_write_triples",
                   "reserved_workers", "short_query_timeout", "client_queries", "query_queue", "worker_memory",
                   "worker_recycle")


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        name: getattr(args, name)
        for name in _SETTINGS_FLAGS
        if getattr(args, name, None) is not None
    }
    if overrides.get("store") is not None and str(overrides["store"]) == ":memory:":
        overrides.pop("store")
        return Settings.from_env(**overrides).with_(store=None)
    return Settings.from_env(**overrides)


def command(name: str, *, writes: bool = False) -> Callable[[Runner], Runner]:
    """Register ``name``'s runner. ``writes``: it needs the store for writing."""

    def register(fn: Runner) -> Runner:
        _COMMANDS[name] = fn
        if writes:
            _WRITERS.add(name)
        return fn

    return register


def open_output(path: str | Path, mode: str = "w") -> IO[Any]:
    """A file named on the command line, opened for writing; E113 when it cannot be."""
    try:
        if "b" in mode:
            return open(path, mode)  # noqa: SIM115 - the caller closes it
        return open(path, mode, encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}", code="E113") from None


def read_input(path: str | Path) -> str:
    """A text file named on the command line; E113 when it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read {path}: not valid UTF-8 (byte {exc.start})", code="E113") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}", code="E113") from None


# --- build and claims ---------------------------------------------------------------------


@command("build", writes=True)
def _build(args: argparse.Namespace, service: GraphService) -> int:
    report = service.builder.build(Path(args.corpus))
    for line in report.lines():
        print(line, file=sys.stderr)
    return 0 if report.ok else 1


@command("claims")
def _claims(args: argparse.Namespace, service: GraphService) -> int:
    fmt = args.format or "jsonl"
    if fmt not in ("jsonl", "csv"):
        raise ConfigError(f"--format must be jsonl or csv, not {fmt!r}", code="E011")
    service.ensure_loaded()
    rows = service.claims.rows()  # read before the output file is opened: a failure leaves no empty file
    out = open_output(args.output) if args.output else sys.stdout
    try:
        service.claims.write(out, fmt=fmt, rows=rows)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


@command("contradictions")
def _contradictions(args: argparse.Namespace, service: GraphService) -> int:
    fmt = args.format or "jsonl"
    if fmt not in ("jsonl", "csv"):
        raise ConfigError(f"--format must be jsonl or csv, not {fmt!r}", code="E011")
    service.ensure_loaded()
    rows = service.contradictions()  # read before the output file is opened: a failure leaves no empty file
    out = open_output(args.output) if args.output else sys.stdout
    try:
        service.write_contradictions(out, fmt=fmt, rows=rows)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def _fetch_flags(p: Any) -> None:
    env_flag(p, "--fetch-timeout", help="seconds one fetch may take, redirects included (default 20)", type=float)
    env_flag(p, "--max-page-bytes", help="largest page or feed fetched (default 5000000)", type=int)


@command("add", writes=True)
def _add(args: argparse.Namespace, service: GraphService) -> int:
    from .adding import add_sources

    overrides = {"title": args.title, "published": args.published, "publisher": args.publisher, "url": args.url}
    outcomes = add_sources(service, args.sources, overrides=overrides)
    for outcome in outcomes:
        for line in outcome.lines():
            print(line, file=sys.stderr)
    count = {s: sum(o.status == s for o in outcomes) for s in ("added", "skipped", "failed")}
    print(f"{count['added']} added, {count['skipped']} already in the store, {count['failed']} failed", file=sys.stderr)
    return 1 if count["failed"] else 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="conflictkg",
        description="A knowledge graph of actors, events and attributed claims drawn from conflict news.",
    )
    env_flag(parser, "--store", help="path of the embedded store (':memory:' for none)", type=Path)
    env_flag(parser, "--turtle-dir", help="folder where build writes the graph's Turtle files "
                                          "(default: turtle/ beside the store)", type=Path)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("build", help="extract a folder of articles into the store and Turtle files beside it")
    p.add_argument("corpus", help="folder of .txt articles with an optional metadata.json (pages, addresses and "
                                  "feeds: `conflictkg add`)")

    p = sub.add_parser("add", help="add articles: text files, saved web pages, web addresses, RSS/Atom feeds "
                                   "(a feed adds its new items only)")
    p.add_argument("sources", nargs="+", metavar="PATH|URL",
                   help="a .txt or .html file, an http(s) address of a page or of an RSS/Atom feed, or a feed file")
    env_flag(p, "--token", help="the write token of the running server, to add through it while it holds the store")
    _fetch_flags(p)
    for name, what in (("title", "title"), ("published", "publication date YYYY-MM-DD"), ("publisher", "publisher"),
                       ("url", "address")):
        p.add_argument(f"--{name}", default=None, help=f"the {what} of the pages given (not of feed items), "
                                                      "instead of what the page says")

    p = sub.add_parser("claims", help="print the claims table")
    env_flag(p, "--format", help="jsonl or csv (default jsonl)")
    env_flag(p, "--output", "-o", help="file to write (default: standard output)")

    p = sub.add_parser("contradictions",
                       help="print the stored contradictions and revisions (pairs of figures that cannot both be true)")
    env_flag(p, "--format", help="jsonl or csv (default jsonl)")
    env_flag(p, "--output", "-o", help="file to write (default: standard output)")

    for extend in _PARSER_EXTENSIONS:
        extend(sub)
    return parser


#: Functions adding more subcommands' parsers (validate, serve, query, export, ...).
_PARSER_EXTENSIONS: list[Callable[[Any], None]] = []


# --- export (graph projections for Gephi and web libraries; issue 5) --------------------------


def _export_parser(sub: Any) -> None:
    from .config import DEFAULT_EXPORT_FORMAT, DEFAULT_GRAPH_VIEW

    p = sub.add_parser("export", help="export a graph projection as GEXF 1.3, GraphML or JSON node-link")
    env_flag(p, "--format", help=f"graphml, gexf or json (default {DEFAULT_EXPORT_FORMAT})")
    env_flag(p, "--view", help=f"actor-event or claims (default {DEFAULT_GRAPH_VIEW})")
    p.add_argument("-o", "--output", default=None, help="file to write (default: standard output)")


_PARSER_EXTENSIONS.append(_export_parser)


@command("export")
def _export(args: argparse.Namespace, service: GraphService) -> int:
    import os

    from .config import DEFAULT_EXPORT_FORMAT, DEFAULT_GRAPH_VIEW

    fmt = args.format or os.environ.get(ENV_PREFIX + "FORMAT") or DEFAULT_EXPORT_FORMAT
    view = args.view or os.environ.get(ENV_PREFIX + "VIEW") or DEFAULT_GRAPH_VIEW
    service.ensure_loaded()
    chunks = service.network.export(fmt, view)  # checks format and view before any file is opened
    if not args.output:
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
        return 0
    target = Path(args.output)
    partial = target.with_name(target.name + ".part")
    try:
        with open_output(partial, "wb") as out:
            written = sum(out.write(chunk) for chunk in chunks)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ConfigError(f"cannot write {target}: {exc.strerror or exc}", code="E113") from None
    print(f"wrote {target} ({written} bytes, {fmt}, view {view})", file=sys.stderr)
    return 0


# --- validate (SHACL shapes; issue 3) -------------------------------------------------------

_REPORT_FORMATS = ("text", "json")


def _validate_parser(sub: Any) -> None:
    from .config import DEFAULT_REPORT_FORMAT

    p = sub.add_parser(
        "validate",
        help="check Turtle files, or the whole store, against the SHACL shapes (exit 0 only when they conform); "
             "the store's ontology and dictionary graphs must be exactly the shipped ones",
    )
    p.add_argument("files", nargs="*", type=Path, help="Turtle files to check together (default: the whole store)")
    env_flag(p, "--format", help=f"report format: text or json (default {DEFAULT_REPORT_FORMAT})",
             choices=_REPORT_FORMATS)


_PARSER_EXTENSIONS.append(_validate_parser)


@command("validate")
def _validate(args: argparse.Namespace, service: GraphService) -> int:
    import json
    import os

    from .config import DEFAULT_REPORT_FORMAT

    env_format = os.environ.get(ENV_PREFIX + "FORMAT")
    fmt = args.format or (env_format if env_format in _REPORT_FORMATS else None) or DEFAULT_REPORT_FORMAT
    if args.files:
        report = service.validator.validate_files(args.files)
    else:
        service.ensure_loaded()
        report = service.validator.validate_store(service.store, reference=service.reference_graphs())
    if fmt == "json":
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(report.to_text())
    return 0 if report.conforms else 1


# --- serve and query (SPARQL service; issue 4) ----------------------------------------------

_QUERY_FORMATS = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "turtle": "text/turtle", "nt": "application/n-triples",
    "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml",
}


def _service_flags(p: Any) -> None:
    env_flag(p, "--query-timeout", help="seconds a SPARQL query may run before it is stopped (default 30)", type=float)
    env_flag(p, "--max-rows", help="most result rows a query may return; more is an error (default 100000)", type=int)
    env_flag(p, "--query-workers", help="query worker processes answering in parallel (default 2)", type=int)
    env_flag(p, "--max-query-bytes", help="largest SPARQL query text; more is a 413 (default 1000000)", type=int)
    env_flag(p, "--max-update-bytes", help="largest SPARQL update text; more is a 413 (default 1000000)", type=int)
    env_flag(p, "--max-write-triples", help="most triples one write may leave in the graphs it changes (default 200000)",
             type=int)
    env_flag(p, "--reserved-workers", help="extra query workers kept for short queries (default 1)", type=int)
    env_flag(p, "--short-query-timeout", help="seconds a query may run on a reserved worker (default 1)", type=float)
    env_flag(p, "--client-queries", help="queries one client may have running or waiting (default 8)", type=int)
    env_flag(p, "--query-queue", help="queries that may wait for a worker; more get 503 (default 64)", type=int)
    env_flag(p, "--worker-memory", help="MiB of address space per query worker (default 2048)", type=int)
    env_flag(p, "--worker-recycle", help="replace a query worker whose peak memory grew by this many MiB "
             "while answering (default 256)", type=int)


def _serve_parser(sub: Any) -> None:
    p = sub.add_parser("serve", help="start the HTTP service: SPARQL endpoint, graph API and web page")
    env_flag(p, "--host", help="address to listen on (default 127.0.0.1)")
    env_flag(p, "--port", help="port to listen on (default 8000)", type=int)
    env_flag(p, "--token", help="write token: updates need 'Authorization: Bearer TOKEN' (default: read-only)")
    env_flag(p, "--access-log", help="log one line per request (default: off, it costs time on every request)",
             action=argparse.BooleanOptionalAction)
    env_flag(p, "--corpus-dir", help="folder of the articles' texts, shown by the workbench (default ../shared/corpus)",
             type=Path)
    env_flag(p, "--fetch-private", help="let token holders make the server fetch loopback and private addresses "
                                        "(default: public addresses only)", action=argparse.BooleanOptionalAction)
    env_flag(p, "--workers", help=f"server processes on the port: one writer, the others readers of its published "
             f"snapshots (default {DEFAULT_SERVER_WORKERS}; more needs the store on disk)", type=int)
    _fetch_flags(p)
    _service_flags(p)
    p.add_argument("--get", metavar="PATH", default=None,
                   help="instead of serving, send one GET request for PATH through the app in-process, "
                        "print the body and exit (1 unless the status is 200)")


def _query_parser(sub: Any) -> None:
    p = sub.add_parser("query", help="run a SPARQL query on the graph and print the results")
    p.add_argument("sparql", help="the query text, or @FILE to read it from a file")
    p.add_argument("--format", choices=sorted(_QUERY_FORMATS), default=None,
                   help="result format (default: csv for SELECT, json for ASK, turtle for CONSTRUCT/DESCRIBE)")
    _service_flags(p)


_PARSER_EXTENSIONS.append(_serve_parser)
_PARSER_EXTENSIONS.append(_query_parser)


@command("serve", writes=True)
def _serve(args: argparse.Namespace, service: GraphService) -> int:
    from .api.app import create_app

    settings = service.settings
    workers = DEFAULT_SERVER_WORKERS if args.workers is None else args.workers
    if workers < 1:
        raise ConfigError(f"--workers must be 1 or more, not {workers}", code="E011")
    if workers > 1 and (settings.backend != "embedded" or settings.store is None):
        raise ConfigError("--workers above 1 needs the embedded store on disk (--store PATH, --backend embedded)",
                          code="E140")
    service.open()  # E110 when another process holds the store, before anything is printed
    if args.get is None:  # the address first: it is what the person starting the server looks for
        print(f"conflictkg: the workbench is at http://{_url_host(settings.host)}:{settings.port}/ "
              f"(SPARQL at /sparql; {'writes need the token' if settings.token else 'read-only'})", file=sys.stderr)
    loaded = service.ensure_loaded()
    for note in service.builder.notes:
        print(note, file=sys.stderr)
    if loaded:
        print(f"conflictkg: loaded {loaded} triples", file=sys.stderr)
    app = create_app(service)
    if args.get is not None:
        import asyncio

        import httpx

        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
                return await client.get(args.get)

        response = asyncio.run(fetch())
        sys.stdout.write(response.text)
        return 0 if response.status_code == 200 else 1
    import socket

    import uvicorn

    from .store_access import ServerRecord

    try:  # a port in use is a coded error, not uvicorn's log line
        family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
        with socket.create_server((settings.host, settings.port), family=family):
            pass
    except OSError as exc:
        raise ConfigError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}", code="E113") from None
    url = f"http://{_url_host(settings.host)}:{settings.port}/"
    record = Path(settings.store) if settings.store is not None and settings.backend == "embedded" else None
    if record is not None:
        ServerRecord(url=url, pid=os.getpid(), writes=bool(settings.token)).write(record)
        # uvicorn ends the process by re-raising the stop signal after shutdown: no finally runs then
        app.router.on_shutdown.append(lambda: ServerRecord.remove(record))
    try:
        if workers > 1:  # one writer (this process) and readers of its published snapshots
            from .serving import serve_processes

            serve_processes(service, app, workers)
        else:
            # httptools parses HTTP in C (h11, uvicorn's fallback, is pure Python); loop="auto" takes uvloop,
            # a dependency wherever it is built (not on Windows).
            uvicorn.run(app, host=settings.host, port=settings.port, log_level="info",
                        access_log=settings.access_log, http="httptools", loop="auto")
    finally:
        if record is not None:
            ServerRecord.remove(record)
    return 0


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


@command("query")
def _query(args: argparse.Namespace, service: GraphService) -> int:
    text = args.sparql
    if text.startswith("@"):
        text = read_input(text[1:])
    service.ensure_loaded()
    accept = "text/csv, application/sparql-results+json;q=0.9, text/turtle;q=0.8"
    media = _QUERY_FORMATS[args.format] if args.format else None
    result = service.sparql.query(text, accept=accept, media_type=media)
    if media is not None and result.media_type != media:
        raise QueryError(f"--format {args.format} cannot hold {result.form} results", code="E059", status=406)
    sys.stdout.buffer.write(result.body)
    if not result.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()
    return 0


# --- events: why reports were joined, merges and splits (issue 13) ---------------------------


def _events_parser(sub: Any) -> None:
    p = sub.add_parser("events", help="show an event's reports and why they were linked; merge or split events")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = actions.add_parser("show", help="an event's reports, the article of each, and why it was linked")
    a.add_argument("event", help="event key, node id (event.<key>) or IRI")
    a = actions.add_parser("merge", help="decide that two events are one (linking follows it from now on)")
    a.add_argument("event", help="event key, node id or IRI")
    a.add_argument("other", help="the event it is the same as")
    a.add_argument("--note", help="why (kept with the decision)")
    a = actions.add_parser("split", help="decide that an article's report is not this event (undo a wrong merge)")
    a.add_argument("event", help="event key, node id or IRI")
    a.add_argument("--article", required=True, help="key of the article whose report goes")
    a.add_argument("--note", help="why (kept with the decision)")


_PARSER_EXTENSIONS.append(_events_parser)


@command("events")
def _events(args: argparse.Namespace, service: GraphService) -> int:
    import json

    service.ensure_loaded()
    who = "cli:" + (os.environ.get("USER") or "analyst")
    if args.action == "show":
        body = service.events.show(args.event)
    elif args.action == "merge":
        body = service.events.merge(args.event, args.other, by=who, note=args.note)
    else:
        body = service.events.split(args.event, args.article, by=who, note=args.note)
    print(json.dumps(body, indent=2, ensure_ascii=False))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a bad command line (already reported with E114)
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    try:
        settings = _settings(args)
        with GraphService(settings=settings, writes=args.command in _WRITERS) as service:
            code = _COMMANDS[args.command](args, service)
            if service.store_is_read_only:
                print(warning("W010", store=settings.store, holder=service.store_holder), file=sys.stderr)
            return code
    except ConflictKGError as exc:
        print(f"conflictkg: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `conflictkg claims | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"conflictkg: {ConfigError(f'{exc.strerror or exc}{where}', code='E113')}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a coded message, never a traceback
        error = ConflictKGError(f"internal error ({type(exc).__name__}: {exc}); please report it with the command "
                                "that caused it", code="E119")
        print(f"conflictkg: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
