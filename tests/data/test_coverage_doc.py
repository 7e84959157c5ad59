"""docs/data-coverage.md is generated from data/ and must not drift from it."""

from scripts import coverage_report


def test_committed_coverage_report_matches_the_data() -> None:
    committed = coverage_report.OUT.read_text(encoding="utf-8")
    assert committed == coverage_report.render(), "run `python -m scripts.coverage_report`"
