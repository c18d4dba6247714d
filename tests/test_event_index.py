"""Events in the store: link keys, linking against stored reports, and the same events whatever
the order articles arrive in (built as a folder, ingested one by one, added through the API)."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from conflictkg.config import Settings
from conflictkg.event_index import link_keys
from conflictkg.event_linking import Report
from conflictkg.model import Article, ArticleMeta, PartialDate
from conflictkg.service import GraphService
from conflictkg.store import EmbeddedStore

with warnings.catch_warnings():  # starlette warns about httpx at import; not our concern here
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from conflictkg.api.app import create_app  # noqa: E402

#: Invented reports of two events in Idlib province: an air strike on Kafr Nabl on 3 June 2021
#: (one article without a publication date) and shelling of Maarat al-Numan two weeks later.
ARTICLES = {
    "a1.txt": ("2021-06-04", "Air strikes hit a market in the town of Kafr Nabl in Idlib province on Thursday, "
                             "killing 14 civilians, the Syrian Observatory for Human Rights said.\n"),
    "a2.txt": ("2021-06-05", "The monitor said on Friday that the strike on the Kafr Nabl market on June 3 had killed "
                             "14 people.\n"),
    "a3.txt": (None, "Rescuers in Kafr Nabl, in Syria's Idlib province, pulled bodies from the rubble of the market after the air strike, "
                     "a local official said.\n"),
    "a4.txt": ("2021-06-20", "Shelling of Maarat al-Numan in Idlib province killed 3 people on Saturday, "
                             "activists said.\n"),
    "a5.txt": ("2021-06-04", "Government warplanes struck Kafr Nabl in Idlib on June 3, a rebel commander said.\n"),
}
TOKEN = "events-test-token"


def _article(name: str) -> Article:
    published, text = ARTICLES[name]
    return Article(text=text, meta=ArticleMeta(file_name=name, published=dt.date.fromisoformat(published) if published else None))


def _service() -> GraphService:
    return GraphService(settings=Settings.from_env().with_(store=None, turtle_dir=None, token=TOKEN),
                        store=EmbeddedStore(None))


def _events(service: GraphService) -> list[tuple[str, str, tuple[str, ...]]]:
    """Every event: (key, label, the files of the articles that report it); and every claim's event."""
    rows = service.store.select("""SELECT ?e ?label ?file WHERE { ?e a ckg:Event ; rdfs:label ?label ; ckg:reportedBy ?r .
        ?r ckg:reportOf ?e ; ckg:reportedIn/ckg:fileName ?file }""")
    found: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        found.setdefault((str(r["e"]).rsplit("/", 1)[-1], str(r["label"])), set()).add(str(r["file"]))
    claims = service.store.select("SELECT ?c ?e WHERE { ?c ckg:about ?e }")
    assert {str(c["e"]).rsplit("/", 1)[-1] for c in claims} <= {k for k, _ in found}  # no claim about a stale event
    return sorted((k, label, tuple(sorted(files))) for (k, label), files in found.items())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, tuple[str, ...]]]:
    folder = tmp_path_factory.mktemp("idlib")
    for name, (published, text) in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "metadata.json").write_text(json.dumps([{"file": n, "published": p} for n, (p, _) in ARTICLES.items()]),
                                          encoding="utf-8")
    with _service() as service:
        assert service.builder.build(folder).ok
        return _events(service)


def test_the_folder_gives_two_events(built) -> None:  # type: ignore[no-untyped-def]
    assert [(label, files) for _, label, files in built] == [
        ("Air strike, Kafranbel (Idlib Governorate), 2021-06-03", ("a1.txt", "a2.txt", "a3.txt", "a5.txt")),
        ("Shelling, Maarat al-Numan (Idlib Governorate), 2021-06-19", ("a4.txt",)),
    ]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.permutations(sorted(ARTICLES)))
def test_ingesting_one_by_one_in_any_order_gives_the_same_events(built, order: list[str]) -> None:  # type: ignore[no-untyped-def]
    with _service() as service:
        for name in order:
            service.builder.ingest(_article(name))
        assert _events(service) == built
        assert service.validator.validate_store(service.store).conforms


def test_adding_through_the_api_gives_the_same_events(built) -> None:  # type: ignore[no-untyped-def]
    with _service() as service:
        client = TestClient(create_app(service))
        for name in ("a5.txt", "a3.txt", "a4.txt", "a2.txt", "a1.txt"):
            published, text = ARTICLES[name]
            answer = client.post("/api/articles", json={"text": text, "published": published, "file_name": name},
                                 headers={"Authorization": f"Bearer {TOKEN}"})
            assert answer.status_code == 201, answer.text
        assert _events(service) == built


def test_merge_and_split_follow_the_analyst_and_can_be_undone(built) -> None:  # type: ignore[no-untyped-def]
    with _service() as service:
        for name in sorted(ARTICLES):
            service.builder.ingest(_article(name))
        strike = _events(service)[0][0]
        a3 = _article("a3.txt").key
        client = TestClient(create_app(service))
        refused = client.post(f"/graph/events/{strike}/split", json={"article": a3})
        assert refused.status_code == 401 and refused.json()["error"] == "E058"
        answer = client.post(f"/graph/events/{strike}/split", json={"article": a3, "note": "no date: not sure"},
                             headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert [r["article"] for r in body["split"]["reports"]] == [a3] and len(body["rest"]["reports"]) == 3
        assert len(_events(service)) == 3
        # The split holds when another report arrives, and a merge undoes it.
        again = client.post("/graph/events/merge", json={"event": body["split"]["event"], "other": body["rest"]["event"]},
                            headers={"Authorization": f"Bearer {TOKEN}"})
        assert again.status_code == 200 and len(again.json()["reports"]) == 4
        assert _events(service) == built
        shown = client.get(f"/graph/events/event.{strike}/reports").json()
        assert shown["label"] == built[0][1] and {r["article"] for r in shown["reports"]} == {
            _article(n).key for n in ("a1.txt", "a2.txt", "a3.txt", "a5.txt")}
        linked = [r for r in shown["reports"] if r["linked_to"]]
        assert linked and all(r["features"] and r["score"] is not None for r in linked)  # the merge, or the link
        missing = client.get("/graph/events/nothing-here/reports")
        assert missing.status_code == 404 and missing.json()["error"] == "E125"
        assert client.post("/graph/events/merge", json={"event": strike, "other": strike},
                           headers={"Authorization": f"Bearer {TOKEN}"}).json()["error"] == "E126"


def test_link_keys_are_weeks_and_countries(resources) -> None:  # type: ignore[no-untyped-def]
    gaz, rules = resources.gazetteer, resources.rules
    dated = Report("k-1", "k", ("AirStrike",), PartialDate(2021, 6, 3), None, dt.date(2021, 6, 4), "gn/168661")
    assert link_keys(dated, rules, gaz) == ("country:SY", "week:2021-W22:SY")
    undated = Report("k-2", "k", ("AirStrike",), None, None, dt.date(2021, 6, 4), "gn/168661")
    assert link_keys(undated, rules, gaz) == ("country:SY", "week:2021-W20:SY", "week:2021-W21:SY", "week:2021-W22:SY")
    untimed = Report("k-3", "k", ("AirStrike",), None, None, None, "gn/168661")
    assert link_keys(untimed, rules, gaz) == ("country:SY", "untimed:SY")
    assert link_keys(Report("k-4", "k", ("Attack",)), rules, gaz) == ("untimed:-",)


def test_the_cli_shows_and_splits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conflictkg.cli import main

    store = tmp_path / "store"
    with GraphService(settings=Settings.from_env().with_(store=store, turtle_dir=tmp_path / "t")) as service:
        for name in sorted(ARTICLES):
            service.builder.ingest(_article(name))
        strike = _events(service)[0][0]
    assert main(["--store", str(store), "events", "show", strike]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert len(shown["reports"]) == 4
    assert main(["--store", str(store), "events", "split", strike, "--article", _article("a1.txt").key]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["split"]["reports"]) == 1 and len(out["rest"]["reports"]) == 3
    assert main(["--store", str(store), "events", "split", strike, "--article", "0000"]) == 2
    assert capsys.readouterr().err.startswith("conflictkg: [E127] article '0000' has no report of event")
