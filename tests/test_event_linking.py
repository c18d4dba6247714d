"""Linking reports across articles: the scored pairs, the clustering, the names (invented reports)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conflictkg.event_linking import Report, canonical, cluster, link, place_label, window
from conflictkg.model import PartialDate

MAKIIVKA, DONETSK, SOLEDAR = "gn/702320", "iso/UA-14", "gn/706757"


def day(text: str) -> PartialDate:
    return PartialDate.parse(text)


def report(rid: str, types: tuple[str, ...], *, begin: str | None = None, published: str | None = None,
           place: str | None = None, figures: tuple[str, ...] = ()) -> Report:
    return Report(rid, rid.split("-")[0], types, day(begin) if begin else None, None,
                  dt.date.fromisoformat(published) if published else None, place, (), figures)


#: Reports of three events: a strike on Makiivka (one article dates it a day earlier, one names
#: only the oblast, one no date), the capture of Soledar ten days later, and one undated report
#: of the Soledar fighting from an article without a publication date.
REPORTS = [
    report("a1-1", ("AirStrike",), begin="2023-01-01", published="2023-01-02", place=MAKIIVKA, figures=("killed:63:63",)),
    report("a2-1", ("AirStrike", "Explosion"), begin="2022-12-31", published="2023-01-02", place=MAKIIVKA),
    report("a3-1", ("AirStrike",), published="2023-01-04", place=DONETSK, figures=("killed:89:89",)),
    report("a4-1", ("AirStrike", "Killing"), begin="2023-01-01", published="2023-01-04", place=MAKIIVKA,
           figures=("killed:89:89",)),
    report("a5-1", ("Capture", "Clash"), begin="2023-01-11", published="2023-01-11", place=SOLEDAR),
    report("a6-1", ("Clash", "Capture"), place=SOLEDAR),
]


@pytest.fixture(scope="module")
def gr(resources):  # type: ignore[no-untyped-def]
    return resources.gazetteer, resources.rules


def test_a_link_says_what_matched(gr) -> None:  # type: ignore[no-untyped-def]
    gaz, rules = gr
    lk = link(REPORTS[0], REPORTS[1], gaz, rules)
    assert lk is not None and lk.reasons == ("place:same", "time:overlap", "type:same") and lk.score == 6.0
    lk = link(REPORTS[2], REPORTS[3], gaz, rules)
    assert lk is not None and lk.reasons == ("place:contains", "time:window", "type:same", "figure:killed:89:89")
    assert lk.score == 1.5 + 1 + 1 + 2
    assert link(REPORTS[0], REPORTS[4], gaz, rules) is None  # other town, other days, other type
    assert link(REPORTS[0], REPORTS[0], gaz, rules) is None  # one article's reports are never linked


def test_windows_open_when_time_is_unknown(gr) -> None:  # type: ignore[no-untyped-def]
    gaz, rules = gr
    assert window(REPORTS[0], rules) == (dt.date(2022, 12, 31), dt.date(2023, 1, 2))
    assert window(REPORTS[2], rules) == (dt.date(2022, 12, 21), dt.date(2023, 1, 4))
    assert window(REPORTS[5], rules) == (None, None)
    # An undated report from an unknown day links on a specific place alone (less evidence needed).
    lk = link(REPORTS[4], REPORTS[5], gaz, rules)
    assert lk is not None and lk.reasons == ("place:same", "type:same")


def test_clusters_keep_apart_what_does_not_fit(gr) -> None:  # type: ignore[no-untyped-def]
    gaz, rules = gr
    groups = [canonical(g, gaz, rules) for g in cluster(REPORTS, gaz, rules)]
    assert [[r.id for r in g.reports] for g in groups] == [["a1-1", "a2-1", "a3-1", "a4-1"], ["a5-1", "a6-1"]]
    strike, capture = groups
    assert strike.label == "Air strike, Makiyivka (Donetsk), 2023-01-01"
    assert strike.key.startswith("2023-01-01-makiyivka-donetsk-combat-") and strike.place == MAKIIVKA
    assert capture.label == "Capture, Soledar (Donetsk), 2023-01-11"
    assert strike.reasons["a3-1"][0] == "a4-1" and "figure:killed:89:89" in strike.reasons["a3-1"][1]
    assert place_label(DONETSK, gaz) == "Donetsk (Ukraine)"


def test_analysts_decisions_come_first(gr) -> None:  # type: ignore[no-untyped-def]
    gaz, rules = gr
    split = cluster(REPORTS, gaz, rules, splits=[("a1-1", "a3-1")])
    assert sorted(len(g.reports) for g in split) == [1, 2, 3]
    # A merge of two events joins every report of one with every report of the other.
    strike, capture = ["a1-1", "a2-1", "a3-1", "a4-1"], ["a5-1", "a6-1"]
    merged = cluster(REPORTS, gaz, rules, merges=list(itertools.product(strike, capture)))
    assert len(merged) == 1 and merged[0].reasons["a5-1"] == ("a1-1", ("manual:merge",), 0.0)


@settings(max_examples=40, deadline=None)
@given(st.permutations(REPORTS))
def test_the_order_reports_arrive_in_changes_nothing(gr, order: list[Report]) -> None:  # type: ignore[no-untyped-def]
    gaz, rules = gr
    first = [(canonical(g, gaz, rules).key, [r.id for r in g.reports]) for g in cluster(REPORTS, gaz, rules)]
    again = [(canonical(g, gaz, rules).key, [r.id for r in g.reports]) for g in cluster(order, gaz, rules)]
    assert again == first


def test_every_order_of_pairs_gives_the_same_groups(gr) -> None:  # type: ignore[no-untyped-def]
    gaz, rules = gr
    seen = {tuple(tuple(r.id for r in g.reports) for g in cluster(list(p), gaz, rules))
            for p in itertools.islice(itertools.permutations(REPORTS), 0, 720, 37)}
    assert len(seen) == 1


def test_one_village_placed_under_different_parents_by_two_articles(gr) -> None:  # type: ignore[no-untyped-def]
    gaz, rules = gr
    # One article knows only the country, the other the region; neither date is known.
    a = report("m1-1", ("Killing",), place="text/country/ML/zandoura")
    b = report("m2-1", ("Killing", "Attack"), begin="2022-03", place="text/iso/ML-5/zandoura")
    lk = link(a, b, gaz, rules)
    assert lk is not None and lk.reasons == ("place:same-name", "type:same") and lk.score == 2.5 + 1
    # The same name in another country is another village.
    assert link(a, report("m3-1", ("Killing",), place="text/country/NE/zandoura"), gaz, rules) is None
