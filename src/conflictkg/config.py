"""Settings and their safe defaults.

Every setting is a command-line flag whose default comes from an environment variable
``CONFLICTKG_<FLAG>`` (``--store`` <- ``CONFLICTKG_STORE``), and from the named constant
below when that is unset. Nothing needs configuring to try conflictkg.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .resources import PROJECT_ROOT, TURTLE_DIR

__all__ = [
    "Settings",
    "DEFAULT_STORE",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_QUERY_TIMEOUT",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_QUERY_WORKERS",
    "DEFAULT_SERVER_WORKERS",
    "DEFAULT_RESERVED_WORKERS",
    "DEFAULT_SHORT_QUERY_TIMEOUT",
    "DEFAULT_CLIENT_QUERIES",
    "DEFAULT_QUERY_QUEUE",
    "DEFAULT_WORKER_MEMORY",
    "DEFAULT_WORKER_RECYCLE",
    "DEFAULT_ACCESS_LOG",
    "DEFAULT_MAX_UPLOAD_BYTES",
    "NAMED_QUERY_PAGE",
    "DEFAULT_MAX_QUERY_BYTES",
    "DEFAULT_MAX_UPDATE_BYTES",
    "DEFAULT_MAX_WRITE_TRIPLES",
    "REMOTE_SYSTEM_GRAPH_PREFIXES",
    "DEFAULT_MAX_ARTICLE_BYTES",
    "DEFAULT_MAX_PAGE_BYTES",
    "DEFAULT_FETCH_TIMEOUT",
    "DEFAULT_FETCH_PRIVATE",
    "DEFAULT_BACKEND",
    "ENV_PREFIX",
    "DEFAULT_GRAPH_VIEW",
    "DEFAULT_EXPORT_FORMAT",
    "DEFAULT_NEIGHBOUR_DEPTH",
    "MAX_NEIGHBOUR_DEPTH",
    "DEFAULT_TOP_K",
    "MAX_TOP_K",
    "DEFAULT_MAX_PATHS",
    "MAX_PATHS",
    "APPROX_RELATIVE_SLACK",
    "APPROX_MIN_SLACK",
    "DEFAULT_REPORT_FORMAT",
    "DEFAULT_SHACL_ENGINE",
    "SHACL_ENGINES",
    "DEFAULT_CORPUS_DIR",
    "ARTICLES_DIR_NAME",
    "TURTLE_DIR_NAME",
    "SHIPPED_TURTLE_DIR",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "MAX_LABELS",
]

ENV_PREFIX = "CONFLICTKG_"

#: The embedded store lives here unless ``--store`` / ``CONFLICTKG_STORE`` says otherwise.
DEFAULT_STORE = Path(".conflictkg") / "store"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: Seconds a SPARQL query may run before it is stopped and answered with an error.
DEFAULT_QUERY_TIMEOUT = 30.0
#: Most result rows a SELECT may return; more is an error, never a silent truncation.
DEFAULT_MAX_ROWS = 100_000
#: Server processes of ``serve`` (``--workers``): one writer, the others readers of its published snapshots.
DEFAULT_SERVER_WORKERS = 1
#: Worker processes answering SPARQL queries in parallel (each killed and replaced at the time limit).
DEFAULT_QUERY_WORKERS = 2
#: Extra query workers kept for short queries: they take a query only when every other worker
#: is busy, and stop it after ``DEFAULT_SHORT_QUERY_TIMEOUT`` (it then waits for a general worker).
DEFAULT_RESERVED_WORKERS = 1
#: Seconds a query may run on a reserved worker (see ``DEFAULT_RESERVED_WORKERS``).
DEFAULT_SHORT_QUERY_TIMEOUT = 1.0
#: Queries one client (its token, else its address) may have running or waiting at once; more get 503.
DEFAULT_CLIENT_QUERIES = 8
#: Queries that may wait for a worker at once; more get 503 with Retry-After.
DEFAULT_QUERY_QUEUE = 64
#: Address space of a query worker in MiB (RLIMIT_AS); a query needing more is stopped (E100).
DEFAULT_WORKER_MEMORY = 2048
#: A worker whose peak memory grew by more than this many MiB while answering is replaced afterwards.
DEFAULT_WORKER_RECYCLE = 256
#: Whether ``serve`` logs one line per request. Off: the log line is written on the event loop,
#: a tenth of a millisecond per request, more than the SPARQL layer itself adds to a small query.
DEFAULT_ACCESS_LOG = False
#: Rows per page of a named query (``/queries/{name}?limit=...&offset=...``) when the request names none.
NAMED_QUERY_PAGE = 1000
#: Largest request body the SPARQL service reads (queries, updates, Graph Store uploads).
DEFAULT_MAX_UPLOAD_BYTES = 50_000_000
#: Largest SPARQL query text (bytes); more is a 413 (E091). Screening is linear in the text.
DEFAULT_MAX_QUERY_BYTES = 1_000_000
#: Largest SPARQL update text (bytes); more is a 413 (E091) that points to the Graph Store Protocol.
DEFAULT_MAX_UPDATE_BYTES = 1_000_000
#: Most triples one write (update or Graph Store upload) may leave in the graphs it changes; more is a 413 (E092).
DEFAULT_MAX_WRITE_TRIPLES = 200_000
#: Articles larger than this are refused (a news article is a few kilobytes).
DEFAULT_MAX_ARTICLE_BYTES = 2_000_000
#: Web pages and feeds larger than this are refused (E117): a page carries scripts and styles besides its text.
DEFAULT_MAX_PAGE_BYTES = 5_000_000
#: Seconds one fetch may take, redirects included (E117 after that).
DEFAULT_FETCH_TIMEOUT = 20.0
#: Whether the HTTP API may fetch loopback and private addresses (``--fetch-private``); the command
#: line always may (it fetches what its user asks for).
DEFAULT_FETCH_PRIVATE = False
#: "embedded" (pyoxigraph on disk) or "remote" (an existing SPARQL 1.1 server).
DEFAULT_BACKEND = "embedded"
#: Named graphs a remote server keeps for itself (Virtuoso's), which are not conflictkg's data.
REMOTE_SYSTEM_GRAPH_PREFIXES = ("http://www.openlinksw.com/", "http://www.w3.org/ns/ldp#", "http://localhost:8890/")

# --- graph API and exports (conflictkg.network, conflictkg.exports) ---
#: The projection used when a graph request or export names none.
DEFAULT_GRAPH_VIEW = "actor-event"
DEFAULT_EXPORT_FORMAT = "gexf"
DEFAULT_NEIGHBOUR_DEPTH = 1
#: Deepest neighbourhood served (the neighbourhood grows fast with depth).
MAX_NEIGHBOUR_DEPTH = 4
DEFAULT_TOP_K = 10
MAX_TOP_K = 1000
DEFAULT_MAX_PATHS = 5
MAX_PATHS = 100
#: An "approximately" figure (about 100) is read as +/- this fraction of its value ...
APPROX_RELATIVE_SLACK = 0.1
#: ... and at least this much, when comparing figures for contradictions.
APPROX_MIN_SLACK = 1

# --- SHACL validation (conflictkg.validation) ---
#: SHACL engines: "turbo" (pyshacl-turbo, Rust, shapes compiled once: ~12x faster on an
#: article's graph) and "pyshacl" (the reference engine; tests check both report the same).
SHACL_ENGINES = ("turbo", "pyshacl")
DEFAULT_SHACL_ENGINE = "turbo"
#: How ``conflictkg validate`` prints its report: "text" for people, "json" for machines.
DEFAULT_REPORT_FORMAT = "text"

# --- the analyst's workbench (conflictkg.articles, conflictkg.explorer, api/ui.py) ---
#: Where the page reads article texts from (the store holds spans, not whole texts):
#: ``CONFLICTKG_CORPUS_DIR``, by default ``../shared/corpus`` beside the project.
DEFAULT_CORPUS_DIR = PROJECT_ROOT.parent / "shared" / "corpus"
#: Texts of articles added through the page live in this folder beside the store folder.
ARTICLES_DIR_NAME = "articles"
#: A build writes its Turtle files into this folder beside the store folder (unless ``--turtle-dir``).
TURTLE_DIR_NAME = "turtle"
#: The graph shipped with the repository (committed): an empty store starts from it when its own
#: Turtle folder has none. Rebuilt only on purpose, by ``scripts/rebuild-graph``.
SHIPPED_TURTLE_DIR = TURTLE_DIR
#: Rows per page of the claims explorer, and the most one request may ask for.
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
#: Most IRIs one request may ask labels for (the query view's result tables).
MAX_LABELS = 5000


def _env(name: str) -> str | None:
    value = os.environ.get(ENV_PREFIX + name.upper())
    return value if value not in (None, "") else None


@dataclass(frozen=True, kw_only=True)
class Settings:
    """All of conflictkg's configuration. Build with :meth:`from_env`, override with :meth:`with_`."""

    store: Path | None = DEFAULT_STORE
    """Path of the embedded store; ``None`` keeps it in memory (tests, benchmarks)."""
    turtle_dir: Path | None = None
    """Where ``build`` writes the graph's Turtle files (default: ``turtle`` beside the store; see
    :attr:`turtle_output`)."""
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    query_timeout: float = DEFAULT_QUERY_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    query_workers: int = DEFAULT_QUERY_WORKERS
    reserved_workers: int = DEFAULT_RESERVED_WORKERS
    short_query_timeout: float = DEFAULT_SHORT_QUERY_TIMEOUT
    client_queries: int = DEFAULT_CLIENT_QUERIES
    query_queue: int = DEFAULT_QUERY_QUEUE
    worker_memory: int = DEFAULT_WORKER_MEMORY
    """MiB of address space per query worker."""
    worker_recycle: int = DEFAULT_WORKER_RECYCLE
    """MiB of peak-memory growth after which a query worker is replaced."""
    access_log: bool = DEFAULT_ACCESS_LOG
    max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES
    max_page_bytes: int = DEFAULT_MAX_PAGE_BYTES
    fetch_timeout: float = DEFAULT_FETCH_TIMEOUT
    fetch_private: bool = DEFAULT_FETCH_PRIVATE
    """Whether the HTTP API may fetch loopback and private addresses (tests on loopback)."""
    max_query_bytes: int = DEFAULT_MAX_QUERY_BYTES
    max_update_bytes: int = DEFAULT_MAX_UPDATE_BYTES
    max_write_triples: int = DEFAULT_MAX_WRITE_TRIPLES
    token: str | None = None
    """Write token: without it the service is read-only."""
    shacl_engine: str = DEFAULT_SHACL_ENGINE
    corpus_dir: Path = DEFAULT_CORPUS_DIR
    """Folder of the corpus the graph was built from: the page reads article texts there."""
    articles_dir: Path | None = None
    """Where texts of articles added through the page are kept (default: ``articles`` beside the store)."""
    backend: str = DEFAULT_BACKEND
    remote_query: str | None = None
    remote_update: str | None = None
    remote_gsp: str | None = None
    remote_user: str | None = None
    remote_password: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Defaults, then ``CONFLICTKG_*`` variables, then ``overrides`` (values that are not None)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = _env(f.name)
            if raw is not None:
                values[f.name] = _coerce(f.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.check()
        return settings

    @property
    def turtle_output(self) -> Path | None:
        """The store's own Turtle folder: ``--turtle-dir``, else ``turtle/`` beside the store folder
        (``.conflictkg/store`` -> ``.conflictkg/turtle``); None for an in-memory store without one.
        Never the repository's ``data/turtle/`` unless it is named: that one is the shipped graph,
        rebuilt by ``scripts/rebuild-graph`` (:data:`SHIPPED_TURTLE_DIR`)."""
        if self.turtle_dir is not None:
            return Path(self.turtle_dir)
        if self.store is None:
            return None
        return Path(self.store).parent / TURTLE_DIR_NAME

    def with_(self, **changes: Any) -> Settings:
        out = replace(self, **changes)
        out.check()
        return out

    def check(self) -> None:
        if self.query_timeout <= 0:
            raise ConfigError(f"query timeout must be positive, not {self.query_timeout}", code="E011")
        if self.max_rows <= 0:
            raise ConfigError(f"max rows must be positive, not {self.max_rows}", code="E011")
        for name in ("max_query_bytes", "max_update_bytes", "max_write_triples"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name.replace('_', ' ')} must be positive, not {getattr(self, name)}", code="E011")
        if self.query_workers <= 0:
            raise ConfigError(f"query workers must be positive, not {self.query_workers}", code="E011")
        if self.fetch_timeout <= 0:
            raise ConfigError(f"fetch timeout must be positive, not {self.fetch_timeout}", code="E011")
        if self.max_page_bytes <= 0:
            raise ConfigError(f"max page bytes must be positive, not {self.max_page_bytes}", code="E011")
        if self.reserved_workers < 0:
            raise ConfigError(f"reserved workers must be 0 or more, not {self.reserved_workers}", code="E011")
        for name in ("short_query_timeout", "client_queries", "query_queue", "worker_memory", "worker_recycle"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name.replace('_', ' ')} must be positive, not {getattr(self, name)}", code="E011")
        if not 0 < self.port < 65536:
            raise ConfigError(f"port must be between 1 and 65535, not {self.port}", code="E011")
        if self.shacl_engine not in SHACL_ENGINES:
            raise ConfigError(f"SHACL engine must be one of {', '.join(SHACL_ENGINES)}, not {self.shacl_engine!r}",
                              code="E011")
        if self.backend not in ("embedded", "remote"):
            raise ConfigError(f"backend must be 'embedded' or 'remote', not {self.backend!r}", code="E012")
        if self.backend == "remote" and not self.remote_query:
            raise ConfigError("the remote backend needs CONFLICTKG_REMOTE_QUERY (the SPARQL query URL)", code="E013")


_TYPES: dict[str, type] = {"port": int, "query_timeout": float, "max_rows": int, "max_article_bytes": int, "query_workers": int,
                          "max_page_bytes": int, "fetch_timeout": float,
                          "max_query_bytes": int, "max_update_bytes": int, "max_write_triples": int,
                          "reserved_workers": int, "short_query_timeout": float, "client_queries": int,
                          "query_queue": int, "worker_memory": int, "worker_recycle": int}
_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
_PATHS = {"store", "turtle_dir", "corpus_dir", "articles_dir"}


def _coerce(name: str, raw: str) -> Any:
    if name in _PATHS:
        return None if name == "store" and raw == ":memory:" else Path(raw)
    if name in ("access_log", "fetch_private"):
        if raw.lower() not in _BOOLEANS:
            raise ConfigError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not one of {', '.join(_BOOLEANS)}", code="E011")
        return _BOOLEANS[raw.lower()]
    kind = _TYPES.get(name)
    if kind is None:
        return raw
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind.__name__}", code="E011") from None
