"""The `druginfo` command: serve, seed, validate, export-openapi, export-schema, vocab-add."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from app.catalog import loader
from app.catalog import vocabulary as vocabulary_service
from app.config import get_settings

cli = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)

DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="data directory (default: DATA_DIR)")
]


def _data_dir(value: Path | None) -> Path:
    return value if value is not None else get_settings().DATA_DIR


def _report(exc: loader.CatalogError) -> None:
    typer.echo(f"{len(exc.problems)} problem(s) in the data files:", err=True)
    for problem in exc.problems:
        typer.echo(f"  {problem}", err=True)


@cli.command()
def validate(data_dir: DataDirOpt = None) -> None:
    """Validate the data files only; exit 1 naming each problem's file and JSON path."""
    try:
        catalog = loader.load_catalog(_data_dir(data_dir))
    except loader.CatalogError as exc:
        _report(exc)
        raise typer.Exit(1) from None
    typer.echo(f"ok: {len(catalog.drugs)} drugs, data version {catalog.data_version}")


@cli.command("vocab-add")
def vocab_add(
    kind: Annotated[str, typer.Argument(help="conditions or effects")],
    term: Annotated[str, typer.Argument(help="the preferred term")],
    synonym: Annotated[list[str] | None, typer.Option("--synonym", "-s")] = None,
    broader: Annotated[
        list[str] | None, typer.Option("--broader", "-b", help="a broader preferred term")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Add a preferred term (with synonyms) to a vocabulary, under a file lock."""
    if kind not in loader.VOCABULARY_KINDS:
        typer.echo("kind must be 'conditions' or 'effects'", err=True)
        raise typer.Exit(2)
    path = _data_dir(data_dir) / loader.VOCABULARY_DIR / f"{kind}.json"
    try:
        typer.echo(vocabulary_service.add_term(path, kind, term, synonym or [], broader or []))
    except vocabulary_service.VocabularyConflict as exc:
        typer.echo(f"conflict: {exc}", err=True)
        raise typer.Exit(1) from None


@cli.command("export-schema")
def export_schema(
    out: Annotated[Path, typer.Option(help="where to write")] = Path("data/schema/drug.schema.json"),
) -> None:
    """Write the JSON Schema of a drug data file."""
    from app.catalog import schema

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(schema.drug_schema_json(), encoding="utf-8")
    typer.echo(f"wrote {out}")


def main() -> None:
    cli(prog_name="druginfo")


if __name__ == "__main__":
    sys.exit(main())
