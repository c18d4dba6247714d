"""The remote backend: conflictkg's store on an existing SPARQL 1.1 server (Virtuoso, Fuseki, ...).

:class:`RemoteStore` implements :class:`~conflictkg.store.GraphStore` with SPARQL 1.1 Query and
Update over HTTP (httpx), and answers the SPARQL service's queries (:meth:`RemoteStore.run_query`)
so clients see no difference from the embedded store:

* the server's own graphs (``REMOTE_SYSTEM_GRAPH_PREFIXES``) stay out of sight, and the default
  graph of a query with no ``FROM`` is the union of conflictkg's graphs: up to
  :data:`DATASET_GRAPHS` graphs, by sending each as both ``default-graph-uri`` and
  ``named-graph-uri``; past that, the server's own default dataset (Virtuoso: all its graphs).
  The list of graphs is kept (:data:`GRAPHS_TTL`, refreshed by writes through this store);
* results are fetched as SPARQL JSON or N-Triples, counted against the row cap and
  re-serialized by conflictkg, so every format and its bytes are the same on both backends;
* the time limit is the HTTP timeout; a partial answer (Virtuoso's ``X-SQL-State: S1TAT``) is
  an error, never a 200. The server may keep computing after we give up: give it its own limit
  too (Virtuoso ``MaxQueryExecutionTime``);
* named-query parameters are bound with a ``VALUES`` block of serialized RDF terms (the server
  has no ``substitutions``);
* writes: ``replace_graphs`` sends one update request (``DROP SILENT GRAPH`` + ``INSERT DATA``
  per graph); the server runs it as one transaction where it supports that (Virtuoso does per
  request). Screening, the SHACL gate and the scratch copy happen in conflictkg before it.
  Graphs are listed by their triples, so an empty named graph does not show on this backend.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from .config import REMOTE_SYSTEM_GRAPH_PREFIXES, Settings
from .namespaces import PREFIXES
from .errors import ConfigError, QueryError
from .sparql.formats import (
    BOOLEAN_FORMATS,
    RESULT_FORMATS,
)
from .sparql.screen import with_values
from .sparql.worker import Task, encode_result
from .store import GraphContent, Row, replace_graphs_update, to_oxigraph, to_rdflib

__all__ = ["RemoteStore"]

_JSON = "application/sparql-results+json"
_PREFIX_IRIS = {k: str(v) for k, v in PREFIXES.items()}
_NT = "application/n-triples"
#: Seconds for the store's own housekeeping requests (listing graphs, writes).
_REQUEST_TIMEOUT = 120.0
#: Seconds the list of graphs is kept (writes through this store refresh it at once; this bounds how
#: long writes by others to the same server go unseen by the dataset of union queries).
GRAPHS_TTL = 30.0
#: Most graphs named in the protocol dataset of a query over the union (see RemoteStore._union).
DATASET_GRAPHS = 200


class RemoteStore:
    """A :class:`GraphStore` on a SPARQL 1.1 server.

    **Parameters:**

    * **query_url** - the SPARQL query endpoint.
    * **update_url** - the update endpoint (default: ``query_url``).
    * **auth** - ``(user, password)`` for HTTP digest authentication, or None.
    """

    def __init__(self, *, query_url: str, update_url: str | None = None,
                 auth: tuple[str, str] | None = None,
                 system_graph_prefixes: tuple[str, ...] = REMOTE_SYSTEM_GRAPH_PREFIXES) -> None:
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.system_graph_prefixes = system_graph_prefixes
        self._client = httpx.Client(auth=httpx.DigestAuth(*auth) if auth else None, timeout=_REQUEST_TIMEOUT)
        self._listed: tuple[float, list[str], list[str]] | None = None
        self._named: tuple[list[str], list[URIRef]] | None = None
        #: Moves on with every write through this store and every new list of graphs: the SPARQL service
        #: keeps what it derives from the graphs (its list of known graphs) per generation.
        self.generation = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteStore:
        if not settings.remote_query:
            raise ConfigError("the remote backend needs CONFLICTKG_REMOTE_QUERY (the SPARQL query URL)", code="E013")
        auth = (settings.remote_user, settings.remote_password or "") if settings.remote_user else None
        return cls(query_url=settings.remote_query, update_url=settings.remote_update, auth=auth)

    # --- HTTP ---------------------------------------------------------------------------

    def _post_query(self, query: str, dataset: tuple[list[str], list[str]] | None, accept: str,
                    timeout: float | None = None) -> httpx.Response:
        form: list[tuple[str, str]] = [("query", query)]
        if dataset is not None:
            form += [("default-graph-uri", g) for g in dataset[0]]
            form += [("named-graph-uri", g) for g in dataset[1]]
        response = self._client.post(self.query_url, content=urlencode(form).encode("ascii"),
                                     headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
                                     timeout=timeout or _REQUEST_TIMEOUT)
        if response.headers.get("x-sql-state") == "S1TAT":
            raise QueryError("the remote server stopped the query at its own time limit and returned a partial "
                             "result, which conflictkg does not pass on", code="E055", status=503)
        if response.status_code >= 400:
            status = 400 if response.status_code < 500 else 502
            said = f"the remote server answered {response.status_code}: {response.text[:500].strip()}"
            if status == 400:  # its parser refused the query (the screen leaves the grammar to the engine)
                raise QueryError(f"malformed SPARQL query: {said}", code="E051", status=400)
            raise QueryError(said, code="E050", status=status)
        return response

    def _post_update(self, update: str) -> None:
        response = self._client.post(self.update_url, data={"update": update})
        if response.status_code >= 400:
            raise QueryError(f"the remote server refused the update ({response.status_code}): "
                             f"{response.text[:500].strip()}", code="E050", status=502)

    def _graphs(self) -> tuple[list[str], list[str]]:
        """(conflictkg's graphs, the server's own graphs), listed once with ``GROUP BY`` (a ``DISTINCT``
        over every quad took Virtuoso seconds at a million triples) and kept for :data:`GRAPHS_TTL`
        seconds, or until a write through this store."""
        cached = self._listed
        if cached is not None and time.monotonic() - cached[0] < GRAPHS_TTL:
            return cached[1], cached[2]
        response = self._post_query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", None, _JSON)
        names = {str(row["g"].value) for row in ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)}  # type: ignore[union-attr,index]
        ours = sorted(n for n in names if not n.startswith(self.system_graph_prefixes))
        system = sorted(n for n in names if n.startswith(self.system_graph_prefixes))
        if cached is None or cached[1] != ours:
            self.generation += 1
        self._listed = (time.monotonic(), ours, system)
        return ours, system

    def _union(self, query: str, graph_iris: Iterable[str] = ()) -> tuple[str, tuple[list[str], list[str]] | None]:
        """``query`` and the protocol dataset that makes its default graph the union of conflictkg's graphs.

        Up to :data:`DATASET_GRAPHS` graphs are sent by name, as ``default-graph-uri`` and
        ``named-graph-uri`` (the server's own graphs stay out). Past that, naming every graph in every
        request (thousands of IRIs at a million triples) costs more than the query, so the server's
        own default dataset is used: on Virtuoso, every graph it holds, its few system graphs too
        (they hold no conflictkg terms: the analyst queries are unchanged; ``GRAPH ?g`` over
        everything lists them). Virtuoso's ``input:default-graph-exclude`` pragma would leave them
        out, but in 7.2 it also hides ``GRAPH <g>`` patterns."""
        ours, _system = self._graphs()
        if len(ours) > DATASET_GRAPHS:
            return query, None
        # Virtuoso 7.2 answered GRAPH <g> { ground triple } with a match when <g> was outside the protocol
        # dataset: naming <g> in the dataset (an empty graph if it does not exist) avoided that.
        return query, (ours, sorted(set(ours) | set(graph_iris)))

    def _wrote(self) -> None:
        self._listed = None
        self.generation += 1

    # --- GraphStore ---------------------------------------------------------------------

    def replace_graph(self, name: URIRef, graph: GraphContent) -> None:
        self.replace_graphs({name: graph})

    def replace_graphs(self, graphs: Mapping[URIRef, GraphContent]) -> None:
        if graphs:
            self._post_update(replace_graphs_update(graphs))
            self._wrote()

    def drop_graph(self, name: URIRef) -> None:
        self._post_update(f"DROP SILENT GRAPH <{name}>")
        self._wrote()

    def graph(self, name: URIRef) -> Graph:
        graph = Graph()
        for t in self.triples(name):
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))  # type: ignore[arg-type]
        return graph

    def triples(self, name: URIRef) -> list[ox.Triple]:
        response = self._post_query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}", None, _NT)
        return list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))  # type: ignore[arg-type]

    def named_graphs(self) -> list[URIRef]:
        ours = self._graphs()[0]
        if self._named is None or self._named[0] is not ours:
            self._named = (ours, [URIRef(n) for n in ours])
        return list(self._named[1])

    def select(self, query: str, bindings: Mapping[str, Node] | None = None) -> list[Row]:
        response = self._post_query(*self._union(_bind(query, bindings)), _JSON)
        result = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        names = [v.value for v in result.variables]  # type: ignore[union-attr]
        return [dict(zip(names, map(to_rdflib, sol))) for sol in result]  # type: ignore[union-attr]

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool:
        response = self._post_query(*self._union(_bind(query, bindings)), _JSON)
        return bool(ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON))

    def update(self, update: str) -> None:
        self._post_update(update)
        self._wrote()

    def triple_count(self) -> int:
        if not self._graphs()[0]:
            return 0
        text, dataset = self._union("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        response = self._post_query(text, dataset and ([], dataset[1]), _JSON)
        rows = list(ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON))  # type: ignore[arg-type]
        return int(rows[0]["n"].value) if rows else 0

    def close(self) -> None:
        self._client.close()

    # --- the SPARQL service's queries ----------------------------------------------------

    def run_query(self, task: Task, *, timeout: float) -> tuple[Any, ...]:
        """Answer a SPARQL service task (see :class:`conflictkg.sparql.worker.Task`) like a query worker."""
        media_type = task.media_type
        query = task.query
        if task.substitutions:
            query = with_values(query, {k: str(v) for k, v in task.substitutions.items()})
        if task.base_iri:
            query = f"BASE <{task.base_iri}>\n{query}"  # a BASE of the query's own, later, still wins
        graph_form = media_type not in BOOLEAN_FORMATS and media_type not in RESULT_FORMATS
        try:
            dataset: tuple[list[str], list[str]] | None = None  # the query's own FROM / FROM NAMED
            if task.default_graph is not None or task.named_graphs is not None:
                dataset = (list(task.default_graph or []), list(task.named_graphs or []))
            elif task.union:
                query, dataset = self._union(query, task.graph_iris)
            response = self._post_query(query, dataset, _NT if graph_form else _JSON, timeout)
        except httpx.TimeoutException:
            return ("error", "E055", 503, f"the query was stopped at the time limit of {timeout:g} s "
                    "(--query-timeout); narrow it or add a LIMIT")
        except httpx.HTTPError as exc:
            return ("error", "E050", 502, f"cannot reach the remote SPARQL server: {exc}")
        except QueryError as exc:
            return ("error", exc.code, exc.status, exc.message)
        if graph_form:
            result: Any = ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
        else:
            result = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        # the rows are counted as they are read (the answer is re-serialized here anyway)
        return encode_result(result, media_type, task.max_rows, _PREFIX_IRIS, page=task.page)


def _bind(query: str, bindings: Mapping[str, Node] | None) -> str:
    if not bindings:
        return query
    return with_values(query, {k: str(to_oxigraph(v)) for k, v in bindings.items()})
