"""Behaviour of the AI personalities in real, seeded games (issue 3).

Each test plays a short game through the public API, with the shock given as orders, and
compares it with the same game without the shock (or with another personality): the
personality must act when its trigger is there and hold still when it is not.
"""

from __future__ import annotations

import pytest

from game import Game, load_scenario
from game.save import load_game, write_save
from tests.smallworld import SMALL

CHIPS = ("chip_tools", "advanced_chip")


@pytest.fixture(scope="module")
def small():
    return load_scenario(str(SMALL))


def quiet_world(scenario, **seats) -> dict[str, str]:
    """Every country passive unless named, so only the seats under test and the test's
    orders move the world (firms keep their default policy)."""
    return {**{c: "passive" for c in scenario.countries}, **seats}


def orders_of(game: Game, seat: str, since: int = 1) -> list[tuple[int, str]]:
    return [(t, text) for t, s, text in game.model.accepted if s == seat and t >= since]


def actions_of(game: Game, seat: str, *actions: str) -> list[tuple[int, str]]:
    return [(t, text) for t, text in orders_of(game, seat) if text.split(" ", 1)[0] in actions]


def play(scenario, seats, script: dict[int, list[tuple[str, str]]], turns: int, seed: int = 1,
         length: int | None = None) -> Game:
    """Play `turns` turns (of a game of `length`, by default as many), submitting before
    turn t the (seat, order) pairs of script[t]."""
    game = Game(scenario, seed=seed, seats=seats, turns=length or turns)
    for turn in range(1, turns + 1):
        for seat, text in script.get(turn, []):
            assert game.submit(seat, text) == [], text
        game.step()
    return game


# -- great powers ------------------------------------------------------------------------------
@pytest.mark.parametrize("scenario", ["small", "baseline_2025"])
def test_china_hawk_answers_us_chip_controls_with_mineral_controls_within_two_turns(scenario, small):
    sc = small if scenario == "small" else load_scenario("baseline_2025")
    shock = {1: [("US", "chip_control target=CN content=0.001")]}
    game = play(sc, {"CN": "hawk"}, shock, turns=3)
    answer = [text for t, text in actions_of(game, "CN", "export_control") if "target=US" in text and t <= 3]
    assert answer and not any(f"good={g}" in text for text in answer for g in CHIPS)
    quiet = play(sc, {"CN": "hawk"}, {}, turns=3)
    assert not [text for _t, text in actions_of(quiet, "CN", "export_control") if "target=US" in text]


def test_china_hawk_climbs_its_ladder_only_after_the_other_side_has_held_on(small):
    from agents.policies.personalities.great_powers import Hawk
    seats = quiet_world(small, CN="hawk")
    game = play(small, seats, {8: [("US", "export_control good=chip_tools target=CN mode=ban")]}, turns=13)
    bans = [t for t, text in actions_of(game, "CN", "export_control") if "target=US" in text]
    start = next(c.start_turn for c in game.model.measures.controls.values() if c.issuer == "US")
    assert bans and bans[0] <= 9                              # the answer comes at once
    assert len(bans) >= 2                                     # and, held on to, a rung more
    assert all(t >= start + Hawk.PATIENCE for t in bans[1:])  # but not before its patience runs out
    quiet = play(small, seats, {}, turns=12)
    assert not [text for _t, text in actions_of(quiet, "CN", "export_control") if "target=US" in text]


def test_china_hawk_floods_a_good_it_dominates_while_a_rival_floors_it(small):
    """A US floor under gallium (China makes most of it) draws a Chinese export subsidy the
    next turn, lifted once the floor has lapsed; without the floor, none."""
    seats = quiet_world(small, CN="hawk")
    floor = {2: [("US", "price_floor good=gallium price=2 volume=5 turns=2")]}
    game = play(small, seats, floor, turns=8)
    assert actions_of(game, "CN", "export_subsidy") == [(3, "export_subsidy good=gallium rate=0.2"),
                                                        (5, "export_subsidy good=gallium rate=0")]
    assert actions_of(play(small, seats, {}, turns=8), "CN", "export_subsidy") == []


def test_builder_us_spends_on_floors_offtakes_or_stockpiles_when_its_supply_risk_rises(small):
    seats = quiet_world(small, US="builder")
    ban = play(small, seats, {2: [("CN", "export_control good=gallium target=US mode=ban")]}, turns=4)
    spent = actions_of(ban, "US", "price_floor", "offtake", "stockpile")
    assert spent and all(t >= 3 for t, _ in spent)            # after the ban, not before
    assert any("good=gallium" in text for _t, text in spent)
    assert not any(text.startswith(("export_control", "chip_control")) for _t, text in orders_of(ban, "US"))
    # the same world without the ban: its risk measure does not rise, and it spends nothing
    calm = play(small, seats, {}, turns=4)
    assert actions_of(calm, "US", "price_floor", "offtake", "stockpile") == []


# -- resource states ---------------------------------------------------------------------------
NICKEL_RUSH = {1: [("CN", "stockpile good=nickel_ore amount=1500 max_price=40")]}   # ore prices x2.5


@pytest.fixture(scope="module")
def nickel_games(small):
    seats = quiet_world(small, ID="nationalist", AU="nationalist")
    return play(small, seats, NICKEL_RUSH, turns=3), play(small, seats, {}, turns=3)


def test_nationalist_bans_ore_or_nationalizes_when_prices_and_foreign_ownership_are_high(nickel_games):
    rush, calm = nickel_games
    assert rush.observe("ID")["private"]["foreign_share"] > 0.5
    assert actions_of(rush, "ID", "ore_export_ban", "nationalize")
    # prices low: it cuts output with the other producers instead, and takes nothing over
    assert actions_of(calm, "ID", "ore_export_ban", "nationalize") == []
    # Australia, whose mines are Australian-owned, does not act on the same high prices
    assert rush.observe("AU")["private"]["foreign_share"] < 0.5
    assert actions_of(rush, "AU", "ore_export_ban", "nationalize") == []


def test_an_investor_friendly_state_does_not_ban_on_the_same_high_prices(small):
    game = play(small, quiet_world(small, ID="investor_friendly"), NICKEL_RUSH, turns=3)
    assert actions_of(game, "ID", "ore_export_ban", "nationalize") == []


def test_nationalist_only_offers_compensation_it_can_pay(nickel_games):
    rush, _calm = nickel_games
    rejected = [why for _t, s, text, why in rush.model.rejections if s == "ID" and text.startswith("nationalize")]
    assert rejected == []
    taken = [text.split("facility=")[1].split()[0] for _t, text in actions_of(rush, "ID", "nationalize")]
    m = rush.model                                            # it did offer, and it was carried out
    assert taken and all(m.fac.owner_name(m.fac.row[f], m.firms, m.countries) == "ID" for f in taken)


# -- firms ------------------------------------------------------------------------------------
GALLIUM_BAN = ("CN", "export_control good=gallium target=ALL mode=ban")
GALLIUM_LIFT = ("CN", "lift_control good=gallium target=ALL")
# The ban comes in turn 3, after two turns of market: the record of turn 1 in a firm's memory
# is the world before any market, at reference prices, at which expanding a plant can pay.
BAN_AT = 3
BAN = {BAN_AT: [GALLIUM_BAN]}
SPIKE = {BAN_AT: [GALLIUM_BAN], BAN_AT + 1: [GALLIUM_LIFT]}


def gallium_firms(small, firm_policy, script, turns=BAN_AT + 6):
    """(turn, host country, order) of every plant the two gallium firms build or expand."""
    seats = quiet_world(small, JPGA=firm_policy, DEGA=firm_policy)
    game = play(small, seats, script, turns)
    fac, countries = game.model.fac, game.model.countries.ids
    out = []
    for f in ("JPGA", "DEGA"):
        for t, text in actions_of(game, f, "build", "expand"):
            args = dict(kv.split("=", 1) for kv in text.split()[1:])
            host = args.get("country") or countries[fac.country[fac.row[args["facility"]]]]
            out.append((t, host, text))
    return out


@pytest.mark.parametrize("name, waits", [("expander", 2), ("state_directed", 3), ("cautious", 4)])
def test_firms_build_outside_china_when_prices_stay_high(small, name, waits):
    """Under a lasting ban on Chinese gallium the Japanese and German gallium firms build or
    expand plants, never in China, after as many turns as the price must hold."""
    builds = gallium_firms(small, name, BAN)
    assert builds and all(host != "CN" for _t, host, _text in builds)
    assert min(t for t, _h, _x in builds) == BAN_AT + waits   # the more cautious, the longer it waits
    assert gallium_firms(small, name, {}) == []          # prices never rose: nothing built


@pytest.mark.parametrize("name", ["expander", "state_directed", "cautious"])
def test_firms_do_not_build_on_a_one_turn_spike(small, name):
    """A ban lifted the turn after it was imposed doubles prices for one turn only."""
    assert gallium_firms(small, name, SPIKE) == []
    # the default firm, which judges on one turn, builds on that spike
    assert gallium_firms(small, "default_firm", SPIKE)


@pytest.mark.parametrize("name", ["expander", "state_directed"])
def test_firms_build_at_home_when_a_floor_covers_the_cost_gap(small, name):
    """A Japanese floor well above the cost of a new plant: Japan's gallium firm builds at
    home at once (the cautious firm, losing money at 2025 prices, would not)."""
    script = {1: [("JP", "price_floor good=gallium price=2.0 volume=50 turns=10")]}
    builds = gallium_firms(small, name, script)
    assert builds and all(host == "JP" for _t, host, _text in builds)
    # a floor below the cost of a new plant changes nothing
    low = {1: [("JP", "price_floor good=gallium price=0.4 volume=50 turns=10")]}
    assert gallium_firms(small, name, low) == []


def test_difficulty_changes_when_a_firm_believes_a_price(small):
    """Under a lasting ban the hard expander, which extrapolates the rise, builds a turn
    before the normal one. On a one-turn spike the normal expander holds still, while the
    easy one, a turn behind and remembering one turn, builds after the spike has passed."""
    first = {lv: min(t for t, _h, _x in gallium_firms(small, f"expander:{lv}", BAN))
             for lv in ("normal", "hard")}
    assert first["hard"] < first["normal"]
    assert gallium_firms(small, "expander:normal", SPIKE) == []
    late = gallium_firms(small, "expander:easy", SPIKE)
    assert late and min(t for t, _h, _x in late) >= BAN_AT + 2


# -- middle countries -------------------------------------------------------------------------
US_CONTROLS = {1: [("US", "chip_control target=CN"), ("US", "export_control good=gallium target=CN mode=ban")]}


def complied(game: Game, seat: str) -> list[str]:
    return [text for _t, text in actions_of(game, seat, "export_control", "chip_control") if "target=CN" in text]


@pytest.mark.parametrize("name, japan, germany", [("aligned", True, True), ("hedging", True, False),
                                                   ("autonomous", False, False)])
def test_middle_countries_follow_us_controls_according_to_alignment(small, name, japan, germany):
    """Japan (alignment 0.9) and Germany (0.7): the aligned follow the US at 0.3, the
    hedging only from 0.75, the autonomous only from 0.95."""
    game = play(small, quiet_world(small, JP=name, DE=name), US_CONTROLS, turns=3)
    assert bool(complied(game, "JP")) is japan
    assert bool(complied(game, "DE")) is germany


# -- coercion and alignment -------------------------------------------------------------------
def test_coercion_pushes_its_target_toward_the_other_bloc(small):
    """An aligned Japan joins the US chip controls; China's hawk answers Japan with a ban,
    and Japan moves further toward the US. Where Japan stays out, China leaves it alone."""
    def japan(policy):
        game = play(small, quiet_world(small, JP=policy, CN="hawk"), US_CONTROLS, turns=4)
        return game, game.observe("JP")["private"]["alignment"]

    joined, a_joined = japan("aligned")
    assert [text for _t, text in actions_of(joined, "CN", "export_control") if "target=JP" in text]
    stayed, a_stayed = japan("passive")
    assert not [text for _t, text in actions_of(stayed, "CN", "export_control") if "target=JP" in text]
    assert a_joined > a_stayed + 0.05


def test_us_controls_push_a_resource_state_toward_china(small):
    hit = play(small, quiet_world(small), {1: [("US", "export_control good=advanced_chip target=ID mode=ban")]}, turns=2)
    calm = play(small, quiet_world(small), {}, turns=2)
    assert hit.observe("ID")["private"]["alignment"] < calm.observe("ID")["private"]["alignment"] - 0.05


# -- memory and replay ------------------------------------------------------------------------
MEMORY_SEATS = {"US": "builder", "CN": "hawk", "ID": "nationalist", "JPGA": "expander", "DEGA": "cautious",
                "TSINGSHAN": "state_directed", "BHP": "expander:hard", "VALE": "cautious:easy"}


def test_policies_with_memory_keep_a_game_a_function_of_its_seed(small, tmp_path):
    script = {1: [GALLIUM_BAN], 3: [GALLIUM_LIFT]}
    one, two = play(small, MEMORY_SEATS, script, turns=5), play(small, MEMORY_SEATS, script, turns=5)
    assert [r.digest for r in one.reports] == [r.digest for r in two.reports]
    assert actions_of(one, "JPGA", "build"), "the remembering firms did nothing: the test shows nothing"
    loaded = load_game(write_save(one, tmp_path / "memory.save"))     # replays and checks every digest
    assert loaded.digest() == one.digest()


def test_a_loaded_game_plays_on_as_the_uninterrupted_one(small, tmp_path):
    """Policies remember through the history in their observations, and a loaded game
    rebuilds it by replaying its turns: after loading, every turn's digest is the
    uninterrupted game's (remembering firms and builder, the hawk's floods, difficulty
    levels that read last turn's market)."""
    seats = {**MEMORY_SEATS, "JP": "builder:hard", "DE": "hedging:easy"}
    script = {1: [GALLIUM_BAN], 3: [GALLIUM_LIFT], 5: [GALLIUM_BAN], 7: [GALLIUM_LIFT]}
    whole = play(small, seats, script, turns=9)
    part = play(small, seats, script, turns=4, length=9)
    loaded = load_game(write_save(part, tmp_path / "part.save"))
    digests = []
    for turn in range(5, 10):
        for seat, text in script.get(turn, []):
            assert loaded.submit(seat, text) == [], text
        loaded.step()
        digests.append(loaded.digest())
    assert digests == [r.digest for r in whole.reports[4:]]
    assert actions_of(whole, "US", "price_floor", "offtake", "stockpile", "dev_loan")
    assert actions_of(whole, "JPGA", "build") or actions_of(whole, "DEGA", "build")


def test_china_hawk_floods_against_capacity_built_by_others_not_by_its_own_firms(small):
    """Gallium capacity a Japanese firm builds, in Japan or in Indonesia (whose alignment puts
    it on China's side), is a threat the hawk answers with an export subsidy; the same
    capacity built by a Chinese firm is not, in China or in Germany: owners count, not
    hosts."""
    seats = quiet_world(small, CN="hawk")
    size = 0.3 * 718                               # above a tenth of world output, a year
    rival = play(small, seats, {1: [("JPGA", f"build type=refinery good=gallium country=JP capacity={size}")]}, turns=3)
    at_home = play(small, seats, {1: [("CHALCO", f"build type=refinery good=gallium country=CN capacity={size}")]}, turns=3)
    abroad = play(small, seats, {1: [("CHALCO", f"build type=refinery good=gallium country=DE capacity={size}")]}, turns=3)
    assert "jpga_gallium_jp" in rival.model.fac.row and "chalco_gallium_cn" in at_home.model.fac.row
    assert "chalco_gallium_de" in abroad.model.fac.row
    assert [text for _t, text in actions_of(rival, "CN", "export_subsidy")] == ["export_subsidy good=gallium rate=0.2"]
    assert actions_of(at_home, "CN", "export_subsidy") == []
    assert actions_of(abroad, "CN", "export_subsidy") == []
    near = play(small, seats, {1: [("JPGA", f"build type=refinery good=gallium country=ID capacity={size}")]}, turns=3)
    assert "jpga_gallium_id" in near.model.fac.row
    assert [text for _t, text in actions_of(near, "CN", "export_subsidy")] == ["export_subsidy good=gallium rate=0.2"]
