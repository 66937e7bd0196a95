"""Tests of game.market: hand-computed cases, conventions, invariants and properties."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import game.market.solve as lp_backend
import game.market.build as lp_build
import game.market as market
from game.market import (
    TRANSPORT_EPS,
    MarketInput,
    MarketResult,
    clear_market,
    clear_merit_order,
    clear_stage,
    clear_with_lp,
    total_welfare,
)

INF = np.inf


def mk(C, supply, demand, **kw) -> MarketInput:
    """supply/demand: lists of (country, qty, cost-or-wtp)."""
    s = np.array(supply, dtype=float).reshape(-1, 3)
    d = np.array(demand, dtype=float).reshape(-1, 3)
    return MarketInput(C, s[:, 0].astype(int), s[:, 1], s[:, 2],
                       d[:, 0].astype(int), d[:, 1], d[:, 2], **kw)


def caps(C, banned=()) -> np.ndarray:
    cap = np.full((C, C), INF)
    for e, i in banned:
        cap[e, i] = 0.0
    return cap


def check_invariants(m: MarketInput, r: MarketResult, tol=1e-9) -> None:
    C = m.n_countries
    scale = max(1.0, m.supply_qty.sum(), m.demand_qty.sum())
    assert r.supply_taken.shape == m.supply_qty.shape
    assert r.demand_taken.shape == m.demand_qty.shape
    assert r.flows.shape == (C, C)
    assert r.arc_flows.shape == (m.n_arcs,)
    assert r.price.shape == (C,)
    assert (r.supply_taken >= 0).all() and (r.supply_taken <= m.supply_qty).all()
    assert (r.demand_taken >= 0).all() and (r.demand_taken <= m.demand_qty).all()
    assert (r.flows >= 0).all() and (np.diag(r.flows) == 0).all()
    assert (r.arc_flows >= 0).all()
    got = np.bincount(m.supply_country, weights=r.supply_taken, minlength=C)
    used = np.bincount(m.demand_country, weights=r.demand_taken, minlength=C)
    inflow = r.flows.sum(axis=0)
    outflow = r.flows.sum(axis=1)
    if m.n_arcs:
        inflow = inflow + np.bincount(m.arc_to, weights=r.arc_flows, minlength=C)
        outflow = outflow + np.bincount(m.arc_from, weights=r.arc_flows, minlength=C)
    np.testing.assert_allclose(got + inflow, used + outflow, rtol=0, atol=tol * scale)
    # origin rule: nobody exports more than it supplies itself
    assert (outflow <= got + tol * scale).all()
    if m.route_cap is not None:
        off = ~np.eye(C, dtype=bool)
        assert (r.flows[off] <= m.route_cap[off]).all()
        assert (r.flows[(m.route_cap == 0) & off] == 0).all()
    if m.export_cap is not None:
        assert (outflow <= m.export_cap * (1 + 1e-12)).all()
    if m.n_arcs:
        assert (r.arc_flows <= m.arc_cap).all()
        assert (r.arc_flows[m.arc_cap == 0] == 0).all()


def eps_of(ref):
    return TRANSPORT_EPS * ref


# --------------------------------------------------------------------------- hand cases

# A (0): supply 10 @ 2, demand 4 @ 5.  B (1): supply 2 @ 6, demand 3 @ 20 and 5 @ 4.
# C (2): supply 0.5 @ 8, no demand.
THREE = dict(
    supply=[(0, 10, 2), (1, 2, 6), (2, 0.5, 8)],
    demand=[(0, 4, 5), (1, 3, 20), (1, 5, 4)],
)


def test_unrestricted_world_price_by_hand():
    m = mk(3, **THREE)
    assert m.is_unrestricted()
    r = clear_market(m, 4.0)
    assert not r.used_lp
    # merit: A's 10 units clear against 20(3), 5(4), 4(3 of 5); B's step at 6 is rejected
    np.testing.assert_allclose(r.supply_taken, [10, 0, 0])
    np.testing.assert_allclose(r.demand_taken, [4, 3, 3])
    np.testing.assert_allclose(r.price, [4, 4, 4])          # [max(2, 4), min(4, 6)]
    assert r.flows[0, 1] == pytest.approx(6)
    assert r.flows.sum() == pytest.approx(6)
    check_invariants(m, r)


def test_lp_matches_merit_quantities_when_unrestricted():
    m = mk(3, **THREE)
    a = clear_merit_order(m, 4.0)
    b = clear_with_lp(m, 4.0)
    assert b.used_lp
    np.testing.assert_allclose(b.supply_taken, a.supply_taken, atol=1e-9)
    np.testing.assert_allclose(b.demand_taken, a.demand_taken, atol=1e-9)
    np.testing.assert_allclose(b.flows, a.flows, atol=1e-9)
    assert b.price[1] == pytest.approx(4.0, abs=1e-9)
    assert b.price[0] == pytest.approx(4.0 - eps_of(4.0), abs=1e-9)
    check_invariants(m, b)


def test_ban_splits_prices():
    m = mk(3, **THREE, route_cap=caps(3, banned=[(0, 1)]))
    assert not m.is_unrestricted()
    r = clear_market(m, 4.0)
    assert r.used_lp
    check_invariants(m, r)
    assert r.flows[0, 1] == 0
    # exporter A keeps only its own demand; its supply is marginal: price falls 4 -> 2
    assert r.price[0] == pytest.approx(2.0, abs=1e-9)
    np.testing.assert_allclose(r.supply_taken, [4, 2, 0.5], atol=1e-9)
    # importer B gets its own 2 and C's 0.5, short of the 3-unit top tranche: price -> 20
    assert r.price[1] == pytest.approx(20.0, abs=1e-9)
    np.testing.assert_allclose(r.demand_taken, [4, 2.5, 0], atol=1e-9)
    assert r.flows[2, 1] == pytest.approx(0.5)
    assert 8 - 1e-9 <= r.price[2] <= 20 + 1e-9    # C sells everything: any price in [cost, B's]


def test_tariff_gives_price_gap_equal_to_tariff():
    ref = 5.0
    wedge = np.zeros((2, 2))
    wedge[0, 1] = 1.5
    m = mk(2, supply=[(0, 10, 2), (1, 10, 5)], demand=[(1, 5, 10)], route_wedge=wedge)
    r = clear_market(m, ref)
    assert r.used_lp
    check_invariants(m, r)
    assert r.flows[0, 1] == pytest.approx(5)        # landed cost 3.5 beats B's 5
    assert r.price[0] == pytest.approx(2.0, abs=1e-9)
    assert r.price[1] - r.price[0] == pytest.approx(1.5, abs=2 * eps_of(ref))
    assert total_welfare(m, r) == pytest.approx(5 * 10 - 5 * 2 - 5 * 1.5)


def test_tariff_too_high_stops_trade():
    wedge = np.zeros((2, 2))
    wedge[0, 1] = 4.0
    m = mk(2, supply=[(0, 10, 2), (1, 10, 5)], demand=[(1, 5, 10)], route_wedge=wedge)
    r = clear_market(m, 5.0)
    assert r.flows[0, 1] == 0
    assert r.price[1] == pytest.approx(5.0, abs=1e-9)
    # A sells nothing: its price is the export parity, B's price net of the tariff
    assert r.price[0] == pytest.approx(5.0 - 4.0 - eps_of(5.0), abs=1e-9)


def test_export_cap_binds():
    m = mk(2, supply=[(0, 10, 2), (1, 10, 6)], demand=[(1, 8, 10)],
           export_cap=np.array([3.0, INF]))
    r = clear_market(m, 5.0)
    assert r.used_lp
    check_invariants(m, r)
    assert r.flows[0, 1] == pytest.approx(3.0, abs=1e-12)
    assert r.flows[0, 1] <= 3.0
    np.testing.assert_allclose(r.supply_taken, [3, 5], atol=1e-9)
    assert r.price[0] == pytest.approx(2.0, abs=1e-9)
    assert r.price[1] == pytest.approx(6.0, abs=1e-9)


def test_route_cap_binds():
    cap = caps(2)
    cap[0, 1] = 2.5
    m = mk(2, supply=[(0, 10, 2), (1, 10, 6)], demand=[(1, 8, 10)], route_cap=cap)
    r = clear_market(m, 5.0)
    check_invariants(m, r)
    assert r.flows[0, 1] == pytest.approx(2.5, abs=1e-12)
    assert r.price[1] == pytest.approx(6.0, abs=1e-9)


def test_transshipment_arc_carries_flow_around_ban_at_markup():
    ref = 4.0
    m = mk(2, supply=[(0, 10, 2), (1, 10, 6)], demand=[(1, 6, 10)],
           route_cap=caps(2, banned=[(0, 1)]),
           arc_from=np.array([0]), arc_to=np.array([1]),
           arc_cap=np.array([100.0]), arc_wedge=np.array([1.0]))
    r = clear_market(m, ref)
    check_invariants(m, r)
    assert r.flows[0, 1] == 0
    assert r.arc_flows[0] == pytest.approx(6)
    assert r.price[0] == pytest.approx(2.0, abs=1e-9)
    assert r.price[1] - r.price[0] == pytest.approx(1.0, abs=2 * eps_of(ref))


def test_arc_cap_binds_and_counts_against_export_cap():
    m = mk(2, supply=[(0, 10, 2), (1, 10, 6)], demand=[(1, 6, 10)],
           route_cap=caps(2, banned=[(0, 1)]), export_cap=np.array([3.0, INF]),
           arc_from=np.array([0]), arc_to=np.array([1]),
           arc_cap=np.array([4.0]), arc_wedge=np.array([1.0]))
    r = clear_market(m, 4.0)
    check_invariants(m, r)
    assert r.arc_flows[0] == pytest.approx(3.0, abs=1e-12)
    assert r.price[1] == pytest.approx(6.0, abs=1e-9)


def test_origin_rule_no_transit_through_third_country():
    # A (0) supply 10 @ 1; B (1) supply 2 @ 3, demand 6 @ 2; C (2) demand 10 @ 50; A->C banned.
    m = mk(3, supply=[(0, 10, 1), (1, 2, 3)], demand=[(1, 6, 2), (2, 10, 50)],
           route_cap=caps(3, banned=[(0, 2)]))
    r = clear_market(m, 3.0)
    check_invariants(m, r)
    # B swaps: eats A's ore, exports its own 2 units to C; it cannot pass A's on.
    assert r.flows[1, 2] == pytest.approx(2)
    assert r.flows[0, 1] == pytest.approx(6)
    assert r.demand_taken[1] == pytest.approx(2)
    assert r.price[2] == pytest.approx(50, abs=1e-9)
    assert r.price[0] == pytest.approx(1, abs=1e-9)


def test_quantities_equal_when_unrestricted_with_irrelevant_restrictions():
    # a ban into a country with no demand and a tariff out of one with no supply cannot bind
    cap = caps(3, banned=[(0, 2)])
    wedge = np.zeros((3, 3))
    wedge[2, 1] = 3.0
    m = mk(3, supply=[(0, 10, 2), (1, 2, 6)], demand=[(0, 4, 5), (1, 3, 20), (1, 5, 4)],
           route_cap=cap, route_wedge=wedge, export_cap=np.array([10.0, 2.0, 0.0]))
    assert m.is_unrestricted()
    a = clear_market(m, 4.0)
    b = clear_with_lp(m, 4.0)
    assert not a.used_lp
    assert a.demand_taken.sum() == pytest.approx(b.demand_taken.sum(), abs=1e-9)
    assert a.supply_taken.sum() == pytest.approx(b.supply_taken.sum(), abs=1e-9)
    check_invariants(m, a)
    check_invariants(m, b)
    # country 2 has no steps: it could import from A only... but A->2 is banned, B sells
    # at 4 over an open route with no wedge
    assert a.price[2] == pytest.approx(4.0)


# --------------------------------------------------------------------------- conventions

def test_merit_price_conventions():
    only_demand = mk(2, supply=[], demand=[(0, 1, 7), (1, 1, 9)])
    assert clear_market(only_demand, 1.0).price.tolist() == [9, 9]
    only_supply = mk(2, supply=[(0, 1, 7), (1, 1, 3)], demand=[])
    assert clear_market(only_supply, 1.0).price.tolist() == [3, 3]
    nothing = mk(2, supply=[], demand=[])
    assert np.isnan(clear_market(nothing, 1.0).price).all()
    no_trade = mk(1, supply=[(0, 1, 10)], demand=[(0, 1, 4)])
    r = clear_market(no_trade, 1.0)
    assert r.price[0] == 7.0 and r.supply_taken[0] == 0
    # exact balance: interval [last accepted cost, last accepted wtp] -> midpoint
    exact = mk(1, supply=[(0, 5, 2), (0, 5, 9)], demand=[(0, 5, 6), (0, 5, 1)])
    r = clear_market(exact, 1.0)
    assert r.price[0] == pytest.approx((max(2, 1) + min(6, 9)) / 2)
    # a unit trades when wtp >= cost, ties included
    tie = mk(2, supply=[(0, 2, 5)], demand=[(1, 3, 5)])
    r = clear_market(tie, 1.0)
    assert r.supply_taken[0] == 2 and r.price.tolist() == [5, 5] and r.flows[0, 1] == 2
    # zero-quantity steps are ignored
    zero = mk(1, supply=[(0, 0, 0.5), (0, 5, 2)], demand=[(0, 2, 6), (0, 0, 100)])
    assert clear_market(zero, 1.0).price[0] == 2.0


def test_lp_isolated_and_stepless_countries():
    # 0 exports to 1 (tariff 1) and to 3 (open); 2 is cut off with only demand;
    # 3 has no steps; 4 has no steps and every route into it is banned.
    C = 5
    cap = caps(C, banned=[(0, 2), (1, 2), (0, 4), (1, 4)])
    wedge = np.zeros((C, C))
    wedge[0, 1] = 1.0
    wedge[0, 3] = 0.5
    m = mk(C, supply=[(0, 10, 2), (1, 1, 4)], demand=[(1, 5, 9), (2, 3, 30), (2, 3, 10)],
           route_cap=cap, route_wedge=wedge)
    r = clear_market(m, 2.0)
    check_invariants(m, r)
    assert r.price[0] == pytest.approx(2.0, abs=1e-9)
    assert r.price[1] == pytest.approx(3.0, abs=1e-5)
    assert r.price[2] == 30.0                        # only demand: highest wtp
    assert r.price[3] == pytest.approx(2.5, abs=1e-9)  # cheapest landed: 0's price + 0.5
    assert np.isnan(r.price[4])
    # an isolated country with both sides clears on its own
    m2 = mk(2, supply=[(0, 5, 2), (1, 3, 1)], demand=[(0, 2, 6), (1, 1, 5)],
            route_cap=caps(2, banned=[(0, 1), (1, 0)]))
    r2 = clear_market(m2, 1.0)
    assert r2.used_lp
    np.testing.assert_allclose(r2.price, [2.0, 1.0])
    np.testing.assert_allclose(r2.demand_taken, [2, 1])
    check_invariants(m2, r2)


def test_priced_out_importer_gets_import_parity():
    # A (0) sells to C (2); B (1) wants 3 units at 1.5 but A's goods land there at 2 + 1.
    wedge = np.zeros((3, 3))
    wedge[0, 1] = 1.0
    m = mk(3, supply=[(0, 10, 2)], demand=[(1, 3, 1.5), (2, 5, 10)], route_wedge=wedge)
    r = clear_market(m, 2.0)
    assert r.demand_taken[0] == 0
    assert r.price[0] == pytest.approx(2.0, abs=1e-9)
    assert r.price[1] == pytest.approx(3.0, abs=1e-5)


def test_exporter_buyers_pay_world_price_not_their_own_wtp():
    # A (0) exports everything to B (1); A's own buyers (wtp 2) are priced out. C (2) has
    # a dear supply step, so A could import and its origin rule row exists.
    m = mk(3, supply=[(0, 10, 1), (2, 1, 30)], demand=[(0, 5, 2), (1, 12, 20)],
           route_cap=caps(3, banned=[(2, 1)]))
    r = clear_market(m, 5.0)
    assert r.flows[0, 1] == pytest.approx(10)
    assert r.price[1] == pytest.approx(20, abs=1e-9)
    assert r.price[0] == pytest.approx(20, abs=1e-4)
    assert r.price[2] == pytest.approx(20, abs=1e-4)


def test_prices_nonnegative_for_normal_inputs():
    m = mk(3, **THREE, route_cap=caps(3, banned=[(0, 1), (2, 1)]))
    r = clear_market(m, 4.0)
    assert (r.price >= 0).all()


def test_deterministic():
    m = mk(3, **THREE, route_cap=caps(3, banned=[(0, 1)]))
    a, b = clear_market(m, 4.0), clear_market(m, 4.0)
    for f in ("supply_taken", "demand_taken", "flows", "arc_flows", "price"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))


def test_merit_order_refuses_restricted_input():
    m = mk(3, **THREE, route_cap=caps(3, banned=[(0, 1)]))
    with pytest.raises(ValueError):
        clear_merit_order(m, 4.0)


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("change, needle", [
    (dict(supply_qty=np.array([1.0, 2.0])), "supply_qty"),
    (dict(supply_qty=np.array([-1.0])), "negative"),
    (dict(supply_cost=np.array([np.nan])), "NaN"),
    (dict(demand_wtp=np.array([np.inf])), "infinite"),
    (dict(demand_country=np.array([2])), "outside"),
    (dict(demand_country=np.array([0.0])), "integers"),
    (dict(route_cap=np.ones((3, 3))), "shape"),
    (dict(route_cap=-np.ones((2, 2))), "negative"),
    (dict(route_wedge=np.full((2, 2), np.nan)), "NaN"),
    (dict(export_cap=np.ones(3)), "shape"),
    (dict(arc_from=np.array([0]), arc_to=np.array([0])), "itself"),
    (dict(arc_from=np.array([0]), arc_to=np.array([1, 0])), "length"),
    (dict(arc_cap=np.array([1.0])), "without"),
    (dict(n_countries=0), "n_countries"),
])
def test_malformed_input_raises(change, needle):
    base = dict(n_countries=2, supply_country=np.array([0]), supply_qty=np.array([1.0]),
                supply_cost=np.array([1.0]), demand_country=np.array([1]),
                demand_qty=np.array([1.0]), demand_wtp=np.array([2.0]))
    base.update(change)
    with pytest.raises(ValueError, match=needle):
        MarketInput(**base)


@pytest.mark.parametrize("change, needle", [
    (dict(supply_cost=np.array([1.0, -np.inf])), "infinite"),
    (dict(supply_cost=np.array([np.inf, -np.inf])), "infinite"),
    (dict(demand_qty=np.array([1.0, np.nan])), "NaN"),
    (dict(demand_qty=np.array([1.0, np.inf])), "infinite"),
    (dict(supply_qty=np.array([1.0, -0.5])), "negative"),
    (dict(route_cap=np.array([[np.inf, np.nan], [1.0, 1.0]])), "NaN"),
    (dict(route_cap=np.array([[np.inf, -np.inf], [1.0, 1.0]])), "negative"),
    (dict(export_cap=np.array([np.inf, -1.0])), "negative"),
    (dict(supply_country=np.array([0, -1])), "outside"),
    (dict(demand_country=np.array([1, 2], dtype=np.uint8)), "outside"),
])
def test_malformed_array_input_raises(change, needle):
    """The fast path for well-formed numpy arrays rejects what the full checks reject."""
    base = dict(n_countries=2, supply_country=np.array([0, 1]), supply_qty=np.array([1.0, 2.0]),
                supply_cost=np.array([1.0, 3.0]), demand_country=np.array([1, 0]),
                demand_qty=np.array([1.0, 2.0]), demand_wtp=np.array([2.0, 4.0]))
    base.update(change)
    with pytest.raises(ValueError, match=needle):
        MarketInput(**base)


def test_array_input_converted_and_copied():
    sc = np.array([0, 1], dtype=np.uint8)
    cost = np.array([1.0, 3.0], dtype=np.float32)
    cap = np.full((2, 2), np.inf)
    m = MarketInput(2, sc, np.array([1, 2]), cost, np.array([1, 0]), np.array([1.0, 2.0]),
                    np.array([2.0, 4.0]), route_cap=cap)
    assert m.supply_country.dtype == np.intp and m.supply_qty.dtype == np.float64
    assert m.supply_cost.dtype == np.float64 and not m.route_cap.flags.writeable
    sc[0], cost[0], cap[0, 1] = 1, 9.0, 0.0
    assert m.supply_country[0] == 0 and m.supply_cost[0] == 1.0 and m.route_cap[0, 1] == np.inf


def test_bad_reference_price_raises():
    m = mk(2, supply=[(0, 1, 1)], demand=[(1, 1, 2)])
    for ref in (0.0, -1.0, np.nan, np.inf):
        with pytest.raises(ValueError):
            clear_market(m, ref)
        with pytest.raises(ValueError):
            clear_with_lp(m, ref)


def test_input_is_copied_and_frozen():
    qty = np.array([1.0])
    m = MarketInput(1, np.array([0]), qty, np.array([1.0]), np.array([0]), np.array([1.0]),
                    np.array([2.0]))
    qty[0] = -5.0
    assert m.supply_qty[0] == 1.0
    with pytest.raises(ValueError):
        m.supply_qty[0] = 3.0


def test_solver_failure_raises_runtime_error(monkeypatch):
    class Fake:
        status, message, x = 4, "numerical trouble", None

    from game.market import solve as lp_backend      # where the scipy fallback lives
    monkeypatch.setattr(lp_backend, "linprog", lambda *a, **k: Fake())
    monkeypatch.setattr(lp_backend, "_SOLVER", "linprog")
    m = mk(2, supply=[(0, 1, 1)], demand=[(1, 1, 2)], route_cap=caps(2, banned=[(1, 0)]),
           route_wedge=np.array([[0, 1.0], [0, 0]]))
    with pytest.raises(RuntimeError, match="numerical trouble"):
        clear_with_lp(m, 1.0)


@pytest.mark.skipif(market.highspy is None, reason="highspy not installed")
def test_highspy_failure_raises_runtime_error(monkeypatch):
    hs = market.highspy

    class FakeHighs:
        def passModel(self, *args):
            return hs.HighsStatus.kOk

        def run(self):
            return hs.HighsStatus.kOk

        def getModelStatus(self):
            return hs.HighsModelStatus.kInfeasible

        def modelStatusToString(self, status):
            return "Infeasible"

    monkeypatch.setattr(lp_backend, "_highs", lambda: FakeHighs())
    monkeypatch.setattr(lp_backend, "_SOLVER", "highspy")
    m = mk(2, supply=[(0, 1, 1)], demand=[(1, 1, 2)], route_cap=caps(2, banned=[(1, 0)]),
           route_wedge=np.array([[0, 1.0], [0, 0]]))
    with pytest.raises(RuntimeError, match="Infeasible"):
        clear_with_lp(m, 1.0)


@pytest.mark.skipif(market.highspy is None, reason="highspy not installed")
def test_highspy_is_the_default_and_silent():
    """With highspy installed it is the solver, and it prints nothing (HiGHS' banner
    comes from C++ on the first Highs() of a process, hence the fresh interpreter)."""
    assert market._SOLVER == "highspy"
    code = ("import numpy as np; from game.market import MarketInput, clear_with_lp; "
            "m = MarketInput(2, np.array([0]), np.array([1.0]), np.array([1.0]), np.array([1]), "
            "np.array([1.0]), np.array([2.0]), route_wedge=np.array([[0, 0.5], [0, 0]])); "
            "r = clear_with_lp(m, 1.0); assert r.used_lp and r.flows[0, 1] == 1.0")
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root)
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
    assert "HiGHS" not in out.stderr


def test_works_without_highspy():
    """Without highspy the scipy fallback clears the same markets."""
    code = (
        "import sys; sys.modules['highspy'] = None\n"
        "import numpy as np, game.market as mk\n"
        "assert mk.highspy is None and mk._SOLVER == 'linprog'\n"
        "cap = np.full((3, 3), np.inf); cap[0, 1] = 0.0\n"
        "m = mk.MarketInput(3, np.array([0, 1, 2]), np.array([10, 2, 0.5]), np.array([2., 6, 8]),\n"
        "                   np.array([0, 1, 1]), np.array([4., 3, 5]), np.array([5., 20, 4]), route_cap=cap)\n"
        "r = mk.clear_stage([m, m], 4.0)[1]\n"
        "assert r.used_lp and abs(r.price[1] - 20) < 1e-9 and abs(r.flows[2, 1] - 0.5) < 1e-9\n"
        "print('ok')\n")
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "ok\n"


# --------------------------------------------------------------------------- properties

def random_market(seed: int, restricted: bool, grid: bool = True) -> MarketInput:
    """A random market. With grid, costs and wedges are integers and wtps half-integers
    (no tie between a cost and a wtp, so the traded quantity is unique); without, all
    prices are continuous, so that the optimum is almost surely unique."""
    rng = np.random.default_rng(seed)
    C = int(rng.integers(1, 6))
    S = int(rng.integers(0, 9))
    D = int(rng.integers(0, 12))
    sq = np.round(rng.uniform(0, 10, S), 3) * (rng.random(S) > 0.1)
    dq = np.round(rng.uniform(0, 10, D), 3) * (rng.random(D) > 0.1)
    if grid:
        cost = rng.integers(0, 20, S).astype(float)
        wtp = rng.integers(0, 30, D) + 0.5
    else:
        cost = rng.uniform(0, 20, S)
        wtp = rng.uniform(0, 30, D)
    kw = {}
    if restricted:
        u = rng.random((C, C))
        cap = np.where(u < 0.5, np.inf, np.where(u < 0.7, 0.0, np.round(rng.uniform(0, 5, (C, C)), 2)))
        wedge_values = rng.integers(1, 6, (C, C)) if grid else rng.uniform(0.5, 5, (C, C))
        wedge = np.where(rng.random((C, C)) < 0.6, 0.0, wedge_values.astype(float))
        v = rng.random(C)
        xcap = np.where(v < 0.6, np.inf, np.where(v < 0.7, 0.0, np.round(rng.uniform(0, 8, C), 2)))
        A = int(rng.integers(0, 4)) if C > 1 else 0
        af = rng.integers(0, C, A)
        at = (af + rng.integers(1, C, A)) % C if A else af
        acap = np.where(rng.random(A) < 0.3, np.inf, np.round(rng.uniform(0, 5, A), 2))
        aw = rng.integers(0, 4, A).astype(float) if grid else rng.uniform(0.01, 3, A)
        kw = dict(route_cap=cap, route_wedge=wedge, export_cap=xcap,
                  arc_from=af, arc_to=at, arc_cap=acap, arc_wedge=aw)
    return MarketInput(C, rng.integers(0, C, S), sq, cost, rng.integers(0, C, D), dq, wtp, **kw)


def admissible_interval(m: MarketInput, r: MarketResult, tol=1e-7):
    """The world prices consistent with a (single-price) optimal solution."""
    lo, hi = -np.inf, np.inf
    s, sq, c = r.supply_taken, m.supply_qty, m.supply_cost
    d, dq, w = r.demand_taken, m.demand_qty, m.demand_wtp
    pos_s, pos_d = sq > 0, dq > 0
    lo = max([lo, *c[pos_s & (s > tol)], *w[pos_d & (d < dq - tol)]])
    hi = min([hi, *w[pos_d & (d > tol)], *c[pos_s & (s < sq - tol)]])
    return lo, hi


SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.integers(0, 2**32 - 1))
def test_property_unrestricted_merit_equals_lp(seed):
    m = random_market(seed, restricted=False)
    ref = 10.0
    a = clear_merit_order(m, ref)
    b = clear_with_lp(m, ref)
    check_invariants(m, a)
    check_invariants(m, b)
    wa, wb = total_welfare(m, a), total_welfare(m, b)
    assert wb <= wa + 1e-9 * max(1.0, abs(wa))
    assert wa - wb <= 1e-6 * abs(wa) + eps_of(ref) * b.flows.sum() + 1e-9
    qa, qb = a.demand_taken.sum(), b.demand_taken.sum()
    assert qa == pytest.approx(qb, rel=1e-7, abs=1e-9)
    assert a.supply_taken.sum() == pytest.approx(qa, rel=1e-12, abs=1e-12)
    lo, hi = admissible_interval(m, b)
    if np.isfinite(lo) or np.isfinite(hi):
        p = a.price[0]
        assert lo - 1e-9 <= p <= hi + 1e-9
        assert (a.price == p).all()
        # the LP's prices lie in the same interval up to epsilon, in every country that
        # can trade (one that cannot is a market of its own in the LP)
        has_s, has_d = m.supply_total > 0, m.demand_total > 0
        others_s = has_s.sum() - has_s > 0
        others_d = has_d.sum() - has_d > 0
        steps = (has_s & others_d) | (has_d & others_s)
        slack = m.n_countries * eps_of(ref) + 1e-7
        assert (b.price[steps] >= lo - slack).all() and (b.price[steps] <= hi + slack).all()
    else:
        assert np.isnan(a.price).all()


@SETTINGS
@given(st.integers(0, 2**32 - 1))
def test_property_restricted_lp_respects_every_constraint(seed):
    m = random_market(seed, restricted=True)
    r = clear_market(m, 10.0)
    check_invariants(m, r)
    if m.route_cap is not None:
        assert (r.flows[m.route_cap == 0] == 0).all()
    assert not np.isinf(r.price).any()


@SETTINGS
@given(st.integers(0, 2**32 - 1))
def test_property_restricted_prices_consistent_with_quantities(seed):
    m = random_market(seed, restricted=True)
    ref = 10.0
    r = clear_market(m, ref)
    tol = 1e-6
    p = r.price
    assert not np.isnan(p[(m.supply_total > 0) | (m.demand_total > 0)]).any()
    pd = p[m.demand_country]
    pos = m.demand_qty > 0
    assert (pd[pos & (r.demand_taken > 1e-9)] <= m.demand_wtp[pos & (r.demand_taken > 1e-9)] + tol).all()
    room = pos & (r.demand_taken < m.demand_qty - 1e-9)
    assert (pd[room] >= m.demand_wtp[room] - tol).all()
    ps = p[m.supply_country]
    room = (m.supply_qty > 0) & (r.supply_taken < m.supply_qty - 1e-9)
    assert (ps[room] <= m.supply_cost[room] + tol).all()
    # goods move only towards a price at least as high plus the wedge (and epsilon)
    eps = eps_of(ref) if r.used_lp else 0.0
    wedge = np.zeros_like(r.flows) if m.route_wedge is None else m.route_wedge
    e, i = np.nonzero(r.flows > 1e-9)
    assert (p[i] >= p[e] + wedge[e, i] + eps - tol).all()
    if m.n_arcs:
        k = r.arc_flows > 1e-9
        assert (p[m.arc_to[k]] >= p[m.arc_from[k]] + m.arc_wedge[k] + eps - tol).all()


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
def test_property_restriction_never_raises_welfare(seed, seed2):
    m = random_market(seed, restricted=bool(seed % 2))
    ref = 10.0
    C = m.n_countries
    rng = np.random.default_rng(seed2)
    cap = np.full((C, C), np.inf) if m.route_cap is None else m.route_cap.copy()
    wedge = np.zeros((C, C)) if m.route_wedge is None else m.route_wedge.copy()
    xcap = np.full(C, np.inf) if m.export_cap is None else m.export_cap.copy()
    e, i = rng.integers(0, C, 2)
    kind = rng.integers(0, 4)
    if kind == 0:
        cap[e, i] = 0.0
    elif kind == 1:
        cap[e, i] = min(cap[e, i], rng.uniform(0, 3))
    elif kind == 2:
        wedge[e, i] += rng.integers(1, 5)
    else:
        xcap[e] = min(xcap[e], rng.uniform(0, 5))
    m2 = MarketInput(C, m.supply_country, m.supply_qty, m.supply_cost, m.demand_country,
                     m.demand_qty, m.demand_wtp, route_cap=cap, route_wedge=wedge,
                     export_cap=xcap, arc_from=m.arc_from, arc_to=m.arc_to,
                     arc_cap=m.arc_cap, arc_wedge=m.arc_wedge)
    r1, r2 = clear_market(m, ref), clear_market(m2, ref)
    check_invariants(m2, r2)
    w1, w2 = total_welfare(m, r1), total_welfare(m2, r2)
    assert w2 <= w1 + eps_of(ref) * (r2.flows.sum() + r2.arc_flows.sum()) + 1e-9 * max(1, abs(w1))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=5))
def test_property_stage_equals_one_by_one(seeds):
    inputs = [random_market(s, restricted=(s % 3 != 0), grid=False) for s in seeds]
    refs = [5.0 + k for k in range(len(inputs))]
    together = clear_stage(inputs, refs)
    for m, ref, r in zip(inputs, refs, together):
        alone = clear_market(m, ref)
        check_invariants(m, r)
        assert r.used_lp == alone.used_lp
        assert total_welfare(m, r) == pytest.approx(total_welfare(m, alone), rel=1e-9, abs=1e-9)
        np.testing.assert_allclose(r.supply_taken, alone.supply_taken, atol=1e-7)
        np.testing.assert_allclose(r.demand_taken, alone.demand_taken, atol=1e-7)
        # (routes with equal landed costs may share flows differently: not compared)
        # prices where something trades (where nothing does, the price is an end of an
        # interval that HiGHS chooses, and may depend on the other blocks)
        C = m.n_countries
        busy = (np.bincount(m.supply_country, weights=r.supply_taken, minlength=C)
                + np.bincount(m.demand_country, weights=r.demand_taken, minlength=C)) > 0
        np.testing.assert_allclose(r.price[busy], alone.price[busy], atol=1e-7)


def test_stage_hand_case_and_scalar_reference_price():
    a = mk(3, **THREE, route_cap=caps(3, banned=[(0, 1)]))
    b = mk(3, **THREE)
    c = mk(2, supply=[(0, 10, 2), (1, 10, 6)], demand=[(1, 8, 10)], export_cap=np.array([3.0, INF]))
    out = clear_stage([a, b, c], 4.0)
    assert [r.used_lp for r in out] == [True, False, True]
    assert out[0].price[1] == pytest.approx(20.0, abs=1e-9)
    assert out[1].price[1] == 4.0
    assert out[2].flows[0, 1] == pytest.approx(3.0)
    assert clear_stage([], []) == []


def assert_optimal_dual(m: MarketInput, b, x, price, value, xcap_dual) -> None:
    """Every reduced cost of the plain formulation (a variable per route) has the sign
    optimality requires, and an origin premium appears only where a country exports all
    it produces."""
    nS, nD = b.sidx.shape[0], b.didx.shape[0]
    out, take = market._pool_legs(b, x)
    vfrom, vto, moving, at_cap, vcost = market._pair_view(b, x, out, take, 1e-9)
    tol = 1e-7 * max(1.0, np.nanmax(np.abs(price)))
    rc_s = m.supply_cost[b.sidx] - value[m.supply_country[b.sidx]]
    rc_d = price[m.demand_country[b.didx]] - m.demand_wtp[b.didx]
    rc = np.concatenate((rc_s, rc_d))
    xs = x[:nS + nD]
    at_lo, at_hi = xs <= 1e-9, xs >= b.ub[:nS + nD] - 1e-9
    assert (rc[at_lo & ~at_hi] >= -tol).all()
    assert (rc[at_hi & ~at_lo] <= tol).all()
    assert (np.abs(rc[~at_lo & ~at_hi]) <= tol).all()
    rc_v = vcost + value[vfrom] + xcap_dual[vfrom] - price[vto]
    assert (rc_v[~moving] >= -tol).all()                  # idle routes: no gain from using them
    assert (np.abs(rc_v[moving & ~at_cap]) <= tol).all()  # used below cap: zero reduced cost
    assert (rc_v[moving & at_cap] <= tol).all()
    C = m.n_countries
    premium = value - price
    assert (premium[b.eq_country] >= -tol).all()
    nRA = b.re.shape[0] + b.aidx.shape[0]
    owner = np.concatenate((b.re, m.arc_from[b.aidx] if b.aidx.size else b.aidx))
    sent = np.bincount(owner, weights=x[nS + nD:nS + nD + nRA], minlength=C) + out
    sup = np.bincount(m.supply_country[b.sidx], weights=x[:nS], minlength=C)
    has_row = np.isin(np.arange(C), b.origin_c)
    assert not ((premium > tol) & (~has_row | (sent < sup - 1e-9))).any()
    assert (xcap_dual >= -tol).all()


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.booleans(), st.booleans())
def test_property_settled_prices_remain_an_optimal_dual(seed, grid, hub):
    """White-box: after market._settle_prices re-chooses degenerate prices, the prices
    are still an optimal dual of the plain formulation (hub or not)."""
    m = random_market(seed, restricted=True, grid=grid)
    b = market._build_lp(m, 10.0, hub=hub)
    (x, dual), = market._solve_blocks([b])
    if b.n_rows == 0:
        return
    price, value, xcap_dual = market._raw_prices(b, dual)
    market._settle_prices(b, x, price, value, xcap_dual)
    assert_optimal_dual(m, b, x, price, value, xcap_dual)


# --------------------------------------------------------------------------- hub formulation

def random_hub_market(seed: int, grid: bool = False) -> MarketInput:
    """A random restricted market in which some exporters are free (no restriction on
    any of their routes, or only caps too large to bind) and others are not, as in the
    game: a few countries with bans, licence-like caps or tariffs on some routes."""
    rng = np.random.default_rng(seed)
    C = int(rng.integers(2, 9))
    S = int(rng.integers(1, 14))
    D = int(rng.integers(1, 24))
    sq = np.round(rng.uniform(0, 10, S), 3) * (rng.random(S) > 0.1)
    dq = np.round(rng.uniform(0, 10, D), 3) * (rng.random(D) > 0.1)
    if grid:
        cost = rng.integers(0, 20, S).astype(float)
        wtp = rng.integers(0, 30, D) + 0.5
    else:
        cost = rng.uniform(0, 20, S)
        wtp = rng.uniform(0, 30, D)
    cap = np.full((C, C), np.inf)
    wedge = np.zeros((C, C))
    for e in range(C):
        kind = rng.integers(0, 5)
        if kind == 1:                         # bans on some destinations
            cap[e, rng.random(C) < 0.4] = 0.0
        elif kind == 2:                       # licence-like caps, some binding
            cap[e] = np.where(rng.random(C) < 0.6, np.round(rng.uniform(0, 6, C), 2), np.inf)
        elif kind == 3:                       # tariffs on some destinations
            w = rng.integers(1, 6, C) if grid else rng.uniform(0.5, 5, C)
            wedge[e] = np.where(rng.random(C) < 0.5, w, 0.0)
        elif kind == 4:                       # caps too large to bind: still free
            cap[e] = 1e6
    v = rng.random(C)
    xcap = np.where(v < 0.7, np.inf, np.where(v < 0.75, 0.0, np.round(rng.uniform(0, 8, C), 2)))
    A = int(rng.integers(0, 3))
    af = rng.integers(0, C, A)
    at = (af + rng.integers(1, C, A)) % C
    acap = np.where(rng.random(A) < 0.3, np.inf, np.round(rng.uniform(0, 5, A), 2))
    aw = rng.integers(0, 4, A).astype(float) if grid else rng.uniform(0.01, 3, A)
    return MarketInput(C, rng.integers(0, C, S), sq, cost, rng.integers(0, C, D), dq, wtp,
                       route_cap=cap, route_wedge=wedge, export_cap=xcap,
                       arc_from=af, arc_to=at, arc_cap=acap, arc_wedge=aw)


def solve_with(m: MarketInput, ref: float, hub: bool, solver: str) -> MarketResult:
    b = market._build_lp(m, ref, hub=hub)
    (x, dual), = market._solve_blocks([b], solver=solver)
    return market._finish_lp(b, x, dual)


SOLVERS = ["highspy", "linprog"] if market.highspy is not None else ["linprog"]


def check_prices_follow_flows(m: MarketInput, r: MarketResult, ref: float, tol=1e-6) -> None:
    """Goods move only towards a price at least as high plus wedge and epsilon, and a
    partly served buyer's country is priced at that buyer's wtp."""
    p = r.price
    wedge = np.zeros_like(r.flows) if m.route_wedge is None else m.route_wedge
    e, i = np.nonzero(r.flows > 1e-9)
    assert (p[i] >= p[e] + wedge[e, i] + eps_of(ref) - tol).all()
    if m.n_arcs:
        k = r.arc_flows > 1e-9
        assert (p[m.arc_to[k]] >= p[m.arc_from[k]] + m.arc_wedge[k] + eps_of(ref) - tol).all()
    part = (r.demand_taken > 1e-7) & (r.demand_taken < m.demand_qty - 1e-7)
    np.testing.assert_allclose(p[m.demand_country[part]], m.demand_wtp[part], atol=tol)


@SETTINGS
@given(st.integers(0, 2**32 - 1))
def test_property_hub_equals_plain_formulation(seed):
    """Pooling free exporters changes neither welfare nor quantities (prices are
    continuous, so the optimum is unique), and prices keep the conventions."""
    m = random_hub_market(seed)
    ref = 10.0
    plain = solve_with(m, ref, hub=False, solver=SOLVERS[0])
    hub = clear_with_lp(m, ref)
    for r in (plain, hub):
        check_invariants(m, r)
        check_prices_follow_flows(m, r, ref)
    w0, w1 = total_welfare(m, plain), total_welfare(m, hub)
    assert w1 == pytest.approx(w0, rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(hub.supply_taken, plain.supply_taken, atol=1e-7)
    np.testing.assert_allclose(hub.demand_taken, plain.demand_taken, atol=1e-7)
    # net trade of every country is the same (how it splits between partners need not be)
    net = lambda r: r.flows.sum(axis=1) - r.flows.sum(axis=0)
    np.testing.assert_allclose(net(hub), net(plain), atol=1e-7)


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_property_solvers_agree(seed, grid):
    """highspy and the scipy fallback reach the same welfare, hub or not."""
    m = random_hub_market(seed, grid=grid) if seed % 2 else random_market(seed, restricted=True, grid=grid)
    ref = 10.0
    results = [solve_with(m, ref, hub, solver) for solver in SOLVERS for hub in (True, False)]
    w = [total_welfare(m, r) for r in results]
    for r, wk in zip(results, w):
        check_invariants(m, r)
        assert wk == pytest.approx(w[0], rel=1e-9, abs=1e-9)
        assert r.demand_taken.sum() == pytest.approx(results[0].demand_taken.sum(), rel=1e-9, abs=1e-9)


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_property_hub_prices_remain_an_optimal_dual(seed, grid):
    """White-box, on markets where the pool is used: settled prices are an optimal dual
    of the plain formulation."""
    m = random_hub_market(seed, grid=grid)
    b = market._build_lp(m, 10.0)
    (x, dual), = market._solve_blocks([b])
    if b.n_rows == 0:
        return
    price, value, xcap_dual = market._raw_prices(b, dual)
    market._settle_prices(b, x, price, value, xcap_dual)
    assert_optimal_dual(m, b, x, price, value, xcap_dual)


def test_free_exporters_are_pooled_and_flows_split_pro_rata():
    # A (0) and B (1) are free; E (4) is banned from D (3), so the market needs the LP.
    # C (2) wants 8, D wants 4, both at 10: A's 10 units @ 1 and 2 of B's @ 2 serve them.
    ref = 2.0
    cap = caps(5, banned=[(4, 3)])
    cap[0, 2] = 1e6                  # a cap that cannot bind leaves A free
    m = mk(5, supply=[(0, 10, 1), (1, 10, 2), (4, 5, 3)], demand=[(2, 8, 10), (3, 4, 10)],
           route_cap=cap)
    b = market._build_lp(m, ref)
    assert b.pe.tolist() == [0, 1] and b.pi.tolist() == [2, 3]
    assert b.re.tolist() == [4] and b.ri.tolist() == [2]      # E keeps its own routes
    r = clear_market(m, ref)
    check_invariants(m, r)
    np.testing.assert_allclose(r.supply_taken, [10, 2, 0], atol=1e-9)
    # exporter's pool share x importer's pool take
    expect = np.zeros((5, 5))
    expect[0, 2], expect[0, 3] = 10 * 8 / 12, 10 * 4 / 12
    expect[1, 2], expect[1, 3] = 2 * 8 / 12, 2 * 4 / 12
    np.testing.assert_allclose(r.flows, expect, atol=1e-9)
    eps = eps_of(ref)
    # B's partly sold step sets the world price; importers pay it plus one epsilon
    assert r.price[1] == pytest.approx(2.0, abs=1e-9)
    assert r.price[0] == pytest.approx(2.0, abs=1e-9)
    np.testing.assert_allclose(r.price[[2, 3]], 2.0 + eps, atol=1e-9)
    assert r.price[4] == pytest.approx(2.0, abs=1e-9)       # idle: export parity
    plain = solve_with(m, ref, hub=False, solver=SOLVERS[0])
    assert total_welfare(m, plain) == pytest.approx(total_welfare(m, r), abs=1e-9)


def test_what_makes_an_exporter_restricted():
    C = 4
    supply = [(0, 5, 1), (1, 5, 1), (2, 5, 1)]
    demand = [(3, 6, 10), (0, 1, 10)]
    cap = np.full((C, C), np.inf)
    wedge = np.zeros((C, C))
    cap[0, 3] = 2.0            # A's export cap is 2: more cannot flow, the cap cannot bind
    cap[0, 1] = 0.0            # B has no demand: a ban on A->B does not matter
    cap[1, 3] = 4.9            # below B's supply and D's demand: could bind
    wedge[2, 0] = 0.5          # a tariff on C's goods in A: C is told apart
    wedge[3, 0] = 9.0          # D has no supply: its routes never matter
    m = mk(C, supply, demand, route_cap=cap, route_wedge=wedge,
           export_cap=np.array([2.0, np.inf, np.inf, np.inf]))
    b = market._build_lp(m, 1.0)
    assert b.pe.tolist() == [0]            # A: its cap equals min(own supply, D's demand)
    assert sorted(set(b.re.tolist())) == [1, 2]
    r = clear_market(m, 1.0)
    check_invariants(m, r)
    assert r.flows[0].sum() <= 2.0 + 1e-12  # A's export cap applies to what it pools
    plain = solve_with(m, 1.0, hub=False, solver=SOLVERS[0])
    assert total_welfare(m, plain) == pytest.approx(total_welfare(m, r), abs=1e-9)


def test_stage_mixes_pooled_and_plain_goods():
    goods = [random_hub_market(s) for s in range(12)]
    refs = [3.0 + k for k in range(len(goods))]
    together = clear_stage(goods, refs)
    for m, ref, r in zip(goods, refs, together):
        check_invariants(m, r)
        alone = solve_with(m, ref, hub=False, solver=SOLVERS[-1])
        assert total_welfare(m, r) == pytest.approx(total_welfare(m, alone), rel=1e-9, abs=1e-9)


def test_hub_switch(monkeypatch):
    """lp_build._HUB = False clears by the plain formulation, to the same welfare."""
    m = random_hub_market(7)
    b = market._build_lp(m, 5.0)
    assert b.pe.size > 0
    hub = clear_with_lp(m, 5.0)
    monkeypatch.setattr(lp_build, "_HUB", False)
    assert market._build_lp(m, 5.0).pe.size == 0
    plain = clear_with_lp(m, 5.0)
    assert total_welfare(m, plain) == pytest.approx(total_welfare(m, hub), rel=1e-9, abs=1e-9)
