"""Keep README.md's example outputs what the app answers: `python -m scripts.readme_examples`.

Each example is a ```sh block holding one `curl -s` command, followed by a block with its output.
The command's method, headers, body and path are sent to the app (seeded from data/) through a
TestClient; a command piped through `python3 -m json.tool` shows the body as json.tool prints it.
An output whose last line is `  ...` is abridged: only the lines above it are compared and
rewritten. tests/test_readme.py fails when the README and the app disagree.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from app.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402

README = ROOT / "README.md"
EXAMPLE = re.compile(
    r"```sh\n(?P<command>curl .*?)\n```\n```(?P<lang>\w*)\n(?P<output>.*?)```", re.S
)
ABRIDGED = "  ..."


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    pretty: bool


def parse(command: str) -> Request:
    """The request a README `curl` command sends (only the options the README uses)."""
    words = shlex.split(command.replace("\\\n", " "))
    pretty = "|" in words and words[words.index("|") + 1 :] == ["python3", "-m", "json.tool"]
    words = words[: words.index("|")] if "|" in words else words
    method, headers, body, url = "GET", {}, None, None
    it = iter(words[1:])
    for word in it:
        if word == "-s":
            continue
        if word == "-X":
            method = next(it)
        elif word == "-H":
            name, _, value = next(it).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "-d":
            body = next(it)
        elif word.startswith("http://127.0.0.1:8000"):
            url = word.removeprefix("http://127.0.0.1:8000")
        else:
            raise ValueError(f"README curl option not understood: {word!r} in {command!r}")
    if url is None:
        raise ValueError(f"no http://127.0.0.1:8000 URL in {command!r}")
    return Request(method, url, headers, body, pretty)


def answer(client: TestClient, request: Request) -> str:
    """What the command prints."""
    response = client.request(
        request.method, request.path, headers=request.headers, content=request.body
    )
    if request.pretty:
        return json.dumps(response.json(), indent=4) + "\n"
    text = response.text.replace("\r\n", "\n")  # CSV rows end in CRLF; a terminal shows lines
    return text if text.endswith("\n") else text + "\n"


def render(text: str, client: TestClient) -> str:
    """The README with every example output replaced by the app's (abridged ones kept short)."""

    def replace(match: re.Match[str]) -> str:
        real = answer(client, parse(match["command"]))
        shown = match["output"].splitlines()
        if shown and shown[-1] == ABRIDGED:
            real = "\n".join(real.splitlines()[: len(shown) - 1] + [ABRIDGED]) + "\n"
        head = match.group(0)[: match.start("output") - match.start()]
        return head + real + "```"

    return EXAMPLE.sub(replace, text)


def app_client(tmp: Path) -> TestClient:
    settings = Settings(
        DATABASE_URL=f"sqlite:///{tmp / 'readme.db'}", DATA_DIR=ROOT / "data", RELOAD_INTERVAL_S=0
    )
    return TestClient(create_app(settings))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, app_client(Path(tmp)) as client:
        README.write_text(render(README.read_text(), client))
    print("README.md examples regenerated")


if __name__ == "__main__":
    main()
