"""README.md's example outputs are what the app answers.

Regenerate them with `python -m scripts.readme_examples`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from scripts import readme_examples


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with readme_examples.app_client(tmp_path_factory.mktemp("readme")) as client:
        yield client


def test_readme_examples_are_what_the_app_answers(app_client: TestClient) -> None:
    text = readme_examples.README.read_text()
    assert len(readme_examples.EXAMPLE.findall(text)) >= 4
    assert readme_examples.render(text, app_client) == text, (
        "README examples drifted: run `python -m scripts.readme_examples`"
    )


def test_json_examples_are_piped_through_json_tool() -> None:
    for match in readme_examples.EXAMPLE.finditer(readme_examples.README.read_text()):
        if match["lang"] == "json":
            assert readme_examples.parse(match["command"]).pretty, match["command"]


def test_parse_reads_method_headers_body_and_pipe() -> None:
    request = readme_examples.parse(
        "curl -s -X POST http://127.0.0.1:8000/titration -H 'content-type: application/json' \\\n"
        """  -d '{"drug":"baclofen"}' | python3 -m json.tool"""
    )
    assert request == readme_examples.Request(
        "POST", "/titration", {"content-type": "application/json"}, '{"drug":"baclofen"}', True
    )
