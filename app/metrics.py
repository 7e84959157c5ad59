"""Prometheus metrics: their definitions, and the text that GET /metrics serves.

With several workers (`druginfo serve --workers N`) each worker is its own process, so the
counters live in prometheus-client's multiprocess mode: `PROMETHEUS_MULTIPROC_DIR` names a
directory (the serve command makes one) where every worker writes its values, and a scrape of any
worker sums them all. The variable must be set before this module is first imported.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

disable_created_metrics()  # type: ignore[no-untyped-call]  # the *_created series are noise here

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests answered, by method, route template and status (fast-path hits included).",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by method and route template.",
    ["method", "route"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
CACHE_HITS = Counter(
    "druginfo_cache_hits_total",
    "Responses answered from the read model's body cache (fast_path: before routing).",
    ["layer"],
)
CACHE_MISSES = Counter(
    "druginfo_cache_misses_total", "Response bodies built and stored in the body cache."
)
READ_MODEL_INFO = Gauge(
    "druginfo_read_model_info",
    "1 for the data version each worker serves (0 for versions it served before).",
    ["data_version"],
    multiprocess_mode="liveall",
)
READ_MODEL_BUILD_SECONDS = Gauge(
    "druginfo_read_model_build_seconds",
    "How long the last read-model build took.",
    multiprocess_mode="liveall",
)
READ_MODEL_BUILT_AT = Gauge(
    "druginfo_read_model_built_timestamp_seconds",
    "When the read model being served was built (Unix time).",
    multiprocess_mode="liveall",
)
READ_MODEL_DRUGS = Gauge(
    "druginfo_read_model_drugs",
    "Drugs in the read model being served.",
    multiprocess_mode="liveall",
)

_served_version: str | None = None


def record_read_model(data_version: str, drugs: int, build_seconds: float) -> None:
    """Record a newly swapped-in read model."""
    global _served_version
    if _served_version is not None and _served_version != data_version:
        # Set to 0 rather than removed: in multiprocess mode a removed child stays in the file.
        READ_MODEL_INFO.labels(_served_version).set(0)
    READ_MODEL_INFO.labels(data_version).set(1)
    READ_MODEL_BUILD_SECONDS.set(build_seconds)
    READ_MODEL_BUILT_AT.set(time.time())
    READ_MODEL_DRUGS.set(drugs)
    _served_version = data_version


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def render() -> bytes:
    """The Prometheus text exposition: this process's metrics, or every worker's summed."""
    if multiprocess_dir() is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def prepare_multiprocess_dir(directory: Path) -> None:
    """Empty a multiprocess directory before the workers start (old values would be summed)."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def mark_process_dead() -> None:
    """Drop this worker's live gauges from the sums (counters keep counting, as they should)."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
