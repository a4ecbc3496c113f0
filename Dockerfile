# syntax=docker/dockerfile:1

# ---- web app: built with Node, only dist/ is kept ----------------------------------------
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# ---- server: slim Python, non-root -----------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    JOINTPLAN_DATA_DIR=/data

RUN groupadd --system jointplan \
    && useradd --system --gid jointplan --home-dir /data --shell /usr/sbin/nologin jointplan \
    && mkdir /data \
    && chown jointplan:jointplan /data

WORKDIR /app
# Dependencies first, in their own layer, so that a source change does not reinstall them.
# The install is editable: server/migrate.py finds migrations/ beside the package in /app.
COPY pyproject.toml README.md ./
RUN mkdir server && touch server/__init__.py \
    && pip install --no-cache-dir -e . \
    && rm -r server
COPY server/ server/
COPY migrations/ migrations/
COPY --from=web /web/dist web/dist

USER jointplan
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# `serve` upgrades the database before it starts listening.
CMD ["jointplan", "serve", "--host", "0.0.0.0", "--port", "8000"]
