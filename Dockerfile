# coordbot: a slim image that runs as a non-root user (charts use the project's own CJK font).
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    MPLCONFIGDIR=/tmp/matplotlib

RUN useradd --create-home --uid 10001 coordbot

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install --no-compile .
COPY config ./config

USER coordbot
ENV COORDBOT_MEDIA_DIR=/data/media \
    COORDBOT_CAMPAIGN=/app/config/campaigns/quality-city-2013.yaml
VOLUME ["/data"]
# Migrations run at start (coordbot run applies pending ones before serving).
CMD ["coordbot", "run"]
