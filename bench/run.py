"""`make bench`: druginfo's read endpoints against a bare FastAPI reference, same flags, same run.

Alternates reference and target runs (wrk -t2 -c32), at least 3 rounds, and reports per endpoint
the median over rounds of requests/s, p50 and p99 latency and the ratio to the reference measured
in the same round. Also times a cold and a warm start. Writes bench/results.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench import common

TARGETS = [
    "/indications?drug=baclofen",
    "/side-effects?drug=baclofen",
    "/precautions?drug=baclofen",
    "/drugs/baclofen",
    "/titration?drug=baclofen",
]
# Read endpoints must reach 0.9x the reference's requests/s; /titration computes, 0.6x.
TARGET_RATIO = {path: (0.6 if path.startswith("/titration") else 0.9) for path in TARGETS}


# What a client sends: every HTTP library asks for gzip (BENCH_ACCEPT_ENCODING= to turn off).
# The reference ignores it and sends its plain body of the same size.
ACCEPT_ENCODING = os.environ.get("BENCH_ACCEPT_ENCODING", "gzip")
HEADERS = (f"Accept-Encoding: {ACCEPT_ENCODING}",) if ACCEPT_ENCODING else ()

# What an operator runs: JSON access log (one line per request) and metrics on.
OPERATED = {"LOG_FORMAT": "json", "ACCESS_LOG": os.environ.get("BENCH_ACCESS_LOG", "true")}


def measure(duration: int, rounds: int, db: Path) -> tuple[list[dict[str, object]], float]:
    """The rows, and access-log lines written per request served (1.0 when the log is on)."""
    env = {"DATABASE_URL": f"sqlite:///{db}", "RELOAD_INTERVAL_S": "0", **OPERATED}
    with common.serve("app.main:app", env) as app:
        sizes = [len(httpx.get(app.base + path).content) for path in TARGETS]
        ref_env = {"REF_SIZES": ",".join(str(s) for s in sizes)}
        with common.serve("bench.reference:app", ref_env, health="/ref/0") as ref:
            rows = []
            served = 0
            lines_before = app.log_lines()
            for index, (path, size) in enumerate(zip(TARGETS, sizes, strict=True)):
                per_round = []
                for _ in range(rounds):
                    reference = common.run_wrk(
                        f"{ref.base}/ref/{index}", duration_s=duration, headers=HEADERS
                    )
                    target = common.run_wrk(app.base + path, duration_s=duration, headers=HEADERS)
                    assert target.non_2xx == 0 and target.socket_errors == 0, (path, target)
                    served += target.requests
                    per_round.append((reference, target))
                rows.append(
                    {
                        "path": path,
                        "bytes": size,
                        "rps": statistics.median(t.requests_s for _, t in per_round),
                        "p50": statistics.median(t.p50_ms for _, t in per_round),
                        "p99": statistics.median(t.p99_ms for _, t in per_round),
                        "ref_rps": statistics.median(r.requests_s for r, _ in per_round),
                        "ref_p99": statistics.median(r.p99_ms for r, _ in per_round),
                        "ratio": statistics.median(
                            t.requests_s / r.requests_s for r, t in per_round
                        ),
                        "p99_ratio": statistics.median(t.p99_ms / r.p99_ms for r, t in per_round),
                    }
                )
                print(
                    f"{path:32} {rows[-1]['rps']:9.0f} req/s  x{rows[-1]['ratio']:.2f}", flush=True
                )
            time.sleep(0.5)  # let the last lines reach the file
            return rows, (app.log_lines() - lines_before) / max(served, 1)


def startup(db: Path) -> tuple[float, float]:
    """(cold, warm): seconds from process start to a healthy /health."""
    db.unlink(missing_ok=True)
    env = {"DATABASE_URL": f"sqlite:///{db}", "RELOAD_INTERVAL_S": "0", **OPERATED}
    with common.serve("app.main:app", env) as cold:
        cold_s = cold.started_s
    with common.serve("app.main:app", env) as warm:
        warm_s = warm.started_s
    return cold_s, warm_s


def write(
    rows: list[dict[str, object]],
    cold: float,
    warm: float,
    duration: int,
    rounds: int,
    lines_per_request: float,
) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M UTC} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; uvicorn 1 worker with uvloop "
        f"and httptools; druginfo with LOG_FORMAT=json, ACCESS_LOG={OPERATED['ACCESS_LOG']} "
        f"({lines_per_request:.2f} log lines per request, stdout to a file) and metrics on; "
        f"wrk -t2 -c32 -d{duration}s on loopback with headers {list(HEADERS)}, {rounds} rounds, "
        "reference and target alternating; medians of rounds. Load generator and server share "
        "the 2 cores, so compare ratios, not absolute numbers.",
        "",
        "| endpoint | bytes | req/s | p50 ms | p99 ms | reference req/s | ratio (target) "
        "| p99 / ref p99 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        goal = TARGET_RATIO[str(r["path"])]
        ok = "ok" if float(r["ratio"]) >= goal else "BELOW"  # type: ignore[arg-type]
        lines.append(
            f"| `{r['path']}` | {r['bytes']} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | "
            f"{r['ref_rps']:.0f} | {r['ratio']:.2f} (>= {goal}) {ok} | {r['p99_ratio']:.2f} |"
        )
    lines += [
        "",
        f"Cold start (empty database, seed, serve, first healthy /health): {cold:.2f} s "
        "(target < 5 s).",
        f"Warm start (data unchanged): {warm:.2f} s (target < 1.5 s).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 10)))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument("--out", type=Path, default=common.ROOT / "bench" / "results.md")
    args = parser.parse_args()
    common.ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        cold, warm = startup(db)
        time.sleep(1)
        rows, lines_per_request = measure(args.duration, args.rounds, db)
    text = write(rows, cold, warm, args.duration, args.rounds, lines_per_request)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
