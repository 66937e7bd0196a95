"""The market along the chain: what a plant sells covers what its inputs cost it.

Every turn of the status-quo 2025 game and of a game with export bans, wherever a
country produced a good made from inputs, the good's price there is at least the market
price of those inputs there (recipe quantities times this turn's input prices): no
refiner pays more for its ore than it gets for its metal, and still produces.
"""

from __future__ import annotations

import numpy as np
import pytest

from game import Game, load_scenario

BANS = {2: [("CN", "export_control good=gallium target=US mode=ban"),
            ("CN", "export_control good=anode_graphite target=ALL mode=ban"),
            ("ID", "ore_export_ban good=nickel_ore")]}


def worst_margins(game: Game, turns: int, script: dict | None = None) -> dict[str, float]:
    """Per good with a recipe, the lowest (price - input cost) / reference seen in any
    country that produced it, over the turns played."""
    m = game.model
    worst: dict[str, float] = {}
    for turn in range(1, turns + 1):
        for seat, text in (script or {}).get(turn, []):
            assert game.submit(seat, text) == [], text
        game.step()
        for g, good in enumerate(m.goods.ids):
            ins = np.flatnonzero(m.recipe[g] > 0)
            made = np.flatnonzero(m.production[:, g] > 1e-9)
            if ins.size == 0 or made.size == 0:
                continue
            input_cost = (m.price[np.ix_(made, ins)] * m.recipe[g, ins]).sum(axis=1)
            margin = float(((m.price[made, g] - input_cost) / m.ref_price[g]).min())
            worst[good] = min(worst.get(good, np.inf), margin)
    return worst


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline_2025")


@pytest.mark.parametrize("script", [None, BANS], ids=["status-quo", "bans"])
def test_no_good_sells_below_the_market_cost_of_its_inputs(baseline, script):
    game = Game(baseline, seed=1)
    worst = worst_margins(game, game.turns, script)
    assert {"lithium_chemical", "nickel_refined", "copper_refined", "battery_cell"} <= set(worst)
    below = {g: round(v, 4) for g, v in worst.items() if v < -1e-6}
    assert below == {}, f"goods sold below the market cost of their inputs: {below}"


def test_an_upstream_price_rise_shows_downstream_in_the_same_turn(baseline):
    """Lithium ore scarce from turn 2 (Australia's and Chile's mines stopped): lithium
    chemical's price rises in that same turn, not a turn later."""
    plain, cut = Game(baseline, seed=1), Game(baseline, seed=1)
    plain.step(), cut.step()
    m = cut.model
    g_ore = m.goods["lithium_ore"]
    mines = np.flatnonzero(m.fac.col("good") == g_ore)
    big = [c for c in ("AU", "CL") if c in m.countries]
    stop = mines[np.isin(m.fac.col("country")[mines], [m.countries[c] for c in big])]
    m.fac.col("outage_share")[stop] = 1.0
    m.fac.col("outage_turns")[stop] = 2
    plain.step(), cut.step()
    g = m.goods["lithium_chemical"]
    before = float(plain.model.price[:, g].mean())
    after = float(m.price[:, g].mean())
    assert m.price[:, g_ore].mean() > plain.model.price[:, g_ore].mean()
    assert after > 1.05 * before, (before, after)


def test_a_price_spike_lowers_demand_within_two_turns(baseline):
    """The US buys up a year of cobalt for its stockpile: the price spikes, and within two
    turns the world's sectors ask for less cobalt than in the same game without it."""
    plain, rush = Game(baseline, seed=2), Game(baseline, seed=2)
    plain.step(), rush.step()
    g = rush.model.goods["cobalt_refined"]
    world = float(rush.model.production[:, g].sum()) / rush.model.turn_frac
    assert rush.submit("US", f"stockpile good=cobalt_refined amount={world:.0f} max_price=130") == []
    for _ in range(2):
        plain.step(), rush.step()
    p, r = plain.model, rush.model
    assert r.price[:, g].mean() > 1.3 * p.price[:, g].mean()
    assert r.final_demand[:, g].sum() < 0.97 * p.final_demand[:, g].sum()
    # the other goods' demand is not touched by cobalt's price
    other = r.goods["gallium"]
    assert np.isclose(r.final_demand[:, other].sum(), p.final_demand[:, other].sum(), rtol=0.02)
