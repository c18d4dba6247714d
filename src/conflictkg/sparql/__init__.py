"""The SPARQL service: screened queries in killable worker processes, validated atomic updates,
and named analyst queries. See :mod:`conflictkg.sparql.engine` for the design and
:mod:`conflictkg.sparql.lexer` for how the screen reads text exactly as pyoxigraph does.

Error codes (all :class:`conflictkg.errors.QueryError`, with the HTTP status the API answers):

====  ======  ===========================================================================
E050  500     the engine failed (worker died, store error)
E051  400     malformed query or update (the parser's message)
E052  400     refused: SERVICE, LOAD, or an XML body with a DTD or entities
E053  400     a dataset IRI (FROM, USING, default-graph-uri, ...) that is not a graph of the store
E054  400/422 protocol misuse (repeated or conflicting parameters, default-graph writes, bad
              charset); 422 for bad named-query parameters
E055  503     stopped at the time limit (``--query-timeout``)
E056  503     every worker busy for the whole time limit
E057  422     more result rows than ``--max-rows``
E058  401/403 writes without the right token (or no write token configured)
E059  406/415 no acceptable result type / unsupported request Content-Type
E090  403     a write to a protected graph (the ontology, the dictionary)
E091  413     a query or update text over its size limit
E092  413     a write over the triple limit
E093  400     an update the data does not allow (CREATE of an existing graph, ...)
E094  400     a query pyoxigraph cannot evaluate (an unknown function)
====  ======  ===========================================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .engine import QueryResult, SparqlEngine, UpdateResult

__all__ = ["SparqlEngine", "QueryResult", "UpdateResult"]


def __getattr__(name: str) -> Any:
    # Lazy, so query worker processes (which import conflictkg.sparql.worker) skip rdflib.
    if name in __all__:
        from . import engine

        return getattr(engine, name)
    raise AttributeError(name)
