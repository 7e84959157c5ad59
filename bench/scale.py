"""`make bench-scale`: 5,000 synthetic drugs (plus the real ones) against the shipped 45.

Seeds with the real CLI (timed; peak memory of the seeding process), then serves each database
and compares requests/s of the read endpoints, reverse look-ups included, in the same run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import common, synthetic

ENDPOINTS = [
    "/indications?drug=baclofen",
    "/side-effects?drug=baclofen",
    "/precautions?drug=baclofen",
    "/drugs/baclofen",
    "/indications?condition=spasticity",
    "/side-effects?effect=drowsiness",
    "/drugs?q=bac",
]


def seed(db: Path, data_dir: Path, synthetic_data: bool) -> tuple[float, float]:
    """(seconds, peak MB) of `druginfo seed` in a child process."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    args = [sys.executable, "-m", "app.cli", "seed", "--data-dir", str(data_dir)]
    if synthetic_data:
        args.append("--include-synthetic")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(args, cwd=common.ROOT, env=env, check=True, capture_output=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def throughput(db: Path, data_dir: Path, duration: int, rounds: int) -> dict[str, float]:
    env = {
        "DATABASE_URL": f"sqlite:///{db}",
        "DATA_DIR": str(data_dir),
        "RELOAD_INTERVAL_S": "0",
        "SEED_ON_STARTUP": "false",
    }
    out: dict[str, list[float]] = {e: [] for e in ENDPOINTS}
    with common.serve("app.main:app", env) as server:
        for _ in range(rounds):
            for endpoint in ENDPOINTS:
                result = common.run_wrk(server.base + endpoint, duration_s=duration)
                assert result.non_2xx == 0 and result.socket_errors == 0, endpoint
                out[endpoint].append(result.requests_s)
    return {e: statistics.median(v) for e, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 5)))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    common.ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        big = synthetic.generate(args.count, Path(tmp) / "big")
        for real in (common.ROOT / "data" / "drugs").glob("*.json"):
            shutil.copy(real, big / "drugs" / real.name)
        small_db, big_db = Path(tmp) / "small.db", Path(tmp) / "big.db"
        small_s, small_mb = seed(small_db, common.ROOT / "data", False)
        big_s, big_mb = seed(big_db, big, True)
        small = throughput(small_db, common.ROOT / "data", args.duration, args.rounds)
        large = throughput(big_db, big, args.duration, args.rounds)
    total = args.count + len(list((common.ROOT / "data" / "drugs").glob("*.json")))
    print(f"seed shipped data: {small_s:.1f} s, peak {small_mb:.0f} MB")
    print(
        f"seed {total} drugs ({args.count} synthetic): {big_s:.1f} s, peak {big_mb:.0f} MB "
        "(targets: < 30 s, < 500 MB)"
    )
    print(f"{'endpoint':40} {'shipped req/s':>14} {f'{total} req/s':>14} {'ratio':>6}")
    for endpoint in ENDPOINTS:
        print(
            f"{endpoint:40} {small[endpoint]:14.0f} {large[endpoint]:14.0f} "
            f"{large[endpoint] / small[endpoint]:6.2f}"
        )


if __name__ == "__main__":
    main()
