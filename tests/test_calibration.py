"""The behaviour the model must show (DESIGN section 7), one test per calibration target.

Each runs the default AI in every seat, on the 2025 scenario or the small test world,
and checks what a player would see in the numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from game import Game, load_scenario
from game.facilities import CONSTRUCTION, OPERATING

SMALL = "tests/fixtures/small/small_scenario.yaml"


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline_2025")


def without_initial(scenario, *needles):
    """The scenario minus initial orders that mention any of `needles`."""
    kept = [o for o in scenario.initial_orders if not any(n in o.order for n in needles)]
    return scenario.model_copy(update={"initial_orders": kept})


def price(game, country, good):
    m = game.model
    return float(m.price[m.countries[country], m.goods[good]])


def world_share(game, country, good):
    m = game.model
    g = m.goods[good]
    world = m.production[:, g].sum()
    return float(m.production[m.countries[country], g] / world) if world > 0 else 0.0


def test_a_ban_splits_prices(baseline):
    """CN bans gallium to the US: the US price rises at least 1.5x within two turns while
    China's own price does not rise (two-tier prices)."""
    game = Game(without_initial(baseline, "gallium"), seed=3)
    game.step()
    us0, cn0 = price(game, "US", "gallium"), price(game, "CN", "gallium")
    game.submit("CN", "export_control good=gallium target=US mode=ban")
    game.run(2)
    us2, cn2 = price(game, "US", "gallium"), price(game, "CN", "gallium")
    assert us2 >= 1.5 * us0, (us0, us2)
    assert cn2 <= cn0 * 1.0001, (cn0, cn2)
    m = game.model
    g = m.goods["gallium"]
    assert m.flows[g][m.countries["CN"], m.countries["US"]] == 0.0


def test_flows_collapse_then_recover_through_licences():
    """A licence regime stops exports in its first turn; licences then let part of the
    trade through again."""
    game = Game(SMALL, seed=1)
    m = game.model
    g, cn = m.goods["gallium"], m.countries["CN"]
    game.step()
    before = m.exports[cn, g]
    game.submit("CN", "export_control good=gallium target=ALL mode=licence approval=0.6 delay=2")
    game.step()
    collapsed = m.exports[cn, g]
    game.run(3)
    recovered = m.exports[cn, g]
    assert before > 0
    assert collapsed <= 0.05 * before
    assert 0.3 * before <= recovered <= 0.95 * before


def test_sustained_ban_keeps_outside_prices_high_until_capacity_arrives():
    """Under a lasting ban the importer's price stays high for turns on end, and firms
    outside the banning country start building capacity."""
    game = Game(SMALL, seed=2)
    m = game.model
    g = m.goods["gallium"]
    outside = (m.fac.col("good") == g) & (m.fac.col("country") != m.countries["CN"])
    cap0 = m.fac.col("capacity")[outside & (m.fac.col("status") == OPERATING)].sum()
    game.step()
    normal = price(game, "US", "gallium")
    game.submit("CN", "export_control good=gallium target=ALL mode=ban")
    high = []
    for _ in range(6):
        game.step()
        high.append(price(game, "US", "gallium"))
    assert min(high) >= 1.5 * normal
    fac = m.fac
    outside = (fac.col("good") == g) & (fac.col("country") != m.countries["CN"])
    building = outside & np.isin(fac.col("status"), [CONSTRUCTION, OPERATING])
    assert fac.col("capacity")[building].sum() > 1.5 * cap0


def test_ore_export_ban_moves_processing_home():
    """Indonesia bans nickel-ore exports: within ten turns its share of world refined
    nickel rises by at least 15 points."""
    game = Game(SMALL, seed=1)
    game.step()
    before = world_share(game, "ID", "nickel_refined")
    game.submit("ID", "ore_export_ban good=nickel_ore")
    game.run(10)
    after = world_share(game, "ID", "nickel_refined")
    assert after >= before + 0.15, (before, after)


def test_new_mines_take_a_decade_and_plants_two_to_three_years(baseline):
    game = Game(baseline, seed=1)
    m = game.model
    game.submit("ALBEMARLE", ["build type=mine good=lithium_ore country=US capacity=10",
                              "build type=refinery good=lithium_chemical country=US capacity=10"])
    game.step()
    fac = m.fac
    built = {fac.ids[i]: int(fac.turns_left[i]) for i in range(len(fac)) if fac.built_turn[i] == 1}
    mine = [v for k, v in built.items() if "lithium_ore" in k]
    plant = [v for k, v in built.items() if "lithium_chemical" in k]
    assert mine and plant, game.reports[-1].rejected
    years = lambda turns: (turns + 1) * m.turn_frac   # noqa: E731 (turns left after this one)
    assert years(mine[0]) >= 10
    assert 2 <= years(plant[0]) <= 3.5


def test_western_projects_need_a_floor(baseline):
    """Without the US price floor nobody adds NdPr separation in the US; with it, firms do."""
    def us_ndpr_builds(scenario) -> int:
        game = Game(scenario, seed=4)
        game.run(8)
        return sum(1 for t, seat, text in game.model.accepted
                   if text.startswith("build") and "good=ndpr_oxide" in text and "country=US" in text)

    assert us_ndpr_builds(without_initial(baseline, "price_floor")) == 0
    assert us_ndpr_builds(baseline) >= 1


def test_controls_are_bargaining_chips():
    """A ban suspended in a deal lets trade resume, while the licence regime stays."""
    game = Game(SMALL, seed=1)
    m = game.model
    g = m.goods["gallium"]
    game.submit("CN", ["export_control good=gallium target=ALL mode=licence approval=0.7 delay=1",
                       "export_control good=gallium target=US mode=ban"])
    game.run(3)
    banned = price(game, "US", "gallium")
    game.submit("CN", 'propose_deal to=US give="suspend_control good=gallium target=US turns=6" ask="pressure target=ID"')
    game.step()
    deal = next(d for d in m.measures.deals.values() if d.proposer == "CN")
    game.submit("US", f"accept_deal deal={deal.id}")
    game.run(2)
    assert deal.status == "accepted"
    assert price(game, "US", "gallium") < banned
    assert m.flows[g][m.countries["CN"], m.countries["US"]] > 0
    assert ("CN", "gallium", "ALL") in m.measures.controls
