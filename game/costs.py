"""What new plants would cost: unit costs, capex and lead times, for orders and observations."""

from __future__ import annotations

import numpy as np

from game.facilities import CLOSED


def unit_cost_table(m) -> np.ndarray:
    """Unit cost a new plant would have in each (country, good): the host's own level for
    that good where it has plants, else the world median scaled by the host's cost index.
    Computed once a turn, so every order of a turn sees the same costs."""
    cached = getattr(m, "_unit_cost_cache", None)
    if cached is not None and cached[0] == m.turn:
        return cached[1]
    table = _unit_cost_table(m)
    m._unit_cost_cache = (m.turn, table)
    return table


def _unit_cost_table(m) -> np.ndarray:
    fac = m.fac
    C, G = len(m.countries), len(m.goods)
    live = fac.col("status") != CLOSED
    cost, good, cty = fac.col("unit_cost")[live], fac.col("good")[live], fac.col("country")[live]
    cell = cty * G + good
    total = np.bincount(cell, weights=cost, minlength=C * G).reshape(C, G)
    count = np.bincount(cell, minlength=C * G).reshape(C, G).astype(float)
    median = np.where(np.bincount(good, minlength=G) > 0, _median_by_good(cost, good, G), 0.6 * m.ref_price)
    return np.where(count > 0, total / np.maximum(count, 1.0), median[None, :] * m.cost_index[:, None])


def _median_by_good(cost: np.ndarray, good: np.ndarray, G: int) -> np.ndarray:
    """np.median of the costs of each good in one sort (0 where a good has none): the middle
    value, or the mean of the two middle ones, exactly as np.median works them out."""
    if not len(cost):
        return np.zeros(G)
    ordered = cost[np.lexsort((cost, good))]
    n = np.bincount(good, minlength=G)
    start = np.cumsum(n) - n
    lower = np.minimum(start + np.maximum(n - 1, 0) // 2, len(cost) - 1)
    upper = np.minimum(start + n // 2, len(cost) - 1)
    return np.where(n > 0, (ordered[lower] + ordered[upper]) / 2.0, 0.0)


def new_unit_cost(m, g: int, c: int, ftype: int) -> float:
    return float(unit_cost_table(m)[c, g]) * m.ftype_cost_mult[ftype]


#: An expansion of an operating plant costs this share of a new plant's capex ...
EXPAND_CAPEX_SHARE = 0.8


def expand_lead(lead_turns):
    """... and takes half a new plant's lead time, at least a turn (the site, permits and
    infrastructure are there already), unless its type gives its own (`expand_lead_of`).
    Works on one lead or an array of them."""
    return np.maximum(1, np.asarray(lead_turns) // 2)


def expand_lead_of(m, ftype: int, lead_turns):
    """Turns an expansion of a plant of this type takes: the type's `expand_years` (mines:
    brownfield expansions at a working mine take 1-3 years, with no new permit), else
    half the new plant's lead (`lead_turns`, one or an array)."""
    years = m.ftype_expand[ftype]
    if np.isnan(years):
        return expand_lead(lead_turns)
    turns = max(1, int(np.ceil(years * 12 / m.turn_months - 1e-9)))
    return np.full_like(np.asarray(lead_turns), turns)


def default_type(m, good: str) -> str | None:
    for t in m.ftypes.ids:
        if t != "recycling" and good in m.ftype_goods[t]:
            return t
    return None


def build_table(m) -> dict:
    """What building costs where, for the observations: per good its facility type and capex
    per unit of annual capacity; per (country, good) unit cost, lead time in turns, deposits."""
    C, G = len(m.countries), len(m.goods)
    types = [default_type(m, g) for g in m.goods.ids]
    capex_unit = np.array([m.ftype_capex[m.ftypes[t]] * m.ref_price[g] if t else np.inf
                           for g, t in enumerate(types)])
    lead = np.zeros((C, G), dtype=np.int64)
    grow_lead = np.ones((C, G), dtype=np.int64)
    for t in {t for t in types if t}:
        per_country = lead_turns_all(m, m.ftypes[t])
        grow = expand_lead_of(m, m.ftypes[t], per_country)
        for g in (g for g, tt in enumerate(types) if tt == t):
            lead[:, g] = per_country
            grow_lead[:, g] = grow
    return {"type": types, "capex_per_unit": capex_unit, "unit_cost": unit_cost_table(m),
            "lead_turns": lead, "reserves": m.reserves.copy(),
            # expanding a plant of the good's type (see game.actions.industry.expand)
            "expand_capex_per_unit": EXPAND_CAPEX_SHARE * capex_unit, "expand_lead_turns": grow_lead}



def lead_turns_all(m, ftype: int) -> np.ndarray:
    """Turns from order to first output of a new plant of this type, in every country:
    build time, plus permitting for mines (longer where social licence is low)."""
    years = np.full(len(m.countries), float(m.ftype_lead[ftype]))
    if m.ftypes.ids[ftype] == "mine":
        years = years + m.permit_years * (1.5 - m.social_licence)
    return np.maximum(1, np.ceil(years * 12 / m.turn_months - 1e-9)).astype(np.int64)
