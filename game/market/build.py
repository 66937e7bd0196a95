"""Building one good's market LP: the column-wise model HiGHS solves, with the free
exporters pooled. Part of the market; game.market describes the model and the formulation."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from game.market.inputs import TRANSPORT_EPS, MarketInput


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


#: Pool the shipments of free exporters (see game.market's docstring). False gives the plain
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
    out_any = mask.any(axis=1)
    in_any = mask.any(axis=0)
    if hub:
        free = _free_exporters(m, can_export, relevant)
        pooled = mask & free[:, None]
        pe = (out_any & free).nonzero()[0]      # the rows of pooled with a route
        pi = pooled.any(axis=0).nonzero()[0]
        direct = mask ^ pooled
    else:
        pe = pi = np.zeros(0, dtype=np.intp)
        direct = mask
    re, ri = np.divmod(direct.ravel().nonzero()[0], C)
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
    bal, orow, xrow = rows[0], rows[1], rows[2]
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
    # entries per column: the four slots added (quicker than used.sum(axis=1) at this size)
    u = used.view(np.int8)
    np.cumsum(u[:, 0] + u[:, 1] + u[:, 2] + u[:, 3], dtype=np.int32, out=start[1:])

    return _LPBlock(m, qscale, pscale, sidx, didx, re, ri, aidx, pe, pi, eq_country, isolated,
                    c, ub, start, R.ravel()[nz], V.ravel()[nz], row_hi, n_bal, origin_c, xcap_c)
