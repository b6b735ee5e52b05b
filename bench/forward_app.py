"""The framework's ceiling: a bare Faust agent that forwards each raw message unchanged.

Configured like agents/app.py (same broker, serializers, partitions), so the pipeline
benchmark can compare the monitor's throughput with what Faust itself allows.
"""
import faust

from monitor.config import Settings

settings = Settings.from_env()
app = faust.App(f"{settings.app_id}-forward", broker=f"kafka://{settings.bootstrap}",
                key_serializer="raw", value_serializer="raw", topic_partitions=settings.topic_partitions,
                topic_replication_factor=1, store="memory://", datadir=settings.datadir,
                web_bind=settings.web_host, web_port=settings.web_port, producer_acks=-1,
                consumer_auto_offset_reset="earliest", autodiscover=False)
source = app.topic(settings.topic_raw, value_type=bytes)
sink = app.topic(settings.topic_enriched, value_type=bytes)


@app.agent(source)
async def forward(stream):
    # Batched like agents/agents.py, so the comparison is with the same Faust machinery.
    async for events in stream.take_events(500, within=0.02):
        for event in events:
            await sink.send(key=event.message.key, value=event.message.value)
