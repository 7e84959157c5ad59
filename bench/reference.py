"""The reference: a minimal FastAPI app returning constant JSON bodies of the targets' sizes.

Started with the same server flags as druginfo, so the ratio druginfo / reference measures what
druginfo adds over a bare FastAPI endpoint on this machine, in this run.
"""

from __future__ import annotations

import json
import os
from typing import Any

from fastapi import FastAPI

app = FastAPI()


def _constant(size: int) -> dict[str, Any]:
    """A JSON object whose default serialization is `size` bytes (for size >= 20)."""
    base = {"meta": {"disclaimer": "constant"}, "results": ""}
    overhead = len(json.dumps(base, separators=(",", ":")))
    base["results"] = "x" * max(size - overhead, 0)
    return base


SIZES = [int(s) for s in os.environ.get("REF_SIZES", "1300").split(",") if s]
BODIES = [_constant(size) for size in SIZES]


def _route(index: int) -> None:
    body = BODIES[index]

    @app.get(f"/ref/{index}")
    async def constant() -> dict[str, Any]:
        return body


for i in range(len(BODIES)):
    _route(i)
