"""CSV copies of a batch folder's tables: `chokepoint batch ... --format csv`.

    from game.batch.export import export_csv
    export_csv("out/sweep")      # out/sweep/csv/runs.csv, turns.csv, orders.csv, errors.csv

The Parquet files stay the store a batch resumes from; the CSV files hold the same rows and
columns (a header line, then one line per row; an empty field is a missing value). Each file
is written whole under a temporary name and renamed, so a reader never sees half of one, and
exporting again replaces it. Rows of runs and errors are in run-id order; turns and orders
are copied chunk by chunk (in the order of each chunk's first run id), so their memory stays
that of one chunk: sort them by run_id to line them up with the runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from .outcomes import ERROR_SCHEMA, ORDER_SCHEMA, TURN_SCHEMA
from .sink import TABLES


def export_csv(out: str | os.PathLike, dest: str | os.PathLike | None = None) -> list[Path]:
    """Write one CSV file per table of batch folder `out` into `dest` (default `out/csv`)."""
    out = Path(out)
    if not (out / "meta.json").is_file():
        raise FileNotFoundError(f"{out} is not a batch folder (it has no meta.json)")
    dest = Path(dest) if dest is not None else out / "csv"
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        parts = sorted((out / name).glob("part-*.parquet"))
        if name == "orders" and not parts:
            continue                                   # the experiment keeps no orders
        path = dest / f"{name}.csv"
        tmp = path.with_name(f".{path.name}.tmp")
        if name in ("runs", "errors"):
            _write_sorted(tmp, parts, name)
        else:
            _write_by_chunk(tmp, parts, {"turns": TURN_SCHEMA, "orders": ORDER_SCHEMA}[name])
        os.replace(tmp, path)
        written.append(path)
    return written


def _write_sorted(tmp: Path, parts: list[Path], name: str) -> None:
    """One row per run (or per failed attempt): small enough to sort whole."""
    if parts:
        table = pa.concat_tables([pq.read_table(p) for p in parts], promote_options="default")
    else:
        table = ERROR_SCHEMA.empty_table()
    keys = [("run_id", "ascending")] + ([("attempt", "ascending")] if name == "errors" else [])
    pcsv.write_csv(table.sort_by(keys), tmp)


def _write_by_chunk(tmp: Path, parts: list[Path], schema: pa.Schema) -> None:
    firsts = []
    for part in parts:
        ids = pq.read_table(part, columns=["run_id"])["run_id"]
        firsts.append((pc.min(ids).as_py() if len(ids) else -1, part))
    with pcsv.CSVWriter(tmp, schema) as writer:
        for _, part in sorted(firsts, key=lambda item: (item[0], item[1].name)):
            table = pq.read_table(part).cast(schema)
            writer.write_table(table.sort_by([("run_id", "ascending"), ("turn", "ascending")]))
