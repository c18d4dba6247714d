"""Articles from what analysts collect: text files, saved web pages, addresses and RSS/Atom feeds.

A *source* is read into one of two things:

* a :class:`Page`: one article, as an :class:`~conflictkg.articles.ArticleInput` whose text is
  the page's main text (offsets of claims refer to this extracted text, which is kept with
  the article) and whose title, publisher (site name), publication date and address come
  from the page;
* a :class:`Feed`: the items of an RSS or Atom feed (address, title, date), each read as a
  page when it is added (:mod:`conflictkg.adding`).

Libraries, chosen for being maintained, widely used and offline (``docs/workbench.md`` says why):
trafilatura (main text, title, site name), htmldate (publication date, from the page's
metadata and markup only: never a date guessed from the article's own sentences), feedparser
(RSS 0.9x/1.0/2.0 and Atom), httpx (fetching).

Fetching is bounded: a size limit (read as a stream, stopped at the limit), a time limit for
the whole fetch (redirects included), at most :data:`MAX_REDIRECTS` redirects, a redirect
loop is refused, and only ``http``/``https``. Fetching for the HTTP API (``allow_private``
False) refuses every address that is not public (loopback, private, link-local, ...): the
check is made on the addresses the connection is really made to (:class:`_GuardedBackend`),
so a name that resolves differently the second time changes nothing.

Every failure is an :class:`~conflictkg.errors.ArticleError` naming the source: E115 (an HTTP
error status, a redirect loop, too many redirects), E116 (not an article: another content
type, or no main text), E117 (too large or too slow), E118 (an address refused or
unreachable), E031-E033 (empty, binary, not decodable).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import datetime as dt
import ipaddress
import re
import socket
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from .articles import ArticleInput
from .config import DEFAULT_FETCH_TIMEOUT, DEFAULT_MAX_PAGE_BYTES
from .corpus import parse_published
from .errors import ArticleError, warning

__all__ = [
    "Page",
    "Feed",
    "FeedItem",
    "FetchLimits",
    "Fetcher",
    "read_source",
    "page_from_html",
    "from_bytes",
    "with_item",
    "article_from_upload",
    "MAX_REDIRECTS",
    "MAX_FEED_ITEMS",
    "PAGE_SUFFIXES",
    "TEXT_SUFFIXES",
    "FEED_SUFFIXES",
]

#: Redirects followed before a fetch is refused (E115).
MAX_REDIRECTS = 5
#: Items read from one feed (the newest first, as feeds list them).
MAX_FEED_ITEMS = 200
PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
TEXT_SUFFIXES = (".txt",)
FEED_SUFFIXES = (".rss", ".atom", ".xml")
_PAGE_TYPES = ("text/html", "application/xhtml+xml")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml")
_USER_AGENT = "conflictkg (+https://w3id.org/conflictkg)"
_ACCEPT = ("text/html, application/xhtml+xml;q=0.9, application/rss+xml;q=0.9, application/atom+xml;q=0.9, "
           "application/xml;q=0.8, text/plain;q=0.7")


@dataclass(frozen=True)
class Page:
    """One article read from a source; ``notes`` are warnings (W009: no date found)."""

    article: ArticleInput
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class Feed:
    source: str
    title: str | None
    items: list[FeedItem]


@dataclass(frozen=True)
class FetchLimits:
    """Bounds of one fetch. ``allow_private``: whether loopback and private addresses may be fetched
    (the command line: yes, its user asked; the HTTP API: only when the server's setting allows)."""

    max_bytes: int = DEFAULT_MAX_PAGE_BYTES
    timeout: float = DEFAULT_FETCH_TIMEOUT
    max_redirects: int = MAX_REDIRECTS
    allow_private: bool = True


@dataclass(frozen=True)
class _Body:
    url: str
    data: bytes
    media_type: str
    charset: str | None


# --- fetching ------------------------------------------------------------------------------------


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself and connects only to public addresses (to the address it checked)."""

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise ArticleError(host, f"unreachable: the name does not resolve ({exc.strerror})", code="E118") from None
        addresses = [str(info[4][0]) for info in infos]
        refused = [a for a in addresses if not _public(a)]
        if refused or not addresses:
            raise ArticleError(host, f"refused: {host} is a loopback, private or otherwise non-public address "
                                     f"({', '.join(sorted(set(refused)))}); the server fetches public addresses only "
                                     "unless started with --fetch-private", code="E118")
        return super().connect_tcp(addresses[0], port, timeout=timeout, local_address=local_address,
                                   socket_options=socket_options)


def _client(limits: FetchLimits) -> httpx.Client:
    transport = httpx.HTTPTransport(trust_env=False)  # no proxy from the environment: the checks must see the real peer
    if not limits.allow_private:
        transport._pool = httpcore.ConnectionPool(  # noqa: SLF001 - httpx has no parameter for the network backend
            ssl_context=httpx.create_ssl_context(), network_backend=_GuardedBackend(), http1=True, http2=False)
    return httpx.Client(transport=transport, trust_env=False, follow_redirects=False,
                        headers={"User-Agent": _USER_AGENT, "Accept": _ACCEPT})


class Fetcher:
    """Fetches addresses within :class:`FetchLimits` (one HTTP client, reused)."""

    def __init__(self, limits: FetchLimits | None = None) -> None:
        self.limits = limits or FetchLimits()
        self._client: httpx.Client | None = None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str) -> _Body:
        """The body at ``url`` after redirects, or an ArticleError (E115-E118, E116 before the body is read)."""
        limits = self.limits
        if self._client is None:
            self._client = _client(limits)
        deadline = time.monotonic() + limits.timeout
        seen = [url]
        current = url
        for _ in range(limits.max_redirects + 1):
            _check_scheme(current, url)
            try:
                with self._client.stream("GET", current, timeout=_remaining(deadline, url)) as response:
                    if response.is_redirect:
                        target = urljoin(current, response.headers.get("location", ""))
                        if target in seen:
                            raise ArticleError(url, f"a redirect loop ({' -> '.join([*seen, target])})", code="E115")
                        seen.append(target)
                        current = target
                        continue
                    if response.status_code != 200:
                        raise ArticleError(url, f"the server answered HTTP {response.status_code} "
                                                f"{response.reason_phrase}".rstrip(), code="E115")
                    media_type, charset = _content_type(response.headers.get("content-type"))
                    _kind_of_type(media_type, url)  # E116 before reading a body we cannot use
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                        raise ArticleError(url, f"too large ({int(declared):,} bytes; the limit is {limits.max_bytes:,})",
                                           code="E117")
                    data = bytearray()
                    for chunk in response.iter_bytes():
                        data += chunk
                        if len(data) > limits.max_bytes:
                            raise ArticleError(url, f"too large (more than {limits.max_bytes:,} bytes, the limit)",
                                               code="E117")
                        _remaining(deadline, url)
                    return _Body(url=current, data=bytes(data), media_type=media_type, charset=charset)
            except httpx.TimeoutException:
                raise ArticleError(url, f"too slow: no complete answer within {limits.timeout:g} s", code="E117") from None
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise ArticleError(url, f"not a web address: {exc}", code="E118") from None
            except httpx.HTTPError as exc:
                raise ArticleError(url, f"unreachable: {exc or type(exc).__name__}", code="E118") from None
        raise ArticleError(url, f"more than {limits.max_redirects} redirects", code="E115")


def _remaining(deadline: float, url: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpx.ReadTimeout(f"{url}: time limit")
    return left


def _check_scheme(url: str, given: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ArticleError(given, f"only http and https addresses can be fetched, not {url!r}", code="E118")


def _content_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').strip("'") or None
    return media.strip().lower(), charset


def _kind_of_type(media_type: str, where: str) -> str:
    if media_type in _PAGE_TYPES:
        return "page"
    if media_type in _FEED_TYPES:
        return "feed"
    if media_type == "text/plain":
        return "text"
    if media_type == "":
        return "sniff"
    raise ArticleError(where, f"not an article: the content type is {media_type} (HTML, plain text, RSS or Atom "
                              "are read)", code="E116")


# --- reading -------------------------------------------------------------------------------------


def read_source(location: str, *, fetcher: Fetcher | None = None, max_bytes: int = DEFAULT_MAX_PAGE_BYTES) -> Page | Feed:
    """A file path or an ``http(s)`` address, read as a page (HTML or text) or a feed."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", location):
        own = fetcher is None
        fetcher = fetcher or Fetcher(FetchLimits(max_bytes=max_bytes))
        try:
            body = fetcher.get(location)
        finally:
            if own:
                fetcher.close()
        return from_bytes(body.data, where=location, url=location, media_type=body.media_type, charset=body.charset,
                          base=body.url)
    path = Path(location)
    if path.is_dir():
        raise ArticleError(location, "a folder: `conflictkg build FOLDER` reads a folder of articles", code="E116")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ArticleError(location, f"too large ({size:,} bytes; the limit is {max_bytes:,})", code="E034")
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(location, f"cannot read: {exc.strerror or exc}", code="E035") from None
    return from_bytes(data, where=location, name=path.name)


def from_bytes(data: bytes, *, where: str, name: str | None = None, url: str | None = None, media_type: str = "",
               charset: str | None = None, base: str | None = None) -> Page | Feed:
    """Bytes of a file (``name``: its suffix tells the kind) or of a fetched body (``media_type``)."""
    if not data.strip():
        raise ArticleError(where, "empty", code="E031")
    kind = _kind_of_type(media_type, where) if media_type else _kind_of_name(name, where)
    if kind == "sniff":
        kind = _sniff(data, where)
    if kind == "feed":
        return _feed(data, where=where, base=base or url)
    if b"\x00" in data:
        raise ArticleError(where, "binary (contains NUL bytes), not an article", code="E032")
    text = _decode(data, charset=charset, html=kind == "page", where=where)
    if kind == "text":
        return Page(ArticleInput(text=text, url=url, file_name=_file_name(name, url, ".txt")))
    return page_from_html(text, where=where, url=url, file_name=_file_name(name, url, ".html"))


def _kind_of_name(name: str | None, where: str) -> str:
    suffix = Path(name or "").suffix.lower()
    if suffix in PAGE_SUFFIXES:
        return "page"
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in FEED_SUFFIXES:
        return "feed"
    return "sniff"


def _sniff(data: bytes, where: str) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if re.match(rb"<\?xml[^>]*>\s*(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:rdf)\b", head, re.S) or re.match(rb"<(?:rss|feed)\b", head):
        return "feed"
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head or b"<head" in head:
        return "page"
    if head.startswith(b"<"):
        raise ArticleError(where, "not an article: markup that is neither an HTML page nor an RSS or Atom feed",
                           code="E116")
    if b"\x00" in data[:2048]:
        raise ArticleError(where, "not an article: a binary file (HTML, plain text, RSS or Atom are read)", code="E116")
    return "text"


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def _decode(data: bytes, *, charset: str | None, html: bool, where: str) -> str:
    """Text from bytes: the charset the server or the page declares (HTML ``<meta charset>``), else UTF-8.
    Bytes that are not valid in that charset are an error (E033), never replaced silently."""
    if data.startswith(codecs.BOM_UTF8):
        data, charset = data[len(codecs.BOM_UTF8):], "utf-8"
    if charset is None and html:
        m = _META_CHARSET.search(data[:4096])
        charset = m.group(1).decode("ascii") if m else None
    name = charset or "utf-8"
    try:
        codecs.lookup(name)
    except LookupError:
        raise ArticleError(where, f"declares an unknown character encoding {name!r}", code="E033") from None
    try:
        return data.decode(name)
    except UnicodeDecodeError as exc:
        said = "not valid UTF-8" if charset is None else f"not valid {charset} (the encoding it declares)"
        raise ArticleError(where, f"{said} (byte {exc.start}: {exc.reason})", code="E033") from None


def _file_name(name: str | None, url: str | None, suffix: str) -> str:
    if name:
        base = name
    elif url:
        parts = urlsplit(url)
        base = f"{parts.hostname or 'page'}{parts.path}".rstrip("/")
        base = re.sub(r"\.(?:s?html?|php|aspx?)$", "", base) + suffix
    else:
        return ""
    base = re.sub(r"[^A-Za-z0-9._ -]+", "-", base).strip("-. ") or f"page{suffix}"
    if not base[0].isalnum():
        base = "p" + base
    if len(base) > 200:
        base = base[:196] + Path(base).suffix[:4]
    return base


def page_from_html(html: str, *, where: str, url: str | None = None, file_name: str = "") -> Page:
    """The article in an HTML page: main text (paragraphs separated by a blank line), title, site
    name and publication date. E116 when the page has no main text."""
    import htmldate
    import trafilatura

    try:
        found = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                            include_tables=False, include_images=False, deduplicate=False,
                                            config=_trafilatura_config())
    except (ValueError, TypeError) as exc:
        raise ArticleError(where, f"not an article: the page cannot be read ({exc})", code="E116") from None
    text = getattr(found, "text", None) if found is not None else None
    paragraphs = [line.strip() for line in (text or "").split("\n") if line.strip()]
    title = _clean(getattr(found, "title", None))
    if sum(len(p) for p in paragraphs if p != title) < MIN_MAIN_TEXT_CHARS:
        raise ArticleError(where, "not an article: no main text found in the page", code="E116")
    if paragraphs[0] != title and title:
        paragraphs.insert(0, title)  # a title line first, as in text articles
    published = None
    try:
        published = htmldate.find_date(html, url=url, original_date=True, extensive_search=False,
                                       outputformat="%Y-%m-%d")
    except (ValueError, TypeError):
        published = None
    notes = [] if published else [warning("W009", path=where)]
    article = ArticleInput(
        text="\n\n".join(paragraphs) + "\n",
        title=title,
        publisher=_clean(getattr(found, "sitename", None)),
        published=published if published and parse_published(published) else None,
        date_basis="page metadata (htmldate)" if published else None,
        url=url,
        file_name=file_name or None,
    )
    return Page(article, notes)


#: trafilatura falls back to a cruder extraction (menus and bylines run into the text) when its main
#: algorithm finds less than this many characters; short wire stories are articles too.
MIN_MAIN_TEXT_CHARS = 40


@lru_cache(maxsize=1)
def _trafilatura_config() -> Any:
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(MIN_MAIN_TEXT_CHARS))
    return config


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _feed(data: bytes, *, where: str, base: str | None) -> Feed:
    import feedparser

    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version") and not parsed.get("entries"):
        raise ArticleError(where, "not an article: neither an HTML page nor an RSS or Atom feed", code="E116")
    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in parsed.entries[:MAX_FEED_ITEMS]:
        link = entry.get("link")
        if not link:
            continue
        url = urljoin(base, link) if base else link
        if url in seen:
            continue
        seen.add(url)
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = dt.date(*stamp[:3]).isoformat() if stamp else None
        items.append(FeedItem(url=url, title=_clean(entry.get("title")), published=published))
    return Feed(source=where, title=_clean(parsed.feed.get("title")), items=items)


def with_item(page: Page, item: FeedItem, feed: Feed) -> Page:
    """A feed item's page, with what the feed says filling what the page does not."""
    a = page.article
    filled = replace(a, url=item.url, title=a.title or item.title, publisher=a.publisher or feed.title,
                     published=a.published or item.published,
                     date_basis=a.date_basis or ("feed item date" if item.published else None))
    notes = [n for n in page.notes if not (filled.published and n.startswith("[W009]"))]
    return Page(filled, notes)


def article_from_upload(name: str | None, data_base64: str, *, max_bytes: int, **fields: str | None) -> ArticleInput:
    """A text or HTML file chosen in the workbench (its bytes in base64), read like a file given to
    ``conflictkg add``; ``fields`` that are given (title, published, ...) override what the file says."""
    where = name or "the uploaded file"
    if len(data_base64) > (max_bytes + 2) // 3 * 4 + 4:
        raise ArticleError(where, f"too large (more than {max_bytes:,} bytes, the limit)", code="E034")
    try:
        data = base64.b64decode(data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ArticleError(where, "file_base64 is not valid base64", code="E116") from None
    source = from_bytes(data, where=where, name=name)
    if isinstance(source, Feed):
        raise ArticleError(where, "a feed: add it by its address (POST /api/add), each item is a page", code="E116")
    given = {k: v for k, v in fields.items() if v}
    if "published" in given and "date_basis" not in given:
        given["date_basis"] = "given on the workbench page"
    return replace(source.article, **given)
