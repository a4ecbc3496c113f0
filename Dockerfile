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

# The uv line that wrote uv.lock (scripts/lib.sh UV_VERSION); it comes from PyPI.
ARG UV_VERSION=0.13.9

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_LINK_MODE=copy \
    PATH=/app/.venv/bin:$PATH \
    JOINTPLAN_DATA_DIR=/data

RUN groupadd --system --gid 10001 jointplan \
    && useradd --system --uid 10001 --gid jointplan --home-dir /data --shell /usr/sbin/nologin jointplan \
    && mkdir /data \
    && chown jointplan:jointplan /data

WORKDIR /app
# Dependencies first, in their own layer, exactly as uv.lock pins them (--locked fails if
# the lock does not match pyproject.toml), so that a source change does not reinstall them.
COPY pyproject.toml uv.lock README.md ./
RUN pip install --no-cache-dir "uv==${UV_VERSION}" \
    && uv sync --locked --no-cache --no-install-project
COPY server/ server/
COPY migrations/ migrations/
# The project itself, editable: server/migrate.py finds migrations/ beside the package in /app.
RUN uv sync --locked --no-cache \
    && pip uninstall --no-cache-dir -y uv
COPY --from=web /web/dist web/dist

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# `serve` upgrades the database before it starts listening.
CMD ["jointplan", "serve", "--host", "0.0.0.0", "--port", "8000"]
