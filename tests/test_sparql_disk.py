"""The SPARQL service over a store on disk: workers read RocksDB checkpoints (never the live
store), every write generation gets a fresh snapshot, and old snapshots are removed."""

from __future__ import annotations

from pathlib import Path

from conflictkg.config import Settings
from conflictkg.service import GraphService
from conflictkg.store import EmbeddedStore

from fixtures_sparql import TOKEN, Client, corpus

G = "http://example.org/conflictkg-test/disk"
CKG = "https://w3id.org/conflictkg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}"


def test_queries_and_updates_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    store.replace_graphs(corpus())
    with GraphService(settings=Settings().with_(store=path, token=TOKEN), store=store) as service:
        client = Client(service)
        auth = {"authorization": f"Bearer {TOKEN}", "content-type": "application/sparql-update"}
        q = {"query": COUNT}
        assert client.get("/sparql", params=q, headers={"accept": "text/csv"}).text == "n\r\n0\r\n"
        snapshots = tmp_path / "store-snapshots"
        assert [p.name for p in snapshots.iterdir()] == [f"gen-{store.generation}"]
        for i in range(3):
            # a place: the gate takes only data whose subjects have a type a closed shape covers
            r = client.post("/update", headers=auth,
                            content=f'INSERT DATA {{ GRAPH <{G}> {{ <http://example.org/s{i}> a <{CKG}Place> ; '
                                    f'<{SKOS}prefLabel> "Place {i}"@en ; <{RDFS}label> "Place {i}"@en ; <{CKG}dictionaryEntry> "p{i}" }} }}')
            assert r.status_code == 200, r.text
            # read-your-writes: the next query sees the update, through a new checkpoint
            assert client.get("/sparql", params=q, headers={"accept": "text/csv"}).text == f"n\r\n{4 * (i + 1)}\r\n"
        # at most one snapshot per worker plus the current one survive
        names = sorted(p.name for p in snapshots.iterdir())
        assert f"gen-{store.generation}" in names
        assert len(names) <= service.settings.query_workers + 1
        assert not list(tmp_path.glob("conflictkg-scratch-*"))  # update scratch copies are cleaned up
    assert not snapshots.exists()  # closing the service removes its snapshots
    # the store on disk holds the writes
    reopened = EmbeddedStore(path)
    assert len(reopened.graph(__import__("rdflib").URIRef(G))) == 12
    reopened.close()
