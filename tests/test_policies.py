"""Policies: the conformance kit over every registered policy, and one seeded behaviour
test per personality trait the design asks for."""

from __future__ import annotations

import numpy as np
import pytest

from agents.policies import REGISTRY, Policy, Traits, make_policy
from game import orders as o
from game.api import Game
from game.testing import PolicyCheckError, check_policy

SMALL = "tests/fixtures/small/small_scenario.yaml"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_registered_policy_conforms(name):
    report = check_policy(name, "baseline_2025", seed=3, turns=2)
    assert report.decisions >= 2 and report.slowest_ms < 5.0


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_registered_policy_is_described(name):
    cls = REGISTRY[name]
    assert cls.name == name and cls.description
    assert set(cls.traits.roles) <= {"great_power", "middle", "resource", "firm"} and cls.traits.roles


def test_three_personalities_per_role_kind():
    for kind in ("great_power", "middle", "resource", "firm"):
        own = [n for n, c in REGISTRY.items() if kind in c.traits.roles and not n.startswith("default")
               and n != "passive"]
        assert len(own) >= 3, (kind, own)


class _Raises(Policy):
    name = "broken_raises"
    traits = Traits(roles=("great_power",))

    def decide(self, obs, rng):
        return [o.Stockpile(good="gallium", amount=1.0)] if obs["turn"] == 0 else 1 / 0


class _Garbage(Policy):
    name = "broken_garbage"
    traits = Traits(roles=("firm",))

    def decide(self, obs, rng):
        return ["build everything"]


class _Random(Policy):
    name = "broken_random"
    traits = Traits(roles=("middle",), stochastic=True)

    def decide(self, obs, rng):
        return [o.Stockpile(good="gallium", amount=float(np.random.default_rng().random()) + 0.1)]


@pytest.mark.parametrize("cls,words", [(_Raises, "raised ZeroDivisionError"), (_Garbage, "not an Order"),
                                       (_Random, "not deterministic")])
def test_broken_policy_fails_with_a_clear_message(cls, words):
    with pytest.raises(PolicyCheckError, match=words) as info:
        check_policy(cls, SMALL, turns=2)
    assert cls.name in str(info.value) and "turn" in str(info.value)


# --- behaviour ----------------------------------------------------------------------------

def _controls(game, issuer, target):
    return [c for c in game.observe(issuer)["public"]["controls"] if c["issuer"] == issuer and c["target"] == target]


def test_hawk_answers_chip_controls_with_mineral_controls_within_two_turns():
    game = Game(SMALL, seed=1, seats={"CN": "hawk"})
    game.submit("US", ["chip_control target=CN"])
    game.run(3)                       # control on turn 1; answer by turn 3
    answer = _controls(game, "CN", "US")
    assert answer and all(c["good"] not in ("chip_tools", "advanced_chip") for c in answer)
    quiet = Game(SMALL, seed=1, seats={"CN": "hawk"})
    quiet.run(3)
    assert not _controls(quiet, "CN", "US")


def test_pragmatist_answers_with_licences_and_offers_a_suspension():
    game = Game(SMALL, seed=1, seats={"CN": "pragmatist"})
    game.submit("US", ["chip_control target=CN"])
    game.run(3)
    answer = _controls(game, "CN", "US")
    assert answer and {c["mode"] for c in answer} == {"licence"}
    texts = [t for _turn, s, t in game.model.submission_log if s == "CN"]
    assert any(t.startswith("propose_deal to=US") and "suspend_control" in t for t in texts)


def _obs(seat, turns=1, seed=1, seats=None):
    game = Game(SMALL, seed=seed, seats=seats or {})
    game.run(turns)
    return game.observe(seat)


def _with(obs, part, **changes):
    out = {**obs, part: {**obs[part], **changes}}
    return out


def _rng():
    return np.random.default_rng(0)


def _risk_spend(orders):
    return sum(1 for x in orders if x.action in ("price_floor", "stockpile", "offtake", "dev_loan"))


def _after(obs, turn, past):
    """`obs` on `turn`, its history showing the private figures of the observations `past`
    (oldest first) on the turns just before (and no controls then)."""
    first = turn - len(past)
    pub_hist = tuple({"turn": first + i, "controls": ()} for i in range(len(past)))
    me_hist = tuple({"turn": first + i, **{k: p["private"][k] for k in ("demand", "shortage", "rival_share")}}
                    for i, p in enumerate(past))
    return _with(_with(obs, "public", turn=turn, history=pub_hist), "private", history=me_hist)


def test_builder_raises_floors_and_stockpiles_when_supply_risk_rises():
    obs = _obs("US")
    me = obs["private"]
    calm = _with(obs, "private", rival_share=np.zeros_like(me["rival_share"]), shortage=np.zeros_like(me["shortage"]))
    risky_share = np.where(np.asarray(me["demand"]) > 0, 0.95, 0.0)
    risky = _with(calm, "private", rival_share=risky_share)
    pol = make_policy("builder", "great_power")
    assert _risk_spend(pol.decide(_after(calm, 2, []), _rng()) + pol.decide(_after(calm, 3, [calm]), _rng())) == 0
    # a risk that was always high is no news either
    assert _risk_spend(pol.decide(_after(risky, 3, [risky]), _rng())) == 0
    out = pol.decide(_after(risky, 3, [calm]), _rng())
    assert _risk_spend(out) >= 2 and {x.action for x in out} & {"price_floor", "stockpile"}
    assert not any(x.action in ("export_control", "chip_control") for x in out)
    # what it remembers is in the observation, not in the instance: a fresh one answers alike
    assert [x.text() for x in make_policy("builder", "great_power").decide(_after(risky, 3, [calm]), _rng())] == \
        [x.text() for x in out]


def test_nationalist_bans_ore_when_prices_and_foreign_ownership_are_high():
    obs = _obs("ID")
    pol = make_policy("nationalist", "resource")
    g = obs["public"]["goods"].index("nickel_ore")
    high = obs["public"]["price"].copy()
    high[:, g] = 1.5 * obs["public"]["ref_price"][g]
    normal = obs["public"]["price"].copy()
    normal[:, g] = obs["public"]["ref_price"][g]
    hot = _with(_with(obs, "public", price=high), "private", foreign_share=0.9)
    acts = lambda ob: {(x.action, getattr(x, "good", "")) for x in pol.decide(ob, _rng())}
    assert ("ore_export_ban", "nickel_ore") in acts(hot)
    assert ("ore_export_ban", "nickel_ore") not in acts(_with(_with(obs, "public", price=normal), "private", foreign_share=0.9))
    assert ("ore_export_ban", "nickel_ore") not in acts(_with(_with(obs, "public", price=high), "private", foreign_share=0.1))
    # the investor-friendly state in the same spot does not ban
    assert ("ore_export_ban", "nickel_ore") not in {(x.action, getattr(x, "good", ""))
                                                    for x in make_policy("investor_friendly", "resource").decide(hot, _rng())}


@pytest.mark.parametrize("name", ["expander", "cautious", "state_directed"])
def test_firms_build_outside_china_only_when_prices_or_floors_cover_the_gap(name):
    obs = _obs("JPGA", turns=2)
    obs = _with(obs, "private", cash=5000.0, debt=0.0, profit=5.0)    # a firm that can afford a plant
    pub = obs["public"]
    pol = make_policy(name, "firm")
    g = pub["goods"].index("gallium")
    fac = obs["private"]["facilities"]
    host_of = {str(i): pub["countries"][int(c)] for i, c in zip(fac["id"], fac["country"])}

    def builds(ob):
        """The hosts of the plants the firm builds or expands."""
        return [x.country if x.action == "build" else host_of[x.facility]
                for x in pol.decide(ob, _rng()) if x.action in ("build", "expand")]
    flat = pub["price"].copy()
    flat[:, g] = pub["ref_price"][g]
    assert builds(_with(obs, "public", price=flat)) == []
    high = pub["price"].copy()
    high[:, g] = 4.0 * pub["ref_price"][g]
    assert builds(_with(obs, "public", price=high)) == []            # not on one turn's price
    held = tuple({**rec, "price": high} for rec in pub["history"])   # but on a price that has held
    out = builds(_with(obs, "public", price=high, history=held))
    assert out and "CN" not in out
    floor = [{"state": "JP", "good": "gallium", "price": 4.0 * float(pub["ref_price"][g]), "volume": 100.0,
              "until_turn": 20}]
    out = builds(_with(obs, "public", price=flat, floors=floor))
    assert out and "CN" not in out


def _us_control_obs(seat, alignment):
    game = Game(SMALL, seed=1, seats={seat: "passive"})
    game.submit("US", ["export_control good=gallium target=CN mode=ban", "chip_control target=CN"])
    game.run(1)
    obs = game.observe(seat)
    return _with(obs, "private", alignment=alignment)


@pytest.mark.parametrize("name,complies_at,refuses_at", [("aligned", 0.9, 0.1), ("hedging", 0.9, 0.5),
                                                         ("autonomous", 0.95, 0.7)])
def test_middle_countries_comply_with_bloc_controls_by_alignment(name, complies_at, refuses_at):
    pol = make_policy(name, "middle")
    follow = lambda ob: [x for x in pol.decide(ob, _rng()) if x.action in ("export_control", "chip_control")
                         and x.target == "CN"]
    assert follow(_us_control_obs("JP", complies_at))
    assert not follow(_us_control_obs("JP", refuses_at))


def test_aligned_japan_joins_us_controls_in_play():
    game = Game(SMALL, seed=1, seats={"JP": "aligned"})
    game.submit("US", ["export_control good=gallium target=CN mode=ban"])
    game.run(3)
    assert any(c["good"] == "gallium" for c in _controls(game, "JP", "CN"))


def test_balancer_takes_deals_from_the_far_side_only():
    obs = _obs("ID")
    pol = make_policy("balancer", "resource")
    deals = [{"id": "D1-US-ID-1", "from": "US", "give": "dev_loan country=ID amount=10", "ask": "lift_control good=x target=US"},
             {"id": "D1-CN-ID-1", "from": "CN", "give": "dev_loan country=ID amount=10", "ask": "lift_control good=x target=CN"}]
    out = {x.deal: x.action for x in pol.decide(_with(obs, "private", alignment=-0.5, deals_offered=deals), _rng())
           if x.action in ("accept_deal", "reject_deal")}
    assert out == {"D1-US-ID-1": "accept_deal", "D1-CN-ID-1": "reject_deal"}


def test_nationalist_takes_over_foreign_plants_in_play():
    """Played for real on the 2025 scenario, Indonesia's nationalist nationalizes a
    foreign-owned plant once prices and foreign ownership run high; an investor-friendly
    Indonesia, in the same game, does not."""
    def id_orders(policy):
        # twelve turns: cobalt ore runs high once Congo's quota binds, from about 2029
        game = Game("baseline_2025", seed=1, seats={"ID": policy}, turns=12)
        game.run()
        return [text for t, seat, text in game.model.accepted if seat == "ID" and t > 0]

    assert any(text.startswith("nationalize") for text in id_orders("nationalist"))
    assert not any(text.startswith(("nationalize", "ore_export_ban")) for text in id_orders("investor_friendly"))


def test_a_level_is_batched_only_when_the_policy_it_wraps_is():
    """A policy that decides seat by seat stays so at any level, each seat with its own
    observation; a batched one is asked in a batch at every level."""
    from agents.policies.base import Passive
    from agents.policies.default import DefaultFirm
    from agents.policies.difficulty import with_difficulty
    for level in ("easy", "normal", "hard"):
        assert not hasattr(with_difficulty(Passive, level), "decide_batch")
        assert hasattr(with_difficulty(DefaultFirm, level), "decide_batch")


def test_a_firm_looks_for_input_hosts_only_among_producers():
    """An input made in one country has that one host: the country after it in the list,
    which makes none, is no place to find the input (it once drew Chinese magnet makers to
    the first country in alphabetical order)."""
    from agents.policies.investing import _input_hosts, _inputs_of
    recipe = np.zeros((3, 3))
    recipe[2, :2] = 1.0                       # good 2 is made from goods 0 and 1
    production = np.array([[0.0, 0.0, 0.0],   # country 0 makes nothing
                           [0.0, 0.0, 4.0],   # country 1 makes good 2 only
                           [9.0, 7.0, 0.0]])  # country 2 makes both inputs
    hosts = _input_hosts(production, _inputs_of(recipe))
    assert hosts[2] == {2}


# -- expansions ---------------------------------------------------------------------------------
def _plants_like(fac, **changes):
    """Facility columns as a firm sees them, with some columns replaced."""
    out = {k: np.array(v) for k, v in fac.items()}
    out.update({k: np.asarray(v) for k, v in changes.items()})
    return out


def _gallium_firm(price_multiple=2.0, cash=5000.0):
    """JPGA (one gallium plant in Japan) rich in cash, with gallium at `price_multiple` x its
    reference price everywhere, now and over its remembered turns."""
    obs = _with(_obs("JPGA", turns=2), "private", cash=cash, debt=0.0, profit=5.0)
    pub = obs["public"]
    g = pub["goods"].index("gallium")
    price = pub["price"].copy()
    price[:, g] = price_multiple * pub["ref_price"][g]
    held = tuple({**rec, "price": price} for rec in pub["history"])
    return _with(obs, "public", price=price, history=held), g


def test_what_an_expansion_returns_and_when_a_plant_cannot_grow():
    from agents.policies.investing import _firm_tables, expansions
    obs, g = _gallium_firm()
    tables = _firm_tables(obs["public"])
    fac = obs["private"]["facilities"]
    plant = expansions(tables, _plants_like(fac))
    assert plant["ratio"][0] > 0 and np.isfinite(plant["ratio"][0])
    # a new plant's size (4% of world output), at most the plant's own capacity, at 0.8x capex
    size = min(tables["capacity"][g], float(fac["capacity"][0]))
    assert plant["capacity"][0] == size
    assert plant["cost"][0] == pytest.approx(0.8 * tables["capex_unit"][g] * size)
    small = expansions(tables, _plants_like(fac, capacity=[0.5]))
    assert small["capacity"][0] == 0.5
    for why in ({"expanding": [True]}, {"status_code": [1]}, {"type": ["recycling"]}):
        assert expansions(tables, _plants_like(fac, **why))["ratio"][0] == -np.inf, why
    closed = {**tables, "expand_open": np.zeros_like(tables["expand_open"])}
    assert expansions(closed, _plants_like(fac))["ratio"][0] == -np.inf
    # a mine grows only where deposits cover the addition
    mine = {**tables, "is_mine": np.ones_like(tables["is_mine"]), "reserves": np.zeros_like(tables["reserves"])}
    assert expansions(mine, _plants_like(fac))["ratio"][0] == -np.inf


def test_a_firm_whose_only_project_is_an_expansion_is_asked_and_expands():
    """New plants closed everywhere (prospect -inf), an expansion that pays: the batch
    prefilter lets the firm through and it expands its plant."""
    import agents.policies.default as d
    obs, _g = _gallium_firm()
    real = d._firm_tables

    def no_new_plants(pub):
        t = real(pub)
        return {**t, "prospect": [-np.inf] * len(t["prospect"])}
    d._firm_tables = no_new_plants
    try:
        orders = make_policy("default_firm", "firm").decide(obs, _rng())
    finally:
        d._firm_tables = real
    assert [(x.action, x.facility) for x in orders if x.action in ("build", "expand")] == [("expand", "jp_gallium")]


@pytest.mark.parametrize("name, grows_in_china", [("default_firm", True), ("expander", False)])
def test_a_firm_from_outside_china_expands_its_chinese_plant_only_if_its_policy_invests_there(name, grows_in_china):
    """JPGA given a cheap plant in China as well: the default firm grows it; the expander,
    de-risking, neither grows it nor builds in China."""
    obs, _g = _gallium_firm()
    pub, fac = obs["public"], obs["private"]["facilities"]
    cn = pub["countries"].index("CN")
    two = {k: np.concatenate([np.asarray(v), np.asarray(v)]) for k, v in fac.items()}
    two["id"] = np.array(["jp_gallium", "jp_gallium_cn"], dtype=object)
    two["country"] = np.array([fac["country"][0], cn])
    two["unit_cost"] = np.array([fac["unit_cost"][0], 0.1])
    orders = make_policy(name, "firm").decide(_with(obs, "private", facilities=two), _rng())
    invest = [x for x in orders if x.action in ("build", "expand")]
    in_china = [x for x in invest if getattr(x, "facility", "") == "jp_gallium_cn" or getattr(x, "country", "") == "CN"]
    assert invest
    assert bool(in_china) is grows_in_china


def test_the_builders_offtake_is_no_larger_than_its_floor_covers():
    from agents.policies.personalities.great_powers import Builder
    obs = _obs("JP", turns=2)                  # Japan hosts a nickel refinery and a gallium plant
    pub, me = obs["public"], obs["private"]
    g = int(me["facilities"]["good"][int(np.argmax(me["facilities"]["capacity"]))])
    big = Builder._offtake(pub, me, g, most=1e12)
    capped = Builder._offtake(pub, me, g, most=0.25)
    assert big is not None and big.volume > 0.25 and capped.volume == 0.25
