# The one image of the four services: the command picks the service.
#
#   docker build -t aftomato/aftomato .
#   docker run aftomato/aftomato ingest|scheduler|watcher|api
#
# Pinned by tag only: the digest of the base cannot be looked up where this file was written (no
# registry access). Release builds should pin it: FROM python:3.11.10-slim-bookworm@sha256:...
ARG PYTHON_IMAGE=python:3.11.10-slim-bookworm

# ---- build: a virtualenv with Aftomato and its dependencies, nothing else
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/aftomato
WORKDIR /src
COPY pyproject.toml README.md ./
COPY libs/ libs/
COPY services/ services/
COPY build-container/aftomato/ build-container/aftomato/
RUN /opt/aftomato/bin/pip install --no-cache-dir . \
    && /opt/aftomato/bin/python -m compileall -q /opt/aftomato

# ---- run: slim, non-root, read-only friendly (writes go to /tmp and the scripts cache)
FROM ${PYTHON_IMAGE}
# git: the scheduler and the api clone the build-scripts repository.
# DL3008 (pin apt versions) is ignored in .hadolint.yaml, which says why.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 aftomato \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin aftomato \
    && install -d -o 10001 -g 10001 /var/cache/aftomato
COPY --from=build /opt/aftomato /opt/aftomato
ENV PATH=/opt/aftomato/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    AFTOMATO_LOG_FORMAT=json \
    AFTOMATO_BUILD_SCRIPTS_CACHE=/var/cache/aftomato/build-scripts
USER 10001:10001
WORKDIR /tmp
# ingest and api serve HTTP (and their health) on 8080; scheduler and watcher their health on 9090.
EXPOSE 8080 9090
# /healthz of whichever port this service listens on (Kubernetes uses its own probes instead).
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, socket, urllib.request as r; ports = [int(os.environ.get(v, d)) for v, d in (('AFTOMATO_HTTP_PORT', 8080), ('AFTOMATO_HEALTH_PORT', 9090))]; port = next(p for p in ports if socket.socket().connect_ex(('127.0.0.1', p)) == 0); r.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4)"]
ENTRYPOINT ["aftomato"]
CMD ["--help"]
