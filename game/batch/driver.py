"""Running a whole experiment into an output folder, resumably.

    from game.batch import run_batch
    summary = run_batch("sweep.yaml", "out/sweep", workers=4)

The driver reads which runs the folder already holds, sends the others to the executor in
chunks sized to take about `chunk_seconds` each (measured as runs come back), writes each
finished chunk as it arrives and shows a progress bar with runs done, rate and ETA. Only the
specs of the runs still to play and a few chunks in flight are held in memory.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from .executors import DaskExecutor, ProcessExecutor, SerialExecutor, cpu_count
from .experiment import Experiment, load_experiment
from .runner import Job
from .sink import BatchError, ParquetSink, run_schema


@dataclass
class BatchSummary:
    out: Path
    runs_total: int
    runs_before: int          # already in the folder when this call started
    runs_played: int
    errors: int               # runs played now that raised
    seconds: float
    workers: int
    retried: int = 0          # runs that had raised before and were played again now
    errors_total: int = 0     # runs in the folder that raised (the last time they were played)
    given_up: int = 0         # of those, runs not retried: they raised max_attempts times


class Chunker:
    """Chunk sizes that make each chunk last about `target` seconds.

    The first chunks hold one run each, to measure; later ones follow the mean wall time per
    run seen so far, and never hold more than a share of what is left so that every worker
    still has work near the end.
    """

    def __init__(self, target: float, workers: int):
        self.target, self.workers = max(target, 1e-3), workers
        self.runs, self.seconds = 0, 0.0

    def observe(self, runs: int, seconds: float) -> None:
        self.runs += runs
        self.seconds += seconds

    def next_size(self, remaining: int) -> int:
        if not self.runs:
            return 1
        per_run = max(self.seconds / self.runs, 1e-6)
        size = max(1, round(self.target / per_run))
        share = max(1, math.ceil(remaining / (2 * self.workers)))
        return min(size, share, remaining)


def code_version() -> str:
    """The package version, with the git commit when the code is a checkout."""
    from game import __version__
    root = Path(__file__).resolve().parent.parent.parent
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{__version__}+{commit}" if commit else __version__


def make_executor(scenario, workers: int | None, scheduler: str | None, scheduler_file: str | None,
                  local_cluster: bool, start_method: str | None):
    if sum(bool(x) for x in (scheduler, scheduler_file, local_cluster)) > 1:
        raise BatchError("give at most one of --scheduler, --scheduler-file and --local-cluster")
    if workers is not None and workers < 1:
        raise BatchError("--workers must be at least 1")
    if scheduler or scheduler_file:
        return DaskExecutor(scenario, address=scheduler, scheduler_file=scheduler_file)
    n = workers or cpu_count()
    if local_cluster:
        return DaskExecutor(scenario, local_workers=n)
    if n == 1:
        return SerialExecutor(scenario)
    return ProcessExecutor(scenario, n, start_method)


MAX_ATTEMPTS = 3


def run_batch(experiment: Experiment | str, out, *, workers: int | None = None, scheduler: str | None = None,
              scheduler_file: str | None = None, local_cluster: bool = False, chunk_seconds: float = 1.0,
              progress: bool = False, start_method: str | None = None,
              max_attempts: int = MAX_ATTEMPTS) -> BatchSummary:
    """Play every run of `experiment` not yet in folder `out` and write them there.

    Runs that raised when they were last played are played again, unless they have raised
    `max_attempts` times already (1: never retry): so rerunning the command retries a failure
    (after a fix, or one that came from the machine), and a run that raises every time is
    given up after its last attempt instead of being replayed on every rerun."""
    if max_attempts < 1:
        raise BatchError("--max-attempts must be at least 1")
    if workers is not None and workers < 1:
        raise BatchError("--workers must be at least 1")     # before the folder is made
    exp = load_experiment(experiment) if isinstance(experiment, (str, Path)) else experiment
    version = code_version()
    sink = ParquetSink(out, exp, version)
    try:
        return _run(exp, sink, version, workers, scheduler, scheduler_file, local_cluster,
                    chunk_seconds, progress, start_method, max_attempts)
    finally:
        sink.close()


def _run(exp, sink, version, workers, scheduler, scheduler_file, local_cluster, chunk_seconds,
         progress, start_method, max_attempts) -> BatchSummary:
    from tqdm import tqdm
    started = time.perf_counter()
    specs = exp.runs()
    statuses = sink.statuses()
    failed = sink.failed_attempts()
    errored = {i for i, status in statuses.items() if status != "ok"}
    retry = {i for i in errored if failed.get(i, 0) < max_attempts}
    sink.drop_runs(retry)
    done = set(statuses) - retry
    todo = [s for s in specs if s.run_id not in done]
    attempts = {s.run_id: failed.get(s.run_id, 0) + 1 for s in todo}
    total = len(specs)
    if sink.meta.get("code_version") != version:
        print(f"note: {sink.out} was started with code {sink.meta.get('code_version')}; "
              f"this is {version}", file=sys.stderr)
    sink.write_meta(runs_total=total)
    hashes = getattr(exp.scenario, "_hashes", {})
    job = Job(turns=exp.turns, outcomes=tuple(exp.outcomes), turn_metrics=tuple(exp.turn_metrics),
              keep_orders=exp.spec.outputs.orders, run_schema=run_schema(exp),
              ruleset_hash=hashes.get("ruleset", ""), map_hash=hashes.get("map", ""), code_version=version)
    played = errors = 0
    executor = make_executor(exp.scenario, workers, scheduler, scheduler_file, local_cluster, start_method) \
        if todo else None
    bar = tqdm(total=total, initial=total - len(todo), desc="runs", unit="run", file=sys.stderr,
               disable=not progress, smoothing=0.1)
    try:
        if executor is not None:
            played, errors = _drive(executor, job, todo, sink, bar, chunk_seconds, attempts)
    finally:
        bar.close()
        if executor is not None:
            executor.close()
    sink.write_meta(complete=True)
    errors_total = len(errored - retry) + errors
    return BatchSummary(sink.out, total, total - len(todo), played, errors,
                        time.perf_counter() - started, executor.workers if executor else 0,
                        retried=len(retry), errors_total=errors_total, given_up=len(errored - retry))


MAX_POOL_RESTARTS = 3


def _with_attempts(result, attempts: dict):
    """The chunk's tables with each run's attempt number, which only the driver knows."""
    def numbered(table, column):
        values = pa.array([attempts.get(i, 1) for i in table["run_id"].to_pylist()], pa.int32())
        return table.set_column(table.schema.get_field_index(column), column, values)
    return numbered(result.runs, "attempts"), numbered(result.errors, "attempt")


def _drive(executor, job, todo, sink, bar, chunk_seconds, attempts: dict) -> tuple[int, int]:
    """Keep two chunks per worker in flight; write each as it finishes. A local worker
    process that dies (killed, out of memory) breaks its pool: the pool is started again
    and the chunks it held are played again, up to MAX_POOL_RESTARTS times."""
    chunker = Chunker(chunk_seconds, executor.workers)
    queue = list(reversed(todo))          # popped from the end: run-id order
    in_flight: dict = {}                  # handle -> the specs of its chunk
    played = errors = restarts = 0

    def start_again(exc, lost: list) -> None:
        """The pool broke (on a result or on a submit): play every chunk it held again."""
        nonlocal restarts
        restarts += 1
        if restarts > MAX_POOL_RESTARTS:
            raise BatchError(f"worker processes keep dying ({exc}); the runs finished so far "
                             "are saved: run the same command again to play the rest") from None
        queue.extend(spec for c in [lost, *in_flight.values()] for spec in c)
        queue.sort(key=lambda spec: -spec.run_id)
        in_flight.clear()
        executor.restart()

    while queue or in_flight:
        try:
            while queue and len(in_flight) < 2 * executor.workers:
                size = chunker.next_size(len(queue))
                chunk = [queue.pop() for _ in range(min(size, len(queue)))]
                try:
                    in_flight[executor.submit(job, chunk)] = chunk
                except BrokenProcessPool:
                    queue.extend(reversed(chunk))   # not submitted: back on the queue as it was
                    raise
        except BrokenProcessPool as exc:
            start_again(exc, [])
            continue
        for handle in executor.wait(list(in_flight)):
            chunk = in_flight.pop(handle)
            try:
                result = executor.result(handle)
            except BrokenProcessPool as exc:
                start_again(exc, chunk)
                break
            runs, errs = _with_attempts(result, attempts)
            sink.write_chunk(runs, result.turns, result.orders, errs)
            chunker.observe(len(chunk), result.seconds)
            played += len(chunk)
            errors += sum(1 for s in result.runs["status"].to_pylist() if s != "ok")
            bar.update(len(chunk))
    return played, errors
