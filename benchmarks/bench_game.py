"""Wall time of whole games: all-AI games of a scenario, and how the time grows with firms.

Run from the repository root:

    python benchmarks/bench_game.py                       # defaults: --repeats 2 --seeds 1 2 3
    python benchmarks/bench_game.py --repeats 5 --seeds 1
    python benchmarks/bench_game.py --turns 2 --repeats 1 --no-scaling   # a quick look
    python benchmarks/bench_game.py --compare 71dd0a5     # a git revision against the working tree

What it measures (time.perf_counter, one process pinned to one CPU, BLAS and OpenMP
limited to one thread):

* import of the engine and loading of the scenario, once each, outside the game timings;
* for every seed and repeat: the construction of a Game, and then ``game.run()`` for the
  requested number of turns (all seats on their AI), timed apart; median, min and max
  over all (seed, repeat) pairs, the median time per turn, and the median CPU time of the
  runs (wall well above CPU means other work on the machine took turns with this one);
* a breakdown by phase of one extra game (each function of ``game.phases.PHASES`` wrapped
  in a timer while it runs; the part of a turn outside the phases, the digest and the
  turn report of ``Game.step``, is shown as "outside phases");
* peak memory of one extra game under tracemalloc (Python and numpy allocations), and
  the peak resident size of the whole process (getrusage);
* the scaling study: the same games with the firm population multiplied by 2 and 4 (see
  benchmarks/scaling.py: same world capacity and money, k times the firms and plants),
  and the ratio of median game times to the 1x figure.

Targets (from the performance issue) are printed next to the figures; nothing is asserted
and the exit status is 0 whatever the numbers. Same seed, same digest: the digests of
repeated games are compared and a mismatch is reported, since a fast engine that is not
deterministic is not a fast engine.
"""

from __future__ import annotations

# One thread for every numerical library, set before numpy (or anything that imports it)
# is loaded, so the figures are single-core figures on any machine.
import os

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "BLIS_NUM_THREADS")
for _var in THREAD_VARS:
    os.environ[_var] = "1"

import argparse  # noqa: E402
import functools  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

TARGET_GAME_S = 0.5          # median wall time of one 20-turn all-AI game of baseline_2025
TARGET_TURNS = 20
DEFAULT_FACTORS = (2, 4)


# ---- the process ---------------------------------------------------------------------

def pin_to_one_cpu(cpu: int | None) -> str:
    """Keep the process on one CPU (Linux); returns a description of what was done."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    allowed = sorted(os.sched_getaffinity(0))
    chosen = allowed[0] if cpu is None else cpu
    try:
        os.sched_setaffinity(0, {chosen})
    except OSError as exc:
        return f"not pinned ({exc})"
    return f"pinned to CPU {chosen} (of {len(allowed)} allowed)"


def git_commit() -> str:
    """HEAD's short hash, read-only (no index refresh); uncommitted edits are not shown."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10, env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024   # bytes on macOS, KiB on Linux


def load_avg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def cpu_model() -> str:
    """The CPU's model name as the OS reports it (Linux), else the platform's guess."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def host_reference(repeats: int = 5) -> float:
    """Seconds (best of `repeats`) of a fixed pure-Python workload of the kind the engine does
    most: small dicts built and read, floats summed, short lists sorted. It does not depend
    on the project's code, so it measures the host alone: game times taken on different
    hosts (a VM that moved, a laptop) compare by their ratio to this figure."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        acc = 0.0
        for i in range(60_000):
            row = {"turn": i, "price": i * 0.5, "volume": float(i % 97)}
            acc += row["price"] * row["volume"]
            acc += sum(sorted((i % 7, i % 5, i % 3)))
        best = min(best, time.perf_counter() - t0)
    return best


# ---- timing --------------------------------------------------------------------------

def play(Game, scenario, seed: int, turns: int) -> tuple[float, float, float, str, int, list[float]]:
    """(construct s, run s, run CPU s, final digest, facilities at the end, seconds of each
    turn) of one game, played turn by turn as game.run() does.

    The CPU time of the process (time.process_time) is kept beside the wall time: when
    the wall time of a run is well above its CPU time, the process waited for the CPU,
    that is, other work on the machine slowed the measurement.
    """
    gc.collect()
    t0 = time.perf_counter()
    game = Game(scenario, seed=seed, turns=turns)
    t1 = time.perf_counter()
    c1 = time.process_time()
    per_turn = []
    for _ in range(turns):
        s = time.perf_counter()
        game.step()
        per_turn.append(time.perf_counter() - s)
    t2 = time.perf_counter()
    c2 = time.process_time()
    return t1 - t0, t2 - t1, c2 - c1, game.digest(), len(game.model.fac), per_turn


def quiet_estimate(turn_times: dict[int, list[list[float]]]) -> float | None:
    """Seconds a game would take on a quiet machine: per seed, the sum over turns of the
    fastest of the repeats of that turn (a repeat replays the very same work, and other
    load only ever adds time), then the median over seeds. None with a single repeat."""
    per_seed = [sum(min(ts) for ts in zip(*runs)) for runs in turn_times.values() if len(runs) > 1]
    return statistics.median(per_seed) if per_seed else None


def measure(Game, scenarios: dict, seeds: list[int], repeats: int, turns: int) -> dict[str, dict]:
    """Time every scenario on every seed, `repeats` times, interleaved.

    The loop goes repeat -> seed -> scenario, so that a burst of other work on the machine
    falls on all the scenarios alike instead of spoiling one of them and the ratios.
    """
    raw = {label: {"construct": [], "run": [], "cpu": [], "digests": {}, "n_fac": set(), "mismatch": set(),
                   "turns": {}} for label in scenarios}
    for _ in range(repeats):
        for seed in seeds:
            for label, scenario in scenarios.items():
                c, r, p, digest, nf, per_turn = play(Game, scenario, seed, turns)
                acc = raw[label]
                acc["turns"].setdefault(seed, []).append(per_turn)
                acc["construct"].append(c)
                acc["run"].append(r)
                acc["cpu"].append(p)
                acc["n_fac"].add(nf)
                if acc["digests"].setdefault(seed, digest) != digest:
                    acc["mismatch"].add(seed)
    return {label: {
        "games": len(acc["run"]), "construct": summary(acc["construct"]), "run": summary(acc["run"]),
        "run_cpu": summary(acc["cpu"]), "per_turn_median": statistics.median(acc["run"]) / turns,
        "quiet_estimate": quiet_estimate(acc["turns"]),
        "digests": acc["digests"], "nondeterministic_seeds": sorted(acc["mismatch"]),
        "facilities_at_end": sorted(acc["n_fac"]),
    } for label, acc in raw.items()}


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "all": list(values)}


#: Parts of a phase timed apart in the phase breakdown: (row, phase, module, function name).
#: Each is a module-level function looked up by name at every call, so swapping the module's
#: attribute for a timed wrapper (and back) times every call of it; none calls another.
PARTS = (
    ("HiGHS", "production", "game.market.solve", "_run_highspy"),
    ("HiGHS", "production", "game.market.solve", "_run_linprog"),
    ("LP build", "production", "game.market", "_build_lp"),
    ("LP read", "production", "game.market", "_finish_lp"),
    ("merit order", "production", "game.market", "clear_merit_order"),
    ("observations", "orders", "game.phases.orders", "observe_batch"),
    ("observations", "orders", "game.phases.orders", "public_view"),
)


def _timed_parts(spent: dict[str, float]) -> list[tuple]:
    """Swap each function of PARTS for a timer adding to spent[row]; returns what to put back."""
    import importlib
    restore = []
    for row, _phase, module, name in PARTS:
        mod = importlib.import_module(module)
        fn = getattr(mod, name, None)
        if fn is None:
            continue
        spent.setdefault(row, 0.0)

        def wrapper(*args, _fn=fn, _row=row, **kwargs):
            t0 = time.perf_counter()
            try:
                return _fn(*args, **kwargs)
            finally:
                spent[_row] += time.perf_counter() - t0
        setattr(mod, name, wrapper)
        restore.append((mod, name, fn))
    return restore


def phase_breakdown(Game, scenario, seed: int, turns: int) -> dict:
    """Seconds spent in each phase over one game, by patching game.world.PHASES (restored),
    and in the parts of PARTS ("parts": row -> seconds, each inside its phase's figure)."""
    import game.world as world
    original = world.PHASES
    spent: dict[str, float] = {}
    parts: dict[str, float] = {}

    def timed(fn):
        name = fn.__module__.rsplit(".", 1)[-1]
        spent.setdefault(name, 0.0)

        def wrapper(model):
            t0 = time.perf_counter()
            try:
                return fn(model)
            finally:
                spent[name] += time.perf_counter() - t0
        return wrapper

    game = Game(scenario, seed=seed, turns=turns)
    world.PHASES = tuple(timed(fn) for fn in list(original))
    restore = _timed_parts(parts)
    try:
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        game.run()
        total, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        world.PHASES = original
        for mod, name, fn in restore:
            setattr(mod, name, fn)
    spent["outside phases"] = total - sum(spent.values())
    return {"total": total, "cpu": cpu, "phases": spent, "parts": parts}


def memory_of_one_game(Game, scenario, seed: int, turns: int) -> dict:
    """tracemalloc peak (MiB) over constructing and running one game, and the size it ends at."""
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        game = Game(scenario, seed=seed, turns=turns)
        after_construct, _ = tracemalloc.get_traced_memory()
        game.run()
        end, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    mib = 1024 * 1024
    return {"peak_mib": (peak - base) / mib, "after_construct_mib": (after_construct - base) / mib,
            "end_mib": (end - base) / mib}


# ---- printing ------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def print_games_table(rows: list[tuple[str, dict, dict]]) -> None:
    print(f"{'scenario':<14}{'countries':>10}{'firms':>6}{'plants':>7}{'games':>6} |{'construct':>10} |"
          f"{'run median':>11}{'min':>9}{'max':>9}{'cpu':>9} |{'per turn':>9}   (ms)")
    for label, size, res in rows:
        run = res["run"]
        print(f"{label:<14}{size['countries']:>10}{size['firms']:>6}{size['facilities']:>7}{res['games']:>6} |"
              f"{res['construct']['median'] * 1e3:>10.1f} |{run['median'] * 1e3:>11.1f}"
              f"{run['min'] * 1e3:>9.1f}{run['max'] * 1e3:>9.1f}{res['run_cpu']['median'] * 1e3:>9.1f} |{res['per_turn_median'] * 1e3:>9.1f}")


def print_phase_table(breakdowns: dict[str, dict]) -> None:
    labels = list(breakdowns)
    names = list(next(iter(breakdowns.values()))["phases"])
    head = "".join(f"{lab + ' ms':>11}{'%':>5}" for lab in labels)
    extra = f"{labels[-1] + '/' + labels[0]:>9}" if len(labels) > 1 else ""
    print(f"{'phase':<16}{head}{extra}")
    first = breakdowns[labels[0]]
    rows = []
    for name in names:
        rows.append((name, lambda b, n=name: b["phases"][n]))
        for part in dict.fromkeys(r for r, phase, _m, _f in PARTS if phase == name):
            if part in first.get("parts", {}):
                rows.append(("  " + part, lambda b, p=part: b["parts"][p]))
    rows.append(("total", lambda b: b["total"]))
    for name, value in rows:
        cells, vals = "", []
        for lab in labels:
            b = breakdowns[lab]
            v = value(b)
            vals.append(v)
            cells += f"{v * 1e3:>11.1f}{100 * v / b['total']:>5.0f}"
        ratio = f"{vals[-1] / vals[0]:>9.2f}" if len(labels) > 1 and vals[0] > 0 else ""
        print(f"{name:<16}{cells}{ratio}")


# ---- main ----------------------------------------------------------------------------

def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Wall time of whole all-AI games, and its growth with firms.")
    p.add_argument("--scenario", default="baseline_2025", help="scenario name or path (default baseline_2025)")
    p.add_argument("--repeats", type=int, default=2, help="games per seed (default 2)")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="seeds (default 1 2 3)")
    p.add_argument("--turns", type=int, default=None, help="turns per game (default: the whole game)")
    p.add_argument("--factors", type=int, nargs="+", default=list(DEFAULT_FACTORS),
                   help="firm multipliers for the scaling study (default 2 4)")
    p.add_argument("--country-factors", type=int, nargs="+", default=list(DEFAULT_FACTORS),
                   help="country multipliers for the scaling study (default 2 4)")
    p.add_argument("--no-scaling", action="store_true", help="skip the scaling study")
    p.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up game")
    p.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: first allowed)")
    p.add_argument("--json", metavar="PATH", help="also write every figure to this JSON file")
    p.add_argument("--seat", action="append", default=[], metavar="SEAT=POLICY",
                   help="play a seat with a registered policy instead of its default; SEAT is a "
                        "country or firm id, or a role kind (great_power, middle, resource, firm) "
                        "for every seat of that kind; repeatable, later ones win")
    p.add_argument("--compare", metavar="REV",
                   help="time a git revision and the working tree side by side and print the ratio "
                        "(benchmarks/compare.py); uses --scenario, --seeds, --repeats, --turns, --cpu")
    args = p.parse_args(argv)
    if args.repeats < 1 or (args.turns is not None and args.turns < 1):
        p.error("--repeats and --turns must be at least 1")
    return args


def scaling_row(label: str, k: int, res: dict, base: dict) -> dict:
    """Print one row of the scaling table (ratios to the 1x game) and return its ratios."""
    ratio = res["run"]["median"] / base["run"]["median"]
    cpu_ratio = res["run_cpu"]["median"] / base["run_cpu"]["median"]
    c_ratio = res["construct"]["median"] / base["construct"]["median"]
    linear = "" if k == 1 else f"{'yes' if ratio <= k else 'NO'} (wall), {'yes' if cpu_ratio <= k else 'NO'} (cpu)"
    print(f"{label:<14}{res['run']['median'] * 1e3:>14.1f}{ratio:>8.2f}{cpu_ratio:>11.2f}{c_ratio:>17.2f}   {linear}")
    return {"ratio": ratio, "cpu_ratio": cpu_ratio, "construct_ratio": c_ratio}


def _with_seats(Game, specs: list[str], known: dict, scenario, **kw):
    """Game(scenario, seats=the --seat options applied to this scenario, **kw)."""
    from game.cli import seat_policies
    if id(scenario) not in known:
        known[id(scenario)] = seat_policies(scenario, specs)
    return Game(scenario, seats=known[id(scenario)], **kw)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.compare:
        from compare import compare
        compare(args.compare, args.scenario, args.seeds, max(args.repeats, 2), args.turns, args.cpu)
        return 0
    pinned = pin_to_one_cpu(args.cpu)
    started = datetime.now(timezone.utc)
    load_before = load_avg()

    t0 = time.perf_counter()
    from game import Game, load_scenario
    import game.api  # noqa: F401  (Game is imported lazily; pull Mesa in now, inside this timing)
    import_s = time.perf_counter() - t0
    import numpy as np

    t0 = time.perf_counter()
    scenario = load_scenario(args.scenario)
    load_s = time.perf_counter() - t0
    turns = args.turns or scenario.calendar.turns
    from scaling import describe, scale_countries, scale_firms

    seats = {}
    if args.seat:
        from game.cli import seat_policies
        try:
            seats = seat_policies(scenario, args.seat)
            Game(scenario, seed=0, seats=seats)       # unknown policies fail here, before timing
        except (ValueError, KeyError) as exc:
            print(f"bench_game: {exc}", file=sys.stderr)
            return 2
        # each scenario gets its own seats: the scaled ones have more firms (a role kind
        # such as firm=expander covers their copies too)
        Game = functools.partial(_with_seats, Game, args.seat, {id(scenario): seats})

    mix = ", ".join(f"{k}={v}" for k, v in sorted(Counter(seats.values()).items())) if seats else ""
    who = f"all seats AI ({len(seats)} on chosen policies: {mix}; the rest default)" if seats else "all seats AI"
    print(f"bench_game: {args.scenario}, {turns} turns, {who}, seeds {args.seeds} x {args.repeats} repeats")
    print(f"  {started:%Y-%m-%d %H:%M} UTC, commit {git_commit()} (plus any uncommitted edits), "
          f"Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs")
    print(f"  one core: {pinned}; {', '.join(THREAD_VARS[:3])} ... = 1; load average at start {load_before}")
    reference = host_reference()
    print(f"  host: {cpu_model()}; reference workload {reference * 1e3:.1f} ms (fixed pure-Python loop, "
          f"best of 5: a slower host shows more; compare hosts by game time / this figure)")
    print(f"  import engine {import_s * 1e3:.0f} ms, load scenario {load_s * 1e3:.0f} ms "
          f"({describe(scenario)}) -- not in the game timings")

    if not args.no_warmup:
        c, r, _, _, _, _ = play(Game, scenario, args.seeds[0], turns)
        print(f"  warm-up game (seed {args.seeds[0]}, not in the statistics): construct {c * 1e3:.0f} ms, "
              f"run {r * 1e3:.0f} ms")

    factors = [] if args.no_scaling else [k for k in args.factors if k != 1]
    country_factors = [] if args.no_scaling else [k for k in args.country_factors if k != 1]
    sizes, scenarios = {}, {"1x": scenario}
    for k in factors:
        t0 = time.perf_counter()
        scenarios[f"firms {k}x"] = scale_firms(scenario, k)
        print(f"  built firms x{k} scenario in {(time.perf_counter() - t0) * 1e3:.0f} ms "
              f"({describe(scenarios[f'firms {k}x'])})")
    for k in country_factors:
        scenarios[f"countries {k}x"] = scale_countries(scenario, k)
        print(f"  built countries x{k} scenario ({describe(scenarios[f'countries {k}x'])}; copies' ids "
              f"are not ISO codes, which the engine does not need)")
    for label, sc in scenarios.items():
        sizes[label] = {"countries": len(sc.countries), "firms": len(sc.firms), "facilities": sum(len(f.facilities) for f in sc.firms.values())}

    # Memory first, while the process has played no more than the warm-up game.
    memory = memory_of_one_game(Game, scenario, args.seeds[0], turns)
    rss_1x = maxrss_mb()
    results = measure(Game, scenarios, args.seeds, args.repeats, turns)
    breakdowns = {label: phase_breakdown(Game, sc, args.seeds[0], turns) for label, sc in scenarios.items()}

    print()
    print("Games (wall time; construct = Game(...), run = game.run(), cpu = median CPU time of the runs)")
    print_games_table([(lab, sizes[lab], results[lab]) for lab in scenarios])
    base = results["1x"]
    med = base["run"]["median"]
    if turns == TARGET_TURNS:
        print(f"target: median <= {TARGET_GAME_S * 1e3:.0f} ms per {TARGET_TURNS}-turn game -> "
              f"{med * 1e3:.0f} ms, {verdict(med <= TARGET_GAME_S)} ({med / TARGET_GAME_S:.1f}x the target)")
    else:
        per_turn_target = TARGET_GAME_S / TARGET_TURNS
        print(f"target: {TARGET_GAME_S * 1e3:.0f} ms per {TARGET_TURNS}-turn game = "
              f"{per_turn_target * 1e3:.0f} ms per turn -> {base['per_turn_median'] * 1e3:.0f} ms per turn "
              f"(only {turns} turns played; early turns need not cost what late ones do)")
    quiet = base["quiet_estimate"]
    if quiet is not None:
        print(f"  quiet-machine estimate (per seed, the fastest repeat of each turn, summed; median over "
              f"seeds): {quiet * 1e3:.0f} ms -- steadier than the median on a shared or drifting machine")
    for label, res in results.items():
        digests = ", ".join(f"seed {s}: {d}" for s, d in res["digests"].items())
        bad = res["nondeterministic_seeds"]
        note = f"  NOT REPRODUCIBLE for seeds {bad}" if bad else ""
        print(f"  {label} digests {digests}{note}; facilities at the end {res['facilities_at_end']}")

    print()
    print(f"Phases (one game, seed {args.seeds[0]}; wall ms over the game, % of the game; indented rows "
          f"are parts of the phase above, timed apart)")
    print_phase_table(breakdowns)
    print("CPU time of these games: " + ", ".join(
        f"{lab} {b['cpu'] * 1e3:.0f} ms" for lab, b in breakdowns.items()))

    print()
    print(f"Memory (1x, seed {args.seeds[0]}): tracemalloc peak {memory['peak_mib']:.1f} MiB "
          f"(after construction {memory['after_construct_mib']:.1f} MiB, at the end {memory['end_mib']:.1f} MiB); "
          f"process max RSS {rss_1x:.0f} MiB after it (interpreter, imports, scenario, warm-up and this game)")

    scaling = {}
    if factors or country_factors:
        print()
        print("Scaling (same world capacity and demand; ratios of medians to 1x): firms x k, then countries x k")
        print(f"{'scenario':<14}{'run median ms':>14}{'ratio':>8}{'cpu ratio':>11}{'construct ratio':>17}"
              f"   at most linear? (ratio <= k)")
        for label in scenarios:
            k = int(label.rstrip("x").split()[-1])
            scaling[label] = scaling_row(label, k, results[label], base)
    load_after = load_avg()
    print()
    print(f"load average (1, 5, 15 min) at the start {load_before}, at the end {load_after}; this run "
          f"alone adds about 1, so more than that on {os.cpu_count()} CPUs means other work shared the machine")

    if args.json:
        out = {"started": started.isoformat(), "commit": git_commit(), "scenario": args.scenario,
               "turns": turns, "seeds": args.seeds, "repeats": args.repeats, "pinned": pinned,
               "import_s": import_s, "load_s": load_s, "sizes": sizes, "games": results,
               "phases": breakdowns, "memory": memory, "maxrss_mib_after_1x": rss_1x,
               "scaling": scaling, "load_average": [load_before, load_after],
               "target_game_s": TARGET_GAME_S, "cpu_model": cpu_model(), "host_reference_s": reference}
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1)
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
