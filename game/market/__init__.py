"""The market: clearing each good of a turn, country by country, under the turn's restrictions.

How a turn's market is cleared
------------------------------
The production phase (``game.phases.production``) walks the recipe graph in chain order,
ores first. For each chain level it turns plants, sector demand, stock orders and trade
measures into one :class:`MarketInput` per good (``game.market.routes`` works out each
good's route caps, tariffs, export caps and transshipment arcs from the measures in
force) and hands the level to :func:`clear_stage`. A good no restriction can bind clears
by merit order at one world price (``merit_order``); the others are built into one
block-diagonal LP (``build``), solved by HiGHS in one call (``solve``), and read back into
quantities, flows and a price per country (``prices``). What plants buy at one level is
what they can turn into output at the next, so an upstream shortage reaches downstream
goods within the same turn.

The package: ``inputs`` (what a clearing takes and gives back), ``merit_order``,
``build``, ``solve``, ``prices``, ``routes``. This module is the public face and
re-exports the parts' names for callers and tests.

Clearing one good is pure numpy/scipy (and highspy, when installed) and knows nothing of
the game state: the caller builds a :class:`MarketInput` for one good and gets a
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

from typing import Sequence

import numpy as np

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

# The parts' names are re-exported for callers and tests (see the docstring above).
from game.market.inputs import (  # noqa: F401
    MarketInput,
    MarketResult,
    TRANSPORT_EPS,
    _check_reference_price,
    total_welfare,
)
from game.market.merit_order import (  # noqa: F401
    _clear_isolated,
    _merit_core,
    _no_step_prices,
    clear_merit_order,
)
from game.market.build import _HUB, _LPBlock, _build_lp, _free_exporters  # noqa: F401
from game.market.solve import (  # noqa: F401
    _SOLVER,
    _assemble,
    _highs,
    _quiet_call,
    _run_highspy,
    _run_linprog,
    _solve_blocks,
    highspy,
)
from game.market.prices import (  # noqa: F401
    _clip0,
    _finish_lp,
    _pair_view,
    _pool_legs,
    _pool_shares,
    _raw_prices,
    _settle_prices,
)


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
