# monitor: polls feeds into SQLite on the /data volume; config from /config/config.toml or MONITOR_* env.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MONITOR_CONFIG=/config/config.toml \
    MONITOR_STORAGE_PATH=/data/monitor.db

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY monitor ./monitor
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin monitor \
    && mkdir -p /data /config \
    && chown monitor /data
COPY config.example.toml /config/config.toml

USER monitor
VOLUME ["/data"]
CMD ["monitor", "run"]
