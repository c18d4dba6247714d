"""The workbench's "add" from files, addresses and feeds (/api/extract, /api/fetch, /api/add) and /api/labels.

A real app over a real store; the pages come from the invented site on loopback (tests/fixtures_web.py).
Fetching through the API is for token holders, and the server refuses loopback addresses unless
``--fetch-private`` (``fetch_private``) allows them.
"""

from __future__ import annotations

import base64
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from conflictkg.config import Settings
from conflictkg.service import GraphService

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from conflictkg.api.app import create_app  # noqa: E402

from fixtures_web import BRIDGE, DAM, Site, page, standard_site  # noqa: E402

TOKEN = "sources-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    s = standard_site()
    yield s
    s.stop()


def client_for(tmp: Path, **settings: object) -> tuple[TestClient, GraphService]:
    values = {"store": None, "corpus_dir": tmp / "none", "token": TOKEN, "fetch_private": True, "fetch_timeout": 2.0,
              **settings}
    service = GraphService(settings=Settings(**values))  # type: ignore[arg-type]
    return TestClient(create_app(service)), service


def test_fetching_needs_the_token_and_a_public_address(tmp_path: Path, site: Site) -> None:
    client, service = client_for(tmp_path, fetch_private=False)
    url = site.url("/news/dam.html")
    for path in ("/api/fetch", "/api/add"):
        answer = client.post(path, json={"url": url})
        assert answer.status_code == 401 and answer.json()["error"] == "E058"
    hits = list(site.hits)
    answer = client.post("/api/fetch", json={"url": url}, headers=AUTH)
    assert answer.status_code == 400
    assert answer.json()["error"] == "E118"
    assert answer.json()["message"].startswith("127.0.0.1: refused: 127.0.0.1 is a loopback, private or otherwise "
                                               "non-public address (127.0.0.1)")
    assert site.hits == hits
    read_only, _ = client_for(tmp_path, token=None)
    assert read_only.post("/api/fetch", json={"url": url}).status_code == 403
    service.close()


def test_fetch_shows_a_page_and_a_feed_without_committing(tmp_path: Path, site: Site) -> None:
    client, service = client_for(tmp_path)
    url = site.url("/news/dam.html")
    answer = client.post("/api/fetch", json={"url": url}, headers=AUTH)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "kind": "page", "source": url, "in_store": False, "title": None, "items": None, "warnings": [],
        "article": {"text": "\n\n".join([DAM["title"], *DAM["paragraphs"]]) + "\n", "title": DAM["title"],
                    "published": "2024-04-02", "publisher": "The Valley Courier", "url": url,
                    "file_name": "127.0.0.1-news-dam.html", "date_basis": "page metadata (htmldate)"}}
    feed = client.post("/api/fetch", json={"url": site.url("/feed.xml")}, headers=AUTH).json()
    assert (feed["kind"], feed["title"], [(i["url"], i["in_store"]) for i in feed["items"]]) == (
        "feed", "The Valley Courier: World", [(url, False), (site.url("/news/bridge.html"), False)])
    assert client.get("/api/articles").json() == []
    service.close()


def test_add_a_feed_twice_and_a_bad_page(tmp_path: Path, site: Site) -> None:
    client, service = client_for(tmp_path)
    first = client.post("/api/add", json={"url": site.url("/feed.xml")}, headers=AUTH)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["added"], body["skipped"], body["failed"]) == (2, 0, 0)
    assert [(o["source"], o["status"], o["title"]) for o in body["outcomes"]] == [
        (site.url("/news/dam.html"), "added", DAM["title"]), (site.url("/news/bridge.html"), "added", BRIDGE["title"])]
    again = client.post("/api/add", json={"url": site.url("/feed.xml")}, headers=AUTH).json()
    assert (again["added"], again["skipped"]) == (0, 2)
    fetched = client.post("/api/fetch", json={"url": site.url("/feed.xml")}, headers=AUTH).json()
    assert [i["in_store"] for i in fetched["items"]] == [True, True]
    listed = client.get("/api/articles").json()
    detail = client.get(f"/api/articles/{listed[0]['key']}").json()
    assert detail["text_source"] == "added" and detail["text"] is not None
    bad = client.post("/api/add", json={"url": site.url("/missing")}, headers=AUTH)
    assert (bad.status_code, bad.json()) == (400, {"error": "E115", "message": f"{site.url('/missing')}: the server "
                                                                               "answered HTTP 404 Not Found"})
    assert len(client.get("/api/articles").json()) == 2
    service.close()


def test_a_chosen_html_file_is_read_like_a_saved_page(tmp_path: Path) -> None:
    client, service = client_for(tmp_path)
    data = base64.b64encode(page(BRIDGE).encode()).decode()
    answer = client.post("/api/extract", json={"file_base64": data, "file_name": "bridge.html"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["text"] == "\n\n".join([BRIDGE["title"], *BRIDGE["paragraphs"]]) + "\n"
    assert body["article"] == {"title": BRIDGE["title"], "published": "2024-04-05", "publisher": "The Valley Courier",
                               "url": None, "date_basis": "page metadata (htmldate)", "file_name": "bridge.html"}
    assert [c["evidence"] for c in body["claims"]][-1] == BRIDGE["paragraphs"][1]
    # the form's fields win over what the page says
    body = client.post("/api/extract", json={"file_base64": data, "file_name": "bridge.html", "published": "2024-04-06",
                                             "title": "Kessel bridge"}).json()
    assert (body["article"]["published"], body["article"]["date_basis"], body["title"]) == (
        "2024-04-06", "given on the workbench page", "Kessel bridge")
    bad = client.post("/api/extract", json={"file_base64": base64.b64encode(b"%PDF-1.4\x00\x01").decode(),
                                            "file_name": "report.pdf"})
    assert bad.status_code == 400 and bad.json()["error"] == "E116"
    latin = client.post("/api/extract", json={"file_base64": base64.b64encode("caf\xe9 said".encode("latin-1")).decode(),
                                              "file_name": "note.txt"})
    assert (latin.status_code, latin.json()["error"]) == (400, "E033")
    added = client.post("/api/articles", json={"file_base64": data, "file_name": "bridge.html"}, headers=AUTH)
    assert added.status_code == 201, added.text
    detail = client.get(f"/api/articles/{added.json()['key']}").json()
    assert (detail["headline"], detail["published"], detail["text"]) == (BRIDGE["title"], "2024-04-05", body["text"])
    service.close()


def test_labels_of_iris(tmp_path: Path) -> None:
    client, service = client_for(tmp_path)
    service.ensure_loaded()
    russia = "https://w3id.org/conflictkg/id/actor/russian-government"
    answer = client.post("/api/labels", json={"iris": [russia, "https://example.org/nothing", "not an iri"]})
    assert (answer.status_code, answer.json()) == (200, {russia: "Government of Russia"})
    assert client.post("/api/labels", json={"iris": ["x"] * 5001}).status_code == 422
    service.close()
