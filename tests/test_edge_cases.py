"""Edge cases that once went wrong: each test pins the behaviour a player relies on."""

from __future__ import annotations

import numpy as np
import pytest

from game.rules import load_scenario
from game.routes import build_routes
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
