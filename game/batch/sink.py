"""The Parquet output folder of a batch, and how it survives being killed.

    DIR/meta.json            the experiment, its hash, the scenario hashes, the code version
    DIR/runs/part-NNNNNN.parquet     one row per run
    DIR/turns/part-NNNNNN.parquet    long form: run_id, turn, entity, good, metric, value
    DIR/orders/part-NNNNNN.parquet   run_id, turn, seat, order, result, reason
    DIR/errors/part-NNNNNN.parquet   run_id, attempt, code_version, error, traceback

The commit protocol: one chunk of runs gives one file in each folder (errors only when a run
of it raised), all with the same part number. Each file is written under a temporary name,
flushed to disk and renamed into place (a rename is atomic), the runs file last. A run counts
as done exactly when a runs file holds it. On resume, temporary files are removed, and so are
turns, orders and errors files whose runs file never arrived (the batch was killed between
the renames); their runs are played again. So whenever the batch is killed, every run is
either in all of its files or in none, and none is written twice.

Retrying a run that raised: its row is first taken out of its runs file (the file is
rewritten without it, under a temporary name and renamed, so it is atomic too); from then on
it is a missing run like any other. Its errors rows stay: they count the attempts made, so a
retry killed half-way still knows how many there were. A lock on DIR/.lock stops two batches
writing one folder at once (the system drops it when a process dies).
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .experiment import Experiment
from .outcomes import ERROR_SCHEMA, ORDER_SCHEMA, TURN_SCHEMA

META_FORMAT = 2          # 2: the errors folder and the runs' `attempts` column
TABLES = ("runs", "turns", "orders", "errors")
_TYPES = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}


class BatchError(RuntimeError):
    """A batch that cannot start or go on: a folder of another experiment, a busy folder."""


def run_schema(exp: Experiment) -> pa.Schema:
    """Columns of the runs table: ids, the parameters (by dotted path), provenance, outcomes."""
    fields = [("run_id", pa.int64()), ("point", pa.int32()), ("policy_set", pa.int32()),
              ("seed_index", pa.int32()), ("seed", pa.int64())]
    fields += [(p.path, _TYPES[p.kind]) for p in exp.parameters]
    fields += [("policies", pa.string()), ("ruleset_hash", pa.string()), ("map_hash", pa.string()),
               ("code_version", pa.string()), ("status", pa.string()), ("error", pa.string()),
               ("attempts", pa.int32()), ("wall_time", pa.float64()), ("turns_played", pa.int32())]
    taken = {name for name, _ in fields}
    for name in exp.outcomes:
        if name in taken:
            raise BatchError(f"outcome {name!r} has the name of another column")
        fields.append((name, pa.string() if name == "digest" else pa.float64()))
    return pa.schema(fields)


class ParquetSink:
    """Writes chunks into an output folder and tells which runs it already holds."""

    def __init__(self, out: str | os.PathLike, exp: Experiment, code_version: str):
        self.out = Path(out)
        self.exp = exp
        self.out.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.out / ".lock", "a+")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise BatchError(f"{self.out} is in use by another batch") from None
        for name in TABLES:
            (self.out / name).mkdir(exist_ok=True)
        self._check_or_write_meta(code_version)
        self.next_part = self._tidy()

    def close(self) -> None:
        if not self._lock.closed:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()

    # -- meta.json --------------------------------------------------------------------------
    def _check_or_write_meta(self, code_version: str) -> None:
        path = self.out / "meta.json"
        mine = {"format": META_FORMAT, "experiment_file": self.exp.file, "name": self.exp.spec.name,
                "scenario": self.exp.spec.scenario,
                "experiment_hash": self.exp.identity_hash(), **self.exp.identity(),
                "runs_total": None, "code_version": code_version, "complete": False}
        if path.exists():
            try:
                theirs = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise BatchError(f"{path} is unreadable ({exc}); use another --out folder") from None
            if theirs.get("format") != META_FORMAT:
                raise BatchError(f"{self.out} was written by another version of the batch runner "
                                 f"(folder format {theirs.get('format')}, this one writes {META_FORMAT}); "
                                 "use a new --out folder")
            if theirs.get("experiment_hash") != mine["experiment_hash"]:
                raise BatchError(_changed_message(path, theirs, mine))
            self.meta = theirs
            return
        if any(any((self.out / name).glob("*.parquet")) for name in TABLES):
            raise BatchError(f"{self.out} holds Parquet files but no meta.json; use another --out folder")
        self.meta = mine
        self.write_meta()

    def write_meta(self, **changes) -> None:
        self.meta.update(changes)
        _atomic_write(self.out / "meta.json",
                      (json.dumps(self.meta, indent=2, sort_keys=True) + "\n").encode("utf-8"))

    # -- resume -----------------------------------------------------------------------------
    def _tidy(self) -> int:
        """Remove what a killed batch left half-written; the next free part number."""
        for name in TABLES:
            for tmp in (self.out / name).glob(".*.tmp"):
                tmp.unlink()
        committed = {p.name for p in (self.out / "runs").glob("part-*.parquet")}
        for name in ("turns", "orders", "errors"):
            for part in (self.out / name).glob("part-*.parquet"):
                if part.name not in committed:
                    part.unlink()
        numbers = [int(p.stem.split("-")[1]) for p in (self.out / "runs").glob("part-*.parquet")]
        return max(numbers, default=-1) + 1

    def done_run_ids(self) -> set[int]:
        """Run ids that committed chunk files hold."""
        return set(self.statuses())

    def statuses(self) -> dict[int, str]:
        """run id -> status ('ok' or 'error') of every run the committed runs files hold."""
        out: dict[int, str] = {}
        for part in sorted((self.out / "runs").glob("part-*.parquet")):
            table = pq.read_table(part, columns=["run_id", "status"])
            out.update(zip(table["run_id"].to_pylist(), table["status"].to_pylist()))
        return out

    def failed_attempts(self) -> dict[int, int]:
        """run id -> how many committed attempts at it raised (rows of the errors files)."""
        counts: dict[int, int] = {}
        for part in (self.out / "errors").glob("part-*.parquet"):
            for run_id in pq.read_table(part, columns=["run_id"])["run_id"].to_pylist():
                counts[run_id] = counts.get(run_id, 0) + 1
        return counts

    def drop_runs(self, run_ids: set[int]) -> int:
        """Take these runs' rows out of the runs files (to play them again); how many went.

        Only runs without turns or orders rows (runs that raised) may be dropped, so the
        other folders stay as they are. Each runs file is replaced atomically; a file left
        with no rows stays, empty, so that its errors file keeps its runs file."""
        dropped = 0
        for part in sorted((self.out / "runs").glob("part-*.parquet")):
            table = pq.read_table(part)
            ids = table["run_id"].to_pylist()
            keep = [i not in run_ids for i in ids]
            if all(keep):
                continue
            dropped += len(keep) - sum(keep)
            _write_parquet(part, table.filter(pa.array(keep)))
        if dropped:
            _fsync_dir(self.out / "runs")
        return dropped

    # -- writing ----------------------------------------------------------------------------
    def write_chunk(self, runs: pa.Table, turns: pa.Table, orders: pa.Table,
                    errors: pa.Table | None = None) -> None:
        """Commit one chunk: turns, orders and errors files, then the runs file that makes it count."""
        name = f"part-{self.next_part:06d}.parquet"
        self.next_part += 1
        _write_parquet(self.out / "turns" / name, turns.cast(TURN_SCHEMA))
        if self.exp.spec.outputs.orders:
            _write_parquet(self.out / "orders" / name, orders.cast(ORDER_SCHEMA))
        if errors is not None and errors.num_rows:
            _write_parquet(self.out / "errors" / name, errors.cast(ERROR_SCHEMA))
        _write_parquet(self.out / "runs" / name, runs)
        _fsync_dir(self.out / "runs")


def _write_parquet(path: Path, table: pa.Table) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        pq.write_table(table, fh, compression="zstd")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _changed_message(path: Path, theirs: dict, mine: dict) -> str:
    old, new = theirs.get("experiment", {}), mine["experiment"]
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if theirs.get("scenario_hashes") != mine["scenario_hashes"]:
        keys.append("the scenario files")
    what = ", ".join(keys) or "its content"
    return (f"{path.parent} holds results of a different experiment ({what} changed since "
            f"{theirs.get('experiment_file', 'it')} was run there); resuming would mix the two. "
            f"Use a new --out folder, or restore the experiment to resume.")
