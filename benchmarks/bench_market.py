"""Timings of market clearing: merit order, and the LP old style and new style.

Run: ``python benchmarks/bench_market.py`` (from the repository root); ``--quick`` for
fewer repeats. Prints median (and best) times; makes no assertions.

The markets look like the game's (baseline_2025): 42 countries, ~30 supply steps in 8
producing countries, and ~300 demand steps (6 sector tranches per country plus facility
bids). A restricted market has the kinds of restriction the game produces: the top
producer bans 5 destinations (with transshipment arcs around two bans), a bloc of 4
importers taxes one producer's goods, a third producer has an export quota and a fourth
exports under licences (capped routes). The other producers are unrestricted.

The LP is timed four ways, crossing the formulation (``plain``: one variable per
exporter-importer pair; ``hub``: unrestricted exporters ship through a world pool) with
the solver (``linprog``: scipy.optimize.linprog(method="highs"); ``highspy``: HiGHS
called directly). ``plain + linprog`` is the old way of clearing; ``hub + highspy``
is what ``clear_with_lp``/``clear_stage`` do now when highspy is installed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import game.market as market  # noqa: E402
from game.market import (  # noqa: E402
    MarketInput,
    clear_market,
    clear_merit_order,
    clear_stage,
    clear_with_lp,
    total_welfare,
)

N_COUNTRIES = 42
N_PRODUCERS = 8
N_SUPPLY = 30          # facilities and stockpile releases
TRANCHES = (6.0, 3.0, 1.8, 1.2, 0.9, 0.6)   # price multiples of the base ruleset
SHARES = (0.10, 0.10, 0.20, 0.25, 0.20, 0.15)
N_BIDS = 48            # facility input bids and stockpile purchases (252 + 48 = 300 steps)
N_GOODS = 7            # goods in one stage LP
REF = 4.0


def build(rng: np.random.Generator, restricted: bool) -> MarketInput:
    return MarketInput(**build_kwargs(rng, restricted))


def build_kwargs(rng: np.random.Generator, restricted: bool) -> dict:
    C = N_COUNTRIES
    producers = rng.choice(C, size=N_PRODUCERS, replace=False)
    supply_country = rng.choice(producers, size=N_SUPPLY)
    supply_qty = rng.lognormal(2.0, 1.0, N_SUPPLY)
    supply_cost = REF * rng.uniform(0.3, 1.5, N_SUPPLY)
    total = supply_qty.sum()
    sector = rng.dirichlet(np.ones(C)) * total * 0.9
    demand_country = np.repeat(np.arange(C), len(TRANCHES))
    demand_qty = (sector[:, None] * np.array(SHARES)[None, :]).ravel()
    demand_wtp = np.tile(REF * np.array(TRANCHES), C)
    bid_country = rng.integers(0, C, N_BIDS)
    demand_country = np.concatenate((demand_country, bid_country))
    demand_qty = np.concatenate((demand_qty, rng.lognormal(0.5, 1.0, N_BIDS)))
    demand_wtp = np.concatenate((demand_wtp, REF * rng.uniform(0.5, 8.0, N_BIDS)))
    kw = {}
    if restricted:
        cap = np.full((C, C), np.inf)
        top, taxed, quota, licensed = producers[:4]
        others = np.setdiff1d(np.arange(C), [top])
        banned = rng.choice(others, size=5, replace=False)
        cap[top, banned] = 0.0                                      # bans
        wedge = np.zeros((C, C))
        bloc = rng.choice(np.setdiff1d(np.arange(C), [taxed]), size=4, replace=False)
        wedge[taxed, bloc] = 0.25 * REF                             # a tariff
        export_cap = np.full(C, np.inf)
        export_cap[quota] = 5.0                                     # an export quota
        need = np.bincount(demand_country, weights=demand_qty, minlength=C)
        cap[licensed] = np.minimum(cap[licensed], 0.3 * need)      # licences
        kw = dict(route_cap=cap, route_wedge=wedge, export_cap=export_cap,
                  arc_from=np.array([top, top]), arc_to=banned[:2],
                  arc_cap=np.array([3.0, 3.0]), arc_wedge=np.array([0.15 * REF] * 2))
    return dict(n_countries=C, supply_country=supply_country, supply_qty=supply_qty,
                supply_cost=supply_cost, demand_country=demand_country, demand_qty=demand_qty,
                demand_wtp=demand_wtp, **kw)


def clear_lp(inputs, refs, *, hub: bool, solver: str):
    """Clear goods by the LP in one block-diagonal solve, formulation and solver chosen."""
    blocks = [market._build_lp(m, ref, hub=hub) for m, ref in zip(inputs, refs)]
    solved = market._solve_blocks(blocks, solver=solver)
    return [market._finish_lp(b, x, dual) for b, (x, dual) in zip(blocks, solved)]


def times(fn, repeat: int) -> tuple[float, float]:
    """(median, best) wall time of fn over `repeat` calls, after one warm-up call."""
    fn()
    t = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return float(np.median(t)), float(np.min(t))


def lp_size(inputs, refs, hub: bool) -> tuple[int, int]:
    blocks = [market._build_lp(m, ref, hub=hub) for m, ref in zip(inputs, refs)]
    return sum(b.n_vars for b in blocks), sum(b.n_rows for b in blocks)


def compare(label: str, inputs, refs, repeat: int) -> None:
    """Print the four ways of clearing `inputs` by LP and the old/new ratio."""
    ways = [("plain", "linprog"), ("plain", "highspy"), ("hub", "linprog"), ("hub", "highspy")]
    if market.highspy is None:
        ways = [w for w in ways if w[1] != "highspy"]
    print(f"\n{label}")
    for hub in (False, True):
        nv, nr = lp_size(inputs, refs, hub)
        print(f"  {'hub' if hub else 'plain'} formulation: {nv} variables, {nr} rows")
    res = {}
    for form, solver in ways:
        fn = (lambda f=form, s=solver: clear_lp(inputs, refs, hub=f == "hub", solver=s))
        res[form, solver] = times(fn, repeat)
        med, best = res[form, solver]
        old_mark = "  (old)" if (form, solver) == ("plain", "linprog") else ""
        new_mark = "  (new)" if (form, solver) == ("hub", "highspy") else ""
        print(f"  {form:5s} + {solver:8s} {med * 1e3:8.3f} ms  (best {best * 1e3:7.3f}){old_mark}{new_mark}")
    old = res["plain", "linprog"]
    for key in ways[1:]:
        print(f"  speed-up of {key[0]} + {key[1]} over old: {old[0] / res[key][0]:5.1f} x median, "
              f"{old[1] / res[key][1]:5.1f} x best")
    # same welfare all ways
    ref_w = [total_welfare(m, r) for m, r in zip(inputs, clear_lp(inputs, refs, hub=False, solver="linprog"))]
    gap = 0.0
    for form, solver in ways[1:]:
        out = clear_lp(inputs, refs, hub=form == "hub", solver=solver)
        gap = max(gap, max(abs(total_welfare(m, r) - w) / max(1.0, abs(w))
                           for m, r, w in zip(inputs, out, ref_w)))
    print(f"  max relative welfare gap between the ways: {gap:.1e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args()
    k = 0.2 if args.quick else 1.0
    rep = lambda n: max(3, int(n * k))  # noqa: E731

    rng = np.random.default_rng(2025)
    free = build(rng, restricted=False)
    tight = build(rng, restricted=True)
    goods = [build(rng, restricted=True) for _ in range(N_GOODS)]
    refs = [REF] * N_GOODS

    print(f"market: {N_COUNTRIES} countries, {N_SUPPLY} supply steps in {N_PRODUCERS} countries, "
          f"{len(free.demand_qty)} demand steps; LP solver in use: {market._SOLVER}")
    t_merit = times(lambda: clear_merit_order(free, REF), rep(2000))[0]
    t_dispatch = times(lambda: clear_market(free, REF), rep(2000))[0]
    t_lp_free = times(lambda: clear_with_lp(free, REF), rep(300))[0]
    t_lp = times(lambda: clear_with_lp(tight, REF), rep(300))[0]
    kwargs = build_kwargs(rng, restricted=True)
    t_build = times(lambda: MarketInput(**kwargs), rep(2000))[0]
    t_check = times(lambda: MarketInput(**kwargs).is_unrestricted(), rep(2000))[0]
    t_one_by_one = times(lambda: [clear_market(g, REF) for g in goods], rep(100))[0]
    t_stage = times(lambda: clear_stage(goods, refs), rep(100))[0]
    print(f"merit order (unrestricted)          {t_merit * 1e3:8.3f} ms")
    print(f"clear_market (dispatch, free)       {t_dispatch * 1e3:8.3f} ms")
    print(f"clear_with_lp, unrestricted market  {t_lp_free * 1e3:8.3f} ms")
    print(f"clear_with_lp, restricted market    {t_lp * 1e3:8.3f} ms")
    print(f"ratio LP / merit order              {t_lp / t_merit:8.1f} x")
    print(f"MarketInput() (validation)          {t_build * 1e3:8.3f} ms")
    print(f"MarketInput() + is_unrestricted     {t_check * 1e3:8.3f} ms")
    print(f"{N_GOODS} restricted goods one by one      {t_one_by_one * 1e3:8.3f} ms")
    print(f"{N_GOODS} restricted goods clear_stage     {t_stage * 1e3:8.3f} ms")
    staged = clear_stage(goods, refs)
    gap = max(abs(total_welfare(g, r) - total_welfare(g, clear_market(g, REF)))
              for g, r in zip(goods, staged))
    print(f"max welfare gap, stage vs one by one  {gap:.2e}")

    compare("(a) one restricted good, LP", [tight], [REF], rep(200))
    compare(f"(b) a stage of {N_GOODS} restricted goods, one block-diagonal LP", goods, refs, rep(60))


if __name__ == "__main__":
    main()
