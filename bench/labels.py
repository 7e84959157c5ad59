"""`make bench-labels`: the label corpus at scale, 100,000 synthetic labels by default.

1. Writes openFDA-style bulk zips of re-keyed copies of the real corpus (../shared/labels/openfda,
   else the test fixtures): new set ids and ids, imported with `--synthetic` so every row says so.
2. Imports them with the real CLI in a child process: labels/s, peak RSS, database size against
   the raw JSON.
3. Serves that database: `/labels?search=` latency one request at a time (p50, p99) and under
   wrk -c8; `/labels/{set_id}` requests/s against the bare-FastAPI reference serving a body of
   the same size, in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from bench import common

CORPUS = common.ROOT.parent / "shared" / "labels" / "openfda"
FIXTURES = common.ROOT / "tests" / "labels" / "fixtures"
NAMESPACE = uuid.UUID("6b1f3a52-7d4e-4c38-9a51-2f0c9d7e8b10")
SEARCHES = [
    "pembrolizumab",
    "keytruda pneumonitis",
    "hepatotoxicity",
    "serotonin syndrome",
    "qt prolongation",
    "lactic acidosis",
    "neutropenia fever",
    "headache",
    "nausea vomiting",
    "stevens johnson",
    "angioedema",
    "rhabdomyolysis statin",
    "hypoglycemia insulin",
    "tardive dyskinesia",
    "5-HT3",
    "bleeding warfarin",
]
TARGETS = {
    "labels_s": 150.0,
    "rss_mb": 500.0,
    "db_ratio": 1.2,
    "search_p99_ms": 100.0,
    "read_ratio": 0.5,
}


def originals(corpus: Path) -> list[dict[str, Any]]:
    """The records to copy: the real corpus, else the fixtures."""
    out: list[dict[str, Any]] = []
    paths = (
        sorted(corpus.glob("*.json"))
        if corpus.is_dir()
        else [
            FIXTURES / "bulk" / "drug-label-0001-of-0001.json",
            FIXTURES / "bare" / "glucorex.json",
        ]
    )
    for path in paths:
        document = json.loads(path.read_text(encoding="utf-8"))
        out.extend(document.get("results", [document] if "set_id" in document else []))
    return out


def _copies(records: list[dict[str, Any]], count: int) -> Iterator[bytes]:
    for n in range(count):
        record = records[n % len(records)]
        copy = n // len(records)
        rekeyed = {
            **record,
            "set_id": str(uuid.uuid5(NAMESPACE, f"{record['set_id']}/{copy}")),
            "id": str(uuid.uuid5(NAMESPACE, f"{record['id']}/{copy}")),
        }
        yield orjson.dumps(rekeyed)


def write_bulk(directory: Path, count: int, per_file: int, corpus: Path) -> int:
    """openFDA bulk zips of `count` synthetic records; returns the raw JSON bytes written."""
    records = originals(corpus)
    files = -(-count // per_file)
    raw = 0
    stream = _copies(records, count)
    for index in range(files):
        name = f"drug-label-{index + 1:04d}-of-{files:04d}.json"
        size = min(per_file, count - index * per_file)
        with (
            zipfile.ZipFile(
                directory / f"{name}.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1
            ) as archive,
            archive.open(name, "w", force_zip64=True) as out,
        ):
            head = b'{"meta":{"disclaimer":"synthetic copies for a benchmark"},"results":['
            out.write(head)
            raw += len(head)
            for i in range(size):
                body = (b"," if i else b"") + next(stream)
                out.write(body)
                raw += len(body)
            out.write(b"]}")
            raw += 2
    return raw


def import_labels(db: Path, directory: Path) -> tuple[float, float, str]:
    """(seconds, peak RSS MB, the command's summary line) of `druginfo import-labels`."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    args = [sys.executable, "-m", "app.cli", "import-labels", "--synthetic", str(directory)]
    start = time.perf_counter()
    done = subprocess.run(
        args, cwd=common.ROOT, env=env, check=True, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak, done.stdout.strip().splitlines()[-1]


def database_bytes(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


def latencies(base: str, urls: list[str], repeat: int) -> list[float]:
    out = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for url in urls:  # warm
            assert client.get(url).status_code == 200, url
        for _ in range(repeat):
            for url in urls:
                start = time.perf_counter()
                response = client.get(url)
                out.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, url
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _rotating_script(directory: Path, paths: list[str]) -> str:
    script = directory / "rotate.lua"
    entries = ",".join(json.dumps(p) for p in paths)
    script.write_text(
        f"local paths = {{{entries}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
    )
    return str(script)


def serve_and_measure(
    db: Path, tmp: Path, duration: int, rounds: int, records: int
) -> dict[str, Any]:
    env = {
        "DATABASE_URL": f"sqlite:///{db}",
        "RELOAD_INTERVAL_S": "0",
        "SEED_ON_STARTUP": "false",
    }
    out: dict[str, Any] = {}
    with common.serve("app.main:app", env) as app:
        search_urls = [f"/labels?search={quote(s)}" for s in SEARCHES]
        for url in search_urls:
            total = httpx.get(app.base + url, timeout=30).json()["meta"]["results"]["total"]
            out.setdefault("search_totals", {})[url] = total
        one = latencies(app.base, search_urls, repeat=max(3, 300 // len(search_urls)))
        out["search_p50_ms"], out["search_p99_ms"] = _pct(one, 0.5), _pct(one, 0.99)
        loaded = common.run_wrk(
            app.base + "/labels",
            connections=8,
            duration_s=duration,
            script=_rotating_script(tmp, search_urls),
        )
        out["search_wrk"] = loaded
        offset = min(5000, records // 2)
        page = httpx.get(f"{app.base}/labels?limit=100&offset={offset}", timeout=30).json()
        set_ids = [r["set_id"] for r in page["results"]]
        sizes = {s: len(httpx.get(f"{app.base}/labels/{s}", timeout=30).content) for s in set_ids}
        median_id = sorted(sizes, key=sizes.__getitem__)[len(sizes) // 2]
        size = sizes[median_id]
        out["label_bytes"] = size
        with common.serve("bench.reference:app", {"REF_SIZES": str(size)}, health="/ref/0") as ref:
            per_round = []
            for _ in range(rounds):
                reference = common.run_wrk(ref.base + "/ref/0", duration_s=duration)
                target = common.run_wrk(f"{app.base}/labels/{median_id}", duration_s=duration)
                assert target.non_2xx == 0 and target.socket_errors == 0, target
                per_round.append((reference, target))
        out["read_rps"] = statistics.median(t.requests_s for _, t in per_round)
        out["read_p99_ms"] = statistics.median(t.p99_ms for _, t in per_round)
        out["ref_rps"] = statistics.median(r.requests_s for r, _ in per_round)
        out["read_ratio"] = statistics.median(t.requests_s / r.requests_s for r, t in per_round)
        rotating = common.run_wrk(
            app.base + "/labels",
            duration_s=duration,
            script=_rotating_script(tmp, [f"/labels/{s}" for s in set_ids]),
        )
        out["read_rotating_rps"] = rotating.requests_s
        out["server_rss_mb"] = app.rss_mb()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--per-file", type=int, default=25_000)
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 5)))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="records to copy")
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temporary dir")
    args = parser.parse_args()
    common.ensure_wrk()
    with tempfile.TemporaryDirectory(dir=args.workdir) as name:
        tmp = Path(name)
        (tmp / "bulk").mkdir()
        start = time.perf_counter()
        raw = write_bulk(tmp / "bulk", args.records, args.per_file, args.corpus)
        print(
            f"wrote {args.records} synthetic records ({raw / 1e9:.2f} GB of JSON) in "
            f"{time.perf_counter() - start:.0f} s",
            flush=True,
        )
        db = tmp / "labels.db"
        seconds, rss, summary = import_labels(db, tmp / "bulk")
        print(summary, flush=True)
        size = database_bytes(db)
        result = {
            "records": args.records,
            "import_s": seconds,
            "labels_s": args.records / seconds,
            "rss_mb": rss,
            "raw_bytes": raw,
            "db_bytes": size,
            "db_ratio": size / raw,
        }
        print(
            f"import: {result['labels_s']:.0f} labels/s, peak RSS {rss:.0f} MB, database "
            f"{size / 1e9:.2f} GB = {result['db_ratio']:.2f}x the raw JSON",
            flush=True,
        )
        result |= serve_and_measure(db, tmp, args.duration, args.rounds, args.records)
    loaded = result.pop("search_wrk")
    print(json.dumps(result, indent=2, default=str))
    print(
        f"search one at a time: p50 {result['search_p50_ms']:.1f} ms, p99 "
        f"{result['search_p99_ms']:.1f} ms; under wrk -c8: {loaded.requests_s:.0f} req/s, "
        f"p50 {loaded.p50_ms:.1f} ms, p99 {loaded.p99_ms:.1f} ms"
    )
    print(
        f"/labels/{{set_id}} ({result['label_bytes']} bytes): {result['read_rps']:.0f} req/s vs "
        f"reference {result['ref_rps']:.0f} = x{result['read_ratio']:.2f}; rotating over 100 "
        f"labels {result['read_rotating_rps']:.0f} req/s"
    )
    for key, goal in TARGETS.items():
        value = float(result[key])
        ok = value <= goal if key in {"rss_mb", "db_ratio", "search_p99_ms"} else value >= goal
        print(f"  {key:14} {value:10.2f}  target {goal:g}  {'ok' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
