"""The /graph endpoints over the fixture graph, through the real app and the real store: exact bodies."""

from __future__ import annotations

from typing import Any

import pytest
from fixtures_network import (
    CONTESTED_EVENT,
    contested_story,
    claim_slug,
    figure_slug,
    make_client,
)

from conflictkg.fixtures import fixture_articles
from conflictkg.populations import population_key

EVENT = "event.2020-03-04-north-province-attack"
A1, A2 = (a.key for a in fixture_articles())
C_MINISTRY = "claim.2b4f8814b2f675f3-b6201b60c606"
C_BRAN = "claim.2b4f8814b2f675f3-72b18a633972"
C_FRONT = "claim.4ff8be089b20a2d9-e1ae0c5b3efc"
AFF_BRAN = "affiliatedWith-187db22c7d60"
AFF_MIN = "affiliatedWith-de3d45b398f8"
BACKS = "backs-a96b350141ee"
HAS_ACTOR = "hasActor-d827d9a4a93c"


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    return make_client()


@pytest.fixture(scope="module")
def contested_client():  # type: ignore[no-untyped-def]
    return make_client(contested=True)


def summary(id: str, label: str, node_type: str, subtype: str, **extra: Any) -> dict[str, Any]:
    return {"id": id, "label": label, "node_type": node_type, "subtype": subtype, **extra}


MINISTRY = summary("actor.interior-ministry", "Interior Ministry", "Actor", "Ministry")
GOVERNMENT = summary("actor.north-government", "Government of North", "Actor", "Government")
BRAN = summary("actor.person.ivo-bran", "Ivo Bran", "Actor", "Person")
FRONT = summary("actor.freedom-front", "Freedom Front", "Actor", "ArmedGroup")
ATTACK = summary(EVENT, "Attack, Valetown (North Province), 2020-03-03", "Event", "Attack")


def fact(eid: str, source: str, target: str, relation: str, edge_class: str) -> dict[str, Any]:
    return {"id": eid, "source": source, "target": target, "relation": relation,
            "attributes": {"label": relation, "edge_class": edge_class, "weight": 1.0}}


def claim_edge(eid: str, source: str, article: str, date: str, basis: str, stance: str = "Asserts",
               **more: Any) -> dict[str, Any]:
    attributes = {"label": "claim", "edge_class": "claim", "weight": 1.0, "claim": eid, "stance": stance,
                  "certainty": "certain", "source_article": f"article.{article}", "date": date, "start": date,
                  "end": date, "date_basis": basis, **more}
    return {"id": eid, "source": source, "target": EVENT, "relation": "claim", "attributes": attributes}


MINISTRY_CLAIM = claim_edge(C_MINISTRY, MINISTRY["id"], A1, "2020-03-04", "DateStated", channel="Statement",
                            figure_count=1, figures="Killed: at least 12 (guards)", measure="Killed",
                            qualifier="AtLeast", surface="at least 12", low=12, counted_group="guards")
BRAN_CLAIM = claim_edge(C_BRAN, BRAN["id"], A1, "2020-03-05", "DateOfReport", channel="Interview",
                        on_behalf_of="actor.interior-ministry", reported_via="actor.agency-x", figure_count=1,
                        figures="Attackers: About 40 (fighters)", measure="Attackers", qualifier="Approximately",
                        surface="About 40", low=40, high=40, counted_group="fighters")
FRONT_CLAIM = claim_edge(C_FRONT, FRONT["id"], A2, "2020-03-06", "DateOfReport", stance="ClaimsResponsibility",
                         figure_count=0)


def test_node_with_its_attributes(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/graph/nodes/actor.person.ivo-bran")
    assert r.status_code == 200
    assert r.json() == {
        **BRAN, "iri": "https://w3id.org/conflictkg/id/actor/person/ivo-bran", "view": "claims",
        "attributes": {"extractionRule": "actor.person-from-text", "role": "spokesman"},
        "in_degree": 1, "out_degree": 1,
    }


def test_event_node_carries_dates_and_places(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get(f"/graph/nodes/{EVENT}", params={"view": "actor-event"}).json()
    assert body == {
        **ATTACK, "iri": "https://w3id.org/conflictkg/id/event/2020-03-04-north-province-attack",
        "view": "actor-event",
        "attributes": {"hasEarliestBeginTimeStamp": "2020-03-03",
                       "hasLatestEndTimeStamp": "2020-03-03", "hasPlace": "Valetown",
                       "date": "2020-03-03", "start": "2020-03-03"},
        "in_degree": 4, "out_degree": 1,
    }


def test_node_by_full_iri_and_claim_node(client) -> None:  # type: ignore[no-untyped-def]
    by_iri = client.get("/graph/nodes/https://w3id.org/conflictkg/id/actor/interior-ministry").json()
    assert by_iri["id"] == "actor.interior-ministry" and by_iri["in_degree"] == 4 and by_iri["out_degree"] == 1
    claim = client.get(f"/graph/nodes/{C_FRONT}").json()
    assert claim["node_type"] == "Claim" and claim["subtype"] == "ClaimsResponsibility"
    assert claim["label"] == "Freedom Front ClaimsResponsibility (2020-03-06)"
    assert claim["attributes"]["source_article"] == f"article.{A2}"


def test_neighbours_depth_one(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/graph/nodes/actor.interior-ministry/neighbours", params={"depth": 1})
    assert r.status_code == 200
    assert r.json() == {
        "center": MINISTRY, "view": "actor-event", "depth": 1, "direction": "both", "types": [],
        "nodes": [{**GOVERNMENT, "distance": 1}, {**BRAN, "distance": 1}, {**ATTACK, "distance": 1}],
        "edges": [
            fact(AFF_BRAN, BRAN["id"], MINISTRY["id"], "affiliatedWith", "affiliation"),
            fact(AFF_MIN, MINISTRY["id"], GOVERNMENT["id"], "affiliatedWith", "affiliation"),
            fact(BACKS, GOVERNMENT["id"], MINISTRY["id"], "backs", "backing"),
            BRAN_CLAIM,
            MINISTRY_CLAIM,
        ],
    }


def test_neighbours_type_filter_and_direction(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/graph/nodes/actor.person.ivo-bran/neighbours",
                      params={"depth": 2, "types": "Event"}).json()
    assert body == {"center": BRAN, "view": "actor-event", "depth": 2, "direction": "both", "types": ["Event"],
                    "nodes": [{**ATTACK, "distance": 1}], "edges": [BRAN_CLAIM]}
    out = client.get("/graph/nodes/actor.person.ivo-bran/neighbours", params={"depth": 4, "direction": "out"}).json()
    assert [(n["id"], n["distance"]) for n in out["nodes"]] == [
        ("actor.interior-ministry", 1), (EVENT, 1), ("actor.freedom-front", 2), ("actor.north-government", 2)]


def test_shortest_path(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/graph/paths", params={"source": "actor.freedom-front", "target": "actor.north-government"})
    assert r.status_code == 200
    assert r.json() == {
        "source": FRONT["id"], "target": GOVERNMENT["id"], "view": "actor-event", "length": 3,
        "paths": [{
            "nodes": [FRONT, ATTACK, MINISTRY, GOVERNMENT],
            "edges": [
                FRONT_CLAIM,
                fact(HAS_ACTOR, EVENT, FRONT["id"], "hasActor", "participation"),
                MINISTRY_CLAIM,
                fact(AFF_MIN, MINISTRY["id"], GOVERNMENT["id"], "affiliatedWith", "affiliation"),
                fact(BACKS, GOVERNMENT["id"], MINISTRY["id"], "backs", "backing"),
            ],
        }],
    }


def test_no_path_between_unconnected_nodes(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/graph/paths", params={"source": "actor.agency-x", "target": EVENT}).json()
    assert body == {"source": "actor.agency-x", "target": EVENT, "view": "actor-event", "length": None, "paths": []}
    # in the claims view the news agency is linked through the claim it carried
    body = client.get("/graph/paths", params={"source": "actor.agency-x", "target": EVENT, "view": "claims"}).json()
    assert body["length"] == 2
    assert [[n["id"] for n in p["nodes"]] for p in body["paths"]] == [["actor.agency-x", C_BRAN, EVENT]]


def test_degree_centrality_top_k(client) -> None:  # type: ignore[no-untyped-def]
    # 7 nodes: the event has 5 edges (5/6), the ministry 4 (4/6); three actors have 2 (2/6)
    r = client.get("/graph/centrality", params={"measure": "degree", "top": 3})
    assert r.json() == {"measure": "degree", "view": "actor-event", "types": [], "scores": [
        {**ATTACK, "score": 0.833333}, {**MINISTRY, "score": 0.666667}, {**FRONT, "score": 0.333333}]}


def test_betweenness_and_pagerank(client) -> None:  # type: ignore[no-untyped-def]
    # undirected, 15 pairs of the 6 other nodes: the event lies on the paths from the front (4 pairs)
    # and from the monitor (3 more) to the rest, the ministry on those from the government (4)
    body = client.get("/graph/centrality", params={"measure": "betweenness", "top": 2}).json()
    assert body == {"measure": "betweenness", "view": "actor-event", "types": [], "scores": [
        {**ATTACK, "score": round(7 / 15, 6)}, {**MINISTRY, "score": round(4 / 15, 6)}]}
    actors = client.get("/graph/centrality", params={"measure": "betweenness", "top": 1, "types": "Actor"}).json()
    assert actors["types"] == ["Actor"] and [s["id"] for s in actors["scores"]] == ["actor.interior-ministry"]
    ranks = client.get("/graph/centrality", params={"measure": "pagerank", "top": 1000}).json()["scores"]
    assert len(ranks) == 7
    assert sum(s["score"] for s in ranks) == pytest.approx(1.0, abs=1e-5)
    assert ranks[0]["id"] == EVENT


def _figure(article, claim, index: int, claimant: tuple[str, str], **extra: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    f = claim.figures[index]
    measure = {"killed": "Killed", "attackers": "Attackers"}[f.measure]
    qualifier = {"exact": "Exact", "approximately": "Approximately", "vague": "Vague", "more_than": "MoreThan"}
    key = population_key(f.population)
    return {
        "id": figure_slug(article, claim, index), "measure": measure, "low": f.low, "high": f.high,
        "qualifier": qualifier[f.qualifier], "surface": f.surface, "counted_group": f.group,
        "population": {"id": f"population.{CONTESTED_EVENT}.{key}", "label": f.population.label},
        "claim": claim_slug(article, claim), "claimant": {"id": claimant[0], "label": claimant[1]},
        "on_behalf_of": None, "date": claim.date.iso, "date_basis": "DateStated" if claim.date_stated else "DateOfReport",
        "stance": "Asserts", "certainty": "certain", "hedges": [],
        "source": {"id": f"article.{article.key}", "headline": "Clash near Valetown leaves many dead",
                   "published": "2020-04-12", "url": None},
        **extra,
    }


def test_contested_figures_of_an_event(contested_client) -> None:  # type: ignore[no-untyped-def]
    article, claims, _, _ = contested_story()
    five, dozen, hundred, over150, over200 = claims
    ministry = ("actor.org.foreign-ministry", "Foreign Ministry")
    military = ("actor.org.coalition-military", "coalition military")
    monitor = (f"actor.unnamed.{article.key}.monitor", "monitor")
    council = (f"actor.unnamed.{article.key}.local-council", "local council")
    f_five = _figure(article, five, 0, ministry)
    f_100 = _figure(article, hundred, 0, military)
    f_dozen = _figure(article, dozen, 0, ministry)
    f_200 = _figure(article, over200, 0, council)
    f_over150 = _figure(article, over150, 0, monitor)
    f_500 = _figure(article, hundred, 1, military)
    r = contested_client.get(f"/graph/events/event.{CONTESTED_EVENT}/figures")
    assert r.status_code == 200
    body = r.json()
    assert body["event"] == summary(f"event.{CONTESTED_EVENT}", "Clashes, Valetown (North Province), 2020-04-07", "Event", "Clash")
    killed, attackers = body["measures"]
    # by claim date; on the same date by claimant label
    assert killed["figures"] == [f_five, f_100, f_dozen, f_200, f_over150]
    assert attackers == {"measure": "Attackers", "figures": [f_500], "conflicts": [], "revision_lines": []}
    # Only real pairs: "about 100" and "more than 150" attackers cannot both be true (the same people);
    # the ministry revised its count of its citizens from five to several dozen. "More than 200" counts
    # everyone killed, of whom the attackers and the citizens are parts, and outnumbers both: no pair.
    assert [(c["kind"], c["first"], c["second"], c["first_range"], c["second_range"], c["relation"],
             c["same_group"], c["same_claimant"]) for c in killed["conflicts"]] == [
        ("contradiction", f_100["id"], f_over150["id"], [90, 110], [151, None], "SamePopulation", True, False),
        ("revision", f_five["id"], f_dozen["id"], [5, 5], [24, None], "SamePopulation", True, True),
    ]
    assert killed["conflicts"][0]["first_population"] == f_100["population"]
    assert killed["conflicts"][0]["reason"] == (
        "coalition military and monitor disagree: 'about 100' (90 to 110) and 'more than 150' (151 to any number) "
        "count the same people (attacking fighters) and their ranges do not overlap.")
    assert killed["conflicts"][1]["reason"] == (
        "Foreign Ministry changed the figure (2020-04-08 to 2020-04-10): 'five' (5) and 'several dozen' (24 to any "
        "number) count the same people (North people) and their ranges do not overlap.")
    assert killed["revision_lines"] == [{"figures": [f_five["id"], f_dozen["id"]], "claimants": [
        {"id": "actor.org.foreign-ministry", "label": "Foreign Ministry"}]}]
    assert body["conflict_count"] == 2
    # the bare event key and the full IRI name the same event
    same = contested_client.get(f"/graph/events/{CONTESTED_EVENT}/figures").json()
    assert same == r.json()
    iri = contested_client.get(f"/graph/events/https://w3id.org/conflictkg/id/event/{CONTESTED_EVENT}/figures")
    assert iri.json() == r.json()


def test_summary_of_an_event(contested_client) -> None:  # type: ignore[no-untyped-def]
    article, claims, _, _ = contested_story()
    five, dozen, hundred, over150, over200 = claims
    claim = lambda c, who, label: {"id": claim_slug(article, c), "claimant": {"id": who, "label": label},  # noqa: E731
                                   "date": c.date.iso}
    military = claim(hundred, "actor.org.coalition-military", "coalition military")
    monitor = claim(over150, f"actor.unnamed.{article.key}.monitor", "monitor")
    council = claim(over200, f"actor.unnamed.{article.key}.local-council", "local council")
    ministry = claim(dozen, "actor.org.foreign-ministry", "Foreign Ministry")
    pop = lambda c: {"id": f"population.{CONTESTED_EVENT}.{population_key(c.figures[0].population)}",  # noqa: E731
                     "label": c.figures[0].population.label}
    r = contested_client.get(f"/graph/events/{CONTESTED_EVENT}/summary")
    assert r.status_code == 200
    assert r.json()["summaries"] == [
        # the ministry's latest figure ("several dozen") stands for it; its first ("five") is revised
        {"measure": "Killed", "population": pop(dozen), "low": 24, "best": 24, "high": 24, "sources": 1,
         "low_from": [ministry], "best_from": [ministry], "high_from": [ministry]},
        {"measure": "Killed", "population": pop(hundred), "low": 100, "best": 100, "high": 151, "sources": 2,
         "low_from": [military], "best_from": [military], "high_from": [monitor]},
        {"measure": "Killed", "population": pop(over200), "low": 201, "best": 201, "high": 201, "sources": 1,
         "low_from": [council], "best_from": [council], "high_from": [council]},
        {"measure": "Attackers", "population": pop(hundred), "low": 500, "best": 500, "high": 500, "sources": 1,
         "low_from": [military], "best_from": [military], "high_from": [military]},
    ]


def test_statements_over_time(contested_client) -> None:  # type: ignore[no-untyped-def]
    body = contested_client.get("/graph/actors/actor.interior-ministry/statements").json()
    assert body["actor"] == MINISTRY
    assert [(s["claim"], s["role"], s["date"], s["claimant"]["id"]) for s in body["statements"]] == [
        (C_MINISTRY, "claimant", "2020-03-04", "actor.interior-ministry"),
        (C_BRAN, "on_behalf_of", "2020-03-05", "actor.person.ivo-bran"),
    ]
    first = body["statements"][0]
    assert first == {
        "claim": C_MINISTRY, "role": "claimant", "claimant": {"id": MINISTRY["id"], "label": "Interior Ministry"},
        "date": "2020-03-04", "date_basis": "DateStated", "stance": "Asserts", "certainty": "certain", "hedges": [],
        "channel": "Statement", "reported_via": None,
        "events": [{"id": EVENT, "label": "Attack, Valetown (North Province), 2020-03-03"}],
        "figures": [{"id": first["figures"][0]["id"], "measure": "Killed", "low": 12, "high": None,
                     "qualifier": "AtLeast", "surface": "at least 12", "counted_group": "guards",
                     "population": {"id": f"population.{EVENT.split('.', 1)[1]}.soldiers", "label": "soldiers"}}],
        "quote": "The Interior Ministry said on Wednesday that at least 12 guards were killed.",
        "source": {"id": f"article.{A1}", "headline": "Rebels attack border post", "published": "2020-03-05",
                   "url": None},
    }
    assert body["statements"][1]["reported_via"] == {"id": "actor.agency-x", "label": "Agency X"}
    ministry = contested_client.get("/graph/actors/actor.org.foreign-ministry/statements").json()
    assert [(s["date"], [f["surface"] for f in s["figures"]]) for s in ministry["statements"]] == [
        ("2020-04-08", ["five"]), ("2020-04-10", ["several dozen"])]


@pytest.mark.parametrize("url", [
    "/graph/nodes/actor.nobody",
    "/graph/nodes/actor.nobody/neighbours",
    "/graph/paths?source=actor.freedom-front&target=actor.nobody",
    f"/graph/events/{EVENT.replace('attack', 'clash')}/figures",
    "/graph/events/actor.interior-ministry/figures",  # an actor is not an event
    f"/graph/actors/{EVENT}/statements",
])
def test_unknown_ids_are_404(client, url: str) -> None:  # type: ignore[no-untyped-def]
    r = client.get(url)
    assert r.status_code == 404
    assert r.json()["error"] == "E061"
    assert "no " in r.json()["message"]


@pytest.mark.parametrize(("url", "message"), [
    ("/graph/nodes/actor.interior-ministry/neighbours?depth=0", "depth must be between 1 and 4; got 0"),
    ("/graph/nodes/actor.interior-ministry/neighbours?depth=9", "depth must be between 1 and 4; got 9"),
    ("/graph/nodes/actor.interior-ministry/neighbours?types=Place",
     "node type must be one of Actor, Event, Claim, Article; got 'Place'"),
    ("/graph/nodes/actor.interior-ministry/neighbours?direction=up",
     "direction must be one of both, out, in; got 'up'"),
    ("/graph/centrality?measure=closeness", "measure must be one of degree, betweenness, pagerank; got 'closeness'"),
    ("/graph/centrality?top=0", "top must be between 1 and 1000; got 0"),
    ("/graph/paths?source=actor.freedom-front&target=actor.agency-x&limit=0", "limit must be between 1 and 100; got 0"),
    ("/graph/nodes/actor.interior-ministry?view=people", "view must be one of actor-event, claims; got 'people'"),
    ("/graph/export?format=xml", "format must be one of graphml, gexf, json; got 'xml'"),
])
def test_bad_parameters_are_422_with_a_message(client, url: str, message: str) -> None:  # type: ignore[no-untyped-def]
    r = client.get(url)
    assert r.status_code == 422
    assert r.json() == {"error": "E070", "message": message}


def test_openapi_documents_typed_responses(client) -> None:  # type: ignore[no-untyped-def]
    schema = client.get("/openapi.json").json()
    figures = schema["paths"]["/graph/events/{event_id}/figures"]["get"]
    assert figures["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ContestedFigures"}
    conflict = schema["components"]["schemas"]["Conflict"]["properties"]
    assert {"first", "second", "first_range", "second_range", "same_group", "same_claimant", "reason"} <= set(conflict)
    params = {p["name"]: p for p in schema["paths"]["/graph/centrality"]["get"]["parameters"]}
    assert params["measure"]["schema"]["enum"] == ["degree", "betweenness", "pagerank"]
    export = schema["paths"]["/graph/export"]["get"]["responses"]["200"]["content"]
    assert {"application/graphml+xml", "application/gexf+xml", "application/json"} <= set(export)
