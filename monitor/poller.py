"""The asyncio poller: schedule → fetch → parse → dedup → publish, with state in Kafka.

Exactly one article per entry
    Each poll that finds new entries commits, in one Kafka transaction, the new
    articles to the raw topic and the feed's :class:`~monitor.poll.FeedState` (with the
    keys of the entries now published) to a compacted state topic. At start the poller
    first registers its transactional id (which fences an older process with the same
    id and aborts whatever it left open), then reads the state topic to its end with
    ``read_committed``. So a crash or restart anywhere either published an entry and
    recorded it, or did neither. Several processes split the feed list with
    ``--shard i/N`` (each owns the feeds :func:`~monitor.poll.shard_of` gives it, with
    its own transactional id); two processes started for the same shard cannot both
    publish: the newer one fences the older.

    Consumers of the raw topic that must never see an aborted write read it with
    ``isolation_level=read_committed``; article ids are content-based as well, so a
    downstream dedup on the key catches anything else.

I/O sits behind :class:`Sink` (``start`` loads the saved states, ``commit`` writes a
batch atomically); :class:`KafkaSink` is the real one, :class:`MemorySink` its twin.
"""
from __future__ import annotations

import asyncio
import heapq
import html
import logging
import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Protocol
from urllib.parse import urlsplit

from monitor.dates import iso_utc
from monitor.feedparse import Entry, ParsedFeed, entry_key, parse_feed
from monitor.feeds import Feed
from monitor.fetch import NOT_MODIFIED, OK, FetchLimits, FetchResult, fetch, make_session
from monitor.models import Article, article_id
from monitor.poll import (
    DEFAULT_CEILING,
    MAX_SEEN,
    FeedState,
    feed_key,
    first_check,
    new_keys,
    new_state,
    next_check,
    on_failure,
    on_not_modified,
    on_permanent_redirect,
    on_success,
)
from monitor.poll_metrics import PollMetrics

log = logging.getLogger(__name__)

MAX_SUMMARY_CHARS = 4000
_TAG = re.compile(r"<[^>]*>")


# ---------------------------------------------------------------- sinks

class Sink(Protocol):
    async def start(self) -> dict[str, FeedState]: ...

    async def commit(self, articles: list[Article], states: list[FeedState]) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class MemoryStore:
    """What a MemorySink has committed; share one between sinks to simulate a restart."""

    articles: list[Article] = field(default_factory=list)
    states: dict[str, bytes] = field(default_factory=dict)


class MemorySink:
    def __init__(self, store: MemoryStore | None = None):
        self.store = store or MemoryStore()

    async def start(self) -> dict[str, FeedState]:
        return {k: FeedState.from_json(v) for k, v in self.store.states.items()}

    async def commit(self, articles: list[Article], states: list[FeedState]) -> None:
        self.store.articles.extend(articles)
        for s in states:
            self.store.states[s.key] = s.to_json()

    async def stop(self) -> None:
        pass


class KafkaSink:
    """Articles to the raw topic and feed states to the compacted state topic, transactionally."""

    def __init__(self, bootstrap: str, raw_topic: str, state_topic: str, *, transactional_id: str,
                 partitions: int = 4, create_topics: bool = True, load_timeout: float = 60.0,
                 client_options: dict | None = None, retry_seconds: float = 300.0,
                 commit_timeout: float = 30.0):
        self.retry_seconds, self.commit_timeout = retry_seconds, commit_timeout
        self.bootstrap, self.raw_topic, self.state_topic = bootstrap, raw_topic, state_topic
        # Connection settings of a secured cluster (monitor.kafka_io.client_options); they
        # may hold a password, so they are kept out of every repr and log.
        self._options = dict(client_options or {"bootstrap_servers": bootstrap})
        self.transactional_id = transactional_id
        self.partitions = partitions
        self.create_topics = create_topics
        self.load_timeout = load_timeout
        self.producer = None

    async def start(self) -> dict[str, FeedState]:
        if self.create_topics:
            await ensure_topics(self.bootstrap, self.raw_topic, self.state_topic, self.partitions,
                                client_options=self._options)
        await self._start_producer()  # fences an older producer with this id, aborts its open transaction
        return await read_states(self.bootstrap, self.state_topic, timeout=self.load_timeout,
                                 client_options=self._options)

    async def _start_producer(self) -> None:
        from aiokafka import AIOKafkaProducer

        self.producer = AIOKafkaProducer(**self._options, transactional_id=self.transactional_id,
                                         enable_idempotence=True, acks="all", linger_ms=5,
                                         max_request_size=4_000_000)
        await self.producer.start()

    async def commit(self, articles: list[Article], states: list[FeedState]) -> None:
        """Commit one batch; if the broker is unreachable or restarting, reconnect and try
        again for up to ``retry_seconds``. Whether a failed attempt's transaction did commit
        after all is read back from the state topic (its states were in it), so a batch is
        never written twice. A fenced producer (another process took this shard) gives up."""
        from aiokafka.errors import ProducerFenced, TransactionCoordinatorFenced

        deadline = time.monotonic() + self.retry_seconds
        while True:
            try:
                # A transaction whose broker went away may wait forever: bound it.
                await asyncio.wait_for(self._commit_once(articles, states), self.commit_timeout)
                return
            except (ProducerFenced, TransactionCoordinatorFenced):
                raise
            except Exception as exc:  # noqa: BLE001 - a broker restart, a lost connection
                if time.monotonic() > deadline:
                    raise
                log.warning("commit failed (%r); reconnecting to retry", exc)
            if await self._reconnected_and_committed(states, deadline):
                return

    async def _reconnected_and_committed(self, states: list[FeedState], deadline: float) -> bool:
        """A new producer (the same transactional id aborts or completes the old
        transaction); then True if the batch's states are on the state topic already."""
        while True:
            await asyncio.sleep(1.0)
            try:
                await self.stop()
                await self._start_producer()
                saved = await read_states(self.bootstrap, self.state_topic, timeout=self.load_timeout,
                                          client_options=self._options)
            except Exception as exc:  # noqa: BLE001
                if time.monotonic() > deadline:
                    raise
                log.warning("Kafka not reachable yet (%r)", exc)
                continue
            return bool(states) and all(saved.get(s.key) == s for s in states)

    async def _commit_once(self, articles: list[Article], states: list[FeedState]) -> None:
        assert self.producer is not None
        sent: list[asyncio.Future] = []
        try:
            async with self.producer.transaction():
                for a in articles:
                    sent.append(await self.producer.send(self.raw_topic, key=a.id.encode(), value=a.to_json()))
                for s in states:
                    sent.append(await self.producer.send(self.state_topic, key=s.key.encode(), value=s.to_json()))
        except BaseException:
            for fut in sent:  # the transaction's error is the one that counts
                fut.add_done_callback(lambda f: f.cancelled() or f.exception())
            self._retrieve_txn_error()
            raise

    def _retrieve_txn_error(self) -> None:
        # aiokafka leaves a fenced producer's transaction error in a future nobody awaits.
        waiter = getattr(getattr(self.producer, "_txn_manager", None), "_transaction_waiter", None)
        if waiter is not None and waiter.done() and not waiter.cancelled():
            waiter.exception()

    async def stop(self) -> None:
        if self.producer is not None:
            self._retrieve_txn_error()
            try:
                await self.producer.stop()
            finally:
                self._retrieve_txn_error()
                self.producer = None


async def ensure_topics(bootstrap: str, raw_topic: str, state_topic: str, partitions: int, *,
                        client_options: dict | None = None) -> None:
    """Create the raw topic and the compacted state topic if they do not exist."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    admin = AIOKafkaAdminClient(**(client_options or {"bootstrap_servers": bootstrap}))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        new = []
        if raw_topic not in existing:
            new.append(NewTopic(raw_topic, partitions, 1))
        if state_topic not in existing:
            new.append(NewTopic(state_topic, partitions, 1,
                                topic_configs={"cleanup.policy": "compact", "min.compaction.lag.ms": "60000"}))
        if new:
            try:
                await admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()


async def read_states(bootstrap: str, topic: str, *, timeout: float = 60.0,
                      client_options: dict | None = None) -> dict[str, FeedState]:
    """Every feed's latest committed state on the state topic (tombstones delete)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(**(client_options or {"bootstrap_servers": bootstrap}),
                                enable_auto_commit=False, isolation_level="read_committed",
                                auto_offset_reset="earliest")
    await consumer.start()
    states: dict[str, FeedState] = {}
    try:
        cluster = await consumer._client.fetch_all_metadata()  # noqa: SLF001 - sees fresh topics too
        parts = cluster.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        if not tps:
            return states
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        deadline = time.monotonic() + timeout
        pending = {tp for tp in tps if ends[tp] > 0}
        while pending:
            if time.monotonic() > deadline:
                raise TimeoutError(f"state topic {topic} not read to its end in {timeout:g}s")
            batches = await consumer.getmany(*pending, timeout_ms=200)
            for records in batches.values():
                for r in records:
                    key = r.key.decode() if r.key else ""
                    if r.value is None:
                        states.pop(key, None)
                    else:
                        try:
                            states[key] = FeedState.from_json(r.value)
                        except Exception:  # noqa: BLE001 - an unreadable record is skipped
                            log.warning("unreadable state record", extra={"key": key, "offset": r.offset})
            for tp in list(pending):
                if await consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
    finally:
        await consumer.stop()
    return states


# ---------------------------------------------------------------- articles

def clean_text(s: str, limit: int = MAX_SUMMARY_CHARS) -> str:
    if "<" in s:
        s = _TAG.sub(" ", s)
    s = " ".join(html.unescape(s).split())
    return s[:limit]


def language(feed: Feed, parsed: ParsedFeed) -> str | None:
    lang = feed.language or parsed.language
    return lang.split("-")[0].split("_")[0].lower() or None if lang else None


def build_article(feed: Feed, entry: Entry, parsed: ParsedFeed, fetched_at: float) -> Article:
    link = entry.link or (entry.guid if entry.guid.startswith(("http://", "https://")) else "")
    title, summary = clean_text(entry.title, 1000), clean_text(entry.summary)
    try:
        aid = article_id(url=link) if link else article_id(title=title, body=summary)
    except ValueError:  # a link canonical_url cannot parse
        aid = article_id(title=link + "\n" + title, body=summary)
    published = entry.published or datetime.fromtimestamp(fetched_at, tz=timezone.utc)
    return Article(id=aid, title=title, summary=summary, url=link, published=iso_utc(published),
                   source=clean_text(parsed.title, 200) or feed.name, lang=language(feed, parsed),
                   tags=list(feed.tags), feed=feed.name, ref=entry.guid or None)


# ---------------------------------------------------------------- poller

@dataclass
class PollerOptions:
    concurrency: int = 100  # fetches in flight, overall
    per_host: int = 4  # fetches in flight per host
    backend: str = "fast"  # parse backend, see monitor.feedparse
    ceiling: float = DEFAULT_CEILING  # longest backoff, seconds
    jitter: float = 0.1
    max_seen: int = MAX_SEEN
    limits: FetchLimits = field(default_factory=FetchLimits)
    batch_max: int = 200  # polls committed in one transaction, at most
    thread_parse_bytes: int = 200_000  # larger documents are parsed off the event loop


@dataclass
class PollOutcome:
    feed: str
    result: str  # a label of monitor.poll_metrics.RESULTS
    published: int = 0
    fetch: FetchResult | None = None


class PollerFailed(Exception):
    """A commit to the sink failed: the process must restart and reload its state."""


class Poller:
    def __init__(self, feeds: Iterable[Feed], sink: Sink, options: PollerOptions | None = None,
                 metrics: PollMetrics | None = None, *, clock=time.time, rng: random.Random | None = None):
        self.feeds = [f for f in feeds if f.enabled]
        self.sink = sink
        self.opt = options or PollerOptions()
        self.metrics = metrics or PollMetrics()
        self.clock = clock
        self.rng = rng or random.Random()
        self.states: dict[str, FeedState] = {}
        self._session = None
        self._global = asyncio.Semaphore(self.opt.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._queue: asyncio.Queue = asyncio.Queue()
        self._committer: asyncio.Task | None = None
        self._failed: BaseException | None = None

    async def __aenter__(self) -> Poller:
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def start(self) -> None:
        saved = await self.sink.start()
        for f in self.feeds:
            self.states[f.url] = saved.get(feed_key(f.url)) or new_state(f.url)
        self._session = make_session(self.opt.limits, connections=self.opt.concurrency)
        self._committer = asyncio.create_task(self._commit_loop(), name="poller-commit")
        log.info("poller started", extra={"feeds": len(self.feeds), "restored": len(saved)})

    async def close(self) -> None:
        if self._committer is not None:
            self._committer.cancel()
            try:
                await self._committer
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
            self._committer = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        await self.sink.stop()

    # ------------------------------------------------------------ commit batching

    async def _commit(self, articles: list[Article], state: FeedState) -> None:
        if self._failed:
            raise PollerFailed("an earlier commit failed") from self._failed
        fut = asyncio.get_running_loop().create_future()
        await self._queue.put((articles, state, fut))
        await fut

    async def _commit_loop(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.opt.batch_max and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            articles = [a for arts, _, _ in batch for a in arts]
            states = [s for _, s, _ in batch]
            t0 = time.monotonic()
            try:
                await self.sink.commit(articles, states)
            except Exception as exc:  # noqa: BLE001 - every waiter learns it
                log.error("commit failed, poller stops: %r", exc)
                self._failed = exc
                for _, _, fut in batch:
                    if not fut.done():
                        fut.set_exception(PollerFailed(repr(exc)))
                continue
            self.metrics.commit_seconds.observe(time.monotonic() - t0)
            for _, _, fut in batch:
                if not fut.done():
                    fut.set_result(None)

    # ------------------------------------------------------------ one poll

    def _host_sem(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(self.opt.per_host)
        return sem

    async def poll_feed(self, feed: Feed) -> PollOutcome:
        state = self.states[feed.url]
        url = state.fetch_url
        async with self._host_sem(url):
            async with self._global:
                fr = await fetch(self._session, url, self.opt.limits, etag=state.etag,
                                 last_modified=state.last_modified)
        now = self.clock()
        new = replace(state, seen=list(state.seen))
        if fr.permanent_url:
            on_permanent_redirect(new, fr.permanent_url)
        articles: list[Article] = []
        persist = bool(fr.permanent_url)
        if fr.kind == OK:
            parsed = await self._parse(feed, fr)
            if parsed.error and not parsed.entries:
                result = "parse"
                on_failure(new, now, result)
                persist = True
            else:
                keys = [entry_key(e) for e in parsed.entries]
                fresh = set(new_keys(new, keys))
                for key, entry in zip(keys, parsed.entries):
                    if key in fresh:
                        fresh.discard(key)
                        articles.append(build_article(feed, entry, parsed, now))
                result = "new" if articles else "unchanged"
                before = (state.etag, state.last_modified, state.error_count)
                on_success(new, now, etag=fr.etag, last_modified=fr.last_modified, present=keys,
                           limit=self.opt.max_seen)
                persist = persist or bool(articles) or before != (new.etag, new.last_modified, 0) \
                    or new.seen != state.seen
        elif fr.kind == NOT_MODIFIED:
            result = "not_modified"
            persist = persist or state.error_count > 0
            on_not_modified(new, now)
        else:
            result = fr.kind
            on_failure(new, now, fr.kind, fr.retry_after)
            persist = True
            log.info("poll failed", extra={"feed": feed.name, "kind": fr.kind, "detail": fr.detail})
        if persist:
            await self._commit(articles, new)
        self.states[feed.url] = new
        self.metrics.observe(feed.name, result, wire_bytes=fr.wire_bytes, seconds=fr.seconds,
                             published=len(articles), consecutive_failures=new.error_count,
                             success_at=now if fr.ok else None)
        return PollOutcome(feed.name, result, len(articles), fr)

    async def _parse(self, feed: Feed, fr: FetchResult) -> ParsedFeed:
        kwargs = dict(content_type=fr.content_type, base_url=fr.final_url, lang_hint=feed.language,
                      backend=self.opt.backend)
        if len(fr.body) > self.opt.thread_parse_bytes:
            return await asyncio.to_thread(parse_feed, fr.body, **kwargs)
        return parse_feed(fr.body, **kwargs)

    # ------------------------------------------------------------ loops

    async def poll_all_once(self, feeds: Iterable[Feed] | None = None) -> list[PollOutcome]:
        """Poll every (given) feed once now, ignoring the schedule."""
        return list(await asyncio.gather(*(self.poll_feed(f) for f in (feeds or self.feeds))))

    async def run(self, stop: asyncio.Event | None = None, *, max_in_flight: int | None = None) -> None:
        """Poll each feed on its schedule until ``stop`` is set; raises PollerFailed if a commit fails."""
        stop = stop or asyncio.Event()
        cap = max_in_flight or self.opt.concurrency * 2
        now = self.clock()
        heap = [(first_check(self.states[f.url], now, f.interval, self.rng), i, f)
                for i, f in enumerate(self.feeds)]
        heapq.heapify(heap)
        seq = len(heap)
        tasks: set[asyncio.Task] = set()

        async def one(feed: Feed) -> None:
            nonlocal seq
            try:
                await self.poll_feed(feed)
            except PollerFailed:
                stop.set()
                return
            except Exception:  # noqa: BLE001 - a bug on one feed must not stop the others
                log.exception("poll crashed", extra={"feed": feed.name})
            seq += 1
            due = next_check(self.states[feed.url], self.clock(), feed.interval, ceiling=self.opt.ceiling,
                             rng=self.rng, jitter=self.opt.jitter)
            heapq.heappush(heap, (due, seq, feed))

        try:
            while not stop.is_set():
                now = self.clock()
                while heap and heap[0][0] <= now and len(tasks) < cap:
                    _, _, feed = heapq.heappop(heap)
                    t = asyncio.create_task(one(feed))
                    tasks.add(t)
                    t.add_done_callback(tasks.discard)
                wait = 0.05 if len(tasks) >= cap or not heap else min(1.0, max(0.0, heap[0][0] - now))
                try:
                    await asyncio.wait_for(stop.wait(), timeout=max(wait, 0.001))
                except TimeoutError:
                    pass
        finally:
            for t in list(tasks):
                t.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
        if self._failed:
            raise PollerFailed(repr(self._failed)) from self._failed
