"""The workbench's JSON routes (/api/...) and its page and assets (/, /static, /vendor): exact bodies.

A real in-memory store loaded with the committed graph (``data/turtle``), the real app, and
one more article (``palmyra.txt``) added through the real pipeline and SHACL gate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conflictkg.namespaces import short_hash
from conflictkg.config import Settings
from conflictkg.model import Article, ArticleMeta
from conflictkg.resources import QUERIES_DIR
from conflictkg.service import GraphService

with warnings.catch_warnings():  # starlette warns about httpx at import; not our concern here
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from conflictkg.api.app import create_app  # noqa: E402

TOKEN = "s3cret-token"
ID = "https://w3id.org/conflictkg/id/"
TEXT = (
    "Clashes near Palmyra leave dozens dead\n\n"
    "Russian Foreign Ministry spokeswoman Maria Zakharova said on Tuesday that at least 12 Russian citizens "
    "were killed in the clash near Palmyra in Homs province.\n\n"
    "The Syrian Observatory for Human Rights said more than 40 fighters were killed in the clash.\n"
)
KEY = hashlib.sha256(TEXT.encode()).hexdigest()[:16]
# The event's key: no date, its place, its family, and the hash of its first report (the article's first event).
EVENT = ID + f"event/undated-palmyra-homs-governorate-combat-{short_hash(KEY + '-1', length=6)}"
EVENT_REF = {"iri": EVENT, "label": "Clashes, Palmyra (Homs Governorate), date unknown (reported by 2018-03-08)"}
ZAKHAROVA, MFA, RUSSIA, SYRIA, SOHR = (ID + "actor/" + a for a in
                                       ("maria-zakharova", "russian-mfa", "russian-government",
                                        "syrian-government", "sohr"))
Z_EVIDENCE = ("Russian Foreign Ministry spokeswoman Maria Zakharova said on Tuesday that at least 12 Russian "
              "citizens were killed in the clash near Palmyra in Homs province.")
S_EVIDENCE = "The Syrian Observatory for Human Rights said more than 40 fighters were killed in the clash."
Z_START, S_START = TEXT.index(Z_EVIDENCE), TEXT.index(S_EVIDENCE)
BODY = {"text": TEXT, "published": "2018-03-08", "title": "Clashes near Palmyra", "file_name": "palmyra.txt"}

ZAKHAROVA_ROW = {
    "claim": ID + f"claim/{KEY}-f1d071e77e0b",
    "article_key": KEY,
    "article_file": "palmyra.txt",
    "article_headline": "Clashes near Palmyra",
    "claimant": {"iri": ZAKHAROVA, "label": "Maria Zakharova"},
    "on_behalf_of": {"iri": MFA, "label": "Russian Ministry of Foreign Affairs"},
    "side": {"iri": RUSSIA, "label": "Government of Russia"},
    "side_chain": [{"iri": ZAKHAROVA, "label": "Maria Zakharova"},
                   {"iri": MFA, "label": "Russian Ministry of Foreign Affairs"},
                   {"iri": RUSSIA, "label": "Government of Russia"}],
    "allies": [{"iri": SYRIA, "label": "Government of Syria"}],
    "date": "2018-03-06",
    "date_basis": "date stated",
    "events": [EVENT_REF],
    "stance": "asserts",
    "certainty": "certain",
    "hedges": [],
    "channel": None,
    "reported_via": None,
    "figures": [{"measure": "killed", "low": 12, "high": None, "qualifier": "at_least", "surface": "at least 12",
                 "group": "Russian citizens"}],
    "spans": [{"start": Z_START, "end": Z_START + len(Z_EVIDENCE), "exact": Z_EVIDENCE}],
    "rules": ["cue.said", "date.weekday", "event.in-evidence", "speaker.dictionary-person"],  # the rule that read "on Tuesday"
}
SOHR_ROW = {
    "claim": ID + f"claim/{KEY}-2cb767fff742",
    "article_key": KEY,
    "article_file": "palmyra.txt",
    "article_headline": "Clashes near Palmyra",
    "claimant": {"iri": SOHR, "label": "Syrian Observatory for Human Rights"},
    "on_behalf_of": None,
    "side": None,  # a monitor speaks for no side (the dictionary states none)
    "side_chain": [],
    "allies": [],
    "date": "2018-03-08",
    "date_basis": "date of report",
    "events": [EVENT_REF],
    "stance": "asserts",
    "certainty": "certain",
    "hedges": [],
    "channel": None,
    "reported_via": None,
    "figures": [{"measure": "killed", "low": 41, "high": None, "qualifier": "more_than", "surface": "more than 40",
                 "group": "fighters"}],
    "spans": [{"start": S_START, "end": S_START + len(S_EVIDENCE), "exact": S_EVIDENCE}],
    "rules": ["cue.said", "event.in-evidence", "speaker.dictionary"],
}


def make_service(tmp: Path, **settings: Any) -> GraphService:
    values: dict[str, Any] = {"store": None, "corpus_dir": tmp / "corpus", "token": TOKEN}
    values.update(settings)
    service = GraphService(settings=Settings(**values))
    service.ensure_loaded()
    return service


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphService]:
    tmp = tmp_path_factory.mktemp("ui-api")
    (tmp / "corpus").mkdir()
    service = make_service(tmp)
    yield service
    service.close()


@pytest.fixture(scope="module")
def client(service: GraphService) -> TestClient:
    client = TestClient(create_app(service))
    answer = client.post("/api/articles", json=BODY, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"key": KEY, "graph": f"https://w3id.org/conflictkg/graph/article/{KEY}", "claims": 2,
                             "events": 1, "file_name": "palmyra.txt", "warnings": []}
    return client


# --- claims explorer ----------------------------------------------------------------------


def test_claims_of_one_article_exact(client: TestClient) -> None:
    body = client.get("/api/claims", params={"article": KEY}).json()
    assert body == {"total": 2, "offset": 0, "limit": 50, "sort": "article", "rows": [ZAKHAROVA_ROW, SOHR_ROW]}


def test_side_follows_affiliation_and_backing(client: TestClient) -> None:
    def claims(**params: str) -> list[str]:
        return [r["claim"] for r in client.get("/api/claims", params={"article": KEY, **params}).json()["rows"]]

    assert claims(side=RUSSIA) == [ZAKHAROVA_ROW["claim"]]
    assert claims(side=MFA) == [ZAKHAROVA_ROW["claim"]]
    assert claims(side=SYRIA) == []  # Russia backs Syria: an ally, not the same side ...
    assert claims(side=SYRIA, allies="true") == [ZAKHAROVA_ROW["claim"]]  # ... unless allies are asked for
    assert claims(side=SOHR) == []  # a monitor is no side


def test_other_filters(client: TestClient) -> None:
    def claims(**params: str) -> list[str]:
        return [r["claim"] for r in client.get("/api/claims", params={"article": KEY, **params}).json()["rows"]]

    z, s = ZAKHAROVA_ROW["claim"], SOHR_ROW["claim"]
    assert claims(event=EVENT) == [z, s]
    assert claims(claimant=SOHR) == [s]
    assert claims(measure="killed") == [z, s]
    assert claims(measure="wounded") == []
    assert claims(stance="asserts") == [z, s]
    assert claims(stance="denies") == []
    assert claims(**{"from": "2018-03-07"}) == [s]
    assert claims(to="2018-03-06") == [z]
    assert claims(**{"from": "2018-03", "to": "2018-03"}) == [z, s]  # a month covers both days
    assert claims(**{"from": "2018-04"}) == []
    assert claims(q="observatory") == [s]
    assert claims(sort="claimant") == [z, s]


def test_pages_and_sorting_over_the_whole_graph(client: TestClient, service: GraphService) -> None:
    expected = list(dict.fromkeys(r["claim"] for r in service.claims.rows()))
    first = client.get("/api/claims", params={"limit": 7}).json()
    assert first["total"] == len(expected)
    assert [r["claim"] for r in first["rows"]] == expected[:7]
    second = client.get("/api/claims", params={"limit": 7, "offset": 7}).json()
    assert [r["claim"] for r in second["rows"]] == expected[7:14]
    by_date = client.get("/api/claims", params={"sort": "date", "limit": 500}).json()["rows"]
    dates = [r["date"] for r in by_date if r["date"]]
    assert dates == sorted(dates) and len(by_date) == len(expected)


@pytest.mark.parametrize(("params", "message"), [
    ({"stance": "shouts"}, "stance must be one of asserts, denies, accuses, claims_responsibility, confirms; got 'shouts'"),
    ({"measure": "x"}, "measure must be one of killed, wounded, killed_or_wounded, attackers, missing, captured; got 'x'"),
    ({"from": "yesterday"}, "date_from must be YYYY-MM-DD or YYYY-MM; got 'yesterday'"),
    ({"limit": "0"}, "limit must be between 1 and 500; got 0"),
    ({"offset": "-1"}, "offset must be 0 or more; got -1"),
    ({"sort": "size"}, "sort must be one of article, date, claimant; got 'size'"),
])
def test_bad_filters_are_422(client: TestClient, params: dict[str, str], message: str) -> None:
    answer = client.get("/api/claims", params=params)
    assert answer.status_code == 422
    assert answer.json() == {"error": "E070", "message": message}


def test_facets(client: TestClient, service: GraphService) -> None:
    facets = client.get("/api/facets").json()
    rows = service.claims.rows()
    assert facets["total"] == len({r["claim"] for r in rows})
    assert {"iri": EVENT, "label": EVENT_REF["label"], "count": 2,
            "node": "event." + EVENT.rsplit("/", 1)[-1]} in facets["events"]
    assert {"iri": RUSSIA, "label": "Government of Russia", "node": "actor.russian-government",
            "count": len({r["claim"] for r in rows if r["claimant_iri"] == RUSSIA})} in facets["claimants"]
    # sides are parties of the conflict only; no two claimants read the same
    assert [s["label"] for s in facets["sides"]] == sorted({s["label"] for s in facets["sides"]}, key=str.casefold)
    assert "Syrian Observatory for Human Rights" not in {s["label"] for s in facets["sides"]}
    assert len({c["label"] for c in facets["claimants"]}) == len(facets["claimants"])
    outlets = [c["label"] for c in facets["claimants"] if "publisher of the article" in c["label"]]
    assert outlets and all(label.startswith("publisher of the article \u201c") for label in outlets)
    assert sum(e["count"] for e in facets["stances"]) == facets["total"]
    assert next(m["value"] for m in facets["measures"]) == "killed"
    assert facets["date_min"] == min(r["date"] for r in rows if r["date"])
    assert facets["date_max"] == max(r["date"] for r in rows if r["date"])
    labels = [c["label"].casefold() for c in facets["claimants"]]
    assert labels == sorted(labels)


# --- articles -----------------------------------------------------------------------------


def test_article_list_and_detail(client: TestClient) -> None:
    listed = {a["key"]: a for a in client.get("/api/articles").json()}
    summary = {"key": KEY, "iri": ID + f"article/{KEY}", "headline": "Clashes near Palmyra", "file_name": "palmyra.txt",
               "published": "2018-03-08", "publisher": None, "url": None, "text_length": len(TEXT),
               "content_hash": hashlib.sha256(TEXT.encode()).hexdigest(), "claim_count": 2}
    assert listed[KEY] == summary
    detail = client.get(f"/api/articles/{KEY}").json()
    assert detail == {**summary, "text": TEXT, "text_source": "added", "claims": [ZAKHAROVA_ROW, SOHR_ROW]}
    for claim in detail["claims"]:
        for span in claim["spans"]:
            assert detail["text"][span["start"]:span["end"]] == span["exact"]


def test_unknown_article_is_404(client: TestClient) -> None:
    assert client.get("/api/articles/0123456789abcdef").json() == {
        "error": "E063", "message": "no article '0123456789abcdef' in the store"}
    answer = client.get("/api/articles/..%2Fetc")
    assert answer.status_code == 404


def test_text_from_the_corpus_only_when_the_hash_matches(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    text = TEXT.replace("Tuesday", "Monday")
    article = Article(text=text, meta=ArticleMeta(file_name="monday.txt", title="Monday",
                                                  published=dt.date(2018, 3, 8)))
    key = article.key
    with make_service(tmp_path) as service:
        service.builder.ingest(article)  # committed without the page: no copy in the upload folder
        client = TestClient(create_app(service))
        detail = client.get(f"/api/articles/{key}").json()
        assert (detail["text"], detail["text_source"]) == (None, None)  # no file: spans only
        assert [c["spans"][0]["exact"] for c in detail["claims"]] == [Z_EVIDENCE.replace("Tuesday", "Monday"),
                                                                      S_EVIDENCE]
        (tmp_path / "corpus" / "monday.txt").write_text(text, encoding="utf-8")
        detail = client.get(f"/api/articles/{key}").json()
        assert (detail["text"], detail["text_source"]) == (text, "corpus")
        (tmp_path / "corpus" / "monday.txt").write_text(text + "edited", encoding="utf-8")
        assert client.get(f"/api/articles/{key}").json()["text"] is None  # another text: offsets would lie


def test_development_corpus_texts_are_served() -> None:
    settings = Settings.from_env().with_(store=None)
    if not settings.corpus_dir.is_dir():
        pytest.skip(f"the development corpus is not at {settings.corpus_dir}")
    with GraphService(settings=settings) as service:
        service.ensure_loaded()
        client = TestClient(create_app(service))
        for article in client.get("/api/articles").json():
            detail = client.get(f"/api/articles/{article['key']}").json()
            assert detail["text_source"] == "corpus"
            assert len(detail["text"]) == article["text_length"]
            for claim in detail["claims"]:
                for span in claim["spans"]:
                    assert detail["text"][span["start"]:span["end"]] == span["exact"]


# --- extraction preview and adding ----------------------------------------------------------


def test_extract_previews_without_committing(client: TestClient) -> None:
    other = TEXT.replace("12 Russian", "15 Russian")
    before = client.get("/api/facets").json()["total"]
    answer = client.post("/api/extract", json={**BODY, "text": other})
    assert answer.status_code == 200
    okey = hashlib.sha256(other.encode()).hexdigest()[:16]
    z_evidence = Z_EVIDENCE.replace("12", "15")
    # The preview links its report to the stored one (same town, same days): one event, named after
    # the smaller of the two reports' ids, as the ingest would name it.
    joined = {**EVENT_REF, "iri": ID + f"event/undated-palmyra-homs-governorate-combat-{short_hash(min(KEY, okey) + '-1', length=6)}"}
    assert answer.json() == {
        "key": okey, "title": "Clashes near Palmyra", "text_length": len(other),
        "claims": [
            {"claimant": {"iri": ZAKHAROVA, "label": "Maria Zakharova"},
             "on_behalf_of": {"iri": MFA, "label": "Russian Ministry of Foreign Affairs"},
             "start": Z_START, "end": Z_START + len(z_evidence), "evidence": z_evidence, "date": "2018-03-06",
             "stance": "asserts", "certainty": "certain", "hedges": [], "events": [joined],
             "figures": [{"measure": "killed", "low": 15, "high": None, "qualifier": "at_least",
                          "surface": "at least 15", "group": "Russian citizens"}]},
            {"claimant": {"iri": SOHR, "label": "Syrian Observatory for Human Rights"}, "on_behalf_of": None,
             "start": S_START, "end": S_START + len(S_EVIDENCE), "evidence": S_EVIDENCE, "date": "2018-03-08",
             "stance": "asserts", "certainty": "certain", "hedges": [], "events": [joined],
             "figures": [{"measure": "killed", "low": 41, "high": None, "qualifier": "more_than",
                          "surface": "more than 40", "group": "fighters"}]},
        ],
        "events": [joined],
        "warnings": [],
        "text": other,
        "article": {"title": "Clashes near Palmyra", "published": "2018-03-08", "publisher": None, "url": None,
                    "date_basis": "given on the workbench page", "file_name": "palmyra.txt"},
    }
    assert client.get("/api/facets").json()["total"] == before
    assert okey not in {a["key"] for a in client.get("/api/articles").json()}


@pytest.mark.parametrize(("headers", "status", "message"), [
    ({}, 401, "new articles need 'Authorization: Bearer <token>' with the server's token"),
    ({"Authorization": "Bearer wrong"}, 401, "new articles need 'Authorization: Bearer <token>' with the server's token"),
    ({"Authorization": f"Basic {TOKEN}"}, 401, "new articles need 'Authorization: Bearer <token>' with the server's token"),
])
def test_adding_needs_the_token(client: TestClient, headers: dict[str, str], status: int, message: str) -> None:
    text = TEXT.replace("Palmyra", "Tadmur")
    answer = client.post("/api/articles", json={**BODY, "text": text}, headers=headers)
    assert answer.status_code == status
    assert answer.json() == {"error": "E058", "message": message}
    assert answer.headers["www-authenticate"] == 'Bearer realm="conflictkg"'
    key = hashlib.sha256(text.encode()).hexdigest()[:16]
    assert key not in {a["key"] for a in client.get("/api/articles").json()}


def test_read_only_server_refuses_with_403(tmp_path: Path) -> None:
    with make_service(tmp_path, token=None) as service:
        answer = TestClient(create_app(service)).post("/api/articles", json=BODY)
        assert answer.status_code == 403
        assert answer.json() == {"error": "E058", "message": "this server is read-only: start it with --token "
                                                             "(CONFLICTKG_TOKEN) to accept new articles"}


def test_refused_by_the_shapes_with_the_report(client: TestClient) -> None:
    text = TEXT.replace("Palmyra", "Homs")
    answer = client.post("/api/articles", json={**BODY, "text": text, "url": "ftp://example.org/palmyra"},
                         headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 422
    body = answer.json()
    key = hashlib.sha256(text.encode()).hexdigest()[:16]
    assert body["error"] == "E040"
    assert body["message"] == "palmyra.txt: the article's graph breaks the shapes; nothing of it was written"
    assert body["report"]["conforms"] is False
    assert [(r["focusNode"], r["path"], r["value"], r["shape"], r["constraint"]) for r in body["report"]["results"]] == [
        (f"ckgid:article/{key}", "schema:url", "<ftp://example.org/palmyra>", "ckgsh:Article-url",
         "sh:PatternConstraintComponent")]
    assert key not in {a["key"] for a in client.get("/api/articles").json()}


@pytest.mark.parametrize(("change", "status", "body"), [
    ({"text": "  \n"}, 400, {"error": "E031", "message": "palmyra.txt: empty text"}),
    ({"published": "8 March"}, 422, {"error": "E070", "message": "published must be a date YYYY-MM-DD; got '8 March'"}),
    ({"url": "http://a b"}, 422, {"error": "E070", "message": "url must be an absolute IRI without spaces; got 'http://a b'"}),
    ({"file_name": "../x.txt"}, 422, {"error": "E070", "message": "file_name must be letters, digits, '.', '_', '-' or "
                                      "spaces (at most 200), starting with a letter or digit; got '../x.txt'"}),
])
def test_bad_article_input(client: TestClient, change: dict[str, str], status: int, body: dict[str, str]) -> None:
    answer = client.post("/api/extract", json={**BODY, **change})
    assert (answer.status_code, answer.json()) == (status, body)


def test_added_texts_are_kept_beside_a_disk_store(tmp_path: Path) -> None:
    store = tmp_path / "kg" / "store"
    with make_service(tmp_path, store=store) as service:
        answer = TestClient(create_app(service)).post("/api/articles", json=BODY,
                                                      headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 201
    assert (tmp_path / "kg" / "articles" / f"{KEY}.txt").read_text(encoding="utf-8") == TEXT
    with make_service(tmp_path, store=store) as service:  # a restart reads it back
        detail = TestClient(create_app(service)).get(f"/api/articles/{KEY}").json()
        assert (detail["text"], detail["text_source"]) == (TEXT, "added")


# --- named query examples, the page and its assets ------------------------------------------


def test_examples_carry_the_query_text(client: TestClient) -> None:
    examples = client.get("/api/examples").json()
    files = sorted(QUERIES_DIR.glob("*.rq"))
    assert [e["name"] for e in examples] == [f.stem for f in files]
    assert [e["text"] for e in examples] == [f.read_text(encoding="utf-8") for f in files]
    listed = {q["name"]: q for q in client.get("/queries").json()}
    for e in examples:
        assert {k: v for k, v in e.items() if k != "text"} == {k: v for k, v in listed[e["name"]].items() if k != "url"}


def test_page_and_our_assets(client: TestClient) -> None:
    static = Path(__file__).resolve().parents[1] / "api" / "static"
    page = client.get("/")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.text == (static / "index.html").read_text(encoding="utf-8")
    for name in ("app.js", "app.css"):
        assert client.get(f"/static/{name}").content == (static / name).read_bytes()
    assert client.get("/static/../app.py").status_code == 404


def test_vendor_assets_come_from_installed_packages(client: TestClient) -> None:
    for name, package, inner in (("plotly.min.js", "plotly", "package_data/plotly.min.js"),
                                 ("vis-network.min.js", "pyvis", "lib/vis-9.1.2/vis-network.min.js"),
                                 ("vis-network.css", "pyvis", "lib/vis-9.1.2/vis-network.css")):
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.submodule_search_locations
        answer = client.get(f"/vendor/{name}")
        assert answer.status_code == 200
        assert answer.content == (Path(next(iter(spec.submodule_search_locations))) / inner).read_bytes()
    assert client.get("/vendor/jquery.js").json() == {
        "error": "E064", "message": "no library file 'jquery.js'; available: plotly.min.js, vis-network.css, "
                                    "vis-network.min.js"}


def test_page_loads_no_third_party_host() -> None:
    static = Path(__file__).resolve().parents[1] / "api" / "static"
    for name in ("index.html", "app.js", "app.css"):
        text = (static / name).read_text(encoding="utf-8")
        for marker in ("http://cdn", "https://cdn", "unpkg.com", "jsdelivr", "googleapis", "cdnjs"):
            assert marker not in text, f"{name} names {marker}"
