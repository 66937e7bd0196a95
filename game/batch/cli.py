"""`chokepoint batch EXP.yaml --out DIR`: the command line of the batch runner."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_batch_parser(sub) -> None:
    b = sub.add_parser(
        "batch", help="run an experiment file's games into Parquet files (parallel, resumable)",
        description="Play every run of an experiment file (parameters x policies x seeds) and "
        "write DIR/runs, DIR/turns, DIR/orders (Parquet, zstd) and DIR/meta.json. Running the "
        "same command again after an interruption plays only the runs still missing.")
    b.add_argument("experiment", type=Path, help="experiment YAML file (see docs/batch.md)")
    b.add_argument("--out", type=Path, required=True, help="output folder")
    b.add_argument("--workers", type=int, help="worker processes (default: every core; 1 plays here)")
    where = b.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="run on the Dask cluster at this address")
    where.add_argument("--scheduler-file", metavar="FILE", help="run on the Dask cluster this file describes")
    where.add_argument("--local-cluster", action="store_true",
                       help="start a local Dask cluster of --workers processes to run on")
    b.add_argument("--chunk-seconds", type=float, default=1.0,
                   help="aim for chunks of runs lasting this long (default 1)")
    b.add_argument("--start-method", choices=("forkserver", "spawn", "fork"),
                   help="how local worker processes start (default: fork while the command runs one thread, "
                   "else forkserver where available)")
    b.add_argument("--max-attempts", type=int, default=3, metavar="N",
                   help="rerunning the command plays again the runs that raised, until a run has "
                   "raised N times (default 3; 1 never retries)")
    b.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                   help="csv: also write DIR/csv/{runs,turns,orders,errors}.csv, the same tables as "
                   "the Parquet files, when the batch ends (Parquet stays the store it resumes from)")
    b.add_argument("--quiet", action="store_true", help="no progress bar, only the closing line")
    b.set_defaults(func=cmd_batch)


def cmd_batch(args: argparse.Namespace) -> int:
    from game.batch import BatchError, ExperimentError, load_experiment, run_batch
    try:
        exp = load_experiment(args.experiment)
    except ExperimentError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.chunk_seconds <= 0:
        print("chokepoint: error: --chunk-seconds must be above 0", file=sys.stderr)
        return 2
    try:
        summary = run_batch(exp, args.out, workers=args.workers, scheduler=args.scheduler,
                            scheduler_file=args.scheduler_file, local_cluster=args.local_cluster,
                            chunk_seconds=args.chunk_seconds, start_method=args.start_method,
                            progress=not args.quiet and sys.stderr.isatty(),
                            max_attempts=args.max_attempts)
    except BatchError as exc:
        print(f"chokepoint: error: {exc}", file=sys.stderr)
        return 2
    if args.format == "csv":
        from game.batch.export import export_csv
        written = export_csv(summary.out)
        print(f"CSV: {', '.join(str(p) for p in written)}", file=sys.stderr)
    if summary.runs_before == summary.runs_total:
        print(f"{summary.out}: all {summary.runs_total} runs were already done")
    else:
        rate = summary.runs_played / summary.seconds if summary.seconds else 0.0
        again = f", {summary.retried} of them retried" if summary.retried else ""
        print(f"{summary.out}: {summary.runs_played} runs played{again} ({summary.errors} with errors) "
              f"in {summary.seconds:.1f} s on {summary.workers} worker(s), {rate:.1f} runs/s; "
              f"{summary.runs_total} of {summary.runs_total} done")
    if summary.errors_total:
        print(f"{summary.errors_total} run(s) ended with an error (status 'error' in {summary.out}/runs, "
              f"tracebacks in {summary.out}/errors)", end="")
        if summary.given_up:
            print(f"; {summary.given_up} raised {args.max_attempts} time(s) and were not retried "
                  f"(--max-attempts {args.max_attempts + 1} tries them once more)", end="")
        print()
    return 1 if summary.errors_total else 0
