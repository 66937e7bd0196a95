"""Reading a solved market LP: quantities, flows and prices.

Part of the market; game.market describes the model and its price conventions."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from game.market.inputs import MarketResult
from game.market.merit_order import _clear_isolated, _no_step_prices

if TYPE_CHECKING:
    from game.market.build import _LPBlock


def _max(a: np.ndarray) -> float:
    return float(a.max()) if a.size else -math.inf


def _min(a: np.ndarray) -> float:
    return float(a.min()) if a.size else math.inf


def _pool_legs(b: _LPBlock, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(shipped into the pool, taken from the pool) per country, scaled units, netted.

    A country that both ships into and takes from the pool is netted (such a round trip
    only costs epsilons and is not optimal; this removes solver noise), so no country
    is on both sides and each country's net pool flow is the LP's.
    """
    C = b.m.n_countries
    out = np.zeros(C)
    take = np.zeros(C)
    if b.pe.shape[0]:
        _, _, _, oP, oQ = b.offsets
        out[b.pe] = np.maximum(x[oP:oQ], 0.0)
        take[b.pi] = np.maximum(x[oQ:], 0.0)
        both = np.minimum(out, take)
        out -= both
        take -= both
    return out, take


def _pool_shares(b: _LPBlock, take: np.ndarray) -> np.ndarray:
    """Share of each pool importer (``b.pi``) in what the pool delivers."""
    t = take[b.pi]
    total = t.sum()
    return t / total if total > 0 else t


def _pair_view(b: _LPBlock, x: np.ndarray, out: np.ndarray, take: np.ndarray, tol: float):
    """The solution in the plain formulation (a variable per route, arcs apart): arrays
    (from, to, moving, at_cap, cost) per route or arc, ``cost`` (wedge + epsilon) in
    money.

    Pool shipments count as flows on their routes, each exporter's net shipment shared
    among the importers pro rata to their net takes; a route from the pool's e to its i
    carries flow when both legs do (then both legs' reduced costs are zero, so the
    route's is too). A route is at its cap when its pro-rata flow reaches the cap.
    """
    m = b.m
    _, oR, _, oP, oQ = b.offsets
    ae = m.arc_from[b.aidx] if b.aidx.size else b.aidx
    ai = m.arc_to[b.aidx] if b.aidx.size else b.aidx
    vflow = x[oR:oP]
    parts_from, parts_to = [b.re, ae], [b.ri, ai]
    moving = [vflow > tol]
    at_cap = [vflow >= b.ub[oR:oP] - tol]
    cost = [b.c[oR:oP] * b.pscale]
    if b.pe.shape[0]:
        nPo, nPi = b.pe.shape[0], b.pi.shape[0]
        pf = np.repeat(b.pe, nPi)
        pt = (np.zeros((nPo, 1), dtype=b.pi.dtype) + b.pi).ravel()
        off = pf != pt
        pf, pt = pf[off], pt[off]
        parts_from.append(pf)
        parts_to.append(pt)
        moving.append((out[pf] > tol) & (take[pt] > tol))
        if m.route_cap is None:
            at_cap.append(np.zeros(pf.shape[0], dtype=bool))
        else:
            share = np.zeros(m.n_countries)
            share[b.pi] = _pool_shares(b, take)
            at_cap.append(out[pf] * share[pt] * b.qscale >= m.route_cap[pf, pt] - tol * b.qscale)
        cost.append(np.full(pf.shape[0], (b.c[oP] + b.c[oQ]) * b.pscale))
    return (np.concatenate(parts_from), np.concatenate(parts_to), np.concatenate(moving),
            np.concatenate(at_cap), np.concatenate(cost))


def _raw_prices(b: _LPBlock, dual: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(buyers' price, producers' value, export-cap dual) per country from HiGHS' duals.

    Row duals of ``<=`` rows are <= 0 for a minimisation; their negation is the worth of
    relaxing a country's origin row or export cap by one unit.
    """
    C = b.m.n_countries
    price = np.full(C, np.nan)
    nE = b.eq_country.shape[0]
    price[b.eq_country] = dual[:nE] * b.pscale
    value = price.copy()
    xcap_dual = np.zeros(C)
    k1 = b.origin_c.shape[0]
    if k1:
        value[b.origin_c] -= dual[b.n_bal:b.n_bal + k1] * b.pscale
    if b.xcap_c.shape[0]:
        xcap_dual[b.xcap_c] = -dual[b.n_bal + k1:] * b.pscale
    return price, value, xcap_dual


def _settle_prices(b: _LPBlock, x: np.ndarray, price: np.ndarray, value: np.ndarray,
                   xcap_dual: np.ndarray, out: np.ndarray | None = None,
                   take: np.ndarray | None = None) -> None:
    """Re-choose, in place, LP prices that the optimum leaves undetermined.

    ``out``/``take`` are the netted pool legs (``_pool_legs``; computed if not given).
    The reasoning is on the plain formulation (``_pair_view``), of which the hub LP's
    duals are an optimal dual: a pool shipment's two legs cost what the route costs,
    each leg's reduced cost is >= 0, and both are zero when the route carries flow.
    ``price[c]`` is the buyers' price (balance dual), ``value[c]`` what a unit produced
    in c is worth (price plus the origin-row dual) and ``xcap_dual[c]`` the export-cap
    dual, so ``value + xcap_dual`` is the worth of c's goods at its border. Two kinds of
    country have a whole interval of valid prices, of which HiGHS returns an end:

    * A country whose origin row binds (it exports all it produces): its buyers' price
      may lie anywhere between their highest unmet wtp and the producers' value. We
      raise it as close to the producers' value as its buyers and imports allow.
    * An *idle* country (no route or arc of it carries flow): a buyer priced out of
      imports could be given its own highest unmet wtp or the import parity price. We
      take the midpoint of its export parity ``max(price[j] - wedge - eps)`` and import
      parity ``min(border[e] + wedge + eps)`` (whichever exists, if only one does),
      raised to zero if negative and clipped to what its own steps allow. A market
      without binding restrictions thus gets the world price everywhere, as the merit
      order gives.

    Every change is made one country at a time against its neighbours' current values,
    within the range that keeps all optimality conditions, so the prices remain an
    optimal dual. Order: (1) idle exporters first offer their goods at the dearest
    value they admit (so they do not cap the prices of step 2), (2) countries with a
    binding origin row, (3) idle countries, pure buyers first, each in index order.
    """
    m = b.m
    oD, oR, _, oP, _ = b.offsets
    tol = 1e-9
    if out is None or take is None:
        out, take = _pool_legs(b, x)
    C = m.n_countries
    # busy countries: an end of a route or arc that carries flow
    moving = x[oR:oP] > tol
    busy = (out > tol) | (take > tol)
    nR = b.re.shape[0]
    busy[b.re[moving[:nR]]] = True
    busy[b.ri[moving[:nR]]] = True
    if b.aidx.size:
        busy[m.arc_from[b.aidx[moving[nR:]]]] = True
        busy[m.arc_to[b.aidx[moving[nR:]]]] = True
    in_lp = np.zeros(C, dtype=bool)
    in_lp[b.eq_country] = True
    idle = in_lp & ~busy
    premium = (in_lp & busy & (value > price)).nonzero()[0]
    if not idle.any() and premium.size == 0:
        return
    vfrom, vto, moving, at_cap, vcost = _pair_view(b, x, out, take, tol)
    exports = np.zeros(C, dtype=bool)
    exports[vfrom] = True
    imports = np.zeros(C, dtype=bool)
    imports[vto] = True
    # what each country's own steps allow: buyers served / with room, sellers selling /
    # with room (the steps' states are fixed; only prices move below)
    s_c, s_cost = m.supply_country[b.sidx], m.supply_cost[b.sidx]
    d_c, d_wtp = m.demand_country[b.didx], m.demand_wtp[b.didx]
    s_x, d_x = x[:oD], x[oD:oR]
    s_some, s_room = s_x > tol, s_x < b.ub[:oD] - tol
    d_some, d_room = d_x > tol, d_x < b.ub[oD:oR] - tol
    unmet_wtp = np.full(C, -np.inf)         # highest wtp of a buyer with room
    np.maximum.at(unmet_wtp, d_c[d_room], d_wtp[d_room])
    served_wtp = np.full(C, np.inf)         # lowest wtp of a buyer served
    np.minimum.at(served_wtp, d_c[d_some], d_wtp[d_some])
    spare_cost = np.full(C, np.inf)         # lowest cost of a seller with room
    np.minimum.at(spare_cost, s_c[s_room], s_cost[s_room])
    selling_cost = np.full(C, -np.inf)      # highest cost of a seller selling
    np.maximum.at(selling_cost, s_c[s_some], s_cost[s_some])
    sells = np.zeros(C, dtype=bool)
    sells[s_c[s_some]] = True

    def idle_bounds(i):
        """(lo, hi, import parity, export parity) for idle country i."""
        inn, out_ = vto == i, vfrom == i
        import_parity = _min(value[vfrom[inn]] + xcap_dual[vfrom[inn]] + vcost[inn])
        export_parity = _max(price[vto[out_]] - vcost[out_])
        lo = float(unmet_wtp[i])
        hi = min(float(served_wtp[i]), float(spare_cost[i]), import_parity)
        if sells[i]:
            lo = max(lo, float(selling_cost[i]), export_parity)
        return lo, hi, import_parity, export_parity

    # (1) idle exporters at their dearest admissible value
    idle_exporters = (idle & exports).nonzero()[0]
    for i in idle_exporters:
        lo, hi, _, _ = idle_bounds(i)
        if sells[i]:            # sells at home: buyers' price and value move together
            if lo <= hi:
                price[i] = value[i] = hi
        else:                   # all its supply is idle: value up to its cheapest offer
            top = spare_cost[i]
            if top >= value[i]:
                value[i] = top
                if not imports[i]:   # no origin row: buyers' price is the value
                    price[i] = top

    # (2) buyers' price of countries exporting all they produce, up to the producers' value
    for i in premium:
        inn = vto == i
        landed = value[vfrom[inn]] + xcap_dual[vfrom[inn]] + vcost[inn]
        lo = max(float(unmet_wtp[i]), _max(landed[at_cap[inn] | moving[inn]]))
        hi = min(float(served_wtp[i]), _min(landed[~at_cap[inn]]), value[i])
        if lo <= hi:
            price[i] = hi

    # (3) idle countries at the midpoint of their parities (the export parity of a
    # country that exports nothing is -inf), not below zero where the interval allows.
    # Pure buyers first, all at once: none is a source of another's imports.
    buyers = (idle & ~exports).nonzero()[0]
    if buyers.size:
        import_parity = np.full(C, np.inf)
        np.minimum.at(import_parity, vto, value[vfrom] + xcap_dual[vfrom] + vcost)
        ip = import_parity[buyers]
        lo = np.where(sells[buyers], np.maximum(unmet_wtp[buyers], selling_cost[buyers]),
                      unmet_wtp[buyers])
        hi = np.minimum(np.minimum(served_wtp[buyers], spare_cost[buyers]), ip)
        ok = lo <= hi               # otherwise numerical noise: keep the current value
        target = np.where(np.isfinite(ip), ip, -np.inf)
        p = np.minimum(np.maximum(np.maximum(target, 0.0), lo), hi)
        price[buyers[ok]] = p[ok]
        value[buyers[ok]] = p[ok]
    for i in idle_exporters:
        lo, hi, import_parity, export_parity = idle_bounds(i)
        if lo > hi:
            continue  # numerical noise: keep the current value
        if math.isfinite(import_parity) and math.isfinite(export_parity):
            target = 0.5 * (import_parity + export_parity)
        else:
            target = import_parity if math.isfinite(import_parity) else export_parity
        p = min(max(target, 0.0, lo), hi)
        price[i] = p
        # producers: as buyers when they sell at home; otherwise at least export parity
        value[i] = p if sells[i] else max(p, export_parity)


def _clip0(a: np.ndarray, hi) -> np.ndarray:
    """``np.clip(a, 0, hi)`` without its Python-level overhead (same values)."""
    return np.minimum(np.maximum(a, 0.0), hi)


def _finish_lp(b: _LPBlock, x: np.ndarray, dual: np.ndarray) -> MarketResult:
    m = b.m
    C = m.n_countries
    oD, oR, oA, oP, _ = b.offsets
    q = b.qscale

    s_taken = np.zeros(m.supply_qty.shape[0])
    d_taken = np.zeros(m.demand_qty.shape[0])
    s_taken[b.sidx] = _clip0(x[:oD] * q, m.supply_qty[b.sidx])
    d_taken[b.didx] = _clip0(x[oD:oR] * q, m.demand_qty[b.didx])
    flows = np.zeros((C, C))
    if oA > oR:
        cap = np.inf if m.route_cap is None else m.route_cap[b.re, b.ri]
        flows[b.re, b.ri] = _clip0(x[oR:oA] * q, cap)
    out, take = _pool_legs(b, x)
    if b.pe.shape[0]:
        # pool shipments: each exporter's net shipment shared pro rata to net takes (a
        # country is on one side only, so the diagonal stays zero)
        ix = (b.pe[:, None], b.pi)
        pool = (out[b.pe] * q)[:, None] * _pool_shares(b, take)
        flows[ix] = pool if m.route_cap is None else np.minimum(pool, m.route_cap[ix])
    arc_flows = np.zeros(m.n_arcs)
    if oP > oA:
        arc_flows[b.aidx] = _clip0(x[oA:oP] * q, m.arc_cap[b.aidx])
    if b.xcap_c.shape[0]:
        # a binding export cap may be overshot by rounding: shrink that country's exports
        sent = flows[b.xcap_c].sum(axis=1)
        if m.n_arcs:
            sent += np.bincount(m.arc_from, weights=arc_flows, minlength=C)[b.xcap_c]
        cap = m.export_cap[b.xcap_c]
        over = sent > cap
        if over.any():
            for e, f in zip(b.xcap_c[over], cap[over] / sent[over]):
                flows[e] *= f
                if m.n_arcs:
                    arc_flows[m.arc_from == e] *= f

    if b.n_rows:
        price, value, xcap_dual = _raw_prices(b, dual)
        _settle_prices(b, x, price, value, xcap_dual, out, take)
    else:
        price = np.full(C, np.nan)
    if b.isolated.any():
        _clear_isolated(m, b.isolated, s_taken, d_taken, price)
    _no_step_prices(m, price)
    return MarketResult(s_taken, d_taken, flows, arc_flows, price, True)
