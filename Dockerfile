# monitor in a container: `docker build -t monitor .` then, SQLite in the data volume:
#   docker run -d --name monitor -v monitor-data:/data -v monitor-config:/config -p 127.0.0.1:9464:9464 monitor
# With PostgreSQL: deploy/compose.yaml. Config in /config (monitor.toml, watchlist.yaml: the image's
# defaults are copied into an empty named volume), database, inbox and alert file in /data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MONITOR_STORE_URL=""

WORKDIR /app
COPY pyproject.toml README.md ./
COPY monitor ./monitor
RUN pip install '.[postgres]'

RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home monitor \
    && mkdir -p /config /data/inbox \
    && chown -R monitor:monitor /config /data
COPY --chown=monitor:monitor deploy/container.toml /config/monitor.toml
COPY --chown=monitor:monitor config/watchlist.yaml /config/watchlist.yaml

USER monitor
VOLUME ["/config", "/data"]
EXPOSE 9464
# The same request as `curl -fsS http://127.0.0.1:9464/healthz` (the slim image has no curl).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:9464/healthz', timeout=4).status == 200 else 1)"]
STOPSIGNAL SIGTERM
CMD ["monitor", "run", "--config", "/config/monitor.toml"]
