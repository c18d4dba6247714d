"""stored_events: the dated events of the store an undated event of a new article may join."""

from __future__ import annotations

import datetime as dt

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from conflictkg.event_index import stored_events
from conflictkg.namespaces import CKG, CKGID, SEM, article_graph
from conflictkg.store import EmbeddedStore

PLACE_A, PLACE_B = CKGID["place/a"], CKGID["place/b"]


def _event(g: Graph, key: str, begin: Literal, end: Literal | None = None, place: URIRef = PLACE_A) -> None:
    node = CKGID[f"event/{key}"]
    g.add((node, RDF.type, CKG.Event))
    g.add((node, RDFS.label, Literal(key, lang="en")))
    g.add((node, SEM.hasEarliestBeginTimeStamp, begin))
    if end is not None:
        g.add((node, SEM.hasLatestEndTimeStamp, end))
    g.add((node, SEM.hasPlace, place))


def _day(iso: str) -> Literal:
    return Literal(iso, datatype=XSD.date)


def _store() -> EmbeddedStore:
    one, two, three = Graph(), Graph(), Graph()
    _event(one, "shared", _day("2018-02-10"), _day("2018-02-11"))
    _event(two, "shared", _day("2018-02-10"), _day("2018-02-11"), place=PLACE_B)  # a second report
    _event(one, "month", Literal("2018-02", datatype=XSD.gYearMonth))
    _event(one, "early", _day("2018-01-20"))
    _event(two, "late", _day("2018-03-02"))
    _event(three, "only-skipped", _day("2018-02-12"))
    store = EmbeddedStore(None)
    store.replace_graphs({article_graph("one"): one, article_graph("two"): two, article_graph("three"): three})
    return store


def _days(last: str, n: int = 14) -> set[dt.date]:
    end = dt.date.fromisoformat(last)
    return {end - dt.timedelta(days=i) for i in range(n + 1)}


def test_only_events_of_the_given_days_or_their_months_once_each_with_all_places() -> None:
    found = stored_events(_store(), skip_articles={"three"}, days=_days("2018-02-20"))
    rows = [(e.key, e.label, e.begin.iso if e.begin else None, e.end.iso if e.end else None, e.places) for e in found]
    assert rows == [
        ("month", "month", "2018-02", None, [str(PLACE_A)]),
        ("shared", "shared", "2018-02-10", "2018-02-11", [str(PLACE_A), str(PLACE_B)]),
    ]


def test_an_event_known_only_from_a_skipped_article_is_left_out_unless_another_reports_it() -> None:
    store = _store()
    assert "only-skipped" in {e.key for e in stored_events(store, skip_articles=set(), days=_days("2018-02-20"))}
    assert "shared" in {e.key for e in stored_events(store, skip_articles={"one"}, days=_days("2018-02-20"))}


def test_the_days_select_what_the_whole_list_holds_for_those_days() -> None:
    store = _store()
    days = _days("2018-03-05", 60)
    everything = stored_events(store, skip_articles={"three"})
    months = {d.isoformat()[:7] for d in days}
    in_days = [e for e in everything if e.begin is not None and
               (e.begin.first_day in days or (e.begin.day is None and e.begin.iso in months))]
    assert stored_events(store, skip_articles={"three"}, days=days) == in_days
    assert {e.key for e in in_days} == {"early", "month", "shared", "late"}


def test_graphs_that_disagree_on_the_end_give_one_record_per_end() -> None:
    one, two = Graph(), Graph()
    _event(one, "x", _day("2018-02-10"), _day("2018-02-11"))
    _event(two, "x", _day("2018-02-10"), _day("2018-02-12"))
    store = EmbeddedStore(None)
    store.replace_graphs({article_graph("one"): one, article_graph("two"): two})
    found = stored_events(store, skip_articles=set(), days=_days("2018-02-20"))
    assert [(e.key, e.end.iso if e.end else None) for e in found] == [("x", "2018-02-11"), ("x", "2018-02-12")]
