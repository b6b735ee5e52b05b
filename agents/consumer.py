"""Faust's Kafka consumer with its offset-gap bookkeeping corrected (issue 7).

Transactional producers (the feed poller, ``monitor/poller.py``) leave a commit or abort
marker after each transaction in every partition it wrote to. A marker takes an offset but
is never handed to the application, so the worker sees gaps: 10, 12, 14, ... Faust
(faust-streaming 0.15.3, ``faust/transport/consumer.py``) commits an offset only once
every offset below it is acked or known to be a gap, and records gaps in
``Consumer._drain_messages``::

    gap = offset - (r_offset or 0)            # r_offset: the last offset read
    if gap > 1 and r_offset:
        await self._add_gap(tp, r_offset + 1, offset)

where ``_add_gap(tp, offset_from, offset_to)`` stores the range *including*
``offset_to``. Two mistakes follow:

1. The gap includes ``offset``, the message just received. When that message is acked
   its offset is in ``_acked`` twice (once acked, once filled in from the gap), and
   ``_new_offset`` takes only the first run of *consecutive* numbers, which a duplicate
   ends: ``[12, 13, 14, 14, 15, 16, 16, ...]`` commits 15, then 17, ... So each commit
   (every ``broker_commit_interval``, 2.8 s) moves past one transaction per partition,
   whatever the worker has processed, and with a steady poller the committed offset falls
   further behind for ever (the soak of issue 7: lag +250/min, every article enriched).
   While it is behind, a restart or a rebalance hands the partitions over far behind
   what was processed: everything since is processed again.
2. ``and r_offset`` is false when the last offset read is 0, so a gap right after the
   first message of a partition is never recorded; a gap of two or more offsets there
   (markers of two interleaved transactions) stops the partition's commits for good
   (``_new_offset`` waits for offsets that never come).

The same bookkeeping is discussed upstream in faust-streaming/faust#312 (#313 added the
"gap at the head" check), #378 and #606, and robinhood/faust#401 and #559.

:class:`GapSafeConsumer` fixes both at their source, commits past the marker after the
last message (3, below), makes a seek back after a rebalance also cover partitions with no
committed offset yet (4, below), keeps records read across such a seek from being lost
(5, below), and keeps everything else of faust's consumer, and so
the commit rule: an offset is committed only once every message below it
was acked, i.e. processed (at-least-once). A gap is only ever an offset at which the broker
returned no message between two that it did return.
"""
from __future__ import annotations

import asyncio
from typing import Any

from aiokafka.errors import IllegalStateError
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP, Message


class GapSafeConsumer(faust_aiokafka.Consumer):
    """faust's aiokafka consumer; gaps are the offsets strictly between two messages read,
    and the offsets after the last message read that the broker returned no message for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # _drain_messages reads self.callback once it starts, after this.
        self.callback = self._record_gap_after_offset_zero(self.callback)
        # Per partition, a fetch position all of whose records below it were handed to
        # the streams (see getmany); forgotten on every seek and rebalance.
        self._delivered_to: dict[TP, int] = {}
        self._last_fetch: dict[TP, int] = {}
        # 5. (below): per partition, how often a seek moved its fetch position; written
        # only in the consumer thread, at the instant of the move.
        self._moved: dict[TP, int] = {}
        self._fetch_stamp: dict[TP, int] = {}
        self._seeks = 0                      # perform_seek/seek calls, on this loop
        self._released = asyncio.Event()     # set: records may be handed to the streams
        self._released.set()
        self._idle = asyncio.Event()         # set: no record handed out and still in the callback
        self._idle.set()

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        # faust calls this with offset_to = the offset of the message that revealed the
        # gap (mistake 1 above): that message is not missing, the offsets before it are.
        await super()._add_gap(tp, offset_from, offset_to - 1)

    def _record_gap_after_offset_zero(self, callback):
        # Mistake 2: faust skips the gap when the previous offset read was 0. The callback
        # runs before faust records the new offset as read, so _read_offset still holds the
        # previous one here. (After a seek _read_offset holds the committed offset, which is
        # never 0: faust stores a seek to 0 as None.)
        read_offset = self._read_offset
        acks_enabled_for = self.app.topics.acks_enabled_for

        async def on_message(message: Message) -> None:
            tp = message.tp
            if (read_offset.get(tp) == 0 and message.offset > 1
                    and acks_enabled_for(message.topic)):
                await self._add_gap(tp, 1, message.offset)
            return await callback(message)

        return on_message

    # 3. (not in faust's gap code, but the same symptom): a gap is only found when a
    # later message arrives, so the marker after the last transaction stays uncommitted
    # until the next article: the group's lag stays at 1 per partition when the poller is
    # idle. A Kafka consumer's *position* is already past such markers, so once every
    # message below the position was handed to the streams and acked, the position is what
    # the Java client would commit, and so do we.

    async def _wait_next_records(self, timeout: float):
        records, active = await super()._wait_next_records(timeout)
        self._last_fetch = {tp: msgs[-1].offset for tp, msgs in (records or {}).items() if msgs}
        return records, active

    async def getmany(self, timeout: float):
        generation = self.app.consumer_generation_id
        seeks = self._seeks
        yielded: dict[TP, int] = {}
        complete_batch = True
        try:
            async for tp, message in super().getmany(timeout):
                if not self._released.is_set():
                    # 5: a seek is running or its caller has not resumed the flow yet.
                    try:
                        await asyncio.wait_for(self._released.wait(),
                                               self.app.conf.broker_request_timeout)
                    except TimeoutError:   # a seek whose caller failed: go on
                        self.log.warning("no resume_flow() after a seek; handing records on")
                        self._released.set()
                    if (self.should_stop or not self.flow_active
                            or generation != self.app.consumer_generation_id):
                        complete_batch = False
                        break   # as faust's getmany does; the rebalance seeks back
                if self._fetch_stamp.get(tp, 0) != self._moved.get(tp, 0):
                    # 5: read before a seek moved this partition back: it is read again.
                    complete_batch = False
                    continue
                yielded[tp] = message.offset
                self._idle.clear()
                try:
                    yield tp, message
                finally:
                    self._idle.set()
        finally:
            self._idle.set()
        # Every message faust yielded has now been through the callback (the drain loop
        # asks for the next one only after that). faust stops yielding early on a
        # rebalance or a paused flow: then, or for a partition whose records were not all
        # yielded, nothing is learned.
        fetched, self._last_fetch = self._last_fetch, {}
        if (not complete_batch or self.should_stop or not self.flow_active
                or generation != self.app.consumer_generation_id or seeks != self._seeks):
            return
        complete = [tp for tp in self._get_active_partitions()
                    if fetched.get(tp) == yielded.get(tp) and self.app.topics.acks_enabled_for(tp.topic)]
        if not complete:
            return
        positions = await self._thread.call_thread(_positions, self._thread._ensure_consumer(), complete)
        if (generation == self.app.consumer_generation_id and self.flow_active
                and seeks == self._seeks):
            self._delivered_to.update(positions)

    def _filter_committable_offsets(self, tps):
        offsets = super()._filter_committable_offsets(tps)
        for tp in tps:
            position = self._delivered_to.get(tp)
            last_read = self._read_offset.get(tp)
            if position is None or last_read is None or self._acked.get(tp):
                continue
            committed = offsets.get(tp, self._committed_offset.get(tp))
            # committed == last_read + 1: the last message read, and all before it, are
            # processed; position > committed: the broker has no message in between.
            if committed == last_read + 1 and position > committed:
                offsets[tp] = position
        return offsets

    # 4. Lost articles after a rebalance (issue 7, bench/scale.py with two workers): when a
    # fetch returns while the flow is stopped for a rebalance, faust drops its records and
    # calls perform_seek() to go back to the committed offsets (getmany, "getmany called
    # while flow not active"; Recovery._resume_streams seeks again). aiokafka's
    # seek_to_committed() leaves a partition with no committed offset where it is, i.e.
    # past the dropped records: the first articles of a new partition were never
    # processed. With no committed offset the place to go back to is auto_offset_reset's.
    #
    # 5. Records read across a seek (the scale-out test, tests/test_resilience_kafka.py,
    # failed 4 runs in 10 with 1 or 2 of 40 articles never enriched). faust's Recovery
    # resumes the flow *before* on_recovery_completed() calls perform_seek(), so the drain
    # loop keeps fetching and handing records to the streams while the seek runs; and
    # right after it the caller calls app.flow_control.resume(), which *clears* every
    # stream queue (mode's FlowControlEvent.resume -> clear; channels are created with
    # clear_on_resume=True). Seen with (temporary) debug logging: "callback raw[0]@0" 1 ms after
    # the seek to the beginning ended, then flow_control.resume(): raw 0@0 was marked read
    # (_read_offset) but dropped from the queue, never acked, and later commits passed it.
    # A second way: records the thread fetched before the seek moved the position are
    # handed out after perform_seek() reset _read_offset; they set _read_offset ahead
    # again and faust's drain loop drops the re-fetched lower offsets (offset < r_offset).
    # Seeking to the beginning (4) made both likely: it throws away the prefetched records
    # and the new ones arrive exactly as perform_seek() returns. So:
    #  - a seek waits until no record is in the callback, and from its start until the
    #    caller's resume_flow() (which faust calls right after flow_control.resume()) no
    #    record is handed out: they wait in getmany;
    #  - the seek moves all positions in one step in the consumer thread and counts the
    #    move per partition (_moved); each fetch is stamped with those counts as it
    #    returns, in the same thread; a record fetched before its partition was moved is
    #    not handed out (the move makes the consumer read it again).
    async def seek_to_committed(self):
        thread = self._thread
        consumer = thread._ensure_consumer()
        earliest = self.app.conf.consumer_auto_offset_reset == "earliest"
        is_changelog = self._is_changelog_tp
        moved = self._moved

        async def seek() -> dict:
            tps = consumer.assignment()
            committed = {}
            for tp in tps:
                committed[tp] = await consumer.committed(tp)
            never = [tp for tp, offset in committed.items()
                     if not offset and earliest and not is_changelog(tp)]
            # The beginning is looked up first and then sought like a committed offset:
            # aiokafka's seek_to_beginning() would leave the position unset (awaiting reset)
            # for a while, and faust's livelock detector, reading tp_state.position from
            # the main thread meanwhile, crashes the worker on aiokafka's assertion.
            beginning = await consumer.beginning_offsets(never) if never else {}
            # From here on nothing awaits: no fetch in this thread's loop can return
            # between the moves and their counts.
            for tp, offset in committed.items():
                if offset and offset > 0:
                    consumer.seek(tp, offset)
                elif tp in beginning:
                    consumer.seek(tp, beginning[tp])
                else:
                    continue
                moved[tp] = moved.get(tp, 0) + 1
            return committed

        if not consumer.assignment():
            return {}
        return await thread.call_thread(seek)

    async def _getmany(self, active_partitions, timeout: float):
        # faust's AIOKafkaConsumerThread.getmany, plus the stamp of 5 taken in the thread
        # as the records are taken from aiokafka.
        thread = self._thread
        consumer = thread._ensure_consumer()
        moved = self._moved

        async def fetch():
            records = await thread._fetch_records(consumer, active_partitions, timeout=timeout,
                                                  max_records=consumer._max_poll_records)
            return records, dict(moved)

        records, self._fetch_stamp = await thread.call_thread(fetch)
        return records

    async def perform_seek(self) -> None:
        self._forget_positions()
        self._seeks += 1
        self._released.clear()
        try:
            await asyncio.wait_for(self._idle.wait(), self.app.conf.broker_request_timeout)
        except TimeoutError:
            self.log.warning("seeking while a record is still being handed to the streams")
        await super().perform_seek()

    def resume_flow(self) -> None:
        super().resume_flow()
        self._released.set()

    def _forget_positions(self) -> None:
        self._delivered_to.clear()
        self._last_fetch.clear()

    async def on_partitions_revoked(self, revoked) -> None:
        self._forget_positions()
        await super().on_partitions_revoked(revoked)

    async def on_partitions_assigned(self, assigned, generation_id: int = 0) -> None:
        self._forget_positions()
        await super().on_partitions_assigned(assigned, generation_id)

    async def seek(self, partition: TP, offset: int) -> None:
        self._forget_positions()
        self._seeks += 1
        await super().seek(partition, offset)


async def _positions(consumer, tps) -> dict[TP, int]:
    """Fetch positions of ``tps`` (runs in the consumer's thread); unassigned ones left out."""
    positions = {}
    for tp in tps:
        try:
            positions[tp] = await asyncio.wait_for(consumer.position(tp), 1.0)
        except (TimeoutError, IllegalStateError):
            continue
    return positions


class Transport(faust_aiokafka.Transport):
    """The aiokafka transport with :class:`GapSafeConsumer` (see ``agents/app.py``)."""

    Consumer = GapSafeConsumer
