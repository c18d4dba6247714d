"""Adding sources to the graph: ``conflictkg add PATH|URL...`` and the workbench's "add" by address.

Each source is read (:mod:`conflictkg.sources`): a page (a text file, a saved HTML page, an
address) is one article; a feed adds its items that are not in the store yet, each fetched
as a page. Adding is idempotent, so a feed can be added from cron as often as wanted: a page
whose address, or whose text, is already in the store is skipped (W007), without fetching it
again when the address is known.

Articles go through the one write path, :meth:`ArticleLibrary.add` (extraction, the SHACL gate,
commit, the text kept for the article panel), either in this process or, when a running
``conflictkg serve`` holds the store, through that server's ``POST /api/articles`` with its
token (:class:`ServerLibrary`). A source that fails is reported with its code and commits nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from .articles import ArticleInput
from .errors import ArticleError, ConflictKGError, warning
from .sources import Feed, Fetcher, FetchLimits, Page, read_source, with_item

if TYPE_CHECKING:  # pragma: no cover
    from .service import GraphService

__all__ = ["AddOutcome", "Adder", "Library", "LocalLibrary", "ServerLibrary", "add_sources", "fetch_limits",
           "preview_address", "add_address_report"]


@dataclass
class AddOutcome:
    """What became of one page: ``added``, ``skipped`` (already in the store) or ``failed``."""

    source: str
    status: str
    key: str | None = None
    title: str | None = None
    claims: int = 0
    events: int = 0
    message: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: ConflictKGError | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "status": self.status, "key": self.key, "title": self.title,
                "claims": self.claims, "events": self.events, "message": self.message, "warnings": self.warnings}

    def lines(self) -> list[str]:
        if self.status == "added":
            title = f" \u201c{self.title}\u201d" if self.title else ""
            head = f"added {self.source}: article {self.key}{title}, {self.claims} claims, {self.events} events"
        elif self.status == "skipped":
            head = str(self.message)
        else:
            head = f"error: {self.message}"
        return [*self.warnings, head]


class Library(Protocol):
    """Where added articles go."""

    def known(self) -> tuple[set[str], set[str]]:
        """(article keys, article addresses) already in the store."""

    def add(self, given: ArticleInput) -> dict[str, Any]:
        """Commit one article; returns ``{"key", "claims", "events", "warnings", ...}``."""


class LocalLibrary:
    """The store of this process (:class:`~conflictkg.articles.ArticleLibrary`)."""

    def __init__(self, service: GraphService) -> None:
        self.service = service

    def known(self) -> tuple[set[str], set[str]]:
        rows = self.service.articles.list()
        return {r["key"] for r in rows}, {r["url"] for r in rows if r["url"]}

    def add(self, given: ArticleInput) -> dict[str, Any]:
        return self.service.articles.add(given)


class ServerLibrary:
    """A running ``conflictkg serve``, through its HTTP API with the write token."""

    def __init__(self, url: str, token: str, *, timeout: float = 120.0) -> None:
        self.url = url.rstrip("/")
        self.client = httpx.Client(base_url=self.url, timeout=timeout, trust_env=False,
                                   headers={"Authorization": f"Bearer {token}"})

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ArticleError(self.url, f"the server cannot be reached: {exc}", code="E118") from None
        if response.is_success:
            return response.json()
        try:
            body = response.json()
            raise ConflictKGError(f"the server {self.url} refused: {body['message']}", code=str(body["error"]))
        except (ValueError, KeyError, TypeError):
            raise ArticleError(self.url, f"the server answered HTTP {response.status_code}", code="E115") from None

    def known(self) -> tuple[set[str], set[str]]:
        rows = self._call("GET", "/api/articles")
        return {r["key"] for r in rows}, {r["url"] for r in rows if r.get("url")}

    def add(self, given: ArticleInput) -> dict[str, Any]:
        body = {k: v for k, v in asdict(given).items() if v is not None}
        return self._call("POST", "/api/articles", json=body)  # type: ignore[no-any-return]

    def close(self) -> None:
        self.client.close()


class Adder:
    """Adds sources to a :class:`Library`, each page at most once."""

    def __init__(self, library: Library, fetcher: Fetcher, *, max_bytes: int, max_article_bytes: int,
                 overrides: dict[str, str] | None = None) -> None:
        self.library = library
        self.fetcher = fetcher
        self.max_bytes = max_bytes
        self.max_article_bytes = max_article_bytes
        self.overrides = {k: v for k, v in (overrides or {}).items() if v}
        self._keys, self._urls = library.known()

    def add(self, location: str) -> list[AddOutcome]:
        """Add a page, or a feed's new items; failures are outcomes, never exceptions."""
        try:
            source = read_source(location, fetcher=self.fetcher, max_bytes=self.max_bytes)
        except ConflictKGError as exc:
            return [AddOutcome(location, "failed", message=str(exc), error=exc)]
        if isinstance(source, Page):
            return [self._page(location, self._override(source))]
        return self._feed(source)

    def _override(self, page: Page) -> Page:
        if not self.overrides:
            return page
        notes = page.notes if "published" not in self.overrides else [n for n in page.notes if not n.startswith("[W009]")]
        basis = {"date_basis": "given on the command line"} if "published" in self.overrides else {}
        return Page(replace(page.article, **self.overrides, **basis), notes)

    def _feed(self, feed: Feed) -> list[AddOutcome]:
        out: list[AddOutcome] = []
        for item in feed.items:
            if item.url in self._urls:
                out.append(AddOutcome(item.url, "skipped", message=warning("W007", path=item.url, why="its address")))
                continue
            try:
                page = read_source(item.url, fetcher=self.fetcher, max_bytes=self.max_bytes)
                if not isinstance(page, Page):
                    raise ArticleError(item.url, "not an article: a feed item that is itself a feed", code="E116")
            except ConflictKGError as exc:
                out.append(AddOutcome(item.url, "failed", message=str(exc), error=exc))
                continue
            out.append(self._page(item.url, with_item(page, item, feed)))
        if not feed.items:
            out.append(AddOutcome(feed.source, "skipped", message=f"{feed.source}: the feed lists no items"))
        return out

    def _page(self, where: str, page: Page) -> AddOutcome:
        given = page.article
        try:
            key = given.article(self.max_article_bytes).key  # checks the text as the library will
        except ConflictKGError as exc:
            return AddOutcome(where, "failed", message=str(exc), warnings=list(page.notes), error=exc)
        if key in self._keys or (given.url and given.url in self._urls):
            return AddOutcome(where, "skipped", key=key, message=warning("W007", path=where, why=f"article {key}"))
        try:
            result = self.library.add(given)
        except ConflictKGError as exc:
            return AddOutcome(where, "failed", message=str(exc), warnings=list(page.notes), error=exc)
        self._keys.add(result["key"])
        if given.url:
            self._urls.add(given.url)
        return AddOutcome(where, "added", key=result["key"], title=given.title, claims=int(result["claims"]),
                          events=int(result["events"]), warnings=[*page.notes, *result.get("warnings", [])])


def fetch_limits(service: GraphService, *, allow_private: bool) -> FetchLimits:
    settings = service.settings
    return FetchLimits(max_bytes=settings.max_page_bytes, timeout=settings.fetch_timeout, allow_private=allow_private)


def add_sources(service: GraphService, locations: Iterable[str], *, overrides: dict[str, str] | None = None,
                allow_private: bool = True) -> list[AddOutcome]:
    """``conflictkg add``: into this process's store, or through the running server that holds it
    (with the token of the settings); without a token that is E110 naming the server."""
    from .store_access import StoreBusy

    library: Library
    server: ServerLibrary | None = None
    try:
        service.open()
        library = LocalLibrary(service)
    except StoreBusy as busy:
        if busy.server is None or not service.settings.token:
            raise
        library = server = ServerLibrary(busy.server.url, service.settings.token)
    try:
        with Fetcher(fetch_limits(service, allow_private=allow_private)) as fetcher:
            adder = Adder(library, fetcher, max_bytes=service.settings.max_page_bytes,
                          max_article_bytes=service.settings.max_article_bytes, overrides=overrides)
            return [outcome for location in locations for outcome in adder.add(location)]
    finally:
        if server is not None:
            server.close()


# --- the workbench (POST /api/fetch, POST /api/add): the server fetches, within its limits ------------


def _server_fetcher(service: GraphService) -> Fetcher:
    return Fetcher(fetch_limits(service, allow_private=service.settings.fetch_private))


def preview_address(service: GraphService, url: str) -> dict[str, Any]:
    """What an address holds, nothing committed: a page's text and metadata, or a feed's items.
    A page that cannot be read is its ArticleError (E115-E118, E031-E033)."""
    keys, urls = LocalLibrary(service).known()
    with _server_fetcher(service) as fetcher:
        source = read_source(url, fetcher=fetcher, max_bytes=service.settings.max_page_bytes)
    if isinstance(source, Page):
        given = source.article
        key = given.article(service.settings.max_article_bytes).key
        return {"kind": "page", "source": url, "article": asdict(given), "in_store": key in keys or url in urls,
                "title": None, "items": None, "warnings": list(source.notes)}
    return {"kind": "feed", "source": url, "article": None, "in_store": None, "title": source.title,
            "items": [{"url": i.url, "title": i.title, "published": i.published, "in_store": i.url in urls}
                      for i in source.items], "warnings": []}


def add_address_report(service: GraphService, url: str) -> dict[str, Any]:
    """Add the page at ``url``, or the new items of the feed there. A single page that fails is
    raised (its coded error answers the request); a feed's items are reported one by one."""
    with _server_fetcher(service) as fetcher:
        adder = Adder(LocalLibrary(service), fetcher, max_bytes=service.settings.max_page_bytes,
                      max_article_bytes=service.settings.max_article_bytes)
        outcomes = adder.add(url)
    if len(outcomes) == 1 and outcomes[0].source == url and outcomes[0].error is not None:
        raise outcomes[0].error
    return {**{s: sum(o.status == s for o in outcomes) for s in ("added", "skipped", "failed")},
            "outcomes": [o.to_dict() for o in outcomes]}
