"""Shared helpers for the graph API and export tests: stores, the app, and a contested-figures story.

``contested_graphs()`` adds an invented article (no real text) shaped like the Khasham
reports: a ministry's "five", its later "several dozen", a military's "about 100 of about
500", and reports of "more than 100" and "more than 200".
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from conflictkg.config import Settings
from conflictkg.derived import Derivation
from conflictkg.event_linking import Group
from conflictkg.fixtures import NORTH, VALETOWN, fixture_graphs
from conflictkg.model import (ActorRecord, Article, ArticleMeta, Claim, EventRecord, Figure, PartialDate,
                              PopulationRecord, Span)
from conflictkg.namespaces import CKGID, article_graph, event_graph
from conflictkg.rdf import claim_iri, figure_iri, write_article, write_event
from conflictkg.service import GraphService
from conflictkg.store import EmbeddedStore

with warnings.catch_warnings():  # starlette warns about httpx at import; not our concern here
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from conflictkg.api.app import create_app  # noqa: E402

JS_DIR = Path(__file__).parent / "js"
#: The GraphML XSD and GEXF 1.3 RELAX NG schemas in ../shared/schemas (beside the clone, as in CI).
SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "schemas"

CONTESTED_EVENT = "2020-04-07-north-province-clash"
CONTESTED_TEXT = (
    "Clash near Valetown leaves many dead\n\n"
    "The Foreign Ministry said on Wednesday that five citizens were killed in the clash near Valetown.\n\n"
    "On Friday the Foreign Ministry said several dozen citizens had been killed.\n\n"
    "The coalition military said on Thursday that about 100 of about 500 attackers were killed.\n\n"
    "A monitor said more than 150 attackers were killed, while a local council said more than 200 died.\n"
)
MINISTRY = str(CKGID["actor/org/foreign-ministry"])
MILITARY = str(CKGID["actor/org/coalition-military"])


def _span(text: str, fragment: str) -> Span:
    start = text.index(fragment)
    return Span(start, start + len(fragment))


#: Who the story's figures count, as the ``populations`` component would place them knowing that
#: the ministry speaks for North: its citizens, the attacking side, and everyone killed (no group).
STORY_POPULATIONS = {
    "citizens": PopulationRecord(kind="People", nationality=NORTH, rules=("population.kind.people",),
                                 label="North people"),
    "attackers": PopulationRecord(kind="Fighters", role="AttackingSide", rules=("population.kind.fighters",),
                                  label="attacking fighters"),
    "": PopulationRecord(kind="People", rules=("population.no-group",), label="people"),
}


def contested_story() -> tuple[Article, list[Claim], EventRecord, list[ActorRecord]]:
    """The invented article, its claims, its event and the actors it names."""
    text = CONTESTED_TEXT
    article = Article(text=text, meta=ArticleMeta(file_name="k1.txt", published=dt.date(2020, 4, 12),
                                                 date_basis="stated"))
    s = lambda frag: _span(text, frag)  # noqa: E731
    monitor = str(CKGID[f"actor/unnamed/{article.key}/monitor"])
    council = str(CKGID[f"actor/unnamed/{article.key}/local-council"])
    actors = [
        ActorRecord(iri=MINISTRY, label="Foreign Ministry", types=("Organisation", "Ministry"),
                    evidence=s("The Foreign Ministry"), rule="actor.org-from-text"),
        ActorRecord(iri=MILITARY, label="coalition military", types=("Organisation", "ArmedForce"),
                    evidence=s("The coalition military"), rule="actor.org-from-text"),
        ActorRecord(iri=monitor, label="monitor", types=("UnnamedSource",), evidence=s("A monitor"),
                    scoped_to_article=True, rule="actor.unnamed-descriptor"),
        ActorRecord(iri=council, label="local council", types=("UnnamedSource",), evidence=s("a local council"),
                    scoped_to_article=True, rule="actor.unnamed-descriptor"),
    ]
    event = EventRecord(key=CONTESTED_EVENT, label="Clashes, Valetown (North Province), 2020-04-07", types=("Clash",),
                        begin=PartialDate(2020, 4, 7), end=None, places=["valetown"], place="valetown",
                        actors=[MILITARY], mentions=[s("the clash near Valetown")], rules=["event.clash"],
                        link_keys=("week:2020-W15:-",))

    def fig(measure: str, low: int | None, high: int | None, qualifier: str, surface: str, group: str | None,
            within: str) -> Figure:
        start = text.index(within) + within.index(surface)
        return Figure(measure=measure, low=low, high=high, qualifier=qualifier, surface=surface,
                      span=Span(start, start + len(surface)), group=group, rule=f"figure.{qualifier}",
                      population=STORY_POPULATIONS.get(group or ""))

    sent = {
        "five": "The Foreign Ministry said on Wednesday that five citizens were killed in the clash near Valetown.",
        "dozen": "On Friday the Foreign Ministry said several dozen citizens had been killed.",
        "hundred": "The coalition military said on Thursday that about 100 of about 500 attackers were killed.",
        "monitor": "A monitor said more than 150 attackers were killed,",
        "council": "a local council said more than 200 died.",
    }
    claims = [
        Claim(claimant=MINISTRY, span=s(sent["five"]), date=PartialDate(2020, 4, 8), date_stated=True,
              events=[CONTESTED_EVENT], channel="statement", rules=["attr.subject-said"],
              figures=[fig("killed", 5, 5, "exact", "five", "citizens", sent["five"])]),
        Claim(claimant=MINISTRY, span=s(sent["dozen"]), date=PartialDate(2020, 4, 10), date_stated=True,
              events=[CONTESTED_EVENT], rules=["attr.subject-said"],
              figures=[fig("killed", 24, None, "vague", "several dozen", "citizens", sent["dozen"])]),
        Claim(claimant=MILITARY, span=s(sent["hundred"]), date=PartialDate(2020, 4, 9), date_stated=True,
              events=[CONTESTED_EVENT], channel="briefing", rules=["attr.subject-said"],
              figures=[fig("killed", 100, 100, "approximately", "about 100", "attackers", sent["hundred"]),
                       fig("attackers", 500, 500, "approximately", "about 500", "attackers", sent["hundred"])]),
        Claim(claimant=monitor, span=s(sent["monitor"]), date=PartialDate(2020, 4, 12), events=[CONTESTED_EVENT],
              rules=["attr.subject-said"],
              figures=[fig("killed", 151, None, "more_than", "more than 150", "attackers", sent["monitor"])]),
        Claim(claimant=council, span=s(sent["council"]), date=PartialDate(2020, 4, 12), events=[CONTESTED_EVENT],
              rules=["attr.subject-said"],
              figures=[fig("killed", 201, None, "more_than", "more than 200", None, sent["council"])]),
    ]
    return article, claims, event, actors


def contested_graphs() -> dict[URIRef, Graph]:
    article, claims, event, actors = contested_story()
    g = write_article(article, title="Clash near Valetown leaves many dead", title_basis="text", publisher=None,
                      claims=claims, events=[event], actors=actors)
    return {article_graph(article.key): g, event_graph(event.key): write_event(Group.of(article.key, event))}


def claim_slug(article: Article, claim: Claim) -> str:
    """The expected node id of a claim, computed from the model's IRI rules (docs/model.md)."""
    return "claim." + str(claim_iri(article.key, claim)).rsplit("/", 1)[1]


def figure_slug(article: Article, claim: Claim, index: int) -> str:
    return "figure." + str(figure_iri(claim_iri(article.key, claim), claim.figures[index])).rsplit("/", 1)[1]


def make_store(*, contested: bool = False) -> EmbeddedStore:
    """The fixture graphs (and the contested story), with the derived graphs every write brings along."""
    store = EmbeddedStore(None)
    graphs = dict(fixture_graphs())
    if contested:
        graphs.update(contested_graphs())
    store.replace_graphs(graphs)
    store.replace_graphs(Derivation(store).rebuild())
    return store


def make_service(store: EmbeddedStore) -> GraphService:
    return GraphService(settings=Settings.from_env().with_(store=None), store=store)


def make_client(*, contested: bool = False) -> TestClient:
    return TestClient(create_app(make_service(make_store(contested=contested))))


def node_available() -> bool:
    return shutil.which("node") is not None


def graphology_read(fmt: str, path: Path) -> dict[str, Any]:
    """Parse an export with graphology (``tests/js/read_graph.js``); nodes and edges as JSON."""
    if not (JS_DIR / "node_modules" / "graphology-gexf").exists():
        raise RuntimeError("graphology parsers not installed: run .ci/npm.sh")
    done = subprocess.run(["node", str(JS_DIR / "read_graph.js"), fmt, str(path)], capture_output=True,
                          text=True, timeout=60, check=False)
    if done.returncode:
        raise AssertionError(f"graphology could not parse {path}: {done.stderr}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]
