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

import ctypes
import functools
import math
import operator
import os
import sys
import threading
from dataclasses import dataclass, field
from typing import NoReturn, Sequence

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

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

#: Per-unit transport cost on every route and arc in the LP, as a share of the reference price.
TRANSPORT_EPS = 1e-6


# --------------------------------------------------------------------------- input checks

def _fail(msg: str) -> NoReturn:
    raise ValueError(f"MarketInput: {msg}")


def _index_array(name: str, value, n: int, length: int | None = None) -> np.ndarray:
    if type(value) is np.ndarray and value.ndim == 1 and value.dtype.kind in "iu" and value.shape[0] and (
            length is None or value.shape[0] == length):
        # fast path: an integer array of the right shape (one copy, two reductions)
        if _min_reduce(value) >= 0 and _max_reduce(value) < n:
            a = value.astype(np.intp)   # always a copy
            a.flags.writeable = False
            return a
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


_min_reduce = np.minimum.reduce
_max_reduce = np.maximum.reduce
_INF = math.inf


def _float_array(name: str, value, shape: tuple, *, nonneg: bool, allow_inf: bool) -> np.ndarray:
    if type(value) is np.ndarray and value.shape == shape and value.dtype.kind in "fiu" and value.size:
        # fast path: one copy and one or two reductions (min and max propagate NaN, which
        # fails every comparison); anything suspect falls through to the full checks
        a = value.astype(np.float64)    # always a copy
        lo = _min_reduce(a, axis=None)
        ok = lo >= 0.0 if nonneg else lo > -_INF if not allow_inf else lo == lo
        if ok and not allow_inf:
            ok = _max_reduce(a, axis=None) < _INF
        if ok:
            a.flags.writeable = False
            return a
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
        # whole-matrix tests (C is small, so few numpy calls beat fancy indexing); a
        # country without supply (demand) has st == 0 (dt == 0), so the need below is 0
        # there and no cap (>= 0) falls short of it; only the diagonal is masked out
        st, dt = self.supply_total, self.demand_total
        if self.export_cap is not None and (self.export_cap < st).any():
            return False
        if self.route_cap is None and self.route_wedge is None:
            return True
        C = self.n_countries
        if self.route_wedge is not None:
            bad = (self.route_wedge != 0) & (st > 0)[:, None] & (dt > 0)
            if self.route_cap is not None:
                bad |= self.route_cap < np.minimum.outer(st, dt)
        else:
            bad = self.route_cap < np.minimum.outer(st, dt)
        bad.ravel()[::C + 1] = False
        return not bad.any()


@dataclass(eq=False)
class MarketResult:
    """The cleared market.

    ``flows[e, i]`` is the quantity moved on the direct route e->i (zero diagonal; arc
    flows are not included; what unrestricted exporters ship through the LP's world
    pool is split among its importers pro rata, see the module docstring), ``arc_flows`` the quantity on each extra arc (empty when
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
    nz = (R.ravel() >= 0).nonzero()[0]          # row-major: column by column
    start = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(nz >> 2, minlength=n), out=start[1:])

    return _LPBlock(m, qscale, pscale, sidx, didx, re, ri, aidx, pe, pi, eq_country, isolated,
                    c, ub, start, R.ravel()[nz], V.ravel()[nz], row_hi, n_bal, origin_c, xcap_c)


# --------------------------------------------------------------------------- solvers

_LOCAL = threading.local()


def _quiet_call(fn):
    """Call fn with the process' stdout (file descriptor 1) sent to /dev/null: the
    Highs constructor prints a banner from C++ that no Python redirection catches."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):
        return fn()
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            try:
                return fn()
            finally:
                try:            # what C++ wrote may still sit in the C library's buffer
                    ctypes.CDLL(None).fflush(None)
                except (OSError, AttributeError, TypeError):
                    pass
                os.dup2(saved, 1)
        finally:
            os.close(devnull)
    finally:
        os.close(saved)


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


def _assemble(live: list[_LPBlock]):
    """The blocks as one block-diagonal LP: (c, ub, start, index, value, row_lo, row_hi)."""
    starts, indices, ineq = [], [], []
    nnz = nrow = 0
    for b in live:
        starts.append(b.start[:-1] + nnz)
        indices.append(b.index + nrow)
        nnz += b.index.shape[0]
        ineq.append((nrow + b.n_bal, nrow + b.n_rows))
        nrow += b.n_rows
    starts.append(np.array([nnz], dtype=np.int32))
    row_lo = np.zeros(nrow)             # balance rows == 0, the others <= row_hi
    for lo, hi in ineq:
        row_lo[lo:hi] = -np.inf
    return (np.concatenate([b.c for b in live]), np.concatenate([b.ub for b in live]),
            np.concatenate(starts), np.concatenate(indices),
            np.concatenate([b.value for b in live]), row_lo,
            np.concatenate([b.row_hi for b in live]))


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


def _run_linprog(c, ub, start, index, value, row_lo, row_hi):
    n = c.shape[0]
    eq = row_lo == row_hi            # balance rows; the others are "<=" rows
    ineq = ~eq
    col = np.repeat(np.arange(n), np.diff(start))
    on_eq = eq[index]
    renumber = np.where(eq, np.cumsum(eq) - 1, np.cumsum(ineq) - 1)
    A_eq = sparse.csc_array((value[on_eq], (renumber[index[on_eq]], col[on_eq])),
                            shape=(int(eq.sum()), n))
    A_ub = b_ub = None
    if ineq.any():
        on_in = ~on_eq
        A_ub = sparse.csc_array((value[on_in], (renumber[index[on_in]], col[on_in])),
                                shape=(int(ineq.sum()), n))
        b_ub = row_hi[ineq]
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=row_hi[eq],
                  bounds=np.column_stack((np.zeros(n), ub)),
                  method="highs", options={"presolve": False})
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"market LP failed (HiGHS status {res.status}): {res.message}")
    dual = np.empty(row_lo.shape[0])
    dual[eq] = res.eqlin.marginals
    if ineq.any():
        dual[ineq] = res.ineqlin.marginals
    return np.asarray(res.x), dual


#: The LP solver: "highspy" (HiGHS called directly) when the package is installed,
#: otherwise "linprog" (HiGHS through scipy.optimize.linprog, slower per call).
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


def _finish_lp(b: _LPBlock, x: np.ndarray, dual: np.ndarray) -> MarketResult:
    m = b.m
    C = m.n_countries
    oD, oR, oA, oP, _ = b.offsets
    q = b.qscale

    s_taken = np.zeros(m.supply_qty.shape[0])
    d_taken = np.zeros(m.demand_qty.shape[0])
    s_taken[b.sidx] = np.clip(x[:oD] * q, 0.0, m.supply_qty[b.sidx])
    d_taken[b.didx] = np.clip(x[oD:oR] * q, 0.0, m.demand_qty[b.didx])
    flows = np.zeros((C, C))
    if oA > oR:
        cap = np.inf if m.route_cap is None else m.route_cap[b.re, b.ri]
        flows[b.re, b.ri] = np.clip(x[oR:oA] * q, 0.0, cap)
    out, take = _pool_legs(b, x)
    if b.pe.shape[0]:
        # pool shipments: each exporter's net shipment shared pro rata to net takes (a
        # country is on one side only, so the diagonal stays zero)
        ix = (b.pe[:, None], b.pi)
        pool = (out[b.pe] * q)[:, None] * _pool_shares(b, take)
        flows[ix] = pool if m.route_cap is None else np.minimum(pool, m.route_cap[ix])
    arc_flows = np.zeros(m.n_arcs)
    if oP > oA:
        arc_flows[b.aidx] = np.clip(x[oA:oP] * q, 0.0, m.arc_cap[b.aidx])
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
