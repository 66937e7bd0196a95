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


# ---------------------------------------------------------------------------------------------
# The status-quo game next to the 2025 references (issue 14): every seat on its default AI,
# no measure beyond the scenario's own, seeds 1-5. benchmarks/status_quo.py prints the same
# figures; docs/model.md has its table beside the outlooks.

SEEDS = (1, 2, 3, 4, 5)
LAST = 4                    # turns at the end over which prices and shortages are averaged

#: goods whose first-turn price may sit outside 0.7-1.3x the reference: a 2025 episode of
#: shared/reference/minerals.md says the price was not the reference then, and the
#: scenario's measure that caused it is in force from the first turn
FIRST_TURN_EPISODES = {
    "dytb_oxide": ("export_control good=dytb_oxide",
                   "Apr 2025 heavy-rare-earth licences: ex-China Dy 2-3x, Tb 2-4x within a month [7][8]"),
    "ndfeb_magnet": ("export_control good=ndfeb_magnet",
                     "the same Apr 2025 controls cover magnets [54]; exports stop until licences come"),
    "gallium": ("export_control good=gallium",
                "China's licences and US ban: Rotterdam gallium +114% while China's spot fell [12][75]"),
    "antimony": ("export_control good=antimony",
                 "China's licences and US ban: antimony +250% in 2024, more in early 2025 [17][18]"),
    "cobalt_ore": ("export_control good=cobalt_ore",
                   "Congo's export suspension and quota: cobalt hydroxide about 4x [30][32]"),
}

#: goods whose price may move by more than 0.15 in logs a half-year on average, and why
ROUGH_BY_MEASURE = {
    "cobalt_ore": ("export_control good=cobalt_ore",
                   "Congo's export quota binds: ore outside Congo swings with Indonesia's ramp-up "
                   "(the price about doubled within months of the 2025 suspension [30][31]); "
                   "without the quota the path moves by about 0.06 a half-year"),
}

#: goods whose shortage over the last turns may exceed 10% because a measure binds (none now)
SHORT_BY_MEASURE: dict[str, tuple[str, str]] = {}


def world_price(m) -> np.ndarray:
    """Per good, the countries' prices averaged by what each needs of it this turn."""
    w = np.maximum(m.demand_ref, 0.0)
    tot = w.sum(axis=0)
    return np.where(tot > 0, (m.price * w).sum(axis=0) / np.where(tot > 0, tot, 1.0), m.price.mean(axis=0))


@pytest.fixture(scope="module")
def status_quo(baseline):
    """Per seed, per turn: world-average price / reference, shortage and need per good."""
    from game.phases.production import needed_tranches
    runs = []
    for seed in SEEDS:
        game = Game(baseline, seed=seed)
        m = game.model
        tranches = m.rules.market.demand_tranches
        needed = sum(t.share for t, need in zip(tranches, needed_tranches(tranches)) if need)
        ratio, short, need = [], [], []
        for _ in range(game.turns):
            game.step()
            ratio.append(world_price(m) / m.ref_price)
            short.append(m.shortage.sum(axis=0))
            need.append(needed * m.final_demand.sum(axis=0))
        runs.append({"ratio": np.array(ratio), "short": np.array(short), "need": np.array(need)})
    return {"goods": list(game.model.goods.ids), "runs": runs}


def test_the_exceptions_name_measures_in_force(baseline):
    orders = [o.order for o in baseline.initial_orders]
    for table in (FIRST_TURN_EPISODES, ROUGH_BY_MEASURE, SHORT_BY_MEASURE):
        for good, (needle, _why) in table.items():
            assert any(needle in text for text in orders), (good, needle)


def test_first_turn_prices_are_2025_prices(status_quo):
    """Within 30% of the 2025 references, except where a 2025 episode says otherwise; those
    start above the reference (the episode raised them), never below the band."""
    for run in status_quo["runs"]:
        for g, good in enumerate(status_quo["goods"]):
            r = float(run["ratio"][0, g])
            if good in FIRST_TURN_EPISODES:
                assert 0.7 <= r <= 4.0, (good, r)
            else:
                assert 0.7 <= r <= 1.3, (good, r)


def test_status_quo_prices_stay_within_half_and_twice_the_reference(status_quo):
    for seed, run in zip(SEEDS, status_quo["runs"]):
        last = run["ratio"][-LAST:].mean(axis=0)
        out = {good: round(float(last[g]), 2) for g, good in enumerate(status_quo["goods"])
               if not 0.5 <= last[g] <= 2.0}
        assert out == {}, (seed, out)


def test_status_quo_demand_is_met_at_the_end(status_quo):
    """Over the last four turns of the five games, less than 10% of the demand that would
    pay the reference price goes unmet, good by good."""
    short = sum(run["short"][-LAST:].sum(axis=0) for run in status_quo["runs"])
    need = sum(run["need"][-LAST:].sum(axis=0) for run in status_quo["runs"])
    share = np.where(need > 0, short / np.maximum(need, 1e-12), 0.0)
    out = {good: round(float(share[g]), 3) for g, good in enumerate(status_quo["goods"])
           if share[g] >= 0.10 and good not in SHORT_BY_MEASURE}
    assert out == {}, out


def test_status_quo_prices_move_like_prices(status_quo):
    """The mean absolute half-year change of each good's log price is under 0.15 (mean of
    the five games), unless a measure in force moves it (then still under 0.3)."""
    goods = status_quo["goods"]
    moves = np.mean([np.abs(np.diff(np.log(run["ratio"]), axis=0)).mean(axis=0)
                     for run in status_quo["runs"]], axis=0)
    rough = {good: round(float(moves[g]), 3) for g, good in enumerate(goods)
             if moves[g] >= 0.15 and good not in ROUGH_BY_MEASURE}
    assert rough == {}, rough
    for good in ROUGH_BY_MEASURE:
        assert moves[goods.index(good)] < 0.3, good
