"""Clearing by merit order: one world price when no restriction can bind.

Part of the market; game.market describes the model and its price conventions."""

from __future__ import annotations

import math

import numpy as np

from game.market.inputs import (
    MarketInput,
    MarketResult,
    _check_reference_price,
)


def _merit_core(cost, sqty, wtp, dqty):
    """Merit-order clearing of one market given as step arrays.

    Returns (supply taken, demand taken, price) with the price rule of game.market's docstring.
    Supply is taken cheapest first, demand highest wtp first (stable: ties by index), a
    unit trades when wtp >= cost.
    """
    s_taken = np.zeros(cost.shape[0])
    d_taken = np.zeros(wtp.shape[0])
    sidx = (sqty > 0).nonzero()[0]
    didx = (dqty > 0).nonzero()[0]
    sidx = sidx[cost[sidx].argsort(kind="stable")]
    didx = didx[(-wtp[didx]).argsort(kind="stable")]
    cs, qs = cost[sidx], sqty[sidx]
    wd, qd = wtp[didx], dqty[didx]
    ns, nd = sidx.shape[0], didx.shape[0]

    q = 0.0
    if ns and nd:
        cum_s = qs.cumsum()
        cum_d = qd.cumsum()
        # Marginal cost rises and marginal value falls with quantity, so the set of
        # quantities where cost <= wtp is an interval [0, q]; q is one of the breakpoints.
        b = np.concatenate((cum_s, cum_d))
        b = b[b <= min(cum_s[-1], cum_d[-1])]
        ok = cs[cum_s.searchsorted(b)] <= wd[cum_d.searchsorted(b)]
        if ok.any():
            q = float(b[ok].max())
        if q > 0:
            part = np.minimum(np.maximum(q - (cum_s - qs), 0.0), qs)
            s_taken[sidx] = np.where(cum_s <= q, qs, part)
            part = np.minimum(np.maximum(q - (cum_d - qd), 0.0), qd)
            d_taken[didx] = np.where(cum_d <= q, qd, part)

    lo, hi = -math.inf, math.inf
    if q > 0:
        ls = int(cum_s.searchsorted(q))        # last accepted supply step (maybe partial)
        ld = int(cum_d.searchsorted(q))
        fs = ls if cum_s[ls] > q else ls + 1   # first (partly) rejected steps
        fd = ld if cum_d[ld] > q else ld + 1
        lo = float(cs[ls])
        hi = float(wd[ld])
    else:
        fs = fd = 0
    if fd < nd:
        lo = max(lo, float(wd[fd]))
    if fs < ns:
        hi = min(hi, float(cs[fs]))
    if math.isfinite(lo) and math.isfinite(hi):
        price = 0.5 * (lo + hi)
    elif math.isfinite(lo):
        price = lo
    elif math.isfinite(hi):
        price = hi
    else:
        price = math.nan
    return s_taken, d_taken, price


def _no_step_prices(m: MarketInput, price: np.ndarray) -> None:
    """Fill in, in place, the price of countries without steps (see game.market's docstring)."""
    has_s = m.supply_total > 0
    empty = ~(has_s | (m.demand_total > 0))
    if not empty.any():
        return
    can_export = has_s if m.export_cap is None else has_s & (m.export_cap > 0)
    ex = can_export.nonzero()[0][:, None]     # a country without steps exports nothing,
    em = empty.nonzero()[0]                   # so e != i below
    best = np.full(em.shape[0], np.inf)
    if ex.shape[0]:
        landed = price[ex] if m.route_wedge is None else price[ex] + m.route_wedge[ex, em]
        if m.route_cap is not None:
            landed = np.where(m.route_cap[ex, em] > 0, landed, np.inf)
        if landed.shape[1] == em.shape[0]:
            best = landed.min(axis=0)
        else:                                 # (k, 1): no wedges nor caps
            best = np.full(em.shape[0], landed.min())
    if m.n_arcs:
        full = np.full(m.n_countries, np.inf)
        full[em] = best
        ok = can_export[m.arc_from] & (m.arc_cap > 0)
        np.minimum.at(full, m.arc_to[ok], price[m.arc_from[ok]] + m.arc_wedge[ok])
        best = full[em]
    price[em] = np.where(np.isfinite(best), best, np.nan)


def clear_merit_order(m: MarketInput, reference_price: float) -> MarketResult:
    """Clear by merit order at one world price. Valid only when ``m.is_unrestricted()``.

    Raises ``ValueError`` otherwise. Every country with steps gets the world price (see
    game.market's docstring for how it is chosen). Flows: each country first serves its own
    accepted demand from its own accepted supply; each net exporter's surplus then goes to
    the net importers pro rata to their deficits. ``reference_price`` is only checked.
    """
    _check_reference_price(reference_price)
    if not m.is_unrestricted():
        raise ValueError("clear_merit_order: the market has restrictions that may bind; use clear_with_lp")
    C = m.n_countries
    s_taken, d_taken, p = _merit_core(m.supply_cost, m.supply_qty, m.demand_wtp, m.demand_qty)
    got = np.bincount(m.supply_country, weights=s_taken, minlength=C)
    need = np.bincount(m.demand_country, weights=d_taken, minlength=C)
    local = np.minimum(got, need)
    surplus = got - local
    deficit = need - local
    total = deficit.sum()
    if total > 0:
        flows = surplus[:, None] * (deficit / total)[None, :]
    else:
        flows = np.zeros((C, C))
    price = np.full(C, p)
    if m.route_cap is not None or m.route_wedge is not None or m.export_cap is not None or m.n_arcs:
        _no_step_prices(m, price)
    return MarketResult(s_taken, d_taken, flows, np.zeros(m.n_arcs), price, False)


def _clear_isolated(m: MarketInput, isolated: np.ndarray, s_taken: np.ndarray,
                    d_taken: np.ndarray, price: np.ndarray) -> None:
    """Clear, in place, countries cut off from all trade as markets of their own. One
    with steps on one side only trades nothing and is priced at its best step (as
    ``_merit_core`` would); one with both sides is cleared by ``_merit_core``."""
    st, dt = m.supply_total, m.demand_total
    only_d = isolated & (st == 0)
    only_s = isolated & (dt == 0)
    if only_d.any():
        k = np.flatnonzero(only_d[m.demand_country] & (m.demand_qty > 0))
        top = np.full(m.n_countries, -np.inf)
        np.maximum.at(top, m.demand_country[k], m.demand_wtp[k])
        price[only_d] = top[only_d]
    if only_s.any():
        k = np.flatnonzero(only_s[m.supply_country] & (m.supply_qty > 0))
        low = np.full(m.n_countries, np.inf)
        np.minimum.at(low, m.supply_country[k], m.supply_cost[k])
        price[only_s] = low[only_s]
    for c_ in np.flatnonzero(isolated & (st > 0) & (dt > 0)):
        sm = m.supply_country == c_
        dm = m.demand_country == c_
        st_, dt_, p = _merit_core(m.supply_cost[sm], m.supply_qty[sm], m.demand_wtp[dm], m.demand_qty[dm])
        s_taken[sm] = st_
        d_taken[dm] = dt_
        price[c_] = p
