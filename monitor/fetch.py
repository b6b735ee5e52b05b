"""Fetching one feed over HTTP, defensively.

* conditional GET (If-None-Match / If-Modified-Since); 304 means nothing new;
* redirects followed by hand, at most ``max_redirects``, loops detected; a chain of
  permanent ones (301/308) is reported so the poller can move the feed;
* every address the name resolves to is checked, at connect time (a resolver that
  filters, so DNS rebinding cannot slip past): loopback, private, link-local,
  multicast, reserved and cloud-metadata addresses are refused unless allowed;
* one deadline for the whole fetch, redirects included; the body is read in chunks
  and cut off past ``max_bytes`` on the wire and again after decompression (gzip
  bombs), which is done here, chunk by chunk, with a bounded output.

:func:`fetch` never raises for what a server does: it returns a :class:`FetchResult`
whose ``kind`` says how it ended (a short, bounded label used in metrics).
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from monitor.poll import parse_retry_after

USER_AGENT = "news-monitor/0.1 (+https://github.com/; feed poller)"

# Result kinds (bounded): success and error labels for the polls metric.
OK, NOT_MODIFIED = "ok", "not_modified"
ERROR_KINDS = ("timeout", "connection", "blocked", "too_large", "bomb", "redirects", "rate_limited",
               "http_4xx", "http_5xx", "gone", "bad_encoding", "parse")

_METADATA = {ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200",
                                                "fd00:ec2::254")}
_SHARED = ipaddress.ip_network("100.64.0.0/10")


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = 10_000_000  # on the wire and after decompression
    total_timeout: float = 30.0
    connect_timeout: float = 10.0
    max_redirects: int = 5
    allow_loopback: bool = False
    allow_private: bool = False
    user_agent: str = USER_AGENT


@dataclass
class FetchResult:
    kind: str
    status: int = 0
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""
    final_url: str = ""
    permanent_url: str = ""  # set when every redirect on the way was permanent
    retry_after: float | None = None
    wire_bytes: int = 0
    seconds: float = 0.0
    detail: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.kind in (OK, NOT_MODIFIED)


class BlockedAddress(OSError):
    """The host resolves only to addresses the poller may not reach."""


def address_allowed(ip: str, limits: FetchLimits) -> bool:
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    if addr in _METADATA:
        return False
    if addr.is_loopback:
        return limits.allow_loopback
    if addr.is_unspecified or addr.is_multicast or addr.is_reserved:
        return False
    if addr.is_link_local:
        return False
    if addr.is_private or (isinstance(addr, ipaddress.IPv4Address) and addr in _SHARED):
        return limits.allow_private
    return True


class GuardedResolver(AbstractResolver):
    """Resolves with the system resolver, then drops the addresses that are not allowed."""

    def __init__(self, limits: FetchLimits):
        self._inner = aiohttp.ThreadedResolver()
        self._limits = limits

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[Any]:
        infos = await self._inner.resolve(host, port, family)
        allowed = [i for i in infos if address_allowed(i["host"], self._limits)]
        if not allowed:
            raise BlockedAddress(f"{host} resolves only to refused addresses")
        return allowed

    async def close(self) -> None:
        await self._inner.close()


def make_session(limits: FetchLimits, *, connections: int = 100, per_host: int = 0) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(limits), limit=connections,
                                     limit_per_host=per_host, ttl_dns_cache=300, enable_cleanup_closed=True)
    return aiohttp.ClientSession(connector=connector, auto_decompress=False, cookie_jar=aiohttp.DummyCookieJar(),
                                 headers={"User-Agent": limits.user_agent,
                                          "Accept-Encoding": "gzip, deflate",
                                          "Accept": "application/rss+xml, application/atom+xml, "
                                                    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"})


def _literal_blocked(url: URL, limits: FetchLimits) -> bool:
    host = url.host or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host.lower() in ("localhost", "localhost.localdomain") and not limits.allow_loopback
    return not address_allowed(host, limits)


class _TooLarge(Exception):
    def __init__(self, kind: str):
        self.kind = kind


async def _read_body(resp: aiohttp.ClientResponse, limits: FetchLimits) -> tuple[bytes, int]:
    """The decoded body and the bytes read off the wire; raises _TooLarge past the caps."""
    encoding = resp.headers.get("Content-Encoding", "").strip().lower()
    length = resp.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > limits.max_bytes:
        raise _TooLarge("too_large")
    decomp = None
    if encoding in ("gzip", "x-gzip"):
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decomp = zlib.decompressobj()
    parts: list[bytes] = []
    wire = size = 0
    async for chunk in resp.content.iter_any():
        wire += len(chunk)
        if wire > limits.max_bytes:
            raise _TooLarge("too_large")
        if decomp is None:
            parts.append(chunk)
            size += len(chunk)
            continue
        data = chunk
        while data:
            out = decomp.decompress(data, limits.max_bytes - size + 1)
            size += len(out)
            if size > limits.max_bytes:
                raise _TooLarge("bomb")
            parts.append(out)
            data = decomp.unconsumed_tail
            if decomp.eof:
                break
    if decomp is not None:
        tail = decomp.flush()
        size += len(tail)
        if size > limits.max_bytes:
            raise _TooLarge("bomb")
        parts.append(tail)
    return b"".join(parts), wire


async def fetch(session: aiohttp.ClientSession, url: str, limits: FetchLimits, *, etag: str = "",
                last_modified: str = "") -> FetchResult:
    start = time.monotonic()
    result = FetchResult(kind="connection")
    try:
        async with asyncio.timeout(limits.total_timeout):
            await _fetch(session, URL(url), limits, etag, last_modified, result)
    except TimeoutError:
        result.kind, result.detail = "timeout", f"no complete response in {limits.total_timeout:g}s"
    except aiohttp.ClientConnectorError as exc:
        blocked = isinstance(getattr(exc, "os_error", None), BlockedAddress) or \
            isinstance(exc.__cause__, BlockedAddress)
        result.kind, result.detail = ("blocked" if blocked else "connection"), str(exc)
    except BlockedAddress as exc:
        result.kind, result.detail = "blocked", str(exc)
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        result.kind, result.detail = "connection", f"{type(exc).__name__}: {exc}"
    result.seconds = time.monotonic() - start
    return result


async def _fetch(session: aiohttp.ClientSession, url: URL, limits: FetchLimits, etag: str, last_modified: str,
                 result: FetchResult) -> None:
    visited: set[str] = set()
    permanent = True
    first = url
    for _hop in range(limits.max_redirects + 1):
        if url.scheme not in ("http", "https"):
            result.kind, result.detail = "blocked", f"scheme {url.scheme!r}"
            return
        if _literal_blocked(url, limits):
            result.kind, result.detail = "blocked", f"address {url.host}"
            return
        visited.add(str(url))
        headers = {}  # the validators go to whichever URL answers
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        resp = await session.get(url, headers=headers, allow_redirects=False,
                                 timeout=aiohttp.ClientTimeout(total=None, sock_connect=limits.connect_timeout))
        try:
            result.status = resp.status
            result.final_url = str(url)
            if resp.status in (301, 302, 303, 307, 308):
                location = resp.headers.get("Location")
                if not location:
                    result.kind, result.detail = "http_4xx", "redirect without Location"
                    return
                permanent = permanent and resp.status in (301, 308)
                nxt = url.join(URL(location))
                if str(nxt) in visited:
                    result.kind, result.detail = "redirects", f"redirect loop at {nxt}"
                    return
                url = nxt
                continue
            result.etag = resp.headers.get("ETag", "")
            result.last_modified = resp.headers.get("Last-Modified", "")
            result.content_type = resp.headers.get("Content-Type", "")
            if url != first and permanent:
                result.permanent_url = str(url)
            if resp.status == 304:
                result.kind = NOT_MODIFIED
                result.etag = result.etag or etag
                result.last_modified = result.last_modified or last_modified
                return
            if resp.status in (429, 503):
                result.kind = "rate_limited"
                result.retry_after = parse_retry_after(resp.headers.get("Retry-After"), time.time())
                return
            if resp.status == 410:
                result.kind = "gone"
                return
            if resp.status >= 500:
                result.kind = "http_5xx"
                return
            if resp.status >= 400 or resp.status != 200:
                result.kind = "http_4xx" if resp.status >= 400 else "http_5xx"
                result.detail = f"status {resp.status}"
                return
            try:
                result.body, result.wire_bytes = await _read_body(resp, limits)
            except _TooLarge as exc:
                result.kind, result.detail = exc.kind, f"over {limits.max_bytes} bytes"
                return
            except zlib.error as exc:
                result.kind, result.detail = "bad_encoding", str(exc)
                return
            result.kind = OK
            return
        finally:
            resp.release()  # back to the pool if the body was read, else the connection closes
    result.kind, result.detail = "redirects", f"more than {limits.max_redirects} redirects"
