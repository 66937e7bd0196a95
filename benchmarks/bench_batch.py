"""Throughput and memory of `chokepoint batch`, and how it compares with `mesa.batch_run`.

Run from the repository root:

    python benchmarks/bench_batch.py                      # defaults: 400 runs of 4 turns
    python benchmarks/bench_batch.py --runs 200 --rss-runs 500 5000 --rss-turns 1

What it measures (time.perf_counter around whole batches, pool start-up included):

* runs per second of one experiment (the small test world, `--turns` turns, the interest
  rate swept over 8 values crossed with seeds) played by `run_batch` with 1 worker (in
  this process) and with 2 worker processes, each into a fresh folder, and their ratio
  (target: at least 1.8x);
* the same games driven by `mesa.batch_run` with 2 processes (the model `BatchModel`, the
  same parameter values and seeds, its DataCollector recording the scores each turn), and
  the ratio of our 2-worker rate to it (target: ours at least 1.5x); a few final scores
  are compared to show they are the same games;
* the driver's peak resident size (getrusage of the driver process alone, in a fresh
  process each) for batches of each `--rss-runs` size of `--rss-turns`-turn runs with 2
  workers, and the ratio of the largest to the smallest (target: within 20%).

Nothing is asserted; the figures belong to the machine. With other work on the machine
the rates are noisy: compare figures taken back to back.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SMALL = ROOT / "tests" / "fixtures" / "small" / "small_scenario.yaml"
RATES = [0.01 * (i + 1) for i in range(8)]


def write_experiment(folder: Path, runs: int, turns: int, name: str) -> Path:
    """An experiment of about `runs` runs: 8 interest rates x seeds (common seeds, so that
    mesa.batch_run, which crosses parameters with seeds, plays the very same games)."""
    seeds = max(1, round(runs / len(RATES)))
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\nscenario: {SMALL}\nturns: {turns}\n"
        f"seeds: {{count: {seeds}, root: 1, common: true}}\n"
        f"parameters:\n  finance.interest_rate: {RATES}\n"
        "outputs: {turns: [score], orders: true}\n", encoding="utf-8")
    return path


def time_ours(exp_path: Path, folder: Path, workers: int) -> tuple[float, int]:
    from game.batch import run_batch
    start = time.perf_counter()
    summary = run_batch(exp_path, folder, workers=workers)
    return time.perf_counter() - start, summary.runs_played


def time_mesa(exp_path: Path, processes: int):
    from mesa.batchrunner import batch_run

    from game.batch import load_experiment
    from game.batch.design import game_seed
    from game.batch.model import BatchModel
    exp = load_experiment(exp_path)
    seeds = [game_seed(exp.spec.seeds.root, i) for i in range(exp.spec.seeds.count)]
    start = time.perf_counter()
    rows = batch_run(BatchModel, {"scenario": str(SMALL), "turns": exp.turns,
                                  "finance.interest_rate": RATES},
                     rng=seeds, number_processes=processes, max_steps=exp.turns + 1,
                     display_progress=False)
    return time.perf_counter() - start, rows, seeds


def same_games(rows, seeds, folder: Path) -> str:
    import pyarrow.dataset as ds
    ours = ds.dataset(folder / "runs").to_table(columns=["seed", "finance.interest_rate", "score_US"]).to_pylist()
    by_key = {(r["seed"], r["finance.interest_rate"]): r["score_US"] for r in ours}
    checked = [(row["seed"], row["finance.interest_rate"], row["score_US"]) for row in rows[:20]]
    same = all(by_key.get((s, rate)) == score for s, rate, score in checked)
    return f"{'yes' if same else 'NO'} ({len(checked)} final scores compared)"


RSS_SCRIPT = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from game.batch import run_batch
start = time.perf_counter()
summary = run_batch(sys.argv[1], sys.argv[2], workers=2)
print(json.dumps({"runs": summary.runs_played, "seconds": time.perf_counter() - start,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def driver_rss(exp_path: Path, folder: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", RSS_SCRIPT, str(exp_path), str(folder), str(ROOT)],
                          capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400, help="runs in the throughput experiment")
    parser.add_argument("--turns", type=int, default=4, help="turns per run in it")
    parser.add_argument("--rss-runs", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--rss-turns", type=int, default=1)
    parser.add_argument("--skip-mesa", action="store_true")
    args = parser.parse_args()
    print(f"host: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
          f"scenario {SMALL.relative_to(ROOT)}")
    with tempfile.TemporaryDirectory(prefix="bench_batch_") as tmp:
        tmp = Path(tmp)
        exp = write_experiment(tmp, args.runs, args.turns, "throughput")
        one_s, n = time_ours(exp, tmp / "one", 1)
        two_s, _ = time_ours(exp, tmp / "two", 2)
        print(f"\n{n} runs of {args.turns} turns")
        print(f"  run_batch, 1 worker:    {n / one_s:7.1f} runs/s  ({one_s:.2f} s)")
        print(f"  run_batch, 2 workers:   {n / two_s:7.1f} runs/s  ({two_s:.2f} s)   "
              f"speed-up {one_s / two_s:.2f}x (target >= 1.8x)")
        if not args.skip_mesa:
            mesa_s, rows, seeds = time_mesa(exp, 2)
            print(f"  mesa.batch_run, 2 proc: {len(rows) / mesa_s:7.1f} runs/s  ({mesa_s:.2f} s)   "
                  f"ours {mesa_s / two_s:.2f}x faster (target >= 1.5x); same games: "
                  f"{same_games(rows, seeds, tmp / 'two')}")
        print(f"\ndriver peak RSS, 2 workers, runs of {args.rss_turns} turn(s)")
        peaks = []
        for runs in args.rss_runs:
            exp = write_experiment(tmp, runs, args.rss_turns, f"rss{runs}")
            got = driver_rss(exp, tmp / f"rss{runs}")
            peaks.append(got["peak_rss_mb"])
            print(f"  {got['runs']:6d} runs: {got['peak_rss_mb']:7.1f} MB  "
                  f"({got['runs'] / got['seconds']:.1f} runs/s)")
        if len(peaks) > 1:
            print(f"  largest / smallest: {max(peaks) / min(peaks):.3f} (target <= 1.20)")


if __name__ == "__main__":
    main()
