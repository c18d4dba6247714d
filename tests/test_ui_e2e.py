"""The workbench page end to end: a real ``conflictkg serve`` on a free port, driven by headless Chromium.

The server runs over a temporary store loaded with the committed graph (``data/turtle``), with
the development corpus as its text folder when ``../shared/corpus`` is there. Chromium is
Debian's (``/usr/bin/chromium``; ``.ci/setup-chromium.sh`` installs it), driven by Python
Playwright without any downloaded browser. Each view leaves a screenshot in
``artifacts/screenshots/`` (ignored by git) for a person to look at.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SHOTS = REPO / "artifacts" / "screenshots"
TOKEN = "e2e-token"
KHASHAM = "https://w3id.org/conflictkg/id/event/2018-02-07"
RUSSIA = "https://w3id.org/conflictkg/id/actor/russian-government"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
#: Generous waits for a slow shared machine (a wait, never an assertion on time).
WAIT_MS = 30_000

if not CHROMIUM.exists():
    pytest.skip("Chromium is not at /usr/bin/chromium: run .ci/setup-chromium.sh (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Python playwright is not installed (pip install -e .[test])")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("ui-e2e")
    port = free_port()
    env = {**os.environ, "CONFLICTKG_STORE": str(tmp / "store"), "CONFLICTKG_QUERY_WORKERS": "1",
           "CONFLICTKG_CORPUS_DIR": str(CORPUS if CORPUS.is_dir() else tmp / "no-corpus")}
    log = open(tmp / "serve.log", "w+b")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "conflictkg.cli", "serve", "--port", str(port), "--token", TOKEN,
                             "--fetch-private"],  # the tests fetch pages from a site on loopback
                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"conflictkg serve exited with {proc.returncode}:\n{log.read().decode(errors='replace')}")
            try:
                if httpx.get(f"{base}/api/facets", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("conflictkg serve did not answer within 90 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready=true]")
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def api(server: str, path: str, **params: Any) -> Any:
    answer = httpx.get(server + path, params=params, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_filter_claims_and_open_the_article_by_keyboard(page: Any, server: str) -> None:
    expected = api(server, "/api/claims", side=RUSSIA, limit=500)
    assert expected["total"] > 1
    page.select_option("#claim-filters select[name=side]", RUSSIA)
    page.wait_for_function("(n) => document.querySelector('#claims-status').textContent.startsWith(n + ' claims match')",
                           arg=str(expected["total"]))
    rows = page.locator("#claims-table tbody tr")
    assert rows.count() == expected["total"]
    sides = rows.locator("td:nth-child(3)").all_inner_texts()
    assert all("Government of Russia" in s for s in sides)
    # keyboard only: focus the first row, go down one, open with Enter
    rows.first.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    wanted = expected["rows"][1]
    page.wait_for_selector("#article-text mark.current")
    current = "".join(page.locator("#article-text mark.current").all_text_contents())
    assert current == " … ".join(s["exact"] for s in wanted["spans"]).replace(" … ", "")
    article = api(server, f"/api/articles/{wanted['article_key']}")
    assert page.locator("#article-title").inner_text() == (article["headline"] or article["file_name"])
    legend = page.locator("#article-legend li").all_inner_texts()
    assert [x.strip() for x in legend] == list(dict.fromkeys(c["claimant"]["label"] for c in article["claims"]))
    marked = {int(i) for m in page.locator("#article-text mark").evaluate_all(
        "ms => ms.map(m => m.dataset.claims)") for i in m.split()}
    assert marked == set(range(len(article["claims"])))  # every claim of the article is marked
    if article["text"] is not None:
        assert page.locator("#article-text").inner_text().replace("\u00a0", " ") == article["text"].replace("\u00a0", " ")
    shot(page, "claims")
    page.keyboard.press("Escape")
    assert page.locator("#article-panel").is_hidden()


US = "https://w3id.org/conflictkg/id/actor/us-government"


def test_sides_and_the_article_panel_follows_the_filters(page: Any, server: str) -> None:
    # the coalition's spokesman speaks for the US side; media and activists speak for none
    us = api(server, "/api/claims", side=US, limit=500)
    assert "Thomas F. Veale" in {r["claimant"]["label"] for r in us["rows"]}
    every = api(server, "/api/claims", limit=500)["rows"]
    sideless = {r["claimant"]["label"]: r["side"] for r in every}
    assert sideless["Alexander Ionov"] is None and sideless["local Russian newspaper"] is None
    rows = page.locator("#claims-table tbody tr")
    ionov = next(i for i, r in enumerate(every[:50]) if r["claimant"]["label"] == "Alexander Ionov")
    assert rows.nth(ionov).locator("td:nth-child(2)").inner_text() == "Alexander Ionov"  # no "for Government of Syria"
    assert rows.nth(ionov).locator("td:nth-child(3)").inner_text() == "\u2014"
    # open an article, then filter: the panel follows the list (the claim is still listed) ...
    rows.nth(ionov).click()
    page.wait_for_selector("#article-text mark.current")
    page.fill("#claim-filters input[name=q]", "Ionov")
    page.click("#claim-filters button[type=submit]")
    page.wait_for_function("() => document.querySelector('#claims-status').textContent.startsWith('1 claims match')")
    assert page.locator("#article-panel").is_visible()
    assert page.locator("#claims-table tbody tr").first.get_attribute("aria-selected") == "true"
    # ... or closes when the claim it shows is filtered away
    page.select_option("#claim-filters select[name=side]", US)
    page.wait_for_function("() => document.querySelector('#claims-status').textContent.startsWith('No claim')")
    assert page.locator("#article-panel").is_hidden()
    page.click("#claim-filters button[type=reset]")
    # the filters offer parties as sides, and no two claimants read the same
    sides = page.locator("#claim-filters select[name=side] option").all_inner_texts()
    assert not any("Observatory" in x or "newspaper" in x for x in sides)
    claimants = page.locator("#claim-filters select[name=claimant] option").all_inner_texts()
    assert len(claimants) == len(set(claimants))
    assert not any(x.startswith("publisher of the article (") for x in claimants)


DAY_TICK = re.compile(r"^[1-9]\d? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}$")


def show_figures(page: Any, server: str, event_key: str, measure: str) -> tuple[str, dict[str, Any]]:
    """``event_key``: the start of the event's key (its date and place; the linker adds a hash)."""
    facets = api(server, "/api/facets")
    event = next(e["iri"] for e in facets["events"] if e["iri"].rsplit("/", 1)[-1].startswith(event_key))
    event_key = event.rsplit("/", 1)[-1]
    figures = api(server, f"/graph/events/{event_key}/figures")
    chosen = next(m for m in figures["measures"] if m["measure"] == measure)
    page.click("#tab-figures")
    page.select_option("#figures-event", event)
    page.select_option("#figures-measure", measure)
    page.wait_for_function("([n, e]) => document.querySelector('#figures-chart').dataset.figures === n && "
                           "document.querySelector('#figures-chart').layout.title.text.startsWith(e)",
                           arg=[str(len(chosen["figures"])), figures["event"]["label"]])
    return event, chosen


def plotted_days(page: Any) -> list[tuple[str, str]]:
    """(figure id, the day its marker stands in) for every plotted figure, read from the chart's data."""
    return page.evaluate("""() => document.querySelector('#figures-chart').data
        .filter(t => t.type === 'scatter' && t.customdata)
        .flatMap(t => t.x.map((x, i) => [t.customdata[i], new Date(x).toISOString().slice(0, 10)]))""")


def test_contested_figures_chart_for_khasham(page: Any, server: str) -> None:
    _, killed = show_figures(page, server, KHASHAM.rsplit("/", 1)[-1] + "-deir-ez-zor-governorate-", "Killed")
    chart = page.locator("#figures-chart")
    figures = killed["figures"]
    ranged = [f for f in figures if f["low"] != f["high"]]
    assert chart.locator(".barlayer .point").count() == len(ranged)
    assert chart.locator(".scatterlayer .point").count() == len(figures)  # one anchor per figure
    # each figure is labelled with what was written and the group it counts
    labels = [t for t in chart.locator(".annotation .annotation-text").all_text_contents() if t]
    assert len(labels) == len(figures)
    boxes = chart.locator(".annotation .annotation-text").evaluate_all(
        "ts => ts.filter(t => t.textContent).map(t => { const r = t.getBoundingClientRect(); "
        "return [r.left, r.top, r.right, r.bottom]; })")
    overlapping = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                   if a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1]
    assert overlapping == []  # labels do not overlap
    for f in figures:  # who it counts: the population the graph placed it in, else the group as written
        counts = f["population"]["label"] if f["population"] else (f["counted_group"] or "")
        assert any(label.startswith(f["surface"]) and counts in label for label in labels), f
    assert "More than 200 \u00b7 Russian contractors" in labels
    assert "over 100 (more than 100) \u00b7 pro-government combatants" in labels  # the bound in words beside the words written
    # open bounds: faded bars, and an arrow running to the edge of the axis
    open_bounds = [f for f in figures if (f["low"] is None) != (f["high"] is None)]
    assert open_bounds and chart.get_attribute("data-open") == str(len(open_bounds))
    faded = chart.locator(".barlayer .point path").evaluate_all(
        "ps => ps.filter(p => parseFloat(getComputedStyle(p).opacity || p.style.opacity) < 0.6).length")
    assert faded == len(open_bounds)
    arrows = page.evaluate("""() => {
        const c = document.querySelector('#figures-chart');
        const top = c.layout.yaxis.range[1] / 1.04;
        return c.layout.annotations.filter(a => a.showarrow).map(a => [a.y, a.ay]); }""")
    top = page.evaluate("() => document.querySelector('#figures-chart').layout.yaxis.range[1] / 1.04")
    assert sorted(arrows) == sorted([top, f["low"]] for f in open_bounds if f["high"] is None)
    assert chart.locator(".annotation-arrow-g path").count() >= len(open_bounds)  # drawn
    # a date axis in days: every tick names a day (or the undated band), never an hour
    ticks = chart.locator(".xtick text").all_text_contents()
    assert ticks and all(DAY_TICK.match(t) or t == "undated" for t in ticks), ticks
    assert ticks[-1] == "undated" and "13 Feb 2018" in ticks
    dated = {f["id"]: f["date"] for f in figures if f["date"]}
    assert {fid: day for fid, day in plotted_days(page) if fid in dated} == dated  # inside its own day
    assert page.locator("#figures-conflicts li").count() == len(killed["conflicts"])
    assert page.locator("#figures-measure option").all_inner_texts()[0].startswith("killed")  # words, not KilledOrWounded
    assert "killed or wounded (" in " ".join(page.locator("#figures-measure option").all_inner_texts())
    with page.expect_download() as download:
        page.click("#figures-svg")
    assert download.value.suggested_filename.endswith(".svg")
    assert Path(download.value.path()).read_text(encoding="utf-8").lstrip().startswith("<svg")
    shot(page, "figures")


def test_figures_all_on_one_day_stay_on_that_day(page: Any, server: str) -> None:
    _, killed = show_figures(page, server, "2018-05-23-mayadin-deir-ez-zor-governorate-", "Killed")
    dates = {f["date"] for f in killed["figures"]}
    assert dates == {"2018-05-27"}  # every claim of this event is of one day
    ticks = page.locator("#figures-chart .xtick text").all_text_contents()
    assert ticks == ["27 May 2018"]  # one day: one tick, not hours, and not the 28th
    assert {day for _, day in plotted_days(page)} == {"2018-05-27"}
    shot(page, "figures-one-day")


def test_network_click_a_node(page: Any, server: str) -> None:
    page.click("#tab-network")
    page.wait_for_selector("#network-canvas[data-ready=true]")
    node = "actor.russian-government"
    x, y = page.evaluate("""(id) => {
        const p = net.network.canvasToDOM(net.network.getPosition(id));
        const r = document.querySelector('#network-canvas canvas').getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
    }""", node)
    # every label is shown whole (on a few lines), and no two nodes read the same
    shown = page.evaluate("() => net.nodes.get().map(n => [n.id, n.label])")
    export = {n["id"]: n for n in api(server, "/graph/export", format="json", view="actor-event")["nodes"]}
    events = {i: label for i, label in shown if export[i]["node_type"] == "Event"}
    assert len(events) >= 3
    for i, label in events.items():
        assert label.replace("\n", " ").startswith(export[i]["label"]), (label, export[i]["label"])
    assert len({label for _, label in shown}) == len(shown)
    found = page.locator("#network-find option").all_inner_texts()
    assert len(found) == len(set(found))
    assert sum(x.startswith("publisher of the article") for x in found) == 2  # one per article, named after it
    page.mouse.click(x, y)
    page.wait_for_function("(id) => document.querySelector('#node-panel').dataset.node === id", arg=node)
    assert page.locator("#node-title").inner_text() == "Government of Russia"
    claims = api(server, "/api/claims", claimant=RUSSIA, limit=100)
    page.wait_for_function("(n) => document.querySelectorAll('#node-claims li').length === n", arg=len(claims["rows"]))
    assert page.locator("#node-claims-title").inner_text() == f"Claims by this actor ({claims['total']})"
    shot(page, "network")
    # the date filter keeps the events (and claim edges) on or after the date, and the actors still linked
    everything = int(page.locator("#network-canvas").get_attribute("data-nodes"))
    page.fill("#network-form input[name=from]", "2018-05-01")
    page.click("#network-form button[type=submit]")
    page.wait_for_function("(n) => Number(document.querySelector('#network-canvas').dataset.nodes) < n", arg=everything)
    shown = page.evaluate("() => net.nodes.getIds().map(id => net.byId.get(id))")
    events = [n for n in shown if n["node_type"] == "Event"]
    assert events and all((n.get("start") or n["date"]) >= "2018-05-01" for n in events)


def test_run_a_named_query_and_see_endpoint_errors(page: Any, server: str) -> None:
    page.focus("#tab-claims")  # the tabs by keyboard: Left from the first wraps to the last
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.locator("[role=tab][aria-selected=true]").get_attribute("id") == "tab-query"
    assert page.evaluate("document.activeElement.id") == "tab-query"
    page.wait_for_selector("#example-select option[value=contested-figures]", state="attached")
    page.select_option("#example-select", "contested-figures")
    event = page.locator("[data-param=event]").input_value()
    assert event.startswith(KHASHAM)  # the event with the most claims is the default
    # asked before the page asks: the SPARQL screening parses with rdflib, whose parser is not
    # thread-safe (RDFLib/rdflib#1282), so two queries at once can fail spuriously
    expected = httpx.get(f"{server}/queries/contested-figures", params={"event": event},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    assert "results" in expected, expected
    page.click("#example-run")
    page.wait_for_function("() => !['', 'Running…'].includes(document.querySelector('#query-status').textContent)")
    assert page.locator("#query-status").inner_text() == f"{len(expected['results']['bindings'])} rows.", \
        page.locator("#query-error").inner_text()
    assert page.locator("#query-results thead th").all_inner_texts() == [f"?{v}" for v in expected["head"]["vars"]]
    assert page.locator("#query-results tbody tr").count() == len(expected["results"]["bindings"])
    # IRIs show as labels, the IRI on hover; the table wraps inside the page
    page.wait_for_selector("#query-results td.named")
    named = page.locator("#query-results td.named").first
    iri = named.get_attribute("title")
    labels = httpx.post(f"{server}/api/labels", json={"iris": [iri]}, timeout=30).json()
    assert named.inner_text() == labels[iri] and iri.startswith("https://w3id.org/conflictkg/id/")
    assert not page.locator("#query-results td").evaluate_all("tds => tds.map(t => t.textContent)")[0].startswith("ckgid:")
    wrap = page.evaluate("() => { const w = document.querySelector('#query-results').parentElement; "
                         "return [w.scrollWidth, w.clientWidth, document.documentElement.scrollWidth, window.innerWidth]; }")
    assert wrap[0] <= wrap[1] + 1 and wrap[2] <= wrap[3], wrap
    assert "tok-kw" in page.locator("#editor-code").inner_html()  # highlighted
    shot(page, "query")
    bad = "SELECT * WHERE { ?s ?p }"
    refusal = httpx.post(f"{server}/sparql", data={"query": bad}, timeout=30)
    page.fill("#editor-input", bad)
    page.focus("#editor-input")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#query-error:not([hidden])")
    shown = page.locator("#query-error").inner_text()
    assert shown.startswith(f"HTTP {refusal.status_code} · {refusal.json()['error']}: {refusal.json()['message']}")


def test_add_an_article_with_the_token(page: Any, server: str) -> None:
    text = ("Clashes near Palmyra leave dozens dead\n\n"
            "Russian Foreign Ministry spokeswoman Maria Zakharova said on Tuesday that at least 12 Russian citizens "
            "were killed in the clash near Palmyra in Homs province.\n\n"
            "The Syrian Observatory for Human Rights said more than 40 fighters were killed in the clash.\n")
    page.click("#tab-add")
    page.fill("#add-form textarea[name=text]", text)
    page.fill("#add-form input[name=title]", "Clashes near Palmyra")
    page.fill("#add-form input[name=published]", "2018-03-08")
    page.click("#add-preview")
    page.wait_for_selector("#add-text mark")
    assert page.locator("#add-text mark").all_text_contents() == [
        ("Russian Foreign Ministry spokeswoman Maria Zakharova said on Tuesday that at least 12 Russian citizens "
         "were killed in the clash near Palmyra in Homs province."),
        "The Syrian Observatory for Human Rights said more than 40 fighters were killed in the clash."]
    before = {a["key"] for a in api(server, "/api/articles")}
    # without the token: refused
    page.click("#add-commit")
    page.wait_for_selector("#add-error:not([hidden])")
    assert page.locator("#add-error").inner_text().startswith("HTTP 401 · E058: new articles need")
    # refused by the shapes: the report is shown
    page.fill("#add-form input[name=token]", TOKEN)
    page.fill("#add-form input[name=url]", "ftp://example.org/palmyra")
    page.click("#add-commit")
    page.wait_for_selector("#add-report:not([hidden])")
    assert page.locator("#add-report-table tbody tr td:nth-child(3)").all_inner_texts() == ["schema:url"], \
        page.locator("#add-report").inner_html()
    assert {a["key"] for a in api(server, "/api/articles")} == before
    # with the token and a good article: stored
    page.fill("#add-form input[name=url]", "")
    page.click("#add-commit")
    page.wait_for_function("() => document.querySelector('#add-status').textContent.startsWith('Stored')")
    added = {a["key"] for a in api(server, "/api/articles")} - before
    assert len(added) == 1
    assert page.locator("#add-status").inner_text().startswith(f"Stored: article {added.pop()} with 2 claims")
    shot(page, "add")


def test_add_from_an_address_a_feed_and_a_file(page: Any, server: str, tmp_path: Path) -> None:
    from fixtures_web import BRIDGE, DAM, MARKET, page as html_page, standard_site

    site = standard_site()
    try:
        page.click("#tab-add")
        page.fill("#add-form input[name=token]", TOKEN)
        # a page by its address: the form fills with its text and metadata; committed, its text is kept
        page.fill("#add-source", site.url("/news/market.html"))
        page.click("#add-fetch")
        page.wait_for_function("() => document.querySelector('#add-status').textContent.startsWith('Fetched')")
        assert page.input_value("#add-form input[name=title]") == MARKET["title"]
        assert page.input_value("#add-form input[name=published]") == "2024-04-09"
        assert page.input_value("#add-form input[name=publisher]") == "The Valley Courier"
        assert page.input_value("#add-form input[name=url]") == site.url("/news/market.html")
        assert page.input_value("#add-form textarea[name=text]") == "\n\n".join([MARKET["title"], *MARKET["paragraphs"]]) + "\n"
        page.click("#add-commit")
        page.wait_for_function("() => document.querySelector('#add-status').textContent.startsWith('Stored')")
        stored = next(a for a in api(server, "/api/articles") if a["url"] == site.url("/news/market.html"))
        assert api(server, f"/api/articles/{stored['key']}")["text_source"] == "added"
        # a bad address: its coded error
        page.fill("#add-source", site.url("/missing"))
        page.click("#add-fetch")
        page.wait_for_selector("#add-error:not([hidden])")
        assert page.locator("#add-error").inner_text() == (
            f"HTTP 400 · E115: {site.url('/missing')}: the server answered HTTP 404 Not Found")
        # a feed: its items, then only the new ones are added
        page.fill("#add-source", site.url("/feed.xml"))
        page.click("#add-fetch")
        page.wait_for_selector("#add-feed:not([hidden])")
        assert page.locator("#add-feed-title").inner_text() == "The Valley Courier: World: 2 items, 2 new"
        page.click("#add-feed-add")
        page.wait_for_function("() => document.querySelector('#add-status').textContent.startsWith('2 added')")
        assert page.locator("#add-feed-report li[data-status=added]").count() == 2
        page.click("#add-fetch")
        page.wait_for_function("() => document.querySelector('#add-feed-title').textContent.endsWith('0 new')")
        page.click("#add-feed-add")
        page.wait_for_function("() => document.querySelector('#add-status').textContent.startsWith('0 added, 2 already')")
        urls = {a["url"] for a in api(server, "/api/articles")}
        assert {site.url("/news/dam.html"), site.url("/news/bridge.html")} <= urls
        # a saved HTML file: read like a page
        saved = tmp_path / "dam-copy.html"
        saved.write_text(html_page({**DAM, "title": "Orlen dam repaired"}), encoding="utf-8")
        page.set_input_files("#add-file", str(saved))
        page.wait_for_function("() => document.querySelector('#add-status').textContent.startsWith('Read dam-copy.html')")
        assert page.input_value("#add-form input[name=title]") == "Orlen dam repaired"
        assert page.input_value("#add-form input[name=file_name]") == "dam-copy.html"
        assert page.locator("#add-text mark").count() >= 1
        shot(page, "add-sources")
        assert BRIDGE["title"] in {a["headline"] for a in api(server, "/api/articles")}
    finally:
        site.stop()


#: Invented reports about a strike near Aleppo (the ministry revises its own figure; a monitor disputes it) and,
#: days later, shelling near Aleppo: another event, which an analyst may merge with the strike and split again.
ALEPPO = {
    "strike-a.txt": ("2021-06-03", "Strike on depot\n\nThe Russian Defence Ministry said that 12 soldiers were killed "
                                   "in the strike near Aleppo on Tuesday.\n"),
    "strike-b.txt": ("2021-06-05", "Toll rises\n\nThe Russian Defence Ministry said on Friday that 20 soldiers were "
                                   "killed in the strike near Aleppo on Tuesday.\n"),
    "strike-c.txt": ("2021-06-05", "Monitor disputes toll\n\nA monitor said on Friday that 45 Russian soldiers died "
                                   "in the strike near Aleppo on Tuesday.\n"),
    "shelling.txt": ("2021-06-09", "Shelling resumes\n\nA monitor said that three civilians were killed in shelling "
                                   "near Aleppo on Monday.\n"),
}


@pytest.fixture(scope="module")
def aleppo(server: str) -> dict[str, str]:
    """The four articles added through the API (with the token): file name -> article key."""
    keys = {}
    for name, (published, text) in ALEPPO.items():
        answer = httpx.post(server + "/api/articles", json={"text": text, "published": published, "file_name": name},
                            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
        assert answer.status_code == 201, answer.text
        keys[name] = answer.json()["key"]
    for event in aleppo_events(server):  # the claims view is rebuilt in the background after the writes
        deadline = time.monotonic() + 120
        while httpx.get(f"{server}/graph/events/{event.rsplit('/', 1)[-1]}/figures", timeout=30).status_code != 200:
            assert time.monotonic() < deadline, f"{event} never reached the claims view"
            time.sleep(0.3)
    return keys


def aleppo_events(server: str) -> list[str]:
    return sorted(e["iri"] for e in api(server, "/api/facets")["events"] if "aleppo" in e["iri"])


def test_revision_lines_and_the_figure_summary(page: Any, server: str, aleppo: dict[str, str]) -> None:
    strike = next(e for e in aleppo_events(server) if "-06-01-" in e)
    event, killed = show_figures(page, server, strike.rsplit("/", 1)[-1], "Killed")
    # the ministry's two figures, joined in date order by one line in its colour
    assert [line["figures"] for line in killed["revision_lines"]] == [
        [f["id"] for f in killed["figures"] if f["surface"] in ("12", "20") and f["date"]]]
    chart = page.locator("#figures-chart")
    assert chart.get_attribute("data-revisions") == "1"
    lines = page.evaluate("""() => document.querySelector('#figures-chart').data
        .filter(t => t.name && t.name.startsWith('revised by')).map(t => [t.name, t.customdata, t.y])""")
    by_id = {f["id"]: f for f in killed["figures"]}
    line = killed["revision_lines"][0]
    assert lines == [[f"revised by {line['claimants'][0]['label']}", line["figures"], [12, 20]]]
    assert lines[0][0] == "revised by Russian Ministry of Defence"
    # the line runs through the ministry's own markers (the same x as its figures' anchors)
    anchors = dict(page.evaluate("""() => document.querySelector('#figures-chart').data
        .filter(t => t.mode === 'markers').flatMap(t => t.x.map((x, i) => [t.customdata[i], x]))"""))
    xs = page.evaluate("""() => document.querySelector('#figures-chart').data
        .filter(t => t.name && t.name.startsWith('revised by'))[0].x""")
    assert xs == [anchors[i] for i in line["figures"]]
    first, second = (by_id[i] for i in line["figures"])
    assert page.locator("#figures-revisions li").all_inner_texts() == [
        f"{line['claimants'][0]['label']}: \u201c12\u201d ({first['date']}) \u2192 \u201c20\u201d ({second['date']})"]
    # the summary table: what the sources' latest figures allow, per group counted (the derived graph's summaries)
    summary = [s for s in api(server, f"/graph/events/{event.rsplit('/', 1)[-1]}/summary")["summaries"]
               if s["measure"] == "Killed"]
    rows = [[td.strip() for td in row] for row in page.locator("#figures-summary tbody tr").evaluate_all(
        "trs => trs.map(tr => [...tr.querySelectorAll('td')].slice(0, 5).map(td => td.textContent))")]
    assert rows == [[s["population"]["label"], str(s["low"]), str(s["best"]), str(s["high"]), str(s["sources"])]
                    for s in summary]
    soldiers = next(r for r in rows if r[0] == "Russian soldiers")
    assert soldiers[1:] == ["20", "20", "45", "2"]  # the ministry's latest (20) and the monitor's 45: two sources
    page.locator("#figures-revisions").scroll_into_view_if_needed()
    shot(page, "figures-revisions")


def test_merge_and_split_events_from_the_workbench(page: Any, server: str, aleppo: dict[str, str]) -> None:
    events = aleppo_events(server)
    strike = next(e for e in events if "-06-01-" in e)
    shelling = next(e for e in events if e != strike)
    show_figures(page, server, strike.rsplit("/", 1)[-1], "Killed")
    assert page.locator("#event-reports li").count() == 3
    assert sorted(page.locator("#event-reports li").evaluate_all("ls => ls.map(l => l.dataset.article)")) == sorted(
        aleppo[n] for n in ("strike-a.txt", "strike-b.txt", "strike-c.txt"))
    listed = page.locator("#event-reports").inner_text()
    assert "Strike on depot (2021-06-03)" in listed
    # each report says which article's report it was linked through (by headline) and what they share
    assert re.search(r"linked through “(Strike on depot|Toll rises|Monitor disputes toll)”: [^;]*place:same", listed)
    page.select_option("#merge-other", shelling)
    page.click("#merge-button")  # without the token: refused, nothing changes
    page.wait_for_function("() => document.querySelector('#curation-status').textContent.startsWith('HTTP 401')")
    assert aleppo_events(server) == events
    page.fill("#event-curation input[name=token]", TOKEN)
    page.fill("#event-curation input[name=note]", "the same attack")
    page.click("#merge-button")
    page.wait_for_function("() => document.querySelector('#curation-status').textContent.startsWith('Merged')")
    merged = aleppo_events(server)
    assert len(merged) == 1
    assert page.locator("#figures-event").input_value() == merged[0]
    assert page.locator("#curation-status").inner_text() == (
        f"Merged: {api(server, '/graph/events/' + merged[0].rsplit('/', 1)[-1] + '/reports')['label']} now has 4 reports.")
    assert page.locator("#event-reports li").count() == 4
    # the shelling report is not this event: split it out again
    page.locator(f"#event-reports li[data-article='{aleppo['shelling.txt']}'] button").click()
    page.wait_for_function("() => document.querySelector('#curation-status').textContent.startsWith('Split')")
    after = aleppo_events(server)
    assert len(after) == 2
    assert page.locator("#event-reports li").count() == 3
    rest = page.locator("#figures-event").input_value()
    assert rest in after and sorted(
        r["article"] for r in api(server, f"/graph/events/{rest.rsplit('/', 1)[-1]}/reports")["reports"]) == sorted(
        aleppo[n] for n in ("strike-a.txt", "strike-b.txt", "strike-c.txt"))
    assert page.locator("#curation-status").inner_text().endswith("keeps 3 reports.")
    page.locator("#event-curation").scroll_into_view_if_needed()
    shot(page, "figures-curation")
