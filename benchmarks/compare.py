"""A git revision against the working tree, side by side: the same games, timed alike.

``python benchmarks/bench_game.py --compare REV`` comes here. REV's files are exported
with ``git archive`` into a temporary folder (nothing in the repository changes), and one
worker process per tree plays the same all-AI games; the workers take turns, repeat by
repeat, so a burst of other work on the machine falls on both trees alike. Each worker
is pinned to one CPU with numerical libraries on one thread, imports its own tree's
engine, plays an untimed warm-up game, then times ``game.step()`` over whole games. The
ratio of the median game times (REV / working tree) is the speed-up; the quiet-machine
figure takes, per seed, the fastest repeat of each game.

Run as a script (``python benchmarks/compare.py --worker ROOT ...``) it is the worker.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
THREADS = {v: "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def export_revision(rev: str, dest: str) -> str:
    """REV's tree extracted under dest (read-only use of the repository); its full hash."""
    full = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout.strip()
    archive = os.path.join(dest, "rev.tar")
    with open(archive, "wb") as fh:
        subprocess.run(["git", "archive", "--format=tar", full], cwd=ROOT, stdout=fh, check=True)
    tree = os.path.join(dest, "tree")
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return full


def run_worker(tree: str, scenario: str, seeds: list[int], turns: int | None, cpu: int | None) -> dict:
    """One worker process on `tree`: {"games": {seed: seconds}, "digests": {seed: digest}}."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", tree, "--scenario", scenario,
           "--seeds", *map(str, seeds)]
    if turns:
        cmd += ["--turns", str(turns)]
    if cpu is not None:
        cmd += ["--cpu", str(cpu)]
    env = {**os.environ, **THREADS, "PYTHONPATH": tree, "GIT_OPTIONAL_LOCKS": "0"}
    out = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"worker on {tree} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare(rev: str, scenario: str, seeds: list[int], repeats: int, turns: int | None,
            cpu: int | None) -> dict:
    """Time REV and the working tree; print the table and the ratio; return the figures."""
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        full = export_revision(rev, tmp)
        trees = {f"{rev} ({full[:10]})": os.path.join(tmp, "tree"), "working tree": ROOT}
        times = {label: {s: [] for s in seeds} for label in trees}
        digests: dict[str, dict] = {}
        for _ in range(repeats):
            for label, tree in trees.items():
                res = run_worker(tree, scenario, seeds, turns, cpu)
                for s, t in res["games"].items():
                    times[label][int(s)].append(t)
                digests[label] = res["digests"]
    print(f"compare: {scenario}, seeds {seeds}, {repeats} repeats per tree, alternating; "
          f"{turns or 'all'} turns; one pinned process per tree and repeat")
    print(f"{'tree':<28}{'median ms':>11}{'min':>9}{'max':>9}{'quiet ms':>10}")
    stats = {}
    for label, per_seed in times.items():
        games = [t for ts in per_seed.values() for t in ts]
        quiet = statistics.median(min(ts) for ts in per_seed.values())
        stats[label] = {"median": statistics.median(games), "min": min(games), "max": max(games), "quiet": quiet}
        st = stats[label]
        print(f"{label:<28}{st['median'] * 1e3:>11.1f}{st['min'] * 1e3:>9.1f}{st['max'] * 1e3:>9.1f}"
              f"{st['quiet'] * 1e3:>10.1f}")
    old, new = (stats[k] for k in trees)
    print(f"speed-up (REV median / working-tree median): {old['median'] / new['median']:.2f}x; "
          f"quiet-machine figures: {old['quiet'] / new['quiet']:.2f}x")
    same = digests[next(iter(trees))] == digests["working tree"]
    print("final digests " + ("identical in both trees" if same else
                              "differ between the trees (the rules changed in between)"))
    return {"rev": full, "stats": stats, "same_digests": same}


def worker(argv: list[str]) -> int:
    """Play and time games of the tree on sys.path; print one JSON line."""
    import argparse
    p = argparse.ArgumentParser()
    p.add_argument("--worker", required=True)
    p.add_argument("--scenario", default="baseline_2025")
    p.add_argument("--seeds", type=int, nargs="+", default=[1])
    p.add_argument("--turns", type=int, default=None)
    p.add_argument("--cpu", type=int, default=None)
    a = p.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        allowed = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {allowed[0] if a.cpu is None else a.cpu})
    sys.path.insert(0, a.worker)
    from game import Game, load_scenario
    scenario = load_scenario(a.scenario)
    turns = a.turns or scenario.calendar.turns
    Game(scenario, seed=a.seeds[0], turns=turns).run()            # warm-up, not timed
    games, digests = {}, {}
    for seed in a.seeds:
        game = Game(scenario, seed=seed, turns=turns)
        t0 = time.perf_counter()
        for _ in range(turns):
            game.step()
        games[seed] = time.perf_counter() - t0
        digests[seed] = game.digest()
    print(json.dumps({"games": games, "digests": digests}))
    return 0


if __name__ == "__main__":
    sys.exit(worker(sys.argv[1:]))
