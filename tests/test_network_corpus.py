"""The graph API on the real corpus graph (data/turtle): the Khasham event's contested figures, valid exports."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fixtures_network import SCHEMAS, make_service
from lxml import etree

from conflictkg.projection import node_id
from conflictkg.resources import TURTLE_DIR
from conflictkg.store import EmbeddedStore

pytestmark = pytest.mark.skipif(not any(TURTLE_DIR.glob("*.ttl")), reason="no corpus graph in data/turtle yet")
#: The Khasham attack: the event of 7 February 2018 in Deir ez-Zor governorate (its key is the linker's).
_KHASHAM = """SELECT ?e WHERE { ?e a ckg:Event ; sem:hasEarliestBeginTimeStamp "2018-02-07"^^xsd:date ;
  sem:hasPlace/ckg:partOf* <https://w3id.org/conflictkg/id/place/deir-ez-zor-governorate> }"""


@pytest.fixture(scope="module")
def service():  # type: ignore[no-untyped-def]
    service = make_service(EmbeddedStore(None))
    assert service.ensure_loaded() > 0
    return service


@pytest.fixture(scope="module")
def khasham(service) -> str:  # type: ignore[no-untyped-def]
    rows = service.store.select(_KHASHAM)
    assert len(rows) == 1
    return node_id(str(rows[0]["e"]))


def _figures(body: dict[str, Any], measure: str) -> list[dict[str, Any]]:
    return next((m["figures"] for m in body["measures"] if m["measure"] == measure), [])


def _speaks_for(f: dict[str, Any], actor: str) -> bool:
    return f["claimant"]["id"] == actor or (f["on_behalf_of"] or {}).get("id") == actor


def test_khasham_contested_figures(service, khasham) -> None:  # type: ignore[no-untyped-def]
    body = service.network.contested_figures(khasham)
    killed = _figures(body, "Killed")
    dates = [f["date"] or "9999" for f in killed]
    assert dates == sorted(dates), "ordered by claim date"
    five = [f for f in killed if f["surface"].lower() == "five" and _speaks_for(f, "actor.russian-mfa")]
    assert five and five[0]["low"] == five[0]["high"] == 5 and five[0]["qualifier"] == "Exact"
    dozen = [f for m in ("Killed", "KilledOrWounded") for f in _figures(body, m)
             if f["surface"].lower() == "several dozen" and _speaks_for(f, "actor.russian-mfa")]
    assert dozen and dozen[0]["low"] == 24 and dozen[0]["high"] is None
    assert dozen[0]["date"] > five[0]["date"], "the ministry's 'several dozen' came later"
    about_100 = [f for f in killed if f["surface"] == "about 100" and f["claimant"]["id"] == "actor.us-dod"]
    about_500 = [f for f in _figures(body, "Attackers") if f["surface"] == "about 500"]
    assert about_100 and about_500 and about_100[0]["claim"] == about_500[0]["claim"], "about 100 of about 500"
    reports = {f["surface"].lower(): f for f in killed}
    assert {"more than 100", "more than 200"} <= set(reports)
    for f in [five[0], dozen[0], about_100[0], reports["more than 100"], reports["more than 200"]]:
        assert f["claimant"]["label"] and f["date"] and f["source"]["headline"]
    pairs = {(c["first"], c["second"]) for m in body["measures"] for c in m["conflicts"]}
    assert (five[0]["id"], reports["more than 200"]["id"]) in pairs or (
        reports["more than 200"]["id"], five[0]["id"]) in pairs


def test_ministry_statements_over_time(service) -> None:  # type: ignore[no-untyped-def]
    body = service.network.statements("actor.russian-mfa")
    dates = [s["date"] for s in body["statements"]]
    assert dates == sorted(dates) and len(dates) >= 2
    assert {s["role"] for s in body["statements"]} == {"claimant", "on_behalf_of"}


@pytest.mark.parametrize("view", ["actor-event", "claims"])
def test_corpus_exports_validate(service, view: str) -> None:  # type: ignore[no-untyped-def]
    schemas = {"graphml": etree.XMLSchema(etree.parse(str(SCHEMAS / "graphml-1.0" / "graphml.xsd"))),
               "gexf": etree.RelaxNG(etree.parse(str(SCHEMAS / "gexf-1.3" / "gexf.rng")))}
    for fmt, schema in schemas.items():
        buf = io.BytesIO()
        service.network.write(fmt, view, buf)
        doc = etree.fromstring(buf.getvalue()).getroottree()
        assert schema.validate(doc), schema.error_log
