"""Clearing the market for one good: quantities traded, flows between countries, prices.

Pure numpy/scipy (and highspy, when installed); knows nothing of the game state. The caller turns facilities, sector
demand, stockpiles and trade measures into a :class:`MarketInput` for one good and gets a
:class:`MarketResult` back.

The model
---------
There are ``C`` countries, each one market node with one price. *Supply steps* (a
facility's offer of a quantity at a unit cost, a stockpile release) and *demand steps* (a
tranche of sector demand with its willingness to pay, a facility's bid for an input, a
stockpile purchase) each sit in one country. Goods move from an exporter ``e`` to an
importer ``i != e`` on the direct route ``e->i`` or on an *extra arc* ``e->i`` (a
transshipment through a third country, with its own capacity and markup, usable even when
the direct route is banned). Clearing maximises welfare::

    sum(wtp * d) - sum(cost * s) - sum(route_wedge * x) - sum(arc_wedge * a)

subject to, for every country ``c``::

    supply taken in c + inflows to c == demand taken in c + outflows from c   (balance)
    0 <= s <= supply_qty,  0 <= d <= demand_qty
    0 <= x[e, i] <= route_cap[e, i],  0 <= a <= arc_cap
    outflows from e (direct routes and arcs) <= export_cap[e]
    outflows from e (direct routes and arcs) <= supply taken in e                (origin)

The last line is the *origin rule*: a flow ``e->i`` carries goods produced (or released)
in ``e``; a country cannot re-export what it imported. Without it a ban ``e->i`` would be
undone for free by shipping ``e->k->i`` through any open third country ``k``, and the
transshipment arcs (which are how the game prices such detours) would be pointless. A
country may still import for its own use and export its own output at the same time (a
swap), so bans leak through third countries up to those countries' own output. Because of
the origin rule a route ``e->i`` can carry flow only when ``e`` has supply and ``i`` has
demand; the LP includes only such routes, which keeps it small.

The LP as solved
----------------
Most exporters face no restriction that tells their destinations apart. Such a *free*
exporter ``e`` has, on every route ``e->i`` that could carry flow, a zero wedge and a cap
of at least ``min(supply offered in e, export_cap[e], demand bid in i)`` (no flow on the
route can exceed that: ``e`` ships only its own goods, and by the origin rule ``i`` takes
in at most what it buys). Instead of a variable per destination, free exporters ship into
one world *pool* of the good (a variable per free exporter) and each country the pool can
reach takes from it (a variable per importer), with one more balance row for the pool;
each leg costs half the transport epsilon (below). Exporters with any capped, banned or
taxed route keep a variable per route. Export caps and the origin rule count pool
shipments with the direct routes and arcs. This is the same LP with the flows of free
exporters aggregated, so optima have the same welfare and quantities; the reported
``flows`` split the pool pro rata: ``flows[e, i] = shipped by e into the pool * share of
i in what the pool delivers`` (after netting a country that both ships into and takes
from the pool, which only solver noise can produce), so the diagonal stays zero. The
LP is solved by HiGHS, called through highspy when installed (one model passed as a
column-wise sparse matrix, presolve off) and through ``scipy.optimize.linprog`` otherwise.

Prices
------
The price of country ``c`` is the shadow price of its balance constraint: what one more
unit delivered in ``c`` is worth, i.e. the price its *buyers* pay. A ban makes two price
tiers; a tariff on a route that carries flow makes the importer's price exceed the
exporter's by the tariff. (When the origin constraint of a country binds, its producers
earn more than its buyers pay; that premium is not reported.)

Edge-case conventions:

* One market's price interval is ``[lo, hi]`` with ``lo = max(cost of the last accepted
  supply step, wtp of the first rejected demand step)`` and ``hi = min(wtp of the last
  accepted demand step, cost of the first rejected supply step)``; a partly filled step
  counts as both accepted and rejected, and steps of zero quantity are ignored. The price
  is the midpoint when both ends are finite, the finite end when only one is (only demand
  steps: the highest wtp; only supply steps: the lowest cost), and NaN when the market has
  no steps at all. If nothing trades because every cost exceeds every wtp, this gives the
  midpoint of the highest wtp and the lowest cost.
* The merit-order path (no binding restriction) uses that rule for the one world price.
* In the LP path a country with steps but no usable route or arc in or out is a market of
  its own: it is cleared and priced by the rule above (the LP dual would be arbitrary).
* Any other country with steps gets an optimal LP dual (the pool's is not reported; the
  countries' duals are an optimal dual of the formulation with a variable per route, and
  the rules below reason on that one). Where the optimum leaves a range
  of valid prices, two cases are settled by rule within that range (see
  ``_settle_prices``): a country that exports all it produces gets buyers' prices as
  close to its producers' value as possible (not the wtp of its priced-out buyers), and
  a country none of whose routes carries flow gets the midpoint of its export and import
  parity prices (a priced-out importer pays the import parity; an exporter selling
  nothing gets the export parity, not below zero if avoidable). An unrestricted market
  solved by the LP thus shows the world price everywhere, within epsilons. In other
  degenerate cases (exact ties at the margin; a group of countries none of which trades)
  the price is the valid value HiGHS returns, not necessarily a midpoint; it is
  deterministic for a given input. Likewise, where several allocations are optimal (a
  scarce tranche at the margin with the same wtp in several countries, equal costs),
  quantities per step are those of the optimal vertex HiGHS returns: deterministic, but
  neither pro rata nor by index, and not necessarily the same in both formulations.
* A country with no steps (in either path) gets the price at which it could import:
  ``min(price[e] + wedge)`` over exporters ``e`` with supply, ``export_cap[e] > 0`` and an
  open route (``route_cap[e, i] > 0``) or arc (``arc_cap > 0``) into it, ignoring whether
  caps bind; NaN if there is none.
* The LP adds a transport cost ``TRANSPORT_EPS * reference_price`` to every route and arc
  (half of it on each leg of a pool shipment) so that goods never cross-haul; LP prices
  of trading partners therefore differ by that epsilon (and a tariff gap is
  ``tariff + epsilon``).
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass
from typing import Sequence

import numpy as np

try:
    import highspy
except ImportError:  # the scipy fallback below does the same, more slowly
    highspy = None

__all__ = [
    "TRANSPORT_EPS",
    "MarketInput",
    "MarketResult",
    "clear_market",
    "clear_with_lp",
    "clear_merit_order",
    "clear_stage",
    "total_welfare",
]

# The parts of the market: inputs and results, merit order, prices read from the LP; this
# module builds and solves the LP and is the public face (names re-exported for callers).
from game.market_input import (  # noqa: F401
    MarketInput,
    MarketResult,
    TRANSPORT_EPS,
    _check_reference_price,
    total_welfare,
)
from game.merit_order import (  # noqa: F401
    _merit_core,
    _no_step_prices,
    clear_merit_order,
)
from game.lp_backend import _assemble, _quiet_call, _run_linprog  # noqa: F401
from game.lp_prices import (  # noqa: F401
    _pair_view,
    _pool_legs,
    _pool_shares,
    _raw_prices,
    _settle_prices,
)


@dataclass
class _LPBlock:
    """One good's LP in column-wise (CSC) form, in scaled units (quantity / qscale,
    money / pscale).

    Columns, in this order: supply steps, demand steps, direct routes ``re -> ri``, extra
    arcs, pool exports (one per free exporter ``pe``), pool imports (one per country
    ``pi`` the pool can serve). Rows: a balance row per country in the LP, the pool's
    balance row if there is a pool, then the origin rows and the export-cap rows (``<=``).
    """

    m: MarketInput
    qscale: float
    pscale: float
    sidx: np.ndarray      # supply steps in the LP
    didx: np.ndarray      # demand steps in the LP
    re: np.ndarray        # direct route variables e->i (restricted exporters only)
    ri: np.ndarray
    aidx: np.ndarray      # arcs in the LP
    pe: np.ndarray        # free exporters shipping into the pool
    pi: np.ndarray        # countries the pool can serve
    eq_country: np.ndarray  # country of each balance row
    isolated: np.ndarray    # countries cleared on their own (bool, (C,))
    c: np.ndarray
    ub: np.ndarray          # variable upper bounds (lower bounds are 0)
    start: np.ndarray       # CSC column starts (n + 1), int32
    index: np.ndarray       # CSC row indices, int32
    value: np.ndarray       # CSC values
    row_hi: np.ndarray      # row upper bounds; balance rows are == 0, the others <= row_hi
    n_bal: int              # balance rows, the pool's included
    origin_c: np.ndarray    # country of each origin-rule row (the first inequality rows)
    xcap_c: np.ndarray      # country of each export-cap row (the rows after those)

    @property
    def n_vars(self) -> int:
        return self.c.shape[0]

    @property
    def n_rows(self) -> int:
        return self.row_hi.shape[0]

    @functools.cached_property
    def offsets(self) -> tuple[int, int, int, int, int]:
        """First column of demand, routes, arcs, pool exports, pool imports."""
        oD = self.sidx.shape[0]
        oR = oD + self.didx.shape[0]
        oA = oR + self.re.shape[0]
        oP = oA + self.aidx.shape[0]
        return oD, oR, oA, oP, oP + self.pe.shape[0]


def _free_exporters(m: MarketInput, can_export: np.ndarray, relevant: np.ndarray) -> np.ndarray:
    """Exporters nothing distinguishes destinations for: on every route that could carry
    their goods (``relevant``) the wedge is zero and the cap at least what could flow,
    ``min(own supply, own export cap, importer's demand)`` (a route's flow cannot exceed
    that: the exporter ships only its own output, and by the origin rule an importer
    takes in at most what it buys)."""
    bad = None
    if m.route_wedge is not None:
        bad = m.route_wedge > 0
    if m.route_cap is not None:
        st = m.supply_total
        lim = st if m.export_cap is None else np.minimum(st, m.export_cap)
        short = m.route_cap < np.minimum(lim[:, None], m.demand_total)
        bad = short if bad is None else bad | short
    if bad is None:
        return can_export.copy()
    return can_export & ~(bad & relevant).any(axis=1)


#: Pool the shipments of free exporters (see the module docstring). False gives the plain
#: formulation (a variable per route): the same welfare, quantities up to ties, and
#: prices under the same conventions, a little slower; where several allocations are
#: optimal it returns the vertex the code returned before the pool was introduced (on
#: the baseline game's markets, identical results), while the pool picks another one.
_HUB = True


def _build_lp(m: MarketInput, ref: float, hub: bool | None = None) -> _LPBlock:
    """The LP of one good. With ``hub`` (default ``_HUB``), free exporters (see
    ``_free_exporters``) ship through the good's world pool instead of on one variable
    per destination; without, every exporter has a variable per destination (the plain
    formulation). Both have the same optimal welfare and quantities, up to ties."""
    if hub is None:
        hub = _HUB
    # (small arrays: the cost is in the number of numpy calls, hence some terse idioms)
    C = m.n_countries
    st, dt = m.supply_total, m.demand_total
    has_s, has_d = st > 0, dt > 0
    can_export = has_s if m.export_cap is None else has_s & (m.export_cap > 0)

    # routes that could carry flow: by the origin rule, only from supply to demand
    relevant = can_export[:, None] & has_d
    relevant.ravel()[::C + 1] = False
    mask = relevant if m.route_cap is None else relevant & (m.route_cap > 0)
    if hub:
        free = _free_exporters(m, can_export, relevant)
        pooled = mask & free[:, None]
        pe = pooled.any(axis=1).nonzero()[0]
        pi = pooled.any(axis=0).nonzero()[0]
        direct = mask ^ pooled
    else:
        pe = pi = np.zeros(0, dtype=np.intp)
        direct = mask
    re, ri = np.divmod(direct.ravel().nonzero()[0], C)
    out_any = mask.any(axis=1)
    in_any = mask.any(axis=0)
    nA = 0
    if m.n_arcs:
        aidx = (can_export[m.arc_from] & has_d[m.arc_to] & (m.arc_cap > 0)).nonzero()[0]
        nA = aidx.shape[0]
    if nA:
        ae, ai = m.arc_from[aidx], m.arc_to[aidx]
        out_any[ae] = True
        in_any[ai] = True
        src = np.concatenate((re, ae, pe))
        dst = np.concatenate((ri, ai))
    else:
        aidx = ae = ai = np.zeros(0, dtype=np.intp)
        src = np.concatenate((re, pe)) if pe.shape[0] else re
        dst = ri

    in_lp = out_any | in_any            # both imply steps in the country
    isolated = (has_s | has_d) ^ in_lp

    sidx = ((m.supply_qty > 0) & in_lp[m.supply_country]).nonzero()[0]
    didx = ((m.demand_qty > 0) & in_lp[m.demand_country]).nonzero()[0]
    nS, nD, nR = sidx.shape[0], didx.shape[0], re.shape[0]
    nPo, nPi = pe.shape[0], pi.shape[0]
    oD, oR = nS, nS + nD
    oP = oR + nR + nA
    oQ = oP + nPo
    n = oQ + nPi

    qmax = 0.0
    if nS:
        qmax = float(m.supply_qty[sidx].max())
    if nD:
        qmax = max(qmax, float(m.demand_qty[didx].max()))
    # powers of two, so that scaling is exact: a flow at its cap comes back as the cap
    qscale = 2.0 ** math.ceil(math.log2(qmax)) if qmax > 0 else 1.0
    pscale = 2.0 ** math.ceil(math.log2(ref))
    eps = TRANSPORT_EPS * ref / pscale

    c = np.empty(n)
    ub = np.empty(n)
    c[:oD] = m.supply_cost[sidx]
    c[oD:oR] = -m.demand_wtp[didx]
    c[oR:oR + nR] = 0.0 if m.route_wedge is None else m.route_wedge[re, ri]
    ub[:oD] = m.supply_qty[sidx]
    ub[oD:oR] = m.demand_qty[didx]
    ub[oR:oR + nR] = np.inf if m.route_cap is None else m.route_cap[re, ri]
    if nA:
        c[oR + nR:oP] = m.arc_wedge[aidx]
        ub[oR + nR:oP] = m.arc_cap[aidx]
    c[:oP] *= 1.0 / pscale          # exact: pscale is a power of two
    c[oR:oP] += eps
    c[oP:] = 0.5 * eps              # the two legs of a pool shipment cost one epsilon
    ub[:oP] *= 1.0 / qscale
    ub[oP:] = np.inf

    # rows: balance (supply - demand + inflow - outflow == 0) per country, the pool's
    # balance (inflow == outflow), origin rows where a country both imports and
    # exports, export caps that could bind (a cap >= the country's supply cannot)
    eq_country = in_lp.nonzero()[0]
    nE = eq_country.shape[0]
    n_bal = nE + (1 if nPo else 0)
    origin_c = (out_any & in_any).nonzero()[0]
    k1 = origin_c.shape[0]
    if m.export_cap is not None:
        xcap_c = (out_any & (m.export_cap < st)).nonzero()[0]
    else:
        xcap_c = origin_c[:0]
    k2 = xcap_c.shape[0]
    rows = np.empty((3, C), dtype=np.int32)     # balance, origin and export-cap row of c
    rows.fill(-1)
    bal, orow, xrow = rows
    bal[eq_country] = np.arange(nE, dtype=np.int32)
    orow[origin_c] = np.arange(n_bal, n_bal + k1, dtype=np.int32)
    if k2:
        xrow[xcap_c] = np.arange(n_bal + k1, n_bal + k1 + k2, dtype=np.int32)
    row_hi = np.zeros(n_bal + k1 + k2)
    if k2:
        row_hi[n_bal + k1:] = m.export_cap[xcap_c] / qscale

    # at most four entries per column: slot j of column k is row R[k, j] (-1: none)
    R = np.empty((n, 4), dtype=np.int32)
    R.fill(-1)
    V = np.empty((n, 4))
    sc = m.supply_country[sidx]
    R[:oD, 0] = bal[sc]
    R[:oD, 1] = orow[sc]
    V[:oD, :2] = (1.0, -1.0)
    R[oD:oR, 0] = bal[m.demand_country[didx]]
    V[oD:oR, 0] = -1.0
    R[oR:oQ, 0] = bal[src]
    R[oR:oP, 1] = bal[dst]
    R[oP:oQ, 1] = nE                # into the pool
    R[oR:oQ, 2] = orow[src]
    if k2:
        R[oR:oQ, 3] = xrow[src]
    V[oR:oQ] = (-1.0, 1.0, 1.0, 1.0)
    R[oQ:, 0] = nE                  # out of the pool
    R[oQ:, 1] = bal[pi]
    V[oQ:, :2] = (-1.0, 1.0)
    used = R >= 0
    nz = used.ravel().nonzero()[0]              # row-major: column by column
    start = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(used.sum(axis=1, dtype=np.int32), out=start[1:])

    return _LPBlock(m, qscale, pscale, sidx, didx, re, ri, aidx, pe, pi, eq_country, isolated,
                    c, ub, start, R.ravel()[nz], V.ravel()[nz], row_hi, n_bal, origin_c, xcap_c)


# --------------------------------------------------------------------------- solvers

_LOCAL = threading.local()


def _highs():
    """This thread's HiGHS instance (created on first use, silent, presolve off)."""
    h = getattr(_LOCAL, "highs", None)
    if h is None:
        h = _quiet_call(highspy.Highs)
        h.setOptionValue("output_flag", False)
        # presolve buys nothing on LPs this small and well scaled, and costs time
        h.setOptionValue("presolve", "off")
        h.setOptionValue("threads", 1)
        _LOCAL.highs = h
    return h


def _run_highspy(c, ub, start, index, value, row_lo, row_hi):
    h = _highs()
    n, nrow = c.shape[0], row_lo.shape[0]
    status = h.passModel(n, nrow, index.shape[0], int(highspy.MatrixFormat.kColwise),
                         int(highspy.ObjSense.kMinimize), 0.0, c, np.zeros(n), ub,
                         row_lo, row_hi, start, index, value, np.zeros(n, dtype=np.int32))
    if status == highspy.HighsStatus.kError:
        raise RuntimeError(f"market LP failed: HiGHS rejected the model ({status})")
    h.run()
    model_status = h.getModelStatus()
    if model_status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"market LP failed (HiGHS status {model_status}): "
                           f"{h.modelStatusToString(model_status)}")
    sol = h.getSolution()
    return np.array(sol.col_value), np.array(sol.row_dual)


_SOLVER = "highspy" if highspy is not None else "linprog"


def _solve_blocks(blocks: list[_LPBlock], solver: str | None = None
                  ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Solve independent LP blocks as one block-diagonal LP.

    Returns (x, row duals) per block, as HiGHS reports them. ``solver`` is "highspy" or
    "linprog" (default: ``_SOLVER``).
    """
    solver = _SOLVER if solver is None else solver
    run = {"highspy": _run_highspy, "linprog": _run_linprog}[solver]
    live = [b for b in blocks if b.n_vars > 0]
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    if live:
        x, dual = run(*_assemble(live))
        nv = nr = 0
        for b in live:
            out[id(b)] = (x[nv:nv + b.n_vars], dual[nr:nr + b.n_rows])
            nv += b.n_vars
            nr += b.n_rows
    empty = (np.zeros(0), np.zeros(0))
    return [out.get(id(b), empty) for b in blocks]


# --------------------------------------------------------------------------- results


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


def clear_with_lp(m: MarketInput, reference_price: float) -> MarketResult:
    """Clear by the welfare-maximising LP (HiGHS), whatever the restrictions.

    ``reference_price`` sets the transport epsilon and the LP's money scale. Raises
    ``RuntimeError`` with HiGHS' message if the solver fails.
    """
    ref = _check_reference_price(reference_price)
    block = _build_lp(m, ref)
    (x, dual), = _solve_blocks([block])
    return _finish_lp(block, x, dual)


def clear_market(m: MarketInput, reference_price: float) -> MarketResult:
    """Clear one good: merit order when nothing could bind, otherwise the LP."""
    if m.is_unrestricted():
        return clear_merit_order(m, reference_price)
    return clear_with_lp(m, reference_price)


def clear_stage(inputs: Sequence[MarketInput], reference_prices) -> list[MarketResult]:
    """Clear several goods at once: unrestricted ones by merit order, the others in one
    block-diagonal LP (one HiGHS call instead of several). Gives the same results as
    ``clear_market`` on each, up to ties between equally good solutions (e.g. how flows
    split between routes with equal landed cost) and the price of countries in a group
    where nothing trades. ``reference_prices`` is one number per input, or one for all.
    """
    inputs = list(inputs)
    r = np.asarray(reference_prices, dtype=float)
    if r.ndim == 0:
        refs = [_check_reference_price(r)] * len(inputs)
    else:
        if r.shape != (len(inputs),):
            r = np.broadcast_to(r, (len(inputs),))
        refs = [_check_reference_price(v) for v in r.tolist()]
    results: list[MarketResult | None] = [None] * len(inputs)
    lp_items = []
    for k, (m, ref) in enumerate(zip(inputs, refs)):
        if m.is_unrestricted():
            results[k] = clear_merit_order(m, ref)
        else:
            lp_items.append((k, _build_lp(m, ref)))
    if lp_items:
        solved = _solve_blocks([b for _, b in lp_items])
        for (k, b), (x, dual) in zip(lp_items, solved):
            results[k] = _finish_lp(b, x, dual)
    return results  # type: ignore[return-value]
