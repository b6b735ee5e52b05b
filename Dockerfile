# The news monitor's image: one image for the worker (default command) and the poller.
#   docker build -t news-monitor .
#   docker run --rm -e KAFKA_BOOTSTRAP=kafka:9092 news-monitor                 # a worker
#   docker run --rm news-monitor news-monitor poll --feeds /config/feeds.toml  # the poller
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY monitor ./monitor
COPY agents ./agents
COPY seeds ./seeds
RUN pip install . \
    && useradd --create-home --uid 10001 newsmon \
    && mkdir -p /data \
    && chown newsmon /data

USER newsmon
# Inside a container the HTTP endpoints must listen on every interface to be reachable.
ENV NEWSMON_HOME=/data \
    NEWSMON_DATADIR=/data/worker \
    NEWSMON_WEB_HOST=0.0.0.0 \
    NEWSMON_METRICS_HOST=0.0.0.0
EXPOSE 6066 9108 9109
CMD ["news-monitor", "worker"]
