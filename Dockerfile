# syntax=docker/dockerfile:1
# Talentflow: one image for the API (`talentflow serve`), the worker (`talentflow worker`) and
# one-shot commands (`talentflow db upgrade`). Multi-stage: wheels are built in the first stage,
# the runtime stage only installs them, runs as a non-root user and carries no build tools.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
COPY plugins ./plugins
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip wheel --wheel-dir /wheels . \
    && /opt/venv/bin/pip install --no-index --find-links /wheels talentflow
# The migrations are found beside the installed `service` package.
COPY alembic.ini /opt/venv/lib/python3.11/site-packages/alembic.ini
COPY alembic /opt/venv/lib/python3.11/site-packages/alembic

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
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TALENTFLOW_HOST=0.0.0.0 \
    TALENTFLOW_LOG_FORMAT=json \
    TALENTFLOW_DATA_DIR=/home/talentflow/data
WORKDIR /home/talentflow
USER talentflow
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# uvicorn lets in-flight requests finish for up to 30 s after SIGTERM.
STOPSIGNAL SIGTERM
CMD ["talentflow", "serve", "--host", "0.0.0.0"]
