"""The vocabularies conflictkg writes, and the IRIs it mints for data (see docs/model.md)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import Namespace
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

__all__ = [
    "CKG",
    "CKGID",
    "CKGG",
    "SEM",
    "PROV",
    "OA",
    "SCHEMA",
    "GRASPF",
    "SKOS",
    "RDF",
    "RDFS",
    "OWL",
    "XSD",
    "PREFIXES",
    "SPARQL_PROLOGUE",
    "DICTIONARY_GRAPH",
    "ONTOLOGY_GRAPH",
    "article_graph",
    "event_graph",
    "EVENT_CURATION_GRAPH",
    "slug",
    "short_hash",
    "local_name",
]

CKG = Namespace("https://w3id.org/conflictkg/ontology#")
CKGID = Namespace("https://w3id.org/conflictkg/id/")
CKGG = Namespace("https://w3id.org/conflictkg/graph/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("http://schema.org/")
GRASPF = Namespace("http://groundedannotationframework.org/grasp/factuality#")

#: Prefixes bound in every Turtle file and SPARQL query we write.
PREFIXES: dict[str, Namespace] = {
    "ckg": CKG,
    "ckgid": CKGID,
    "ckgg": CKGG,
    "sem": SEM,
    "prov": PROV,
    "oa": OA,
    "schema": SCHEMA,
    "graspf": GRASPF,
    "skos": Namespace(str(SKOS)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
}

#: The prefix declarations of :data:`PREFIXES` for a SPARQL query, so that a remote server needs none predefined.
SPARQL_PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

DICTIONARY_GRAPH = CKGG["dictionary"]
ONTOLOGY_GRAPH = CKGG["ontology"]
#: Analysts' decisions on events: merges and splits (conflictkg.event_index).
EVENT_CURATION_GRAPH = CKGG["event-curation"]


def event_graph(event_key: str):  # -> URIRef
    """The named graph holding one event: what its reports agree on and why they were linked."""
    return CKGG[f"event/{event_key}"]


def article_graph(article_key: str):  # -> URIRef
    """The named graph holding everything one article says."""
    return CKGG[f"article/{article_key}"]


def slug(text: str) -> str:
    """A lower-case ASCII slug: ``"Deir ez-Zor"`` -> ``"deir-ez-zor"``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-") or "x"


def short_hash(*parts: object, length: int = 12) -> str:
    """First ``length`` hex digits of the SHA-256 of the parts joined by NUL."""
    data = "\x00".join(str(p) for p in parts).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:length]


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#`` or ``/``: ``ckg:KilledOrWounded`` -> ``KilledOrWounded``."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[cut + 1:] if cut >= 0 else iri
