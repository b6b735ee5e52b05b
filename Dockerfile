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
COPY pyproject.toml setup.py README.md ./
COPY monitor ./monitor
COPY agents ./agents
COPY seeds ./seeds
# gcc compiles the detector with Cython (setup.py) and is removed in the same layer;
# NEWSMON_REQUIRE_COMPILED makes a failed compile fail the build, not ship pure Python.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && NEWSMON_REQUIRE_COMPILED=1 pip install . && rm -rf build *.egg-info \
    && apt-get purge -y gcc libc6-dev && apt-get autoremove -y && rm -rf /var/lib/apt/lists/* \
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
