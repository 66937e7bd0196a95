"""Timings of market clearing: merit order vs LP on a 30-country market.

Run: ``python benchmarks/bench_market.py`` (from the repository root). Prints median
times; makes no assertions.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from game.market import (  # noqa: E402
    MarketInput,
    clear_market,
    clear_merit_order,
    clear_stage,
    clear_with_lp,
    total_welfare,
)

N_COUNTRIES = 30
N_SUPPLY = 20          # facilities and stockpile releases
TRANCHES = (6.0, 3.0, 1.8, 1.2, 0.9, 0.6)   # price multiples of the base ruleset
SHARES = (0.10, 0.10, 0.20, 0.25, 0.20, 0.15)
N_BIDS = 20            # facility input bids and stockpile purchases
REF = 4.0


def build(rng: np.random.Generator, restricted: bool) -> MarketInput:
    return MarketInput(**build_kwargs(rng, restricted))


def build_kwargs(rng: np.random.Generator, restricted: bool) -> dict:
    C = N_COUNTRIES
    producers = rng.choice(C, size=8, replace=False)
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
        top = producers[0]
        banned = rng.choice(np.setdiff1d(np.arange(C), [top]), size=5, replace=False)
        cap[top, banned] = 0.0                                      # a few bans
        wedge = np.zeros((C, C))
        wedge[:, producers[1]] = 0.25 * REF                         # a tariff
        export_cap = np.full(C, np.inf)
        export_cap[producers[2]] = 5.0
        kw = dict(route_cap=cap, route_wedge=wedge, export_cap=export_cap,
                  arc_from=np.array([top, top]), arc_to=banned[:2],
                  arc_cap=np.array([3.0, 3.0]), arc_wedge=np.array([0.15 * REF] * 2))
    return dict(n_countries=C, supply_country=supply_country, supply_qty=supply_qty,
                supply_cost=supply_cost, demand_country=demand_country, demand_qty=demand_qty,
                demand_wtp=demand_wtp, **kw)


def median_time(fn, repeat: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main() -> None:
    rng = np.random.default_rng(2025)
    free = build(rng, restricted=False)
    tight = build(rng, restricted=True)
    n_goods = 8
    goods = [build(rng, restricted=True) for _ in range(n_goods)]
    refs = [REF] * n_goods

    t_merit = median_time(lambda: clear_merit_order(free, REF), 2000)
    t_lp_free = median_time(lambda: clear_with_lp(free, REF), 200)
    t_lp = median_time(lambda: clear_with_lp(tight, REF), 200)
    t_dispatch = median_time(lambda: clear_market(free, REF), 2000)
    kwargs = build_kwargs(rng, restricted=True)
    t_build = median_time(lambda: MarketInput(**kwargs), 2000)
    t_check = median_time(lambda: MarketInput(**kwargs).is_unrestricted(), 2000)
    t_one_by_one = median_time(lambda: [clear_market(g, REF) for g in goods], 50)
    t_stage = median_time(lambda: clear_stage(goods, refs), 50)

    print(f"market: {N_COUNTRIES} countries, {N_SUPPLY} supply steps, "
          f"{len(free.demand_qty)} demand steps")
    print(f"merit order (unrestricted)       {t_merit * 1e3:8.3f} ms")
    print(f"clear_market (dispatch, free)    {t_dispatch * 1e3:8.3f} ms")
    print(f"LP, same unrestricted market     {t_lp_free * 1e3:8.3f} ms")
    print(f"LP, bans + tariff + cap + arcs   {t_lp * 1e3:8.3f} ms")
    print(f"ratio LP / merit order           {t_lp / t_merit:8.1f} x")
    print(f"MarketInput() (validation)       {t_build * 1e3:8.3f} ms")
    print(f"MarketInput() + is_unrestricted  {t_check * 1e3:8.3f} ms")
    print(f"{n_goods} restricted goods one by one   {t_one_by_one * 1e3:8.3f} ms")
    print(f"{n_goods} restricted goods clear_stage  {t_stage * 1e3:8.3f} ms")
    staged = clear_stage(goods, refs)
    gap = max(abs(total_welfare(g, r) - total_welfare(g, clear_market(g, REF)))
              for g, r in zip(goods, staged))
    print(f"max welfare gap, stage vs one by one  {gap:.2e}")


if __name__ == "__main__":
    main()
