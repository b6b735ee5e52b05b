"""A local feed farm on loopback for tests and the bench: aiohttp serving feeds with
validators, plus hostile endpoints.

    farm = FeedFarm(); base = await farm.start()     # "http://127.0.0.1:PORT"
    farm.put("cnn", body, "application/rss+xml")     # served at /feed/cnn with ETag, Last-Modified
    ... await farm.stop()

Hostile endpoints: /hang (never answers), /flaky/{name} (500 ``flaky_failures`` times,
then /feed/{name}), /ratelimit/{name} (429 with Retry-After once, then the feed),
/loop/a <-> /loop/b (redirect loop), /moved/{name} (301 to /feed/{name}),
/huge (200 MB streamed, never held in memory), /bomb (a gzip bomb: ~200 KB that
inflates to 200 MB), /generated/{i} (a small generated feed, for the bench; 304 when unchanged),
/changing/{i} (the same with one new item on every request),
/to-metadata (redirects to the cloud metadata address, which must be refused).
"""
from __future__ import annotations

import asyncio
import functools
import hashlib
import zlib
from collections import Counter
from email.utils import formatdate

from aiohttp import web

HUGE_BYTES = 200 * 1024 * 1024
_ZERO_MB = b"\0" * (1024 * 1024)


@functools.lru_cache(maxsize=2)
def gzip_bomb(megabytes: int = 200) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>'
    parts = [c.compress(head)] + [c.compress(_ZERO_MB) for _ in range(megabytes)]
    parts.append(c.flush())
    return b"".join(parts)


def generated_feed(i: int, version: int, items: int = 10) -> bytes:
    """A small RSS feed; ``version`` shifts the items, so each version brings one new item."""
    entries = "".join(
        f"<item><title>Feed {i} item {n}</title><link>https://example.org/{i}/{n}</link>"
        f"<guid>https://example.org/{i}/{n}</guid><pubDate>{formatdate(1_700_000_000 + n * 60, usegmt=True)}"
        f"</pubDate><description>Item {n} of feed {i}, version {version}.</description></item>"
        for n in range(version, version + items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {i}</title>'
            f"<link>https://example.org/{i}</link><language>en</language>{entries}</channel></rss>").encode()


class FeedFarm:
    def __init__(self, *, flaky_failures: int = 2, retry_after: int = 1, gen_changing: bool = False):
        self.docs: dict[str, tuple[bytes, str, str, str]] = {}  # name -> body, type, etag, last-modified
        self.hits: Counter = Counter()
        self.flaky_failures = flaky_failures
        self.retry_after = retry_after
        self.gen_changing = gen_changing  # /generated/{i}: a new version on every request
        self.gen_version: Counter = Counter()
        self.versions: Counter = Counter()
        self._bomb = b""
        self._runner: web.AppRunner | None = None
        self._hang = asyncio.Event()
        self.base = ""
        app = web.Application()
        app.router.add_get("/feed/{name}", self._feed)
        app.router.add_get("/hang", self._hang_handler)
        app.router.add_get("/flaky/{name}", self._flaky)
        app.router.add_get("/ratelimit/{name}", self._ratelimit)
        app.router.add_get("/loop/{x}", self._loop)
        app.router.add_get("/moved/{name}", self._moved)
        app.router.add_get("/huge", self._huge)
        app.router.add_get("/bomb", self._bomb_handler)
        app.router.add_get("/generated/{i}", self._generated)
        app.router.add_get("/changing/{i}", self._changing)
        app.router.add_get("/to-metadata", self._to_metadata)
        self.app = app

    async def start(self, port: int = 0) -> str:
        self._runner = web.AppRunner(self.app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port, backlog=4096)
        await site.start()
        self._bomb = await asyncio.to_thread(gzip_bomb)
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}"
        return self.base

    async def stop(self) -> None:
        self._hang.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str) -> str:
        return self.base + path

    def put(self, name: str, body: bytes, content_type: str = "application/rss+xml", *,
            modified: float | None = None) -> None:
        """Serve ``body`` at /feed/{name}; a new body gets a new ETag and Last-Modified."""
        old = self.docs.get(name)
        if old and old[0] == body:
            return
        etag = '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'
        self.versions[name] += 1
        when = modified if modified is not None else 1_600_000_000 + 60 * self.versions[name]
        self.docs[name] = (body, content_type, etag, formatdate(when, usegmt=True))

    def _serve(self, request: web.Request, name: str) -> web.Response:
        body, ctype, etag, modified = self.docs[name]
        inm = request.headers.get("If-None-Match")
        ims = request.headers.get("If-Modified-Since")
        if (inm and inm == etag) or (not inm and ims and ims == modified):
            self.hits["304:" + name] += 1
            return web.Response(status=304, headers={"ETag": etag, "Last-Modified": modified})
        self.hits["200:" + name] += 1
        return web.Response(body=body, headers={"Content-Type": ctype, "ETag": etag, "Last-Modified": modified})

    async def _feed(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.hits[name] += 1
        if name not in self.docs:
            return web.Response(status=404)
        return self._serve(request, name)

    async def _hang_handler(self, request: web.Request) -> web.StreamResponse:
        self.hits["hang"] += 1
        await self._hang.wait()
        return web.Response(status=204)

    async def _flaky(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.hits["flaky:" + name] += 1
        if self.hits["flaky:" + name] <= self.flaky_failures:
            return web.Response(status=500, text="boom")
        return self._serve(request, name)

    async def _ratelimit(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.hits["ratelimit:" + name] += 1
        if self.hits["ratelimit:" + name] == 1:
            return web.Response(status=429, headers={"Retry-After": str(self.retry_after)})
        return self._serve(request, name)

    async def _loop(self, request: web.Request) -> web.StreamResponse:
        self.hits["loop"] += 1
        nxt = "b" if request.match_info["x"] == "a" else "a"
        raise web.HTTPFound(f"/loop/{nxt}")

    async def _moved(self, request: web.Request) -> web.StreamResponse:
        self.hits["moved"] += 1
        raise web.HTTPMovedPermanently(f"/feed/{request.match_info['name']}")

    async def _to_metadata(self, request: web.Request) -> web.StreamResponse:
        self.hits["to-metadata"] += 1
        raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        self.hits["huge"] += 1
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})  # chunked, no length
        await resp.prepare(request)
        sent = 0
        try:
            while sent < HUGE_BYTES:
                await resp.write(_ZERO_MB)
                sent += len(_ZERO_MB)
        except (ConnectionResetError, asyncio.CancelledError):
            self.hits["huge_cut"] += 1
            raise
        self.hits["huge_sent_all"] += 1
        return resp

    async def _bomb_handler(self, request: web.Request) -> web.StreamResponse:
        self.hits["bomb"] += 1
        return web.Response(body=self._bomb, headers={"Content-Type": "application/rss+xml",
                                                       "Content-Encoding": "gzip"})

    async def _changing(self, request: web.Request) -> web.StreamResponse:
        return await self._generated(request, changing=True)

    async def _generated(self, request: web.Request, changing: bool = False) -> web.StreamResponse:
        i = int(request.match_info["i"])
        if self.gen_changing or changing:
            self.gen_version[i] += 1
        v = self.gen_version[i]
        etag = f'"g{i}-{v}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=generated_feed(i, v), headers={"Content-Type": "application/rss+xml",
                                                                "ETag": etag})


class FarmThread:
    """A FeedFarm served from an event loop of its own in a thread, for tests that are not
    async themselves (a poller subprocess fetching from it while the test waits)::

        farm = FeedFarm(); farm.put("bbc", body)
        with FarmThread(farm) as base: ...       # "http://127.0.0.1:PORT"
    """

    def __init__(self, farm: FeedFarm):
        import threading

        self.farm = farm
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> str:
        self._thread.start()
        return asyncio.run_coroutine_threadsafe(self.farm.start(), self._loop).result(60)

    def stop(self) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self.farm.stop(), self._loop).result(30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)
            self._loop.close()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
