"""Playing runs: the pure `run_game` for analysis tools, and chunks of runs for the executors.

    from game.batch import run_game
    run_game("baseline_2025", seed=3, turns=4, finance__interest_rate=0.05)
    # {'score_US': ..., 'price_gallium': ..., 'digest': '...'}

A run that raises is not lost: its row says `status: error` and what was raised, a row of the
errors table keeps the whole traceback, and the batch goes on. Only the engine runs here; no
files are written (the driver writes them).
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass

import pyarrow as pa

from game.rules import scenario_of  # noqa: F401  (the batch model imports it from here)

from .outcomes import ERROR_SCHEMA, ORDER_SCHEMA, TURN_SCHEMA, order_rows, scalar_outcomes, turn_rows
from .params import apply_params



def play(scenario, seed: int, *, turns: int | None = None, seats: dict | None = None, params=None):
    """Play one game to its end; returns the finished WorldModel.

    The game is the one `game.api.Game(scenario, seed=seed, seats=seats, turns=turns)`
    plays, seeded the same way; only the per-turn digests and reports are left out.
    """
    import numpy as np

    from game.tournament import _ensure_levels
    from game.world import WorldModel
    seed = int(seed)
    if seed < 0:
        raise ValueError(f"seed must be a whole number from 0 up, got {seed}")
    seats = dict(seats or {})
    _ensure_levels(seats.values())
    sc = _with_params(scenario_of(scenario), dict(params or {}))
    unknown = [s for s in seats if s not in sc.countries and s not in sc.firms]
    if unknown:
        raise ValueError(f"unknown seat(s): {', '.join(unknown)}")
    model = WorldModel(sc, rng=np.random.default_rng(seed), policies=seats)
    model.policy_seed = seed
    for _ in range(int(turns) if turns is not None else model.max_turns):
        model.step()
    return model


_LAST_APPLIED: list = [None, None, None]       # (scenario, params, scenario with them)


def _with_params(scenario, params: dict):
    """`apply_params`, remembering the last result: runs come in run-id order, seeds
    innermost, so a chunk meets each design point's parameters several times in a row."""
    base, last_params, applied = _LAST_APPLIED
    if base is scenario and last_params == params:
        return applied
    applied = apply_params(scenario, params)
    _LAST_APPLIED[:] = [scenario, dict(params), applied]
    return applied


def run_game(scenario, seed: int, *, turns: int | None = None, seats: dict | None = None, **params) -> dict:
    """Scalar outcomes of one game: a pure function of its arguments.

    `scenario` is a name, a path or a loaded Scenario; `params` are dotted paths into it,
    written with `__` for the dots (`countries__CN__stability=0.5`); `seats` maps seats to
    policies. See `game.batch.outcomes` for what the dictionary holds.
    """
    return scalar_outcomes(play(scenario, seed, turns=turns, seats=seats, params=params))


# -- chunks of runs, as the executors play them ------------------------------------------------
@dataclass(frozen=True)
class Job:
    """What every chunk of one batch shares (small: sent with each chunk)."""
    turns: int
    outcomes: tuple[str, ...]
    turn_metrics: tuple[str, ...]
    keep_orders: bool
    run_schema: pa.Schema
    ruleset_hash: str
    map_hash: str
    code_version: str


@dataclass
class ChunkResult:
    runs: pa.Table
    turns: pa.Table
    orders: pa.Table
    errors: pa.Table          # one row per run that raised, with its traceback
    seconds: float            # the wall time of the runs in it, summed


def run_chunk(scenario, job: Job, specs: list) -> ChunkResult:
    """Play each run of `specs` (errors recorded, not raised) and return its four tables.

    A run's `attempts` (and its error row's `attempt`) is 1 here; the driver, which knows how
    often a run was tried before, sets it."""
    rows, turn_parts, order_parts, failures = [], [], [], []
    for spec in specs:
        row, turns, orders, failure = _play_spec(scenario, job, spec)
        rows.append(row)
        if turns is not None:
            turn_parts.append(turns)
        if orders is not None:
            order_parts.append(orders)
        if failure is not None:
            failures.append(failure)
    runs = pa.Table.from_pylist(rows, schema=job.run_schema)
    turns = pa.concat_tables(turn_parts) if turn_parts else TURN_SCHEMA.empty_table()
    orders = pa.concat_tables(order_parts) if order_parts else ORDER_SCHEMA.empty_table()
    errors = pa.Table.from_pylist(failures, schema=ERROR_SCHEMA)
    return ChunkResult(runs, turns, orders, errors, sum(r["wall_time"] for r in rows))


def _play_spec(scenario, job: Job, spec):
    row = {"run_id": spec.run_id, "point": spec.point, "policy_set": spec.policy_set,
           "seed_index": spec.seed_index, "seed": spec.seed, **spec.params,
           "policies": ",".join(f"{s}={p}" for s, p in sorted(spec.seats.items())),
           "ruleset_hash": job.ruleset_hash, "map_hash": job.map_hash, "code_version": job.code_version}
    start = time.perf_counter()
    failure = None
    try:
        model = play(scenario, spec.seed, turns=job.turns, seats=spec.seats, params=spec.params)
        outcomes = scalar_outcomes(model)
        turns = turn_rows(model, list(job.turn_metrics), spec.run_id)
        orders = order_rows(model, spec.run_id) if job.keep_orders else None
        row.update(status="ok", error=None, turns_played=model.turn)
        row.update({name: outcomes[name] for name in job.outcomes})
    except Exception as exc:          # a failing run is data: recorded, the batch goes on
        turns = orders = None
        row.update(status="error", error=describe_error(exc), turns_played=None)
        failure = {"run_id": spec.run_id, "attempt": 1, "code_version": job.code_version,
                   "error": row["error"],
                   "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))}
    row["attempts"] = 1
    row["wall_time"] = time.perf_counter() - start
    return row, turns, orders, failure


def describe_error(exc: BaseException) -> str:
    """`Type: message (at file:line in function)` of the innermost frame."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    if frames:
        last = frames[-1]
        where = f" (at {last.filename.rsplit('/', 1)[-1]}:{last.lineno} in {last.name})"
    return f"{type(exc).__name__}: {exc}{where}"


# -- worker processes -----------------------------------------------------------------------
_WORKER_SCENARIO = None


def init_worker(scenario) -> None:
    """Process-pool initializer: the scenario is sent once per worker, not with every chunk."""
    global _WORKER_SCENARIO
    _WORKER_SCENARIO = scenario


def run_chunk_in_worker(job: Job, specs: list) -> ChunkResult:
    return run_chunk(_WORKER_SCENARIO, job, specs)
