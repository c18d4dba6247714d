"""The ``conflictkg`` command: a thin face over :class:`~conflictkg.service.GraphService`.

Each subcommand parses its flags, builds the service and calls it; no SPARQL and no store
calls live here. Every flag's default comes from ``CONFLICTKG_<FLAG>`` (see
:mod:`conflictkg.config`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .config import ENV_PREFIX, Settings
from .errors import ConflictKGError
from .service import GraphService

__all__ = ["main", "build_parser"]

Runner = Callable[[argparse.Namespace, GraphService], int]
_COMMANDS: dict[str, Runner] = {}


def env_flag(parser: argparse.ArgumentParser, flag: str, *, help: str, **kwargs: Any) -> None:
    """Add ``--flag`` whose default is ``$CONFLICTKG_FLAG`` (read by :meth:`Settings.from_env`)."""
    env = ENV_PREFIX + flag.lstrip("-").replace("-", "_").upper()
    parser.add_argument(flag, default=None, help=f"{help} [env {env}]", **kwargs)


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        name: getattr(args, name)
        for name in ("store", "turtle_dir", "host", "port", "query_timeout", "max_rows", "token", "backend")
        if getattr(args, name, None) is not None
    }
    if overrides.get("store") is not None and str(overrides["store"]) == ":memory:":
        overrides.pop("store")
        return Settings.from_env(**overrides).with_(store=None)
    return Settings.from_env(**overrides)


def command(name: str) -> Callable[[Runner], Runner]:
    def register(fn: Runner) -> Runner:
        _COMMANDS[name] = fn
        return fn

    return register


# --- build and claims ---------------------------------------------------------------------


@command("build")
def _build(args: argparse.Namespace, service: GraphService) -> int:
    report = service.builder.build(Path(args.corpus), out_dir=Path(args.out) if args.out else None)
    for line in report.lines():
        print(line, file=sys.stderr)
    return 0 if report.ok else 1


@command("claims")
def _claims(args: argparse.Namespace, service: GraphService) -> int:
    service.ensure_loaded()
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    try:
        service.claims.write(out, fmt=args.format)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conflictkg",
        description="A knowledge graph of actors, events and attributed claims drawn from conflict news.",
    )
    env_flag(parser, "--store", help="path of the embedded store (':memory:' for none)", type=Path)
    env_flag(parser, "--turtle-dir", help="folder of the graph's Turtle files", type=Path)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="extract a folder of articles into Turtle files and the store")
    p.add_argument("corpus", help="folder of .txt articles with an optional metadata.json")
    p.add_argument("--out", default=None, help="where to write Turtle (default: the --turtle-dir)")

    p = sub.add_parser("claims", help="print the claims table")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    p.add_argument("-o", "--output", default=None, help="file to write (default: standard output)")

    for extend in _PARSER_EXTENSIONS:
        extend(sub)
    return parser


#: Functions adding more subcommands' parsers (validate, serve, query, export, ...).
_PARSER_EXTENSIONS: list[Callable[[Any], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = _settings(args)
        with GraphService(settings=settings) as service:
            return _COMMANDS[args.command](args, service)
    except ConflictKGError as exc:
        print(f"conflictkg: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
