"""Sector demand of a turn, and how it answers prices (thrift, substitution, recycling).

Part of the production phase (game.phases.production): final demand is worked out at the
start of the phase, the response to prices updated at its end (docs/model.md, 7.1).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


def final_demand(m) -> np.ndarray:
    """Sector demand for each good this turn, (C, G) in good units per turn."""
    years = max(m.turn - 1, 0) * m.turn_frac
    m.sector_level = m.demand * m.demand_factor * ((1.0 + m.growth) ** years)[None, :]
    sector = m.sector_level * m.turn_frac
    return np.einsum("cs,csg->cg", sector, m.intensity) * demand_response(m)


class ResponseParams(NamedTuple):
    """Per good: long-run price elasticity, share of the gap closed in a turn, floor."""
    elasticity: np.ndarray
    speed: np.ndarray
    floor: np.ndarray


def response_params(m) -> ResponseParams:
    """The goods' demand responses from the ruleset (worked out once per game)."""
    params = m.__dict__.get("_response_params")
    if params is None:
        G = len(m.goods)
        e, speed, floor = np.zeros(G), np.zeros(G), np.ones(G)
        for g, gid in enumerate(m.goods.ids):
            dr = m.rules.goods[gid].demand_response
            if dr is not None:
                e[g] = dr.elasticity
                speed[g] = 1.0 - np.exp(-m.turn_frac / dr.lag_years)
                floor[g] = dr.floor
        params = m._response_params = ResponseParams(e, speed, floor)
    return params


def demand_response(m) -> np.ndarray:
    """Share of its normal demand for each good (C, G) that each country's sectors still
    want after thrift, substitution and recycling answered past prices (1 = no change)."""
    r = m.__dict__.get("demand_kept")
    if r is None:
        r = m.demand_kept = np.ones((len(m.countries), len(m.goods)))
    return r


def update_demand_response(m) -> None:
    """After a turn's markets: where a good's expected price is above its reference, the
    sectors move toward using (price / reference)^-elasticity of their normal amount (no
    less than the floor); where it is back at or below the reference they return toward
    their normal use, at the same pace."""
    e, speed, floor = response_params(m)
    ratio = m.price_expect / m.ref_price
    target = np.where(ratio > 1.0, np.maximum(np.maximum(ratio, 1.0) ** -e, floor), 1.0)
    kept = demand_response(m)
    kept += speed * (target - kept)
