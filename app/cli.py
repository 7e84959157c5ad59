"""The `druginfo` command: serve, seed, validate, import-labels, export-openapi, vocab-add."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

from app.catalog import loader
from app.catalog import vocabulary as vocabulary_service
from app.catalog.models import VocabularyKind
from app.config import LogFormat, get_settings

cli = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help=__doc__,
    pretty_exceptions_show_locals=False,  # locals may hold a database URL with its password
)
_debug = False

DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="data directory (default: DATA_DIR)")
]


def _data_dir(value: Path | None) -> Path:
    return value if value is not None else get_settings().DATA_DIR


@cli.callback()
def options(
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks of failures")] = False,
) -> None:
    """Sourced drug information: serve, seed, validate, import-labels, export-openapi, vocab-add."""
    global _debug
    _debug = debug
    from app import observability

    settings = get_settings()
    # A person at a terminal reads text; a job's log collector gets LOG_FORMAT (JSON by default).
    log_format = settings.LOG_FORMAT
    if sys.stderr.isatty() and "LOG_FORMAT" not in os.environ:
        log_format = LogFormat.text
    observability.configure_logging(log_format, settings.LOG_LEVEL, stream="stderr")


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
    kind: Annotated[VocabularyKind, typer.Argument(help="conditions or effects")],
    term: Annotated[str, typer.Argument(help="the preferred term")],
    synonym: Annotated[list[str] | None, typer.Option("--synonym", "-s")] = None,
    broader: Annotated[
        list[str] | None, typer.Option("--broader", "-b", help="a broader preferred term")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Add a preferred term (with synonyms) to a vocabulary, under a file lock."""
    path = _data_dir(data_dir) / loader.VOCABULARY_DIR / f"{kind.value}.json"
    try:
        typer.echo(
            vocabulary_service.add_term(path, kind.value, term, synonym or [], broader or [])
        )
    except vocabulary_service.VocabularyConflict as exc:
        typer.echo(f"conflict: {exc}", err=True)
        raise typer.Exit(1) from None


@cli.command("export-schema")
def export_schema(
    out: Annotated[Path, typer.Option(help="where to write")] = Path(
        "data/schema/drug.schema.json"
    ),
) -> None:
    """Write the JSON Schema of a drug data file."""
    from app.catalog import schema

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(schema.drug_schema_json(), encoding="utf-8")
    typer.echo(f"wrote {out}")


@cli.command()
def seed(
    data_dir: DataDirOpt = None,
    include_synthetic: Annotated[
        bool, typer.Option(help="allow synthetic test drugs (benchmarks only)")
    ] = False,
) -> None:
    """Validate data/, then write it to the database in one transaction (all or nothing)."""
    from rich.progress import Progress

    from app import db
    from app.catalog import heal
    from app.catalog import seed as seed_service
    from app.db import get_engine

    directory = _data_dir(data_dir)
    db.wait_until_reachable(get_engine(), get_settings().DB_CONNECT_TIMEOUT_S)
    with seed_service.seed_lock(get_engine()):
        heal.heal_if_damaged(get_engine())  # before the progress bar, so its line reads clearly
    try:
        with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("seeding", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = seed_service.seed(
                get_engine(), directory, include_synthetic=include_synthetic, progress=progress
            )
    except loader.CatalogError as exc:
        _report(exc)
        typer.echo("nothing was written; the database is as it was", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"seeded {result.drugs} drugs, data version {result.data_version}")


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default: HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default: PORT")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64)] = 1,
    reload: Annotated[bool, typer.Option(help="restart on code changes")] = False,
) -> None:
    """Serve the API with uvicorn (seeds the database first when the data changed)."""
    import uvicorn

    from app import db, metrics, observability, ratelimit
    from app.catalog import seed as seed_service
    from app.db import get_engine

    settings = get_settings()
    observability.configure_logging(settings.LOG_FORMAT, settings.LOG_LEVEL)
    # Reach the database (with retries) and seed it (healing a damaged SQLite file) here, so a
    # failure is one line; the workers then start on a current database and only build read
    # models.
    db.wait_until_reachable(get_engine(), settings.DB_CONNECT_TIMEOUT_S)
    if settings.SEED_ON_STARTUP:
        try:
            seed_service.seed(get_engine(), settings.DATA_DIR, force=False)
        except loader.CatalogError as exc:
            _report(exc)
            if seed_service.stored_version(get_engine()) is None:
                raise typer.Exit(1) from None
    get_engine().dispose()
    if workers > 1:
        # Each worker writes its metrics here; a scrape of any worker sums them all.
        directory = metrics.multiprocess_dir() or tempfile.mkdtemp(prefix="druginfo-metrics-")
        metrics.prepare_multiprocess_dir(Path(directory))
        os.environ[metrics.MULTIPROC_ENV] = directory
        # The workers share one rate-limit table (a fresh one for each start).
        shared = Path(tempfile.mkdtemp(prefix="druginfo-ratelimit-")) / "limits.bin"
        os.environ[ratelimit.SHARED_FILE_ENV] = str(shared)
    uvicorn.run(
        "app.main:app",
        host=host or settings.HOST,
        port=port or settings.PORT,
        workers=workers,
        reload=reload,
        server_header=False,
        proxy_headers=True,
        access_log=False,  # druginfo logs each request itself (with its request id)
        log_config=None,  # and configures logging itself (LOG_FORMAT, LOG_LEVEL)
        timeout_graceful_shutdown=settings.SHUTDOWN_TIMEOUT_S,
    )


@cli.command("import-labels")
def import_labels(
    paths: Annotated[
        list[Path], typer.Argument(help="openFDA label files (.json, .json.zip) or directories")
    ],
    synthetic: Annotated[
        bool, typer.Option(help="mark the labels as synthetic copies (benchmarks only)")
    ] = False,
) -> None:
    """Import openFDA drug labels; each file in one transaction; exit 1 if any file failed."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from app.db import get_engine
    from app.labels import importer

    done = 0
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} records"),
        TextColumn("{task.fields[rate]:.0f} records/s"),
        TimeElapsedColumn(),
        transient=True,
        disable=not sys.stderr.isatty(),
    ) as bar:
        task = bar.add_task("importing", total=None, rate=0.0)
        start = time.perf_counter()

        def progress(name: str, records: int) -> None:
            nonlocal done
            done += 1
            if done % 25 == 0:
                rate = done / max(time.perf_counter() - start, 1e-9)
                bar.update(task, completed=done, rate=rate, description=Path(name).name[:40])

        report = importer.import_paths(get_engine(), paths, progress, synthetic=synthetic)
    for failed in report.failed:
        typer.echo(f"failed: {failed.describe()}", err=True)
    for skipped in report.warnings:
        typer.echo(f"skipped: {skipped.describe()}", err=True)
    rate = report.records / report.seconds if report.seconds else 0.0
    typer.echo(
        f"{report.records} records from {len(report.files) - len(report.failed)} file(s) in "
        f"{report.seconds:.1f} s ({rate:.0f}/s): {report.new} new, {report.updated} updated, "
        f"{report.history} older versions, {report.unchanged} unchanged; "
        f"{len(report.failed)} file(s) failed"
    )
    if report.failed:
        raise typer.Exit(1)


@cli.command("export-openapi")
def export_openapi(
    out: Annotated[Path, typer.Option(help="where to write")] = Path("openapi.json"),
) -> None:
    """Write the app's OpenAPI document."""
    import json

    from app.main import create_app

    out.write_text(json.dumps(create_app().openapi(), indent=2, sort_keys=True) + "\n")
    typer.echo(f"wrote {out}")


def _one_line(exc: Exception) -> str:
    from sqlalchemy.exc import SQLAlchemyError

    from app import db

    if isinstance(exc, db.DatabaseUnavailable):
        return str(exc)
    if isinstance(exc, SQLAlchemyError):
        engine = db.get_engine()
        return f"database error on {db.describe(engine)}: {db.reason(exc, engine)}"
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def main() -> None:
    try:
        cli(prog_name="druginfo")
    except Exception as exc:  # a user of the command gets one line; --debug shows the traceback
        if _debug:
            raise
        typer.echo(f"error: {_one_line(exc)} (--debug shows the traceback)", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
