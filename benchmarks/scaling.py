"""Scenarios with more firms, or more countries, but the same world, for the scaling benchmark.

``scale_firms(scenario, k)`` returns a copy of a scenario in which every firm appears k
times: the original under its own id and k-1 copies with ids ``<id>_2`` ... ``<id>_k``.
Each copy owns a copy of every facility (ids suffixed the same way), and every firm's
capacity, cash and debt are divided by k. The world therefore has the same capacity of
each good, in the same countries at the same unit costs, and the same money in firms;
only the number of firm agents and facility rows grows, k times. Timing a game on the
scaled scenario shows how the engine's cost grows with the firm population while the
market stays the same size.

Seat assignments of a firm (``seats``) and its initial orders are given to its copies too
(an initial order naming one of the firm's facilities is pointed at the copy's facility).
Countries, goods, events and everything else are untouched.

``scale_countries(scenario, k)`` does the same for countries: every country appears k
times (the original and copies ``<id>_2`` ... ``<id>_k``, in the same union, bloc and
place), each with 1/k of its GDP, treasury, sector demand, stocks and reserves, and every
facility is split into k plants of 1/k the capacity, one in each copy of its country
(same firm, same unit cost). World demand and capacity stay the same; the number of
country seats, market nodes and routes grows. Copies play their original's seat policy
but get none of its initial orders, and events still name the originals.
"""

from __future__ import annotations

import math
from collections import defaultdict

from game.rules import checks
from game.rules.loader import canonical_hash
from game.rules.schema import InitialOrder, Scenario, WorldMap


def copy_id(base: str, j: int) -> str:
    """Id of copy j (1-based) of a firm or facility: the original for j == 1, else base_j."""
    return base if j == 1 else f"{base}_{j}"


def scale_firms(scenario: Scenario, k: int) -> Scenario:
    """A copy of `scenario` with every firm duplicated k times at 1/k of its size."""
    if int(k) != k or k < 1:
        raise ValueError(f"the scale factor must be a positive whole number, not {k!r}")
    k = int(k)
    if k == 1:
        return scenario.model_copy(deep=True)

    firms: dict = {}
    fac_map: dict[str, list[str]] = {}       # original facility id -> ids of its k copies
    for fid, firm in scenario.firms.items():
        for j in range(1, k + 1):
            new_id = copy_id(fid, j)
            if new_id in firms:
                raise ValueError(f"firm id {new_id!r} made twice while scaling by {k}")
            facilities = []
            for fac in firm.facilities:
                fac_id = copy_id(fac.id, j)
                fac_map.setdefault(fac.id, []).append(fac_id)
                facilities.append(fac.model_copy(update={"id": fac_id, "capacity": fac.capacity / k}))
            firms[new_id] = firm.model_copy(update={
                "name": firm.name if j == 1 else f"{firm.name} #{j}",
                "cash": firm.cash / k,
                "debt": firm.debt / k,
                "facilities": facilities,
            }, deep=True)
    all_fac_ids = [f.id for firm in firms.values() for f in firm.facilities]
    if len(set(all_fac_ids)) != len(all_fac_ids):
        raise ValueError(f"scaling by {k} made duplicate facility ids")

    seats = dict(scenario.seats)
    for seat, policy in scenario.seats.items():
        if seat in scenario.firms:
            for j in range(2, k + 1):
                seats[copy_id(seat, j)] = policy

    orders = []
    for item in scenario.initial_orders:
        orders.append(item)
        if item.seat in scenario.firms:
            for j in range(2, k + 1):
                orders.append(InitialOrder(turn=item.turn, seat=copy_id(item.seat, j),
                                           order=_retarget(item.order, fac_map, j)))

    scaled = scenario.model_copy(deep=True, update={
        "firms": firms, "seats": seats, "initial_orders": orders,
        "map_name": f"{scenario.map_name} (firms x{k})",
    })
    return _rehashed(scaled, scenario)


def scale_countries(scenario: Scenario, k: int) -> Scenario:
    """A copy of `scenario` with every country split into k countries of 1/k its size."""
    if int(k) != k or k < 1:
        raise ValueError(f"the scale factor must be a positive whole number, not {k!r}")
    k = int(k)
    if k == 1:
        return scenario.model_copy(deep=True)
    countries = {}
    for cid, c in scenario.countries.items():
        for j in range(1, k + 1):
            countries[copy_id(cid, j)] = c.model_copy(deep=True, update={
                "name": c.name if j == 1 else f"{c.name} #{j}",
                "gdp": c.gdp / k, "treasury": c.treasury / k,
                "demand": {g: v / k for g, v in c.demand.items()},
                "stockpile": {g: v / k for g, v in c.stockpile.items()},
                "reserves": {g: v / k for g, v in c.reserves.items()},
            })
    firms = {}
    for fid, firm in scenario.firms.items():
        facilities = [fac.model_copy(update={"id": copy_id(fac.id, j), "capacity": fac.capacity / k,
                                             "country": copy_id(fac.country, j)})
                      for fac in firm.facilities for j in range(1, k + 1)]
        firms[fid] = firm.model_copy(deep=True, update={"facilities": facilities})
    seats = dict(scenario.seats)
    for seat, policy in scenario.seats.items():
        if seat in scenario.countries:
            for j in range(2, k + 1):
                seats[copy_id(seat, j)] = policy
    scaled = scenario.model_copy(deep=True, update={
        "countries": countries, "firms": firms, "seats": seats,
        "map_name": f"{scenario.map_name} (countries x{k})",
    })
    return _rehashed(scaled, scenario)


def _rehashed(scaled: Scenario, scenario: Scenario) -> Scenario:
    """Keep the source files (saves refer to them) and give the map a hash of its new content."""
    world = WorldMap(name=scaled.map_name, description=scaled.map_description,
                     countries=scaled.countries, firms=scaled.firms, sources=scaled.map_sources)
    scaled._source_files = list(scenario.source_files)
    scaled._hashes = {**scenario.hashes, "map": canonical_hash(world)}
    return scaled


def _retarget(order: str, fac_map: dict[str, list[str]], j: int) -> str:
    """An order text with `facility=<id>` pointed at copy j of that facility."""
    words = []
    for word in order.split():
        key, sep, value = word.partition("=")
        if sep and key == "facility" and value in fac_map:
            word = f"{key}={fac_map[value][j - 1]}"
        words.append(word)
    return " ".join(words)


# ---- checks ----------------------------------------------------------------------------

def capacity_by_good(scenario: Scenario) -> dict[str, float]:
    """Total facility capacity of each good (all statuses), summed exactly (math.fsum)."""
    parts: dict[str, list[float]] = defaultdict(list)
    for _firm, fac in scenario.facilities():
        parts[fac.good].append(fac.capacity)
    return {good: math.fsum(values) for good, values in sorted(parts.items())}


def problems(scenario: Scenario) -> list[str]:
    """What the loader's own cross-reference checks find wrong with a (scaled) scenario."""
    found = [*checks.map_problems(scenario), *checks.scenario_problems(scenario, scenario)]
    return [f"{'.'.join(map(str, path))}: {message}" for path, message in found]


def describe(scenario: Scenario) -> str:
    n_fac = sum(len(f.facilities) for f in scenario.firms.values())
    return f"{len(scenario.countries)} countries, {len(scenario.firms)} firms, {n_fac} facilities"
