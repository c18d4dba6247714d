"""A small invented news site on loopback: saved pages, a feed, and every kind of bad answer.

The pages and their sentences are invented for the tests (no corpus text). :class:`Site` runs
an HTTP server on 127.0.0.1 in a thread; ``site.url("/path")`` is an address on it. Routes
can be changed while it runs (a feed that gains an item).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PAGE_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="{charset}">
<title>{title} | The Valley Courier</title>
<meta property="og:site_name" content="The Valley Courier">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{date}T08:30:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1>
<p class="byline">By a staff writer</p>
{paragraphs}
</article>
<aside><h3>Most read</h3><ul><li><a href="/x">Harvest festival draws record crowds</a></li></ul></aside>
<footer>Copyright The Valley Courier</footer>
</body></html>
"""

DAM = {
    "title": "Drone strike on Orlen dam cuts power to river towns",
    "date": "2024-04-02",
    "paragraphs": [
        "A drone strike on the Orlen dam on Tuesday cut power to four river towns, the regional governor said.",
        "The Syrian Observatory for Human Rights said at least 7 civilians were killed in the strike.",
        "Engineers said the turbines could be repaired within a month.",
    ],
}
BRIDGE = {
    "title": "Militia fighters seize the Kessel bridge",
    "date": "2024-04-05",
    "paragraphs": [
        "Militia fighters seized the Kessel bridge on Friday after a night of shelling, residents said.",
        "The Syrian Observatory for Human Rights said more than 20 fighters were killed in the clashes.",
    ],
}
MARKET = {
    "title": "Shelling hits the old market in Tarvo",
    "date": "2024-04-09",
    "paragraphs": [
        "Shelling hit the old market in Tarvo on Monday morning, local officials said.",
        "The Syrian Observatory for Human Rights said about 12 people were wounded.",
    ],
}


def page(story: dict[str, Any], *, charset: str = "utf-8") -> str:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in story["paragraphs"])
    return PAGE_TEMPLATE.format(charset=charset, title=story["title"], date=story["date"], paragraphs=paragraphs)


def rss(items: list[tuple[str, str, str]], *, title: str = "The Valley Courier: World") -> str:
    """An RSS 2.0 feed; items are (link, title, RFC 822 date)."""
    entries = "".join(f"<item><title>{t}</title><link>{link}</link><pubDate>{d}</pubDate>"
                      f"<guid>{link}</guid></item>" for link, t, d in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://valley-courier.invalid/</link><description>World news</description>{entries}</channel></rss>")


def atom(items: list[tuple[str, str, str]]) -> str:
    """An Atom feed; items are (link, title, ISO date-time)."""
    entries = "".join(f'<entry><title>{t}</title><link href="{link}"/><id>{link}</id><updated>{d}</updated></entry>'
                      for link, t, d in items)
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>The Valley Courier (Atom)</title><id>urn:valley-courier</id>"
            f"<updated>2024-04-09T00:00:00Z</updated>{entries}</feed>")


Answer = tuple[int, dict[str, str], bytes]


class Site:
    """The invented site. ``routes`` maps a path to an answer (status, headers, body) or a callable
    taking the handler (for slow or endless answers)."""

    def __init__(self) -> None:
        self.routes: dict[str, Answer | Callable[[BaseHTTPRequestHandler], None]] = {}
        self.hits: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                site.hits.append(self.path)
                route = site.routes.get(self.path)
                if route is None:
                    route = (404, {"Content-Type": "text/html"}, b"<html><body>Not found</body></html>")
                if callable(route):
                    route(self)
                    return
                status, headers, body = route
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def html(self, path: str, text: str, *, charset: str = "utf-8", content_type: str = "text/html") -> None:
        self.routes[path] = (200, {"Content-Type": f"{content_type}; charset={charset}"}, text.encode(charset))

    def start(self) -> Site:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def slow(seconds: float) -> Callable[[BaseHTTPRequestHandler], None]:
    """An answer that starts, then trickles one byte every ``seconds`` for a long time."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.end_headers()
        try:
            for _ in range(200):
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(seconds)
        except OSError:
            pass

    return answer


def endless(handler: BaseHTTPRequestHandler) -> None:
    """An HTML answer without Content-Length that never stops (until the client leaves)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.end_headers()
    chunk = b"<p>" + b"filler " * 1000 + b"</p>\n"
    try:
        for _ in range(100_000):
            handler.wfile.write(chunk)
    except OSError:
        pass


def standard_site() -> Site:
    """The site with every route the tests use."""
    site = Site()
    site.html("/news/dam.html", page(DAM))
    site.html("/news/bridge.html", page(BRIDGE))
    site.html("/news/market.html", page(MARKET))
    site.html("/news/latin1.html", page({**MARKET, "title": "Caf\u00e9 reopens in Tarvo after shelling"},
                                        charset="iso-8859-1"), charset="iso-8859-1")
    site.routes["/news/bad-bytes.html"] = (200, {"Content-Type": "text/html; charset=utf-8"},
                                           page(DAM).replace("Orlen", "Orl\u00e9n").encode("latin-1"))
    site.html("/news/empty.html", "<html><head><title>Nothing</title></head><body><nav>Home</nav></body></html>")
    site.html("/news/plain.txt", "Bridge reopens\n\nThe Syrian Observatory for Human Rights said 3 people were "
                                 "wounded near the bridge on Sunday.\n", content_type="text/plain")
    site.routes["/report.pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 not really")
    site.routes["/loop-a"] = (302, {"Location": "/loop-b"}, b"")
    site.routes["/loop-b"] = (302, {"Location": "/loop-a"}, b"")
    site.routes["/moved"] = (301, {"Location": "/news/bridge.html"}, b"")
    for i in range(8):
        site.routes[f"/hop{i}"] = (302, {"Location": f"/hop{i + 1}"}, b"")
    site.routes["/huge-declared"] = (200, {"Content-Type": "text/html", "Content-Length": "900000000"}, b"")
    site.routes["/huge"] = endless
    site.routes["/slow"] = slow(0.3)
    site.html("/feed.xml", rss([(site.url("/news/dam.html"), DAM["title"], "Tue, 02 Apr 2024 08:30:00 GMT"),
                                ("/news/bridge.html", BRIDGE["title"], "Fri, 05 Apr 2024 09:00:00 GMT")]),
              content_type="application/rss+xml")
    site.html("/atom.xml", atom([(site.url("/news/market.html"), MARKET["title"], "2024-04-09T07:00:00Z")]),
              content_type="application/atom+xml")
    return site.start()
