"""Real input: saved pages, addresses and feeds, read from an invented site on loopback.

Every bad answer gets its code and commits nothing; a feed adds only what is new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from conflictkg.adding import Adder, LocalLibrary
from conflictkg.config import Settings
from conflictkg.errors import ArticleError
from conflictkg.service import GraphService
from conflictkg.sources import Feed, Fetcher, FetchLimits, Page, read_source

from fixtures_web import BRIDGE, DAM, MARKET, Site, page, standard_site

SOHR = "https://w3id.org/conflictkg/id/actor/sohr"


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    s = standard_site()
    yield s
    s.stop()


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchLimits(max_bytes=200_000, timeout=2.0)) as f:
        yield f


def test_a_page_by_address(site: Site, fetcher: Fetcher) -> None:
    found = read_source(site.url("/news/dam.html"), fetcher=fetcher)
    assert isinstance(found, Page)
    a = found.article
    assert a.text == "\n\n".join([DAM["title"], *DAM["paragraphs"]]) + "\n"  # the main text, no menus or footer
    assert (a.title, a.publisher, a.published, a.date_basis) == (
        DAM["title"], "The Valley Courier", "2024-04-02", "page metadata (htmldate)")
    assert a.url == site.url("/news/dam.html")  # the address given is the article's address
    assert a.file_name == "127.0.0.1-news-dam.html"
    assert found.notes == []


def test_a_saved_page_and_a_text_file(tmp_path: Path) -> None:
    (tmp_path / "bridge.html").write_text(page(BRIDGE), encoding="utf-8")
    found = read_source(str(tmp_path / "bridge.html"))
    assert isinstance(found, Page)
    assert found.article.text.startswith(BRIDGE["title"] + "\n\n" + BRIDGE["paragraphs"][0])
    assert (found.article.published, found.article.url, found.article.file_name) == ("2024-04-05", None, "bridge.html")
    (tmp_path / "note.txt").write_text("Bridge reopens\n\nTraffic resumed on Sunday.\n", encoding="utf-8")
    text = read_source(str(tmp_path / "note.txt"))
    assert isinstance(text, Page)
    assert (text.article.text, text.article.title, text.article.file_name) == (
        "Bridge reopens\n\nTraffic resumed on Sunday.\n", None, "note.txt")


def test_a_declared_charset_is_honoured(site: Site, fetcher: Fetcher) -> None:
    found = read_source(site.url("/news/latin1.html"), fetcher=fetcher)
    assert isinstance(found, Page)
    assert found.article.title == "Caf\u00e9 reopens in Tarvo after shelling"


def test_feeds_rss_and_atom(site: Site, fetcher: Fetcher) -> None:
    feed = read_source(site.url("/feed.xml"), fetcher=fetcher)
    assert isinstance(feed, Feed)
    assert feed.title == "The Valley Courier: World"
    assert [(i.url, i.title, i.published) for i in feed.items] == [
        (site.url("/news/dam.html"), DAM["title"], "2024-04-02"),
        (site.url("/news/bridge.html"), BRIDGE["title"], "2024-04-05"),  # a relative link, resolved
    ]
    atom = read_source(site.url("/atom.xml"), fetcher=fetcher)
    assert isinstance(atom, Feed)
    assert [(i.url, i.published) for i in atom.items] == [(site.url("/news/market.html"), "2024-04-09")]


@pytest.mark.parametrize(("path", "code", "message"), [
    ("/missing", "E115", "the server answered HTTP 404 Not Found"),
    ("/loop-a", "E115", "a redirect loop ({a} -> {b} -> {a})"),
    ("/hop0", "E115", "more than 5 redirects"),
    ("/report.pdf", "E116", "not an article: the content type is application/pdf (HTML, plain text, RSS or Atom are read)"),
    ("/news/empty.html", "E116", "not an article: no main text found in the page"),
    ("/huge-declared", "E117", "too large (900,000,000 bytes; the limit is 200,000)"),
    ("/huge", "E117", "too large (more than 200,000 bytes, the limit)"),
    ("/slow", "E117", "too slow: no complete answer within 2 s"),
    ("/news/bad-bytes.html", "E033", "not valid utf-8 (the encoding it declares) (byte 1111: invalid continuation byte)"),
])
def test_bad_answers_are_coded(site: Site, fetcher: Fetcher, path: str, code: str, message: str) -> None:
    url = site.url(path)
    with pytest.raises(ArticleError) as caught:
        read_source(url, fetcher=fetcher)
    expected = message.format(a=site.url("/loop-a"), b=site.url("/loop-b"))
    if code == "E033":  # the offset depends on the page: check the shape
        assert caught.value.code == code and caught.value.problem.startswith("not valid utf-8 (the encoding it declares)")
    else:
        assert (caught.value.code, caught.value.problem) == (code, expected)
    assert caught.value.path == url


def test_unreachable_and_refused_addresses(site: Site) -> None:
    with Fetcher(FetchLimits(timeout=2.0)) as f, pytest.raises(ArticleError) as caught:
        read_source("ftp://127.0.0.1/x", fetcher=f)
    assert (caught.value.code, caught.value.problem) == ("E118", "only http and https addresses can be fetched, not 'ftp://127.0.0.1/x'")
    hits = list(site.hits)
    with Fetcher(FetchLimits(timeout=2.0, allow_private=False)) as f, pytest.raises(ArticleError) as caught:
        read_source(site.url("/news/dam.html"), fetcher=f)
    assert caught.value.code == "E118"
    assert caught.value.problem.startswith("refused: 127.0.0.1 is a loopback, private or otherwise non-public address")
    with Fetcher(FetchLimits(timeout=2.0, allow_private=False)) as f, pytest.raises(ArticleError) as caught:
        read_source("http://localhost:9/", fetcher=f)  # a name that resolves to loopback is refused too
    assert caught.value.code == "E118" and "non-public" in caught.value.problem
    assert site.hits == hits  # refused before connecting: no request reached the site


def test_a_redirect_is_followed_and_the_given_address_kept(site: Site, fetcher: Fetcher) -> None:
    found = read_source(site.url("/moved"), fetcher=fetcher)
    assert isinstance(found, Page)
    assert (found.article.title, found.article.url) == (BRIDGE["title"], site.url("/moved"))


@pytest.fixture
def service(tmp_path: Path) -> Iterator[GraphService]:
    settings = Settings.from_env().with_(store=tmp_path / "store", corpus_dir=tmp_path / "no-corpus")
    with GraphService(settings=settings) as s:
        yield s


def _adder(service: GraphService, fetcher: Fetcher) -> Adder:
    return Adder(LocalLibrary(service), fetcher, max_bytes=200_000, max_article_bytes=2_000_000)


def test_a_feed_adds_only_its_new_items(site: Site, fetcher: Fetcher, service: GraphService) -> None:
    first = _adder(service, fetcher).add(site.url("/feed.xml"))
    assert [(o.source, o.status, o.claims) for o in first] == [
        (site.url("/news/dam.html"), "added", 3), (site.url("/news/bridge.html"), "added", 2)]
    listed = {a["url"]: a for a in service.articles.list()}
    dam = listed[site.url("/news/dam.html")]
    assert (dam["headline"], dam["published"]) == (DAM["title"], "2024-04-02")
    # the text kept is the extracted text: the article panel shows it, offsets point into it
    detail = service.articles.get(dam["key"])
    assert detail["text_source"] == "added"
    assert detail["text"] == "\n\n".join([DAM["title"], *DAM["paragraphs"]]) + "\n"
    observatory = next(c for c in detail["claims"] if c["claimant"]["label"] == "Syrian Observatory for Human Rights")
    span = observatory["spans"][0]
    assert detail["text"][span["start"]:span["end"]] == span["exact"] == DAM["paragraphs"][1]
    assert dam["key"] == hashlib.sha256(detail["text"].encode()).hexdigest()[:16]
    # again (cron): nothing new, nothing fetched but the feed
    hits = len(site.hits)
    again = _adder(service, fetcher).add(site.url("/feed.xml"))
    assert [(o.status, o.message) for o in again] == [
        ("skipped", f"[W007] {site.url('/news/dam.html')}: already in the store (its address); not added again"),
        ("skipped", f"[W007] {site.url('/news/bridge.html')}: already in the store (its address); not added again")]
    assert site.hits[hits:] == ["/feed.xml"]
    # the feed gains an item: only that one is added
    original = site.routes["/feed.xml"]
    from fixtures_web import rss

    site.html("/feed.xml", rss([(site.url("/news/market.html"), MARKET["title"], "Tue, 09 Apr 2024 07:00:00 GMT"),
                                (site.url("/news/dam.html"), DAM["title"], "Tue, 02 Apr 2024 08:30:00 GMT")]),
              content_type="application/rss+xml")
    try:
        third = _adder(service, fetcher).add(site.url("/feed.xml"))
    finally:
        site.routes["/feed.xml"] = original
    assert [(o.source, o.status) for o in third] == [(site.url("/news/market.html"), "added"),
                                                     (site.url("/news/dam.html"), "skipped")]
    assert len(service.articles.list()) == 3


def test_a_bad_page_commits_nothing(site: Site, fetcher: Fetcher, service: GraphService) -> None:
    outcomes = _adder(service, fetcher).add(site.url("/missing"))
    assert [(o.status, o.message) for o in outcomes] == [
        ("failed", f"[E115] {site.url('/missing')}: the server answered HTTP 404 Not Found")]
    assert service.articles.list() == []
    assert not (Path(service.settings.store).parent / "articles").exists() or not any(
        (Path(service.settings.store).parent / "articles").iterdir())
