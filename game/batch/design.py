"""Design points and run specs of an experiment.

Run ids number every (design point, policy set, seed index) in that nesting order, from 0.
Each run's game seed comes from `numpy.random.SeedSequence(root, spawn_key=(run_id,))`
(or `(seed_index,)` with `seeds.common: true`), so it depends on nothing but the experiment:
not on the workers, their number, their order or the executor.
Sampled designs draw from their own stream, `SeedSequence(root, spawn_key=(SAMPLER_KEY,))`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:                     # the experiment module builds its runs with this one
    from .experiment import Experiment, Parameter

SAMPLER_KEY = 2**31 - 1      # a spawn key no run id reaches


@dataclass(frozen=True)
class RunSpec:
    """One game of a batch: everything a worker needs to play it."""
    run_id: int
    point: int                      # index of the design point
    policy_set: int                 # index in the experiment's `policies`
    seed_index: int
    seed: int
    params: dict = field(default_factory=dict)
    seats: dict = field(default_factory=dict)


def game_seed(root: int, key: int) -> int:
    """A 63-bit game seed from the root seed and a key (run id or seed index)."""
    state = np.random.SeedSequence(root, spawn_key=(key,)).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))


def design_points(exp: Experiment) -> list[dict]:
    """One {path: value} per design point, in a fixed order."""
    params = exp.parameters
    if not params:
        return [{}]
    kind = exp.spec.design.kind
    if kind == "factorial":
        combos = itertools.product(*(p.values for p in params))
        return [dict(zip((p.path for p in params), combo)) for combo in combos]
    unit = _unit_sample(kind, len(params), exp.spec.design.samples, exp.spec.seeds.root)
    return [{p.path: _scale(p, u) for p, u in zip(params, row)} for row in unit]


def _unit_sample(kind: str, dims: int, n: int, root: int) -> np.ndarray:
    from scipy.stats import qmc
    rng = np.random.default_rng(np.random.SeedSequence(root, spawn_key=(SAMPLER_KEY,)))
    if kind == "lhs":
        return qmc.LatinHypercube(d=dims, rng=rng).random(n)
    return qmc.Sobol(d=dims, scramble=True, rng=rng).random_base2(int(math.log2(n)))


def _scale(p: Parameter, u: float):
    """A point of the unit interval as a value of the parameter."""
    if p.values:                          # categorical: equal shares of the interval
        return p.values[min(int(u * len(p.values)), len(p.values) - 1)]
    if p.integer:
        lo, hi = int(math.ceil(p.low)), int(math.floor(p.high))
        return min(lo + int(u * (hi - lo + 1)), hi)
    return float(p.low + u * (p.high - p.low))


def run_specs(exp: Experiment) -> list[RunSpec]:
    """Every run of the experiment, in run-id order."""
    seeds = exp.spec.seeds
    out, run_id = [], 0
    for point_index, point in enumerate(design_points(exp)):
        for set_index, seats in enumerate(exp.seat_sets):
            for seed_index in range(seeds.count):
                key = seed_index if seeds.common else run_id
                out.append(RunSpec(run_id, point_index, set_index, seed_index,
                                   game_seed(seeds.root, key), point, seats))
                run_id += 1
    return out
