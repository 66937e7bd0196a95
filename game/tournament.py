"""Round-robin tournaments of policies over seats, played in parallel processes.

    from game.tournament import run_tournament
    result = run_tournament("baseline_2025", ["hawk", "pragmatist"], ["CN", "US"], seeds=8, turns=10)
    result.summary        # one row per (seat, policy): n, mean score vs baseline, 95% CI
    result.runs           # one row per run and seat

Every assignment of the listed policies to the chosen seats is played (a policy is only
put in a seat whose role kind its traits allow; `default` fits every seat), over the same
`seeds` game seeds. The seeds come from the root seed alone (common random numbers): every
assignment faces the same world draws, so differences between policies are paired, and the
status-quo game of a seed (every seat on its default AI) is played once and shared.

A run's result is its seats' scores at the final turn, and each score minus the status-quo
game's score for the same seat and turn. The table does not depend on the number of worker
processes: tasks are keyed and the rows are put in a fixed order before anything is summed.

The 95% confidence interval is Student's t: mean ± t(0.975, n-1) · sd / √n, with the sample
standard deviation; it is left empty when n < 2.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import sys
from dataclasses import dataclass, field

from game.rules import scenario_of

KINDS = ("great_power", "middle", "resource", "firm")
RUN_COLUMNS = ("assignment", "seed_index", "seed", "seat", "policy", "score", "baseline_score",
               "score_vs_baseline", "turns")
SUMMARY_COLUMNS = ("seat", "policy", "n", "mean_score", "mean_vs_baseline", "sd_vs_baseline",
                   "ci95_low", "ci95_high")


class TournamentError(ValueError):
    """Bad tournament inputs: an unknown scenario, seat or policy, or a policy with no seat."""


@dataclass
class TournamentResult:
    scenario: str
    seats: list[str]
    policies: list[str]
    assignments: list[dict[str, str]]
    seeds: list[int]
    turns: int
    root_seed: int
    runs: list[dict] = field(default_factory=list)
    summary: list[dict] = field(default_factory=list)

    def format_table(self) -> str:
        return format_summary(self.summary)

    def write(self, out) -> list:
        """runs.csv, runs.parquet and summary.csv in directory `out`; returns their paths."""
        return write_outputs(self, out)


# -- seeds and assignments --------------------------------------------------------------------
def derive_seed(root_seed: int, index: int) -> int:
    """The game seed of seed slot `index`: a stable hash of (root seed, index), 32 bits."""
    key = f"chokepoint-tournament:{int(root_seed)}:{int(index)}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:4], "big")


def seat_kinds(scenario) -> dict[str, str]:
    """Role kind of every seat in the scenario: countries by their kind, firms 'firm'."""
    out = {}
    for code, c in scenario.countries.items():
        out[code] = c["kind"] if isinstance(c, dict) else getattr(c, "kind")
    for code in scenario.firms:
        out[code] = "firm"
    return out


def _ensure_levels(names) -> None:
    """Register the NAME:easy / NAME:normal / NAME:hard variants if any name asks for one."""
    if any(str(n).rpartition(":")[2] in ("easy", "normal", "hard") for n in names):
        from agents.policies import register_difficulties
        register_difficulties()


def policy_roles(name: str) -> tuple[str, ...]:
    """The role kinds a policy may play (all of them for `default` or a policy naming none)."""
    from agents.policies import Traits, resolve
    _ensure_levels([name])
    if name == "default":
        return KINDS
    cls = resolve(name)
    roles = getattr(cls, "traits", Traits(roles=())).roles
    return tuple(roles) if roles else KINDS


def plan_assignments(scenario, policies: list[str], seats: list[str]) -> list[dict[str, str]]:
    """Every assignment of policies to seats allowed by the policies' traits, in a fixed order."""
    from agents.policies import PolicyError
    if not policies:
        raise TournamentError("no policies given")
    if not seats:
        raise TournamentError("no seats given")
    dup = sorted({s for s in seats if seats.count(s) > 1} | {p for p in policies if policies.count(p) > 1})
    if dup:
        raise TournamentError(f"listed twice: {', '.join(dup)}")
    kinds = seat_kinds(scenario)
    unknown = [s for s in seats if s not in kinds]
    if unknown:
        raise TournamentError(f"unknown seat(s) {', '.join(unknown)} in scenario {scenario.name!r}; "
                              f"seats: {', '.join(kinds)}")
    roles = {}
    for name in policies:
        try:
            roles[name] = policy_roles(name)
        except PolicyError as exc:
            raise TournamentError(str(exc)) from None
    for name in policies:
        if not any(kinds[s] in roles[name] for s in seats):
            raise TournamentError(
                f"policy {name!r} can play none of the seats {', '.join(seats)} "
                f"(it plays {', '.join(roles[name])}; the seats are "
                f"{', '.join(f'{s}: {kinds[s]}' for s in seats)})")
    per_seat = []
    for s in seats:
        fits = [p for p in policies if kinds[s] in roles[p]]
        if not fits:
            raise TournamentError(f"no listed policy can play seat {s} ({kinds[s]})")
        per_seat.append(fits)
    return [dict(zip(seats, combo)) for combo in itertools.product(*per_seat)]


def assignment_key(assignment: dict[str, str]) -> str:
    return ",".join(f"{s}={p}" for s, p in assignment.items())


# -- the work done in each process ---------------------------------------------------------


def _final_scores(game, seats) -> dict[str, float]:
    m = game.model
    snap = m.log.turns[-1] if m.log.turns else None
    out = {}
    for s in seats:
        if s in m.countries.pos:
            arr = snap["country"]["score"] if snap else m.score
            out[s] = float(arr[m.countries.pos[s]])
        else:
            arr = snap["firm"]["score"] if snap else m.firm_score
            out[s] = float(arr[m.firms.pos[s]])
    return out


def play(scenario_ref, seed: int, assignment: dict[str, str] | None, seats: list[str], turns: int | None):
    """Play one game to the end; returns (turns played, {seat: final score})."""
    from game.api import Game
    _ensure_levels((assignment or {}).values())
    game = Game(scenario_of(scenario_ref), seed=seed, seats=dict(assignment or {}), turns=turns)
    game.run()
    return game.turn, _final_scores(game, seats)


def _task(args):
    key, scenario_ref, seed, assignment, seats, turns = args
    return key, play(scenario_ref, seed, assignment, seats, turns)


# -- the tournament ------------------------------------------------------------------------
def run_tournament(scenario, policies, seats, seeds: int, turns: int | None = None,
                   workers: int | None = None, root_seed: int = 0, progress: bool = False) -> TournamentResult:
    """Play every allowed assignment of `policies` to `seats` over `seeds` seeds.

    `scenario` is a name, a path or a loaded Scenario (a name or path is what the worker
    processes load; a Scenario object is pickled to them). `workers` defaults to the number
    of CPUs; 1 plays everything in this process.
    """
    from game.rules import RulesError
    policies, seats = list(policies), list(seats)
    ref = str(scenario) if not hasattr(scenario, "countries") else scenario
    try:
        sc = scenario_of(ref)
    except RulesError as exc:
        raise TournamentError(str(exc)) from None
    if int(seeds) < 1:
        raise TournamentError("seeds must be at least 1")
    if turns is not None and int(turns) < 1:
        raise TournamentError("turns must be at least 1")
    assignments = plan_assignments(sc, policies, seats)
    seed_list = [derive_seed(root_seed, i) for i in range(int(seeds))]
    workers = (os.cpu_count() or 1) if workers is None else int(workers)
    if workers < 1:
        raise TournamentError("workers must be at least 1")

    tasks = [(("base", i), ref, s, None, seats, turns) for i, s in enumerate(seed_list)]
    tasks += [(("run", a, i), ref, s, assignment, seats, turns)
              for a, assignment in enumerate(assignments) for i, s in enumerate(seed_list)]
    results = _execute(tasks, workers, progress)

    runs = []
    for a, assignment in enumerate(assignments):
        for i, s in enumerate(seed_list):
            played, scores = results[("run", a, i)]
            base_turns, base = results[("base", i)]
            assert base_turns == played, (base_turns, played)
            for seat in seats:
                runs.append({"assignment": assignment_key(assignment), "seed_index": i, "seed": s,
                             "seat": seat, "policy": assignment[seat], "score": scores[seat],
                             "baseline_score": base[seat], "score_vs_baseline": scores[seat] - base[seat],
                             "turns": played})
    result = TournamentResult(scenario=getattr(sc, "name", str(ref)), seats=seats, policies=policies,
                              assignments=assignments, seeds=seed_list,
                              turns=runs[0]["turns"] if runs else 0, root_seed=int(root_seed), runs=runs)
    result.summary = summarize(runs, seats, policies)
    return result


def _execute(tasks, workers: int, progress: bool) -> dict:
    from tqdm import tqdm
    bar = tqdm(total=len(tasks), desc="games", unit="game", file=sys.stderr, disable=not progress)
    results = {}
    try:
        if workers == 1 or len(tasks) == 1:
            for t in tasks:
                key, value = _task(t)
                results[key] = value
                bar.update()
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, as_completed
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=ctx) as pool:
                futures = [pool.submit(_task, t) for t in tasks]
                try:
                    for fut in as_completed(futures):
                        key, value = fut.result()
                        results[key] = value
                        bar.update()
                except BaseException:
                    for fut in futures:
                        fut.cancel()
                    raise
    finally:
        bar.close()
    return results


def summarize(runs: list[dict], seats: list[str], policies: list[str]) -> list[dict]:
    """Mean score vs baseline per (seat, policy) with a Student-t 95% confidence interval."""
    from scipy import stats
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in runs:
        groups.setdefault((r["seat"], r["policy"]), []).append(r)
    out = []
    for seat in seats:
        for pol in policies:
            rows = groups.get((seat, pol))
            if not rows:
                continue
            xs = [r["score_vs_baseline"] for r in rows]
            n = len(xs)
            mean = math.fsum(xs) / n
            mean_score = math.fsum(r["score"] for r in rows) / n
            if n >= 2:
                sd = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1))
                half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
                lo, hi = mean - half, mean + half
            else:
                sd = lo = hi = float("nan")
            out.append({"seat": seat, "policy": pol, "n": n, "mean_score": mean_score,
                        "mean_vs_baseline": mean, "sd_vs_baseline": sd, "ci95_low": lo, "ci95_high": hi})
    return out


def _decimals(summary: list[dict]) -> int:
    """Enough decimals to show about three significant digits of the smallest interesting
    quantity (the spread of the differences), between 2 and 8."""
    vals = [abs(r[k]) for r in summary for k in ("mean_vs_baseline", "sd_vs_baseline")
            if r[k] == r[k] and r[k] != 0.0]
    if not vals:
        return 4
    return int(max(2, min(8, 2 - math.floor(math.log10(min(vals)))))) if min(vals) < 1 else 2


def format_summary(summary: list[dict]) -> str:
    """The summary as an aligned text table (95% CI: Student's t)."""
    d = _decimals(summary)

    def f(x: float) -> str:
        if x != x:
            return ""
        x = round(x, d) + 0.0      # no "-0.000"
        return f"{x:+.{d}f}"

    head = ("seat", "policy", "n", "mean score", "vs baseline", "95% CI (t)")
    body = [(r["seat"], r["policy"], str(r["n"]), f"{r['mean_score']:.4f}", f(r["mean_vs_baseline"]),
             "" if r["ci95_low"] != r["ci95_low"] else f"[{f(r['ci95_low'])}, {f(r['ci95_high'])}]")
            for r in summary]
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    right = {2, 3, 4}
    lines = []
    for row in [head, *body]:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_outputs(result: TournamentResult, out) -> list:
    import csv
    from pathlib import Path

    import pyarrow as pa
    import pyarrow.parquet as pq
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "runs.csv", out / "runs.parquet", out / "summary.csv"]
    with open(paths[0], "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=RUN_COLUMNS)
        w.writeheader()
        w.writerows(result.runs)
    types = {"assignment": pa.string(), "seed_index": pa.int32(), "seed": pa.int64(), "seat": pa.string(),
             "policy": pa.string(), "score": pa.float64(), "baseline_score": pa.float64(),
             "score_vs_baseline": pa.float64(), "turns": pa.int32()}
    table = pa.table({c: pa.array([r[c] for r in result.runs], types[c]) for c in RUN_COLUMNS})
    tmp = out / ".runs.parquet.tmp"
    pq.write_table(table, tmp, compression="zstd")
    tmp.replace(paths[1])
    with open(paths[2], "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=SUMMARY_COLUMNS)
        w.writeheader()
        for r in result.summary:
            w.writerow({k: ("" if isinstance(v, float) and v != v else v) for k, v in r.items()})
    return paths
