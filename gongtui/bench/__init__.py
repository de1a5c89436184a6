"""``gongtui bench …``: benchmarks that write bench/results/*.json with the machine noted."""

from __future__ import annotations

import typer

bench_app = typer.Typer(help="benchmarks (results in bench/results/)", no_args_is_help=True)


def load_commands() -> None:
    # Each benchmark module adds its command to bench_app when imported.
    import importlib

    for name in ("district", "ballots", "roster_readers", "documents", "flood", "console"):
        try:
            importlib.import_module(f"gongtui.bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"gongtui.bench.{name}":
                raise
