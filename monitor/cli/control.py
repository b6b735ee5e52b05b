"""``news-monitor control``: the latest reported control of each place.

Read from the control table's changelog topic (``<app id>-control-changelog``, compacted,
every partition), not from a worker: it shows every place whatever the number of workers,
and works while no worker runs. ``GET /control`` on a worker's web server gives the same
records for the partitions that worker holds.
"""
from __future__ import annotations

import asyncio

import click
import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from monitor.config import Settings
from monitor.kafka_io import client_options


async def read_control(settings: Settings, *, timeout: float = 30.0) -> dict[str, dict]:
    """Place key -> control record: the last value of each key in the changelog, up to
    the end offsets at the time of the call (a tombstone deletes the key)."""
    topic = settings.changelog_topic("control")
    state: dict[str, dict] = {}
    # Asked of the admin client: a consumer's metadata request could auto-create the
    # changelog topic with the broker's partition count, which Faust would then refuse.
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        if topic not in set(await admin.list_topics()):
            return state
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
    if not partitions:
        return state
    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        pending = {tp for tp in partitions if ends[tp] > 0}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while pending:
            if loop.time() > deadline:
                raise click.ClickException(f"timed out reading {topic}")
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for r in records:
                    key = _key(r.key)
                    if r.value is None:
                        state.pop(key, None)
                    else:
                        value = orjson.loads(r.value)
                        if value:
                            state[key] = value
                        else:
                            state.pop(key, None)
            for tp in list(pending):
                if await consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
    finally:
        await consumer.stop()
    return state


def _key(raw: bytes | None) -> str:
    """Faust writes table keys JSON-encoded (``"SY|Raqqa"`` with the quotes)."""
    if raw is None:
        return ""
    try:
        key = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw.decode("utf-8", errors="replace")
    return key if isinstance(key, str) else raw.decode("utf-8", errors="replace")


@click.command()
@click.option("--place", default=None, help="Only places whose key (COUNTRY|Name) contains this.")
@click.pass_obj
def control(settings: Settings, place):
    """Print the control state of places as JSON (from the control table's changelog)."""
    state = asyncio.run(read_control(settings))
    if place:
        state = {k: v for k, v in state.items() if place.lower() in k.lower()}
    click.echo(orjson.dumps(state, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())
