"""Derived graphs: every write path keeps each event's contradictions, revisions and summaries true.

Invented articles go through the real pipeline into a real store; then article graphs are
replaced, deleted and moved through the SPARQL service (Graph Store and Update, with the real
SHACL gate), through the HTTP API, and loaded from Turtle files.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import pyoxigraph as ox
from rdflib import URIRef

from conflictkg.config import Settings
from conflictkg.errors import QueryError
from conflictkg.model import Article, ArticleMeta
from conflictkg.namespaces import CKGG, CKGID, XSD, article_graph, short_hash
from conflictkg.service import GraphService

from fixtures_sparql import TOKEN, Client

TEXTS = {
    "a.txt": ("2021-06-03", "Strike on depot\n\nThe Russian Defence Ministry said that 12 soldiers were killed in "
                            "the strike near Aleppo on Tuesday.\n"),
    "b.txt": ("2021-06-05", "Toll rises\n\nThe Russian Defence Ministry said on Friday that 20 soldiers were killed "
                            "in the strike near Aleppo on Tuesday.\n"),
    "c.txt": ("2021-06-05", "Monitor disputes toll\n\nA monitor said on Friday that 45 Russian soldiers died in the "
                            "strike near Aleppo on Tuesday.\n"),
    "d.txt": ("2021-06-09", "Shelling resumes\n\nA monitor said that three civilians were killed in shelling "
                            "near Aleppo on Monday.\n"),
}


def _article(name: str) -> Article:
    day, text = TEXTS[name]
    return Article(text=text, meta=ArticleMeta(file_name=name, published=dt.date.fromisoformat(day)))


# The strike's event: named by its date, place and family, and its first report (conflictkg.event_linking).
EVENT_KEY = "2021-06-01-aleppo-aleppo-governorate-combat-" + short_hash(min(_article(n).key for n in ("a.txt", "b.txt", "c.txt"))
                                                                     + "-1", length=6)
EVENT = str(CKGID[f"event/{EVENT_KEY}"])
DERIVED = CKGG[f"derived/event/{EVENT_KEY}"]


def _pairs(service: GraphService) -> list[tuple[str, str, str, str, str, str]]:
    return [(p["kind"], p["a"]["article"], p["a"]["figure"], p["b"]["article"], p["b"]["figure"], p["b"]["population"])
            for p in service.contradictions()]


def _derived(service: GraphService) -> set[tuple[object, object, object]]:
    return set(service.store.graph(DERIVED))


@pytest.fixture()
def service() -> Iterator[GraphService]:
    with GraphService(settings=Settings().with_(store=None, token=TOKEN)) as s:
        for name in ("a.txt", "b.txt", "c.txt"):
            assert s.builder.ingest(_article(name)).ok
        yield s


INGESTED = [
    ("contradiction", "a.txt", "12", "c.txt", "45", "Russian soldiers"),
    ("contradiction", "b.txt", "20", "c.txt", "45", "Russian soldiers"),
    # the ministry changed its own figure: a revision, the earlier figure first
    ("revision", "a.txt", "12", "b.txt", "20", "Russian soldiers"),
]


def test_ingest_stores_the_pairs_and_summary_of_the_event(service: GraphService) -> None:
    assert _pairs(service) == INGESTED
    revision = service.contradictions()[2]
    assert revision["event"] == EVENT and revision["relation"] == "SamePopulation"
    assert revision["reason"] == ("Russian Ministry of Defence changed the figure (2021-06-03 to 2021-06-04): '12' (12) "
                                  "and '20' (20) count the same people (Russian soldiers) and their ranges do not overlap.")
    assert revision["a"]["start"] == TEXTS["a.txt"][1].index("The Russian")
    rows = service.store.select(
        f"SELECT ?low ?best ?high ?n WHERE {{ ?s ckg:summaryEvent <{EVENT}> ; ckg:lowEstimate ?low ; "
        "ckg:bestEstimate ?best ; ckg:highEstimate ?high ; ckg:sourceCount ?n }")
    # the ministry counts once, with its latest figure (20); the monitor says 45
    assert [tuple(int(str(r[k])) for k in ("low", "best", "high", "n")) for r in rows] == [(20, 20, 45, 2)]
    assert service.validator.validate_store(service.store).conforms


def test_a_graph_replaced_twice_leaves_no_trace(service: GraphService) -> None:
    before = _derived(service)
    name = article_graph(_article("c.txt").key)
    original = service.store.triples(name)
    bounds = {"http://schema.org/minValue", "http://schema.org/maxValue"}
    fifteen = ox.Literal("15", datatype=ox.NamedNode(str(XSD.integer)))
    lowered = [ox.Triple(t.subject, t.predicate, fifteen) if t.predicate.value in bounds else t for t in original]
    service.sparql.replace_graph(str(name), lowered)  # Graph Store PUT: validated, atomic
    assert _pairs(service) == [
        ("contradiction", "a.txt", "12", "c.txt", "45", "Russian soldiers"),  # the surface form stays "45"
        ("contradiction", "c.txt", "45", "b.txt", "20", "Russian soldiers"),  # now read as 15: lower than 20
        ("revision", "a.txt", "12", "b.txt", "20", "Russian soldiers"),
    ]
    service.sparql.replace_graph(str(name), original)
    assert _derived(service) == before
    assert _pairs(service) == INGESTED


def test_deleting_articles_takes_their_pairs_along(service: GraphService) -> None:
    service.sparql.drop_graph(str(article_graph(_article("c.txt").key)))
    assert _pairs(service) == [("revision", "a.txt", "12", "b.txt", "20", "Russian soldiers")]
    service.sparql.drop_graph(str(article_graph(_article("b.txt").key)))
    assert _pairs(service) == []
    assert not service.store.ask(f"ASK {{ ?s ckg:conflictEvent <{EVENT}> }}")


def test_a_claim_moved_to_another_event_leaves_the_old_events_pairs(service: GraphService) -> None:
    assert service.builder.ingest(_article("d.txt")).ok
    other = service.store.select(f"SELECT DISTINCT ?e WHERE {{ ?c ckg:about ?e FILTER (?e != <{EVENT}>) }}")
    assert len(other) == 1
    graph = article_graph(_article("c.txt").key)
    service.sparql.update(f"""
        PREFIX ckg: <https://w3id.org/conflictkg/ontology#>
        DELETE {{ GRAPH <{graph}> {{ ?c ckg:about <{EVENT}> }} }}
        INSERT {{ GRAPH <{graph}> {{ ?c ckg:about <{other[0]['e']}> }} }}
        WHERE {{ GRAPH <{graph}> {{ ?c ckg:about <{EVENT}> }} }}""")
    assert _pairs(service) == [("revision", "a.txt", "12", "b.txt", "20", "Russian soldiers")]


def test_derived_graphs_are_computed_never_written(service: GraphService) -> None:
    with pytest.raises(QueryError) as err:
        service.sparql.update(f'INSERT DATA {{ GRAPH <{DERIVED}> {{ <urn:x:a> <urn:x:b> "c" }} }}')
    assert err.value.code == "E130"
    client = Client(service)
    r = client.request("DELETE", "/graph-store", params={"graph": str(DERIVED)},
                       headers={"authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 403
    assert r.json() == {"error": "E130", "message": "derived graphs are computed from the claims, never written: "
                        f"{DERIVED}"}
    assert _pairs(service) == INGESTED


def test_turtle_files_load_with_their_derived_graphs(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, (day, text) in TEXTS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    (corpus / "metadata.json").write_text(json.dumps(
        [{"file": name, "title": None, "published": day} for name, (day, _) in TEXTS.items()]), encoding="utf-8")
    turtle = tmp_path / "turtle"
    with GraphService(settings=Settings().with_(store=None, turtle_dir=turtle)) as built:
        assert built.builder.build(corpus).ok
        pairs, derived = _pairs(built), _derived(built)
        out = io.StringIO()
        built.write_contradictions(out, fmt="csv")
    assert pairs == INGESTED
    # the Turtle folder mirrors the store, derived graphs too; loading computes them again, not reads them
    files = sorted(turtle.glob("derived-event-*.ttl"))
    assert f"derived-event-{str(DERIVED).rsplit('/', 1)[-1]}.ttl" in [f.name for f in files]
    for f in files:
        f.write_text("", encoding="utf-8")
    with GraphService(settings=Settings().with_(store=None, turtle_dir=turtle)) as loaded:
        assert loaded.ensure_loaded() > 0
        assert _pairs(loaded) == pairs and _derived(loaded) == derived
    header, *rows = out.getvalue().splitlines()
    assert header.split(",")[:6] == ["kind", "event", "event_label", "measure", "relation", "reason"]
    assert [r.split(",")[0] for r in rows] == ["contradiction", "contradiction", "revision"]


def test_no_write_path_stores_pairs_of_figures_that_count_different_people(service: GraphService) -> None:
    # the monitor's civilians and the ministry's soldiers are never compared
    assert service.builder.ingest(Article(text=(
        "Civilians hit\n\nThe monitor said on Saturday that 300 civilians were killed in the strike near Aleppo "
        "on Tuesday.\n"), meta=ArticleMeta(file_name="e.txt", published=dt.date(2021, 6, 6)))).ok
    assert _pairs(service) == INGESTED
    civilians = service.store.select(f"SELECT ?p WHERE {{ ?p ckg:populationOf <{EVENT}> ; ckg:populationKind ?k }}",
                                     )
    assert {str(r["p"]).rsplit("/", 1)[1] for r in civilians} == {"civilians", "soldiers-russia"}


def test_a_spokesman_in_a_ministry_statement_revises_the_ministrys_toll() -> None:
    # the colonel speaks in a statement the ministry released: one source; his bare toll counts the
    # only group the event's figures count (Russian soldiers)
    with GraphService(settings=Settings().with_(store=None, token=TOKEN)) as s:
        assert s.builder.ingest(_article("a.txt")).ok
        assert s.builder.ingest(Article(text=(
            "Toll rises\n\nThe toll from the strike near Aleppo on Tuesday has risen to 20, Colonel Ivo Marek said on "
            "Friday in a video statement released by the Russian Defence Ministry.\n"),
            meta=ArticleMeta(file_name="f.txt", published=dt.date(2021, 6, 5)))).ok
        (pair,) = s.contradictions()
        assert (pair["kind"], pair["a"]["figure"], pair["b"]["figure"], pair["relation"]) == ("revision", "12", "20", "SamePopulation")
        assert pair["b"]["claimant"] == "Ivo Marek"
        assert pair["reason"].startswith("Russian Ministry of Defence and then Ivo Marek, one source, changed the figure")


def test_a_name_spelt_two_ways_is_one_source_revising_its_toll() -> None:
    # two articles transliterate one governor's name differently: his later toll revises his earlier one
    with GraphService(settings=Settings().with_(store=None, token=TOKEN)) as s:
        for name, day, who, toll in (("g.txt", "2021-06-03", "Governor Oleksiy Rybachenko", 12),
                                     ("h.txt", "2021-06-05", "Governor Oleksii Rybachenko", 20)):
            assert s.builder.ingest(Article(text=(
                f"Strike on depot\n\n{who} said that {toll} people were killed in the strike near Aleppo on Tuesday.\n"),
                meta=ArticleMeta(file_name=name, published=dt.date.fromisoformat(day)))).ok
        (pair,) = s.contradictions()
        assert (pair["kind"], pair["a"]["figure"], pair["b"]["figure"]) == ("revision", "12", "20")
        assert "one person, the name spelt two ways, changed the figure" in pair["reason"]


def test_name_variant_keys_tell_spellings_from_other_people() -> None:
    from conflictkg.contradictions import name_variant_key as key

    assert key("Oleksiy Rybachenko") == key("Oleksii Rybachenko") == key("Oleksiy Rybachenko, Head")
    assert key("Muhammad Tarik") == key("Mohammed Tarik")
    assert key("Oleksiy Rybachenko") != key("Oleksiy Rybalko")
    assert key("Ali Omar") is None  # too short to tell two people apart
    assert key("Rybachenko") is None  # one word is no full name


def test_an_outlet_stating_the_figure_of_the_source_it_quotes_relays_that_source() -> None:
    # the outlet's own headline toll is the governor's, quoted below it: against the governor's
    # earlier toll it is his revision, not the outlet contradicting him
    with GraphService(settings=Settings().with_(store=None, token=TOKEN)) as s:
        assert s.builder.ingest(Article(text=(
            "Strike on depot\n\nGovernor Oleksiy Rybachenko said that 12 people were killed in the strike near Aleppo "
            "on Tuesday.\n"), meta=ArticleMeta(file_name="i.txt", published=dt.date(2021, 6, 3)))).ok
        assert s.builder.ingest(Article(text=(
            "Toll rises\n\nThe strike near Aleppo on Tuesday killed 20 people.\n\nGovernor Oleksiy Rybachenko said "
            "on Thursday that 20 people were killed in the strike.\n"),
            meta=ArticleMeta(file_name="j.txt", publisher="Reuters", published=dt.date(2021, 6, 5)))).ok
        pairs = sorted((p["kind"], p["a"]["claimant"], p["a"]["figure"], p["b"]["claimant"], p["b"]["figure"])
                       for p in s.contradictions())
        assert pairs == [("revision", "Oleksiy Rybachenko", "12", "Oleksiy Rybachenko", "20"),
                         ("revision", "Oleksiy Rybachenko", "12", "Reuters", "20")]


@pytest.mark.parametrize(("second", "pairs"), [
    # one source's two figures in one article, neither said to have changed: not one count revised
    ("The governor said 20 people were killed in the strike.", []),
    # the text says the toll changed: a revision
    ("The governor said the toll had risen to 20 people killed in the strike.", [("revision", "12", "20")]),
])
def test_one_sources_two_figures_in_one_article_are_a_revision_only_when_the_text_says_so(second, pairs) -> None:
    with GraphService(settings=Settings().with_(store=None, token=TOKEN)) as s:
        assert s.builder.ingest(Article(text=(
            f"Strike on depot\n\nGovernor Oleksiy Rybachenko said that 12 people were killed in the strike near Aleppo "
            f"on Tuesday. {second}\n"), meta=ArticleMeta(file_name="k.txt", published=dt.date(2021, 6, 3)))).ok
        assert [(p["kind"], p["a"]["figure"], p["b"]["figure"]) for p in s.contradictions()] == pairs
