"""Concurrent clients for throughput: many keep-alive connections driven by one asyncio loop.

The server under test and this client share the machine's cores, so the client must cost far
less than the server per request: a thread per client with ``http.client`` spends about a
tenth of a millisecond of Python (and the GIL) per request, which on two cores is a visible
part of what it measures. Here every connection is a bare :class:`asyncio.Protocol` (uvloop
when installed) that writes one prebuilt GET and reads the answer by its ``Content-Length``
(or chunks). That still costs some tens of microseconds of CPU per request (Python, the loop, the
socket calls): measured at 60-85 us on the 2-core benchmark machine under load (issue 17, target 4),
so every result records it (:attr:`LoadResult.client_cpu_us`) and the report shows it beside the throughput.

Each of ``clients`` connections sends its next request as soon as the previous answer is
complete (a closed loop), for ``seconds``; every latency is kept, so percentiles are exact.
A non-200 answer, a reset or a timeout is an error (counted, and the connection reopened).

    python -m benchmarks.loadgen http://127.0.0.1:8000/sparql?query=ASK%7B%7D --clients 8 --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

__all__ = ["LoadResult", "run_load"]


@dataclass
class LoadResult:
    clients: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    first_error: str = ""
    client_cpu: float = 0.0
    """CPU seconds the load generator itself used (user + system, its thread) while it ran."""

    @property
    def client_cpu_us(self) -> float:
        """The load generator's CPU microseconds per request."""
        return 1e6 * self.client_cpu / self.requests if self.requests else 0.0

    @property
    def throughput(self) -> float:
        """Successful answers per second."""
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        s = sorted(self.latencies)
        return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else float("nan")


class _Answer(asyncio.Protocol):
    """One keep-alive connection; :meth:`request` sends the GET and waits for the whole answer."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionResetError("the server closed the connection"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        status = self._complete()
        if status is not None and self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(status)

    def _complete(self) -> int | None:
        """The status code once a whole answer is in the buffer (which is then emptied), else None."""
        buf = self.buffer
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(buf[:end]).lower()
        status = int(head[9:12])
        start = end + 4
        marker = head.find(b"content-length:")
        if marker >= 0:
            stop = head.find(b"\r\n", marker)
            length = int(head[marker + 15:stop if stop >= 0 else len(head)])
            if len(buf) - start < length:
                return None
            del buf[:start + length]
            return status
        if b"transfer-encoding: chunked" in head:
            pos = start
            while True:
                line_end = buf.find(b"\r\n", pos)
                if line_end < 0:
                    return None
                size = int(bytes(buf[pos:line_end]).split(b";")[0], 16)
                pos = line_end + 2 + size + 2
                if len(buf) < pos:
                    return None
                if size == 0:
                    del buf[:pos]
                    return status
        del buf[:start]  # no body (e.g. 204)
        return status

    async def request(self, raw: bytes, timeout: float) -> int:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await asyncio.wait_for(self.waiter, timeout)


async def _drive(host: str, port: int, raw: bytes, clients: int, seconds: float,
                 timeout: float) -> LoadResult:
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    errors = [0]
    first_error = [""]
    ready = asyncio.Event()
    opened = [0]

    async def connect() -> _Answer:
        _transport, proto = await loop.create_connection(_Answer, host, port)
        return proto

    async def client() -> None:
        conn = await connect()
        opened[0] += 1
        if opened[0] == clients:  # every connection is open: the clock starts
            start[0] = time.perf_counter()
            ready.set()
        await ready.wait()
        stop_at = start[0] + seconds
        clock = time.perf_counter
        while clock() < stop_at:
            t0 = clock()
            try:
                status = await conn.request(raw, timeout)
                ok = status == 200
                if not ok and not first_error[0]:
                    first_error[0] = f"HTTP {status}"
            except (OSError, asyncio.TimeoutError) as exc:
                ok = False
                if not first_error[0]:
                    first_error[0] = f"{type(exc).__name__}: {exc}"
                if conn.transport is not None:
                    conn.transport.close()
                conn = await connect()
            latencies.append(clock() - t0)
            if not ok:
                errors[0] += 1
            elif conn.lost:  # answered, then closed (keep-alive refused): reconnect
                if conn.transport is not None:
                    conn.transport.close()
                conn = await connect()
        if conn.transport is not None:
            conn.transport.close()

    start = [0.0]
    cpu = _cpu()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - start[0]
    return LoadResult(clients, len(latencies), errors[0], elapsed, latencies, first_error[0], _cpu() - cpu)


def _cpu() -> float:
    """CPU seconds of this thread (the loop's), user and system."""
    usage = resource.getrusage(getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF))
    return usage.ru_utime + usage.ru_stime


def run_load(base: str, path: str, params: dict[str, str] | None = None, *, clients: int, seconds: float,
             timeout: float = 30.0, headers: dict[str, str] | None = None) -> LoadResult:
    """``clients`` connections to ``base`` sending ``GET path?params`` back to back for ``seconds``."""
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    target = url.path.rstrip("/") + path + ("?" + urlencode(params) if params else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}", "Accept: application/sparql-results+json, application/json"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency where it builds
        return asyncio.run(_drive(host, port, raw, clients, seconds, timeout))
    return uvloop.run(_drive(host, port, raw, clients, seconds, timeout))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    url = urlsplit(args.url)
    base = f"{url.scheme}://{url.netloc}"
    path = url.path + (f"?{url.query}" if url.query else "")
    res = run_load(base, path, clients=args.clients, seconds=args.seconds)
    print(f"{res.throughput:,.0f} req/s, {res.requests:,} requests, {res.errors} errors {res.first_error}; "
          f"median {1000 * res.percentile(0.5):.2f} ms, p99 {1000 * res.percentile(0.99):.2f} ms; "
          f"load generator CPU {res.client_cpu_us:.0f} us per request")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
