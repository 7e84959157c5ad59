# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DATA_DIR=/app/data DATABASE_URL=sqlite:////var/lib/druginfo/druginfo.db \
    HOST=0.0.0.0 PORT=8000
RUN useradd --system --uid 10001 --home /app druginfo \
 && mkdir -p /var/lib/druginfo && chown druginfo /var/lib/druginfo
COPY --from=build /install /usr/local
WORKDIR /app
COPY data ./data
USER 10001
# Seeding at start-up (under a lock) keeps the image stateless; it takes about a second.
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status != 200)"]
CMD ["druginfo", "serve"]
