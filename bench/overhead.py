"""`python -m bench.overhead`: server CPU time per request, JSON access log off and on.

Requests/s on a 2-core machine shared with other work move with the neighbours' load; the CPU
time the server process spends per request moves much less. All configurations are served at
once and measured in turn, round after round (medians), so they see the same neighbours: wrk
drives one endpoint, /proc/<pid>/stat gives the server's user+system time before and after.
`--baseline DIR` (repeatable) adds the app of another checkout, say one without request ids and
metrics.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from contextlib import ExitStack
from pathlib import Path

import httpx

from bench import common

CONFIGS = {
    "request ids and metrics, access log off": {"ACCESS_LOG": "false"},
    "request ids, metrics and JSON access log (to a file)": {
        "ACCESS_LOG": "true",
        "LOG_FORMAT": "json",
    },
}
PATHS = ["/indications?drug=baclofen", "/drugs/baclofen", "/titration?drug=baclofen"]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--baseline", type=Path, action="append", default=[], help="another checkout to measure"
    )
    args = parser.parse_args()
    common.ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        configs = [(name, env, common.ROOT) for name, env in CONFIGS.items()]
        for baseline in reversed(args.baseline):
            configs.insert(0, (f"baseline ({baseline.name})", {"ACCESS_LOG": "false"}, baseline))
        servers = {}
        for index, (name, env, root) in enumerate(configs):
            db = Path(tmp) / f"overhead-{index}.db"
            full = {"DATABASE_URL": f"sqlite:///{db}", "RELOAD_INTERVAL_S": "0", **env}
            servers[name] = stack.enter_context(common.serve("app.main:app", full, cwd=root))
        samples: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.rounds):
            for path in PATHS:
                for name, server in servers.items():
                    httpx.get(server.base + path)
                    before = cpu_seconds(server.process.pid)
                    result = common.run_wrk(server.base + path, duration_s=args.duration)
                    spent = cpu_seconds(server.process.pid) - before
                    samples.setdefault((name, path), []).append(spent / result.requests * 1e6)
    print("| configuration | " + " | ".join(f"`{p}`" for p in PATHS) + " |")
    print("| --- | " + " | ".join("---:" for _ in PATHS) + " |")
    for name in servers:
        cells = [f"{statistics.median(samples[name, p]):.1f}" for p in PATHS]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(
        f"\nServer CPU microseconds per request, median of {args.rounds} rounds of "
        f"{args.duration} s (wrk -t2 -c32)."
    )


if __name__ == "__main__":
    main()
