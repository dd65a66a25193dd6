# syntax=docker/dockerfile:1
# Talentflow: one image for the API (`talentflow serve`), the worker (`talentflow worker`) and
# one-shot commands (`talentflow db upgrade`). Multi-stage: wheels are built in the first stage,
# the runtime stage only installs them, runs as a non-root user and carries no build tools.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY service ./service
COPY plugins ./plugins
# The migrations: the wheel carries them as the package service.migrations.
COPY alembic ./alembic
# The embedded PostgreSQL (for `talentflow demo` without a server) is dead weight in an image:
# containers always get DATABASE_URL, and that module is imported only without one.
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip wheel --wheel-dir /wheels . \
    && /opt/venv/bin/pip install --no-index --find-links /wheels talentflow \
    && /opt/venv/bin/pip uninstall --yes pgserver

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="talentflow" \
      org.opencontainers.image.description="Where AI researchers work and when they move, with evidence."
# libpq for the job queue's driver (psycopg); nothing else from the system.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 talentflow \
    && useradd --system --uid 10001 --gid talentflow --create-home --home-dir /home/talentflow talentflow
COPY --from=builder /opt/venv /opt/venv
# Everything, migrations included, is in the installed wheel: no sources are copied.
WORKDIR /home/talentflow
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TALENTFLOW_HOST=0.0.0.0 \
    TALENTFLOW_LOG_FORMAT=json \
    TALENTFLOW_DATA_DIR=/home/talentflow/data
USER talentflow
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# uvicorn lets in-flight requests finish for up to 30 s after SIGTERM.
STOPSIGNAL SIGTERM
CMD ["talentflow", "serve", "--host", "0.0.0.0", "--port", "8000"]
