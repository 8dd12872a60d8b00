# The bot in production: `docker build -t repair-network-bot .`, or `docker compose up -d` with
# compose.yaml. README, "Running in production", explains the settings, backups and restores.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# The bot runs as its own user, and writes only to /data (owner-only: it holds customers'
# names and phone numbers).
RUN useradd --system --uid 10001 --user-group --create-home bot \
    && mkdir /data \
    && chown bot:bot /data \
    && chmod 700 /data

# The project without its test tools; its code stays root-owned, read-only to the bot.
WORKDIR /opt/repair-bot
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install . && rm -rf build ./*.egg-info

# The database lives on the volume; a container replaced by a new image keeps it. /healthz is
# on loopback when polling (enough for the check below) and on WEBHOOK_LISTEN in webhook mode.
ENV DATABASE_PATH=/data/bot.sqlite3 \
    HEALTH_LISTEN=127.0.0.1:8081 \
    WEBHOOK_LISTEN=0.0.0.0:8080
VOLUME /data
USER bot

# Webhook mode only: where the reverse proxy sends Telegram's requests.
EXPOSE 8080

# The slim image has no curl: Python asks /healthz where the bot serves it; a 503 or no answer
# fails the check.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; listen = os.environ['WEBHOOK_LISTEN' if os.environ.get('WEBHOOK_URL') else 'HEALTH_LISTEN']; urllib.request.urlopen('http://127.0.0.1:' + listen.rpartition(':')[2] + '/healthz', timeout=5)"]

CMD ["python", "-m", "bot"]
