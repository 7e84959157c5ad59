"""`make soak`: a bounded soak on loopback (64 connections, 60 s by default) over a mix of reads
and POSTed plans; reports requests, errors, non-2xx responses and the server's memory at start and
end. Exits non-zero on any error, any non-2xx, or memory growth above the allowance.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench import common

LUA = """
local paths = %(paths)s
local body = '%(body)s'
local i = 0
request = function()
  i = i + 1
  local p = paths[(i %% #paths) + 1]
  if p == "POST" then
    return wrk.format("POST", "/titration", {["Content-Type"] = "application/json"}, body)
  end
  return wrk.format("GET", p)
end
"""


def mix(base: str) -> list[str]:
    drugs = [d["id"] for d in httpx.get(f"{base}/drugs", params={"limit": 100}).json()["results"]]
    paths = ["POST"]
    for drug in drugs:
        paths += [
            f"/indications?drug={drug}",
            f"/side-effects?drug={drug}",
            f"/precautions?drug={drug}",
            f"/drugs/{drug}",
        ]
    paths += [
        "/side-effects?effect=drowsiness",
        "/indications?condition=spasticity",
        "/titration?drug=baclofen&format=fhir",
        "/titration?drug=baclofen&format=svg",
        "/titration?drug=gabapentin&crcl_ml_min=20",
        "/drugs?limit=100",
        "/health",
    ]
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=int(os.environ.get("SOAK_DURATION", 60)))
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--growth-mb", type=float, default=20.0, help="allowed RSS growth")
    # A ceiling, not the leak check (that is --growth-mb): measured 147 MB with 64 curated drugs
    # (4,269 facts), gzip bodies cached beside plain ones and the label-corpus modules loaded.
    parser.add_argument("--max-rss-mb", type=float, default=200.0)
    args = parser.parse_args()
    common.ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DATABASE_URL": f"sqlite:///{Path(tmp) / 'soak.db'}", "RELOAD_INTERVAL_S": "0"}
        with common.serve("app.main:app", env) as server:
            paths = mix(server.base)
            body = json.dumps({"drug": "baclofen", "direction": "down", "current_daily_mg": 60})
            script = Path(tmp) / "mix.lua"
            script.write_text(
                LUA % {"paths": "{" + ", ".join(json.dumps(p) for p in paths) + "}", "body": body}
            )
            # Warm up: every path once, so the start figure includes the built caches.
            common.run_wrk(server.base, connections=8, duration_s=5, script=str(script))
            start_mb = server.rss_mb()
            began = time.perf_counter()
            result = common.run_wrk(
                server.base,
                threads=2,
                connections=args.connections,
                duration_s=args.duration,
                script=str(script),
            )
            elapsed = time.perf_counter() - began
            end_mb = server.rss_mb()
    print(f"soak: {args.connections} connections, {elapsed:.0f} s, {len(paths)} distinct requests")
    print(
        f"requests: {result.requests} ({result.requests_s:.0f}/s), p50 {result.p50_ms:.2f} ms, "
        f"p99 {result.p99_ms:.2f} ms"
    )
    print(f"socket errors: {result.socket_errors}, non-2xx: {result.non_2xx}")
    print(
        f"server RSS: {start_mb:.1f} MB after warm-up, {end_mb:.1f} MB at the end "
        f"({end_mb - start_mb:+.1f} MB)"
    )
    failed = (
        result.socket_errors > 0
        or result.non_2xx > 0
        or end_mb - start_mb > args.growth_mb
        or end_mb > args.max_rss_mb
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
