"""What a market clearing takes and gives back: validated inputs, results, welfare.

Part of the market; game.market describes the model and its conventions."""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import NoReturn

import numpy as np


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

    @classmethod
    def trusted(cls, n_countries: int, supply_country: np.ndarray, supply_qty: np.ndarray,
                supply_cost: np.ndarray, demand_country: np.ndarray, demand_qty: np.ndarray,
                demand_wtp: np.ndarray, route_cap=None, route_wedge=None, export_cap=None,
                arc_from=None, arc_to=None, arc_cap=None, arc_wedge=None) -> "MarketInput":
        """An input built without checks or copies, for the engine's own hot loop.

        The caller guarantees what ``__post_init__`` would check: countries as intp arrays
        in range, float64 quantities >= 0 and finite, caps >= 0, wedges finite and >= 0,
        and the four arc arrays given together (or none). The arrays are used as given
        and must not change while the input is in use.
        """
        self = object.__new__(cls)
        set_ = object.__setattr__
        for name, value in (("n_countries", n_countries), ("supply_country", supply_country),
                            ("supply_qty", supply_qty), ("supply_cost", supply_cost),
                            ("demand_country", demand_country), ("demand_qty", demand_qty),
                            ("demand_wtp", demand_wtp), ("route_cap", route_cap),
                            ("route_wedge", route_wedge), ("export_cap", export_cap),
                            ("arc_from", arc_from), ("arc_to", arc_to), ("arc_cap", arc_cap),
                            ("arc_wedge", arc_wedge), ("_unrestricted", None)):
            set_(self, name, value)
        set_(self, "supply_total", np.bincount(supply_country, weights=supply_qty, minlength=n_countries))
        set_(self, "demand_total", np.bincount(demand_country, weights=demand_qty, minlength=n_countries))
        return self

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
    pool is split among its importers pro rata, see game.market), ``arc_flows`` the
    quantity on each extra arc (empty when there are none). ``price[c]`` is the price
    buyers pay in country c (game.market's docstring has the conventions). ``used_lp`` is
    True for results of the network (LP) path, False for the single-world-price merit order.
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
