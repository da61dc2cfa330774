# Netzpuls in a container: see docs/deploy.md.
#   docker build -t netzpuls .
#   docker run -d --name netzpuls --env-file netzpuls.env -v netzpuls-data:/data netzpuls
#
# The code runs from /app (not installed as a package): bot/config.py finds dialogs/ and locales/ beside the
# package, so the source tree is copied as it is and only the dependencies go into a virtualenv.

# The base image is pinned by the digest of its multi-platform manifest (docs/deploy.md says how to check and bump
# it); both stages use the same one.
# ---- build: a virtualenv with the runtime packages of uv.lock, every one checked against its hashes ----------
FROM python:3.11.13-slim-bookworm@sha256:86adf8dbadc3d6e82ee5dd2c74bec2e1c2467cdad47886280501df722372d2e1 AS build

WORKDIR /build
COPY bin/uv-requirements.txt pyproject.toml uv.lock ./
# uv (pinned with hashes) writes the lock's runtime packages (no dev extra, not the project itself: the code is
# copied below) as a requirements file with their hashes; pip installs exactly those and checks every hash.
RUN python -m pip install --no-cache-dir --disable-pip-version-check --require-hashes -r uv-requirements.txt \
    && uv export --quiet --frozen --no-dev --no-emit-project --format requirements-txt --output-file requirements.txt \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check --require-hashes --no-deps \
       -r requirements.txt \
    && /opt/venv/bin/pip uninstall --yes --quiet pip

# ---- run ------------------------------------------------------------------------------------------------------
FROM python:3.11.13-slim-bookworm@sha256:86adf8dbadc3d6e82ee5dd2c74bec2e1c2467cdad47886280501df722372d2e1

LABEL org.opencontainers.image.title="Netzpuls" \
      org.opencontainers.image.description="Telegram bot that keeps cooperation networks in social services healthy" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.documentation="docs/deploy.md"

# Settings come from the environment only (docker run --env-file / -e); no .env is in the image.
ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NETZPULS_DB=/data/netzpuls.db \
    NETZPULS_BACKUP_DIR=/data/backups \
    NETZPULS_IN_CONTAINER=1

# An unprivileged user that owns only /data (the database, its -wal/-shm files and the backups).
RUN groupadd --system --gid 10001 netzpuls \
    && useradd --system --uid 10001 --gid netzpuls --create-home --home-dir /home/netzpuls \
       --shell /usr/sbin/nologin netzpuls \
    && mkdir -p /data/backups \
    && chown -R netzpuls:netzpuls /data

COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY bot/ bot/
COPY storage/ storage/
COPY dialogs/ dialogs/
COPY locales/ locales/
# What bin/setup does: compile the Babel catalogs (.mo files are never committed); the bot finds them newer than
# the .po files and so never needs to write to /app. Byte-compile the code once, as /app is read-only to the bot.
RUN pybabel compile --domain messages --directory locales --statistics \
    && python -m compileall -q bot storage

USER 10001:10001
# Build matplotlib's font cache (the digest's charts) once, in the user's home, instead of at the first digest.
RUN python -c "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot"

VOLUME ["/data"]
# The working directory is the volume. The image has no offline demo: without a token `run` says so in one line and
# exits 2 (NETZPULS_IN_CONTAINER), so a restart policy does not loop through anything.
WORKDIR /data
# Webhook mode (NETZPULS_WEBHOOK_URL): behind a reverse proxy that terminates TLS. Long polling needs no port.
EXPOSE 8443
# `python -m bot health` asks the bot's readiness check (NETZPULS_HEALTH_LISTEN:NETZPULS_HEALTH_PORT, in the
# container) and exits 0 when it answers.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot", "run"]
