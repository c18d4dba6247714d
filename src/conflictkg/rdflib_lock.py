"""One lock for rdflib's SPARQL machinery, which is not thread-safe (RDFLib/rdflib#1282).

Two threads parsing SPARQL at once can fail with ``Param.postParse2() missing ...`` or
garble results. Every in-process use of rdflib's SPARQL parser or evaluator (SHACL validation
with pySHACL) holds :data:`SPARQL_LOCK`. The SPARQL service's request path does not use rdflib's
parser (:mod:`conflictkg.sparql.lexer`), so queries never wait for this lock.
"""

from __future__ import annotations

import threading

__all__ = ["SPARQL_LOCK"]

SPARQL_LOCK = threading.RLock()
