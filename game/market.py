"""Clearing the market for one good: quantities traded, flows between countries, prices.

Pure numpy/scipy; knows nothing of the game state. The caller turns facilities, sector
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
* Any other country with steps gets an optimal LP dual. Where the optimum leaves a range
  of valid prices, two cases are settled by rule within that range (see
  ``_settle_prices``): a country that exports all it produces gets buyers' prices as
  close to its producers' value as possible (not the wtp of its priced-out buyers), and
  a country none of whose routes carries flow gets the midpoint of its export and import
  parity prices (a priced-out importer pays the import parity; an exporter selling
  nothing gets the export parity, not below zero if avoidable). An unrestricted market
  solved by the LP thus shows the world price everywhere, within epsilons. In other
  degenerate cases (exact ties at the margin; a group of countries none of which trades)
  the price is the valid value HiGHS returns, not necessarily a midpoint; it is
  deterministic for a given input.
* A country with no steps (in either path) gets the price at which it could import:
  ``min(price[e] + wedge)`` over exporters ``e`` with supply, ``export_cap[e] > 0`` and an
  open route (``route_cap[e, i] > 0``) or arc (``arc_cap > 0``) into it, ignoring whether
  caps bind; NaN if there is none.
* The LP adds a transport cost ``TRANSPORT_EPS * reference_price`` to every route and arc
  so that goods never cross-haul; LP prices of trading partners therefore differ by that
  epsilon (and a tariff gap is ``tariff + epsilon``).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import NoReturn, Sequence

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

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

#: Per-unit transport cost on every route and arc in the LP, as a share of the reference price.
TRANSPORT_EPS = 1e-6


# --------------------------------------------------------------------------- input checks

def _fail(msg: str) -> NoReturn:
    raise ValueError(f"MarketInput: {msg}")


def _index_array(name: str, value, n: int, length: int | None = None) -> np.ndarray:
    a = np.asarray(value)
    if a.ndim != 1:
        _fail(f"{name} must be 1-D, got shape {a.shape}")
    if a.size == 0:
        a = np.zeros(0, dtype=np.intp)
    elif a.dtype.kind not in "iu":
        _fail(f"{name} must hold integers, got dtype {a.dtype}")
    if length is not None and a.shape[0] != length:
        _fail(f"{name} has length {a.shape[0]}, expected {length}")
    if a.size and (a.min() < 0 or a.max() >= n):
        _fail(f"{name} holds a country outside 0..{n - 1}")
    a = np.array(a, dtype=np.intp)
    a.flags.writeable = False
    return a


def _float_array(name: str, value, shape: tuple, *, nonneg: bool, allow_inf: bool) -> np.ndarray:
    try:
        a = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        _fail(f"{name} is not a numeric array ({exc})")
    if a.shape != shape:
        _fail(f"{name} has shape {a.shape}, expected {shape}")
    if np.isnan(a).any():
        _fail(f"{name} contains NaN")
    if not allow_inf and np.isinf(a).any():
        _fail(f"{name} contains an infinite value")
    if nonneg and (a < 0).any():
        _fail(f"{name} contains a negative value")
    a.flags.writeable = False
    return a


def _check_reference_price(reference_price) -> float:
    try:
        ref = float(reference_price)
    except (TypeError, ValueError):
        raise ValueError(f"reference_price must be a number, got {reference_price!r}") from None
    if not (math.isfinite(ref) and ref > 0):
        raise ValueError(f"reference_price must be finite and > 0, got {ref}")
    return ref


# --------------------------------------------------------------------------- data classes

@dataclass(frozen=True, eq=False)
class MarketInput:
    """The market for one good in one turn. Validated and copied on construction.

    Arrays are copied and made read-only, so a constructed input cannot change under the
    solver. Malformed input (wrong shapes, NaN, negative quantities, caps or wedges,
    countries out of range, an arc from a country to itself) raises ``ValueError``.
    ``route_cap``/``route_wedge`` diagonals are ignored. ``arc_cap`` defaults to
    unlimited and ``arc_wedge`` to zero when ``arc_from``/``arc_to`` are given.
    """

    n_countries: int
    supply_country: np.ndarray   # int (S,)
    supply_qty: np.ndarray       # float (S,) >= 0
    supply_cost: np.ndarray      # float (S,)
    demand_country: np.ndarray   # int (D,)
    demand_qty: np.ndarray       # float (D,) >= 0
    demand_wtp: np.ndarray       # float (D,)
    route_cap: np.ndarray | None = None    # (C, C); inf = unrestricted, 0 = banned
    route_wedge: np.ndarray | None = None  # (C, C) >= 0 per-unit cost on e->i
    export_cap: np.ndarray | None = None   # (C,); inf = none
    arc_from: np.ndarray | None = None     # (A,) extra arcs e->i (transshipment)
    arc_to: np.ndarray | None = None
    arc_cap: np.ndarray | None = None
    arc_wedge: np.ndarray | None = None
    # derived, filled in by __post_init__
    supply_total: np.ndarray = field(init=False, repr=False)  # (C,) offered quantity per country
    demand_total: np.ndarray = field(init=False, repr=False)  # (C,) bid quantity per country
    _unrestricted: bool | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        try:
            C = operator.index(self.n_countries)
        except TypeError:
            _fail(f"n_countries must be an integer, got {self.n_countries!r}")
        if C < 1:
            _fail(f"n_countries must be >= 1, got {C}")
        set_(self, "n_countries", C)

        sc = _index_array("supply_country", self.supply_country, C)
        S = sc.shape[0]
        set_(self, "supply_country", sc)
        set_(self, "supply_qty", _float_array("supply_qty", self.supply_qty, (S,), nonneg=True, allow_inf=False))
        set_(self, "supply_cost", _float_array("supply_cost", self.supply_cost, (S,), nonneg=False, allow_inf=False))

        dc = _index_array("demand_country", self.demand_country, C)
        D = dc.shape[0]
        set_(self, "demand_country", dc)
        set_(self, "demand_qty", _float_array("demand_qty", self.demand_qty, (D,), nonneg=True, allow_inf=False))
        set_(self, "demand_wtp", _float_array("demand_wtp", self.demand_wtp, (D,), nonneg=False, allow_inf=False))

        if self.route_cap is not None:
            set_(self, "route_cap", _float_array("route_cap", self.route_cap, (C, C), nonneg=True, allow_inf=True))
        if self.route_wedge is not None:
            set_(self, "route_wedge", _float_array("route_wedge", self.route_wedge, (C, C), nonneg=True, allow_inf=False))
        if self.export_cap is not None:
            set_(self, "export_cap", _float_array("export_cap", self.export_cap, (C,), nonneg=True, allow_inf=True))

        arc_given = [x is not None for x in (self.arc_from, self.arc_to, self.arc_cap, self.arc_wedge)]
        if any(arc_given):
            if self.arc_from is None or self.arc_to is None:
                _fail("arc_cap/arc_wedge given without arc_from and arc_to")
            af = _index_array("arc_from", self.arc_from, C)
            A = af.shape[0]
            at = _index_array("arc_to", self.arc_to, C, A)
            if (af == at).any():
                _fail("an extra arc goes from a country to itself")
            cap = np.full(A, np.inf) if self.arc_cap is None else self.arc_cap
            wedge = np.zeros(A) if self.arc_wedge is None else self.arc_wedge
            set_(self, "arc_from", af)
            set_(self, "arc_to", at)
            set_(self, "arc_cap", _float_array("arc_cap", cap, (A,), nonneg=True, allow_inf=True))
            set_(self, "arc_wedge", _float_array("arc_wedge", wedge, (A,), nonneg=True, allow_inf=False))

        st = np.bincount(sc, weights=self.supply_qty, minlength=C)
        dt = np.bincount(dc, weights=self.demand_qty, minlength=C)
        st.flags.writeable = False
        dt.flags.writeable = False
        set_(self, "supply_total", st)
        set_(self, "demand_total", dt)

    @property
    def n_arcs(self) -> int:
        return 0 if self.arc_from is None else int(self.arc_from.shape[0])

    def is_unrestricted(self) -> bool:
        """True when no cap or wedge could change the outcome, so one world price clears it.

        Only routes ``e->i`` with supply in ``e`` and demand in ``i`` matter. Such a route is
        unrestricted when its wedge is 0 and its cap is at least ``min(supply offered in e,
        demand bid in i)`` (no flow on it could exceed that); an export cap of at least the
        country's offered supply cannot bind either. Extra arcs never matter then: they
        cost at least as much as the open direct route they parallel.
        """
        if self._unrestricted is None:
            object.__setattr__(self, "_unrestricted", self._compute_unrestricted())
        return self._unrestricted

    def _compute_unrestricted(self) -> bool:
        st, dt = self.supply_total, self.demand_total
        has_s, has_d = st > 0, dt > 0
        if self.export_cap is not None and (self.export_cap[has_s] < st[has_s]).any():
            return False
        if self.route_cap is None and self.route_wedge is None:
            return True
        es, id_ = np.flatnonzero(has_s), np.flatnonzero(has_d)
        if es.size == 0 or id_.size == 0:
            return True
        relevant = es[:, None] != id_[None, :]
        if self.route_wedge is not None and (self.route_wedge[np.ix_(es, id_)][relevant] != 0).any():
            return False
        if self.route_cap is not None:
            need = np.minimum.outer(st[es], dt[id_])
            if (self.route_cap[np.ix_(es, id_)][relevant] < need[relevant]).any():
                return False
        return True


@dataclass(eq=False)
class MarketResult:
    """The cleared market.

    ``flows[e, i]`` is the quantity moved on the direct route e->i (zero diagonal; arc
    flows are not included), ``arc_flows`` the quantity on each extra arc (empty when
    there are none). ``price[c]`` is the price buyers pay in country c (see the module
    docstring for the conventions). ``used_lp`` is True for results of the network (LP)
    path, False for the single-world-price merit order.
    """

    supply_taken: np.ndarray   # (S,)
    demand_taken: np.ndarray   # (D,)
    flows: np.ndarray          # (C, C)
    arc_flows: np.ndarray      # (A,)
    price: np.ndarray          # (C,)
    used_lp: bool


def total_welfare(m: MarketInput, r: MarketResult) -> float:
    """Welfare of a result: value to buyers - cost of supply - wedges paid on flows.

    The LP's transport epsilon is not included.
    """
    w = float(m.demand_wtp @ r.demand_taken) - float(m.supply_cost @ r.supply_taken)
    if m.route_wedge is not None:
        w -= float((m.route_wedge * r.flows).sum())
    if m.n_arcs:
        w -= float(m.arc_wedge @ r.arc_flows)
    return w


# --------------------------------------------------------------------------- merit order

def _merit_core(cost, sqty, wtp, dqty):
    """Merit-order clearing of one market given as step arrays.

    Returns (supply taken, demand taken, price) with the price rule of the module docstring.
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
    """Fill in, in place, the price of countries without steps (see module docstring)."""
    has_s = m.supply_total > 0
    empty = ~(has_s | (m.demand_total > 0))
    if not empty.any():
        return
    C = m.n_countries
    can_export = has_s if m.export_cap is None else has_s & (m.export_cap > 0)
    open_ = np.broadcast_to(can_export[:, None], (C, C)).copy()
    if m.route_cap is not None:
        open_ &= m.route_cap > 0
    np.fill_diagonal(open_, False)
    landed = np.broadcast_to(price[:, None], (C, C))
    if m.route_wedge is not None:
        landed = landed + m.route_wedge
    best = np.where(open_, landed, np.inf).min(axis=0)
    if m.n_arcs:
        ok = can_export[m.arc_from] & (m.arc_cap > 0)
        np.minimum.at(best, m.arc_to[ok], price[m.arc_from[ok]] + m.arc_wedge[ok])
    price[empty] = np.where(np.isfinite(best[empty]), best[empty], np.nan)


def clear_merit_order(m: MarketInput, reference_price: float) -> MarketResult:
    """Clear by merit order at one world price. Valid only when ``m.is_unrestricted()``.

    Raises ``ValueError`` otherwise. Every country with steps gets the world price (see
    the module docstring for how it is chosen). Flows: each country first serves its own
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


# --------------------------------------------------------------------------- LP

@dataclass
class _LPBlock:
    """One good's LP in COO form, in scaled units (quantity / qscale, money / pscale)."""

    m: MarketInput
    qscale: float
    pscale: float
    sidx: np.ndarray      # supply steps in the LP
    didx: np.ndarray      # demand steps in the LP
    re: np.ndarray        # route variables e->i
    ri: np.ndarray
    aidx: np.ndarray      # arcs in the LP
    eq_country: np.ndarray  # country of each balance row
    isolated: np.ndarray    # countries cleared on their own (bool, (C,))
    c: np.ndarray
    ub: np.ndarray          # variable upper bounds (lower bounds are 0)
    eq_rows: np.ndarray
    eq_cols: np.ndarray
    eq_data: np.ndarray
    in_rows: np.ndarray     # inequality rows (<=)
    in_cols: np.ndarray
    in_data: np.ndarray
    in_rhs: np.ndarray
    origin_c: np.ndarray    # country of each origin-rule row (the first inequality rows)
    xcap_c: np.ndarray      # country of each export-cap row (the rows after those)

    @property
    def n_vars(self) -> int:
        return self.c.shape[0]

    @property
    def n_eq(self) -> int:
        return self.eq_country.shape[0]

    @property
    def n_in(self) -> int:
        return self.in_rhs.shape[0]


def _build_lp(m: MarketInput, ref: float) -> _LPBlock:
    C = m.n_countries
    st, dt = m.supply_total, m.demand_total
    has_s, has_d = st > 0, dt > 0
    can_export = has_s if m.export_cap is None else has_s & (m.export_cap > 0)

    mask = can_export[:, None] & has_d[None, :]
    if m.route_cap is not None:
        mask &= m.route_cap > 0
    np.fill_diagonal(mask, False)
    re, ri = np.nonzero(mask)
    if m.n_arcs:
        aidx = np.flatnonzero(can_export[m.arc_from] & has_d[m.arc_to] & (m.arc_cap > 0))
        ae, ai = m.arc_from[aidx], m.arc_to[aidx]
    else:
        aidx = ae = ai = np.zeros(0, dtype=np.intp)

    out_count = np.bincount(np.concatenate((re, ae)), minlength=C)
    in_count = np.bincount(np.concatenate((ri, ai)), minlength=C)
    isolated = (has_s | has_d) & (out_count == 0) & (in_count == 0)
    in_lp = (has_s | has_d) & ~isolated

    sidx = np.flatnonzero((m.supply_qty > 0) & in_lp[m.supply_country])
    didx = np.flatnonzero((m.demand_qty > 0) & in_lp[m.demand_country])
    nS, nD, nR, nA = sidx.shape[0], didx.shape[0], re.shape[0], aidx.shape[0]
    oD, oR, oA = nS, nS + nD, nS + nD + nR
    n = nS + nD + nR + nA

    qmax = 0.0
    if nS:
        qmax = float(m.supply_qty[sidx].max())
    if nD:
        qmax = max(qmax, float(m.demand_qty[didx].max()))
    # powers of two, so that scaling is exact: a flow at its cap comes back as the cap
    qscale = 2.0 ** math.ceil(math.log2(qmax)) if qmax > 0 else 1.0
    pscale = 2.0 ** math.ceil(math.log2(ref))

    r_cap = np.full(nR, np.inf) if m.route_cap is None else m.route_cap[re, ri]
    r_wedge = np.zeros(nR) if m.route_wedge is None else m.route_wedge[re, ri]
    a_cap = m.arc_cap[aidx] if nA else np.zeros(0)
    a_wedge = m.arc_wedge[aidx] if nA else np.zeros(0)
    c = np.concatenate((m.supply_cost[sidx], -m.demand_wtp[didx], r_wedge, a_wedge)) / pscale
    c[oR:] += TRANSPORT_EPS * ref / pscale
    ub = np.concatenate((m.supply_qty[sidx], m.demand_qty[didx], r_cap, a_cap)) / qscale

    # balance rows: supply - demand + inflow - outflow == 0, one per country in the LP
    eq_country = np.flatnonzero(in_lp)
    row_of = np.full(C, -1, dtype=np.intp)
    row_of[eq_country] = np.arange(eq_country.shape[0])
    route_cols = oR + np.arange(nR)
    arc_cols = oA + np.arange(nA)
    eq_rows = row_of[np.concatenate((m.supply_country[sidx], m.demand_country[didx], re, ri, ae, ai))]
    eq_cols = np.concatenate((np.arange(nS), oD + np.arange(nD), route_cols, route_cols, arc_cols, arc_cols))
    eq_data = np.concatenate((np.ones(nS), -np.ones(nD), -np.ones(nR), np.ones(nR), -np.ones(nA), np.ones(nA)))

    # inequality rows: the origin rule where a country both imports and exports, and
    # export caps that could bind (a cap >= the country's supply cannot).
    owner = np.concatenate((re, ae))
    out_cols = np.concatenate((route_cols, arc_cols))
    origin_c = np.flatnonzero((out_count > 0) & (in_count > 0))
    if m.export_cap is not None:
        xcap_c = np.flatnonzero((out_count > 0) & (m.export_cap < st))
    else:
        xcap_c = np.zeros(0, dtype=np.intp)
    k1 = origin_c.shape[0]
    orow = np.full(C, -1, dtype=np.intp)
    orow[origin_c] = np.arange(k1)
    xrow = np.full(C, -1, dtype=np.intp)
    xrow[xcap_c] = k1 + np.arange(xcap_c.shape[0])
    o_out = orow[owner]
    o_sup = orow[m.supply_country[sidx]]
    x_out = xrow[owner]
    sel_oo, sel_os, sel_xo = o_out >= 0, o_sup >= 0, x_out >= 0
    in_rows = np.concatenate((o_out[sel_oo], o_sup[sel_os], x_out[sel_xo]))
    in_cols = np.concatenate((out_cols[sel_oo], np.arange(nS)[sel_os], out_cols[sel_xo]))
    in_data = np.concatenate((np.ones(sel_oo.sum()), -np.ones(sel_os.sum()), np.ones(sel_xo.sum())))
    in_rhs = np.concatenate((np.zeros(k1), m.export_cap[xcap_c] / qscale if xcap_c.size else np.zeros(0)))

    assert c.shape[0] == n
    return _LPBlock(m, qscale, pscale, sidx, didx, re, ri, aidx, eq_country, isolated, c, ub,
                    eq_rows, eq_cols, eq_data, in_rows, in_cols, in_data, in_rhs, origin_c, xcap_c)


def _solve_blocks(blocks: list[_LPBlock]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Solve independent LP blocks as one block-diagonal LP.

    Returns (x, balance-row duals, inequality-row duals) per block, as HiGHS reports them.
    """
    live = [b for b in blocks if b.n_vars > 0]
    out: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    if live:
        cv, eqr, eqc, eqd, inr, inc, ind, rhs, ubs = [], [], [], [], [], [], [], [], []
        nv = neq = nin = 0
        for b in live:
            cv.append(b.c)
            ubs.append(b.ub)
            eqr.append(b.eq_rows + neq)
            eqc.append(b.eq_cols + nv)
            eqd.append(b.eq_data)
            inr.append(b.in_rows + nin)
            inc.append(b.in_cols + nv)
            ind.append(b.in_data)
            rhs.append(b.in_rhs)
            nv += b.n_vars
            neq += b.n_eq
            nin += b.n_in
        c = np.concatenate(cv)
        A_eq = sparse.csc_array((np.concatenate(eqd), (np.concatenate(eqr), np.concatenate(eqc))),
                                shape=(neq, nv))
        if nin:
            A_ub = sparse.csc_array((np.concatenate(ind), (np.concatenate(inr), np.concatenate(inc))),
                                    shape=(nin, nv))
            b_ub = np.concatenate(rhs)
        else:
            A_ub = b_ub = None
        bounds = np.column_stack((np.zeros(nv), np.concatenate(ubs)))
        # presolve buys nothing on LPs this small and well scaled, and costs ~10%
        res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=np.zeros(neq), bounds=bounds,
                      method="highs", options={"presolve": False})
        if res.status != 0 or res.x is None:
            raise RuntimeError(f"market LP failed (HiGHS status {res.status}): {res.message}")
        eq_duals = np.asarray(res.eqlin.marginals)
        in_duals = np.asarray(res.ineqlin.marginals) if nin else np.zeros(0)
        nv = neq = nin = 0
        for b in live:
            out[id(b)] = (res.x[nv:nv + b.n_vars], eq_duals[neq:neq + b.n_eq],
                          in_duals[nin:nin + b.n_in])
            nv += b.n_vars
            neq += b.n_eq
            nin += b.n_in
    empty = (np.zeros(0), np.zeros(0), np.zeros(0))
    return [out.get(id(b), empty) for b in blocks]


def _max(a: np.ndarray) -> float:
    return float(a.max()) if a.size else -math.inf


def _min(a: np.ndarray) -> float:
    return float(a.min()) if a.size else math.inf


def _settle_prices(b: _LPBlock, x: np.ndarray, price: np.ndarray, value: np.ndarray,
                   xcap_dual: np.ndarray) -> None:
    """Re-choose, in place, LP prices that the optimum leaves undetermined.

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
    nS, nD = b.sidx.shape[0], b.didx.shape[0]
    oD, oR = nS, nS + nD
    tol = 1e-9
    vflow = x[oR:]
    vcap = b.ub[oR:]
    vfrom = np.concatenate((b.re, m.arc_from[b.aidx] if b.aidx.size else b.aidx))
    vto = np.concatenate((b.ri, m.arc_to[b.aidx] if b.aidx.size else b.aidx))
    vcost = b.c[oR:] * b.pscale
    moving = vflow > tol
    C = m.n_countries
    busy = np.zeros(C, dtype=bool)
    busy[vfrom[moving]] = True
    busy[vto[moving]] = True
    in_lp = np.zeros(C, dtype=bool)
    in_lp[b.eq_country] = True
    idle = in_lp & ~busy
    premium = np.flatnonzero(in_lp & busy & (value > price))
    if not idle.any() and premium.size == 0:
        return
    exports = np.zeros(C, dtype=bool)
    exports[vfrom] = True
    imports = np.zeros(C, dtype=bool)
    imports[vto] = True
    at_cap = vflow >= vcap - tol
    s_c = m.supply_country[b.sidx]
    s_x, s_q, s_cost = x[:oD], b.ub[:oD], m.supply_cost[b.sidx]
    d_c = m.demand_country[b.didx]
    d_x, d_q, d_wtp = x[oD:oR], b.ub[oD:oR], m.demand_wtp[b.didx]
    s_some, s_room = s_x > tol, s_x < s_q - tol
    d_some, d_room = d_x > tol, d_x < d_q - tol

    def idle_bounds(i):
        """(lo, hi, import parity, export parity, sells) for idle country i."""
        sm, dm = s_c == i, d_c == i
        inn, out = vto == i, vfrom == i
        import_parity = _min(value[vfrom[inn]] + xcap_dual[vfrom[inn]] + vcost[inn])
        export_parity = _max(price[vto[out]] - vcost[out])
        sells = bool((sm & s_some).any())
        lo = _max(d_wtp[dm & d_room])
        hi = min(_min(d_wtp[dm & d_some]), _min(s_cost[sm & s_room]), import_parity)
        if sells:
            lo = max(lo, _max(s_cost[sm & s_some]), export_parity)
        return lo, hi, import_parity, export_parity, sells

    # (1) idle exporters at their dearest admissible value
    for i in np.flatnonzero(idle & exports):
        lo, hi, _, _, sells = idle_bounds(i)
        if sells:               # sells at home: buyers' price and value move together
            if lo <= hi:
                price[i] = value[i] = hi
        else:                   # all its supply is idle: value up to its cheapest offer
            top = _min(s_cost[(s_c == i) & s_room])
            if top >= value[i]:
                value[i] = top
                if not imports[i]:   # no origin row: buyers' price is the value
                    price[i] = top

    # (2) buyers' price of countries exporting all they produce, up to the producers' value
    for i in premium:
        dm = d_c == i
        inn = vto == i
        landed = value[vfrom[inn]] + xcap_dual[vfrom[inn]] + vcost[inn]
        lo = max(_max(d_wtp[dm & d_room]), _max(landed[at_cap[inn] | moving[inn]]))
        hi = min(_min(d_wtp[dm & d_some]), _min(landed[~at_cap[inn]]), value[i])
        if lo <= hi:
            price[i] = hi

    # (3) idle countries at the midpoint of their parities, pure buyers first
    order = np.concatenate((np.flatnonzero(idle & ~exports), np.flatnonzero(idle & exports)))
    for i in order:
        lo, hi, import_parity, export_parity, sells = idle_bounds(i)
        if lo > hi:
            continue  # numerical noise: keep the current value
        if math.isfinite(import_parity) and math.isfinite(export_parity):
            target = 0.5 * (import_parity + export_parity)
        else:
            target = import_parity if math.isfinite(import_parity) else export_parity
        p = min(max(target, 0.0, lo), hi)   # not below zero where the interval allows
        price[i] = p
        # producers: as buyers when they sell at home; otherwise at least export parity
        value[i] = p if sells else max(p, export_parity)


def _finish_lp(b: _LPBlock, x: np.ndarray, dual: np.ndarray, in_dual: np.ndarray) -> MarketResult:
    m = b.m
    C = m.n_countries
    nS, nD, nR = b.sidx.shape[0], b.didx.shape[0], b.re.shape[0]
    oD, oR, oA = nS, nS + nD, nS + nD + nR
    q = b.qscale

    s_taken = np.zeros(m.supply_qty.shape[0])
    d_taken = np.zeros(m.demand_qty.shape[0])
    s_taken[b.sidx] = np.clip(x[:oD] * q, 0.0, m.supply_qty[b.sidx])
    d_taken[b.didx] = np.clip(x[oD:oR] * q, 0.0, m.demand_qty[b.didx])
    flows = np.zeros((C, C))
    if nR:
        cap = np.inf if m.route_cap is None else m.route_cap[b.re, b.ri]
        flows[b.re, b.ri] = np.clip(x[oR:oA] * q, 0.0, cap)
    arc_flows = np.zeros(m.n_arcs)
    if b.aidx.shape[0]:
        arc_flows[b.aidx] = np.clip(x[oA:] * q, 0.0, m.arc_cap[b.aidx])
    if b.xcap_c.shape[0]:
        # a binding export cap may be overshot by rounding: shrink that country's exports
        out = flows[b.xcap_c].sum(axis=1)
        if m.n_arcs:
            out += np.bincount(m.arc_from, weights=arc_flows, minlength=C)[b.xcap_c]
        cap = m.export_cap[b.xcap_c]
        over = out > cap
        if over.any():
            for e, f in zip(b.xcap_c[over], cap[over] / out[over]):
                flows[e] *= f
                if m.n_arcs:
                    arc_flows[m.arc_from == e] *= f

    price = np.full(C, np.nan)
    if b.n_eq:
        price[b.eq_country] = dual * b.pscale
        # ineqlin marginals are <= 0 for a minimisation; their negation is the worth of
        # relaxing a country's origin row or export cap by one unit
        value = price.copy()
        xcap_dual = np.zeros(C)
        if b.n_in:
            k1 = b.origin_c.shape[0]
            value[b.origin_c] -= in_dual[:k1] * b.pscale
            xcap_dual[b.xcap_c] = -in_dual[k1:] * b.pscale
        _settle_prices(b, x, price, value, xcap_dual)
    for c_ in np.flatnonzero(b.isolated):
        sm = m.supply_country == c_
        dm = m.demand_country == c_
        st_, dt_, p = _merit_core(m.supply_cost[sm], m.supply_qty[sm], m.demand_wtp[dm], m.demand_qty[dm])
        s_taken[sm] = st_
        d_taken[dm] = dt_
        price[c_] = p
    _no_step_prices(m, price)
    return MarketResult(s_taken, d_taken, flows, arc_flows, price, True)


def clear_with_lp(m: MarketInput, reference_price: float) -> MarketResult:
    """Clear by the welfare-maximising LP (HiGHS), whatever the restrictions.

    ``reference_price`` sets the transport epsilon and the LP's money scale. Raises
    ``RuntimeError`` with HiGHS' message if the solver fails.
    """
    ref = _check_reference_price(reference_price)
    block = _build_lp(m, ref)
    (x, dual, in_dual), = _solve_blocks([block])
    return _finish_lp(block, x, dual, in_dual)


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
    refs = np.broadcast_to(np.asarray(reference_prices, dtype=float), (len(inputs),))
    refs = [_check_reference_price(r) for r in refs]
    results: list[MarketResult | None] = [None] * len(inputs)
    lp_items = []
    for k, (m, ref) in enumerate(zip(inputs, refs)):
        if m.is_unrestricted():
            results[k] = clear_merit_order(m, ref)
        else:
            lp_items.append((k, _build_lp(m, ref)))
    if lp_items:
        solved = _solve_blocks([b for _, b in lp_items])
        for (k, b), (x, dual, in_dual) in zip(lp_items, solved):
            results[k] = _finish_lp(b, x, dual, in_dual)
    return results  # type: ignore[return-value]
