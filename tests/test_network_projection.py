"""The projections (ids, types, collapsed claims), type discipline, and the contested-figures rules."""

from __future__ import annotations

import datetime as dt
import re

import networkx as nx
import pytest
from fixtures_network import make_service, make_store

from conflictkg.contested import comparison_range
from conflictkg.fixtures import VALETOWN, A
from conflictkg.model import Article, ArticleMeta, Claim, EventRecord, Figure, PartialDate, Span
from conflictkg.namespaces import article_graph, event_graph
from conflictkg.claim_records import ClaimRecord, FigureRecord
from conflictkg.projection import attribute_types, harmonise, node_id
from conflictkg.event_linking import Group
from conflictkg.rdf import write_article, write_event

NMTOKEN = re.compile(r"[A-Za-z0-9._-]+")


@pytest.mark.parametrize(("iri", "slug"), [
    ("https://w3id.org/conflictkg/id/actor/person/ivo-bran", "actor.person.ivo-bran"),
    ("https://w3id.org/conflictkg/id/event/2018-02-07-deir-ez-zor-attack", "event.2018-02-07-deir-ez-zor-attack"),
    ("https://w3id.org/conflictkg/id/actor/a_b.c", "actor.a_5fb_2ec"),
    ("http://example.org/x#y z", "ext.http_3a..example_2eorg.x_23y_20z"),
    ("https://w3id.org/conflictkg/id/actor/\u00e9\ud800", "actor._c3_a9_ed_a0_80"),
])
def test_node_ids_are_stable_name_tokens(iri: str, slug: str) -> None:
    assert node_id(iri) == slug
    assert NMTOKEN.fullmatch(slug)


def test_node_ids_are_injective() -> None:
    iris = ["https://w3id.org/conflictkg/id/a/b", "https://w3id.org/conflictkg/id/a.b",
            "https://w3id.org/conflictkg/id/a_2eb", "https://w3id.org/conflictkg/id/a_b", "urn:a/b", "urn:a.b"]
    assert len({node_id(i) for i in iris}) == len(iris)


def _figure(measure: str, low: int | None, high: int | None, qualifier: str, surface: str = "x",
            group: str | None = None) -> FigureRecord:
    return FigureRecord(iri=f"urn:f:{surface}", measure=measure, qualifier=qualifier, surface=surface,
                        low=low, high=high, group=group)


@pytest.mark.parametrize(("figure", "expected"), [
    (_figure("Killed", 100, 100, "Approximately"), (90, 110)),
    (_figure("Killed", 5, 5, "Approximately"), (4, 6)),  # at least one either side
    (_figure("Killed", 5, 5, "Exact"), (5, 5)),
    (_figure("Killed", 201, None, "MoreThan"), (201, None)),
    (_figure("Killed", None, 6, "UpTo"), (0, 6)),
    (_figure("Killed", 24, None, "Vague"), (24, None)),
    (_figure("Killed", 10, 20, "Range"), (10, 20)),
    (_figure("Killed", None, None, "Vague"), (0, None)),
])
def test_comparison_ranges(figure: FigureRecord, expected: tuple[int, int | None]) -> None:
    assert comparison_range(figure) == expected


def _claim(iri: str, stance: str = "Asserts", claimant: str = "urn:a") -> ClaimRecord:
    return ClaimRecord(iri=iri, claimant=claimant, article="urn:art", stance=stance, certainty="certain")


def test_harmonise_gives_each_key_one_type() -> None:
    g = nx.MultiDiGraph()
    g.add_node("a", mixed=1, num=1, huge=2**64, flag=True, gone=None, nan=float("nan"))
    g.add_node("b", mixed="x", num=2.5, huge=3, flag=False)
    g.add_edge("a", "b", key="e1", weight=2, n=None)
    g.add_edge("a", "b", key="e2", weight=-1)
    types = harmonise(g)
    assert types == {"node": {"flag": "boolean", "huge": "string", "mixed": "string", "num": "double"},
                     "edge": {"weight": "double"}}
    assert dict(g.nodes["a"]) == {"mixed": "1", "num": 1.0, "huge": str(2**64), "flag": True}
    assert dict(g.nodes["b"]) == {"mixed": "x", "num": 2.5, "huge": "3", "flag": False}
    assert g.edges["a", "b", "e1"] == {"weight": 2.0} and g.edges["a", "b", "e2"] == {}
    assert attribute_types(g) == types


def test_a_claim_about_two_events_becomes_two_edges_with_distinct_ids() -> None:
    text = "Officials said 3 died in the raid and 4 in the ambush.\n"
    article = Article(text=text, meta=ArticleMeta(file_name="t.txt", published=dt.date(2020, 5, 2)))
    events = [
        EventRecord(key=key, label=key, types=("Attack",), begin=PartialDate(2020, 5, 1), end=None,
                    places=["valetown"], place="valetown", mentions=[Span(0, 9)], rules=["event.attack"],
                    link_keys=("week:2020-W18:-",))
        for key in ("2020-05-01-north-province-attack", "2020-05-01-north-province-ambush")
    ]
    claim = Claim(claimant=A["interior-ministry"], span=Span(0, len(text) - 1), date=PartialDate(2020, 5),
                  events=[e.key for e in events], rules=["r"],
                  figures=[Figure(measure="killed", low=3, high=3, qualifier="exact", surface="3", span=Span(15, 16))])
    store = make_store()
    store.replace_graph(article_graph(article.key), write_article(
        article, title="t", title_basis="text", publisher=None, claims=[claim], events=events, actors=[]))
    store.replace_graphs({event_graph(e.key): write_event(Group.of(article.key, e)) for e in events})
    g = make_service(store).network.graph("actor-event")
    edges = [(v, k, d) for u, v, k, d in g.edges(keys=True, data=True)
             if u == "actor.interior-ministry" and d.get("date") == "2020-05"]
    assert len(edges) == 2
    (v1, k1, d1), (v2, k2, d2) = sorted(edges, key=lambda e: e[1])
    assert k2 == k1 + "-2" and d1["claim"] == d2["claim"] == k1
    assert {v1, v2} == {f"event.{e.key}" for e in events}
    # a month-precise claim date spans the month on the timeline
    assert (d1["start"], d1["end"]) == ("2020-05-01", "2020-05-31")


def test_views_follow_the_store() -> None:
    store = make_store()
    network = make_service(store).network
    first = network.graph("actor-event")
    assert network.graph("actor-event") is first  # cached while the store is unchanged
    store.drop_graph(next(g for g in store.named_graphs() if "/article/" in str(g)))
    second = network.graph("actor-event", fresh=True)  # reads may get `first` until the rebuild is done
    assert second is not first and second.number_of_edges() < first.number_of_edges()
    assert network.graph("actor-event") is second


def test_pagerank_matches_hand_computed_values() -> None:
    from conflictkg.network import pagerank

    cycle = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "a")])
    assert pagerank(cycle) == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    # a -> b, b dangling (spreads evenly): r_a = 0.15/2 + 0.85 r_b/2, r_a + r_b = 1
    pair = nx.MultiDiGraph([("a", "b")])
    assert pagerank(pair) == pytest.approx({"a": 0.5 / 1.425, "b": 1 - 0.5 / 1.425})
    # parallel edges add up: two edges a->b and one a->c give b twice c's share
    multi = nx.MultiDiGraph([("a", "b"), ("a", "b"), ("a", "c"), ("b", "a"), ("c", "a")])
    ranks = pagerank(multi)
    assert ranks["b"] > ranks["c"] and sum(ranks.values()) == pytest.approx(1.0)
