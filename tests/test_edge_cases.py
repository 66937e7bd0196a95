"""Edge cases that once went wrong: each test pins the behaviour a player relies on."""

from __future__ import annotations

import numpy as np
import pytest

from game.rules import load_scenario
from game.market.routes import build_routes
from smallworld import SMALL, passive, step


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(str(SMALL))


def test_two_releases_cannot_sell_more_than_the_stockpile_holds(scenario):
    game = passive(scenario)
    m = game.model
    step(game, ("US", "stockpile good=gallium amount=40 max_price=5"))
    held = m.stockpile[m.countries["US"], m.goods["gallium"]]
    assert held > 0
    step(game, ("US", "release_stockpile good=gallium amount=1000"),
         ("US", "release_stockpile good=gallium amount=1000"))
    assert m.stockpile[m.countries["US"], m.goods["gallium"]] == pytest.approx(0.0, abs=1e-9)


def test_a_deal_with_a_term_its_party_may_not_use_is_refused_whole(scenario):
    game = passive(scenario)
    m = game.model
    step(game, ("CN", "export_control good=gallium target=ID mode=ban"))
    step(game, ("ID", 'propose_deal to=CN give="dev_loan country=CN amount=999 turns=5" '
                      'ask="suspend_control good=gallium target=ID turns=6"'))
    deal = next(iter(m.measures.deals.values()))
    game.submit("CN", f"accept_deal deal={deal.id}")
    report = game.step()
    assert deal.status == "pending"
    assert any("may not use dev_loan" in why for _s, _t, why in report.rejected)
    assert m.measures.controls[("CN", "gallium", "ID")].suspended_until < 0     # CN gave nothing


def test_a_bankrupt_firm_cannot_act(scenario):
    game = passive(scenario)
    m = game.model
    m.bankrupt[m.firms["JPGA"]] = True
    game.submit("JPGA", "expand facility=jp_gallium capacity=5")
    report = game.step()
    assert report.rejected and "bankrupt" in report.rejected[0][2]


def test_a_union_tariff_on_all_spares_trade_inside_the_union():
    sc = load_scenario("baseline_2025")
    game = passive(sc)
    m = game.model
    step(game, ("EU", "tariff good=gallium target=ALL rate=0.5"))
    r = build_routes(m)[m.goods["gallium"]]
    de, fr, cn = m.countries["DE"], m.countries["FR"], m.countries["CN"]
    assert r.wedge[de, fr] == 0.0
    assert r.wedge[cn, fr] == pytest.approx(0.5 * m.ref_price[m.goods["gallium"]])
    assert r.wedge_owner[cn, fr] == m.countries["EU"]


def test_the_highest_of_two_tariffs_is_paid_to_the_state_that_set_it(scenario):
    game = passive(scenario)
    m = game.model
    step(game, ("JP", "tariff good=gallium target=CN rate=0.5"), ("US", "tariff good=gallium target=CN rate=0.2"))
    r = build_routes(m)[m.goods["gallium"]]
    cn, jp, us = m.countries["CN"], m.countries["JP"], m.countries["US"]
    assert r.wedge_owner[cn, jp] == jp and r.wedge_owner[cn, us] == us
    assert np.isclose(r.wedge[cn, jp], 0.5 * m.ref_price[m.goods["gallium"]])


def test_a_shortage_is_need_at_the_reference_price_left_unmet(scenario):
    """Demand that buys only when a good is cheap (tranches priced below the reference) is
    not a shortage; demand that would pay the reference price and goes unserved is. So a
    calm market shows none, and states do not sell their reserves into it."""
    game = passive(scenario)
    m = game.model
    step(game)
    needed = sum(t.share for t in m.rules.market.demand_tranches if t.price_multiple >= 1.0)
    assert 0.0 < needed < 1.0
    calm = (m.price <= m.ref_price) & (m.final_demand > 0)
    assert calm.any()
    assert np.all(m.shortage[calm] <= 1e-9)
    assert np.all(m.shortage <= needed * m.final_demand + 1e-9)
    # cheap-only buyers priced out somewhere, without counting as a shortage
    assert np.any(m.consumed[calm] < m.final_demand[calm] - 1e-9)
    # a ban makes gallium dear in the US: buyers who would pay the reference price go short
    us, g = m.countries["US"], m.goods["gallium"]
    step(game, ("CN", "export_control good=gallium target=US mode=ban"))
    step(game)
    assert m.price[us, g] > 1.2 * m.ref_price[g]
    assert m.shortage[us, g] > 0.0
    assert m.consumed[us, g] + m.shortage[us, g] == pytest.approx(needed * m.final_demand[us, g], rel=1e-9)


def test_a_sector_that_gets_none_of_what_it_needs_stops():
    """Shortage is need left unmet (the tranches paying at least the reference price), and a
    sector's loss is measured against that need: all of it unmet cuts the sector by its whole
    criticality, half of it by half."""
    from game.phases.finance import sector_output
    game = passive(load_scenario(str(SMALL)))
    step(game)
    m = game.model
    c, s = m.countries["US"], m.sectors["defence"]
    g = int(np.flatnonzero(m.intensity[c, s] > 0)[0])
    needed = sum(t.share for t in m.rules.market.demand_tranches if t.price_multiple >= 1.0)
    m.shortage[:] = 0.0
    m.shortage[c, g] = needed * m.final_demand[c, g]
    sector_output(m, 0.35)
    assert m.sector_output[c, s] == pytest.approx(1.0 - m.criticality[s])
    m.shortage[c, g] *= 0.5
    sector_output(m, 0.35)
    assert m.sector_output[c, s] == pytest.approx(1.0 - 0.5 * m.criticality[s])
    assert m.sector_output[m.countries["JP"]].min() == 1.0          # nobody else is short
