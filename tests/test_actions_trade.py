"""Effects of the trade and diplomacy actions on the small world, as a player sees them.

Each test plays a few turns of the small test world (every seat passive) and looks at
prices, flows, money and measures. Where an effect is only visible against what would have
happened anyway, the same game is played twice, with and without the order ("twins").
"""

from __future__ import annotations


import numpy as np
import pytest

from game.market.routes import build_routes
from game.rules import load_scenario
from smallworld import CN_BANS_US, SMALL, passive, step, twins  # noqa: F401


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(str(SMALL))


def treasury_gain(base, m, country: str) -> float:
    """What the order did to a treasury against the twin game, before the baseline spending
    rule (which passes on part of whatever a state holds above its fund)."""
    a, b = m.countries[country], base.countries[country]
    return float(m.treasury[a] + m.gov_spending_cum[a] - base.treasury[b] - base.gov_spending_cum[b])


def flow(m, good: str, exporter: str, importer: str) -> float:
    return float(m.flows[m.goods[good]][m.countries[exporter], m.countries[importer]])


def price(m, country: str, good: str) -> float:
    return float(m.price[m.countries[country], m.goods[good]])


def c(m, code: str) -> int:
    return m.countries[code]


# ---- export controls ----------------------------------------------------------------------

def test_export_ban_stops_flows_and_splits_the_price(scenario):
    base, m = twins(scenario, {1: [CN_BANS_US]}, 1)
    assert flow(base, "gallium", "CN", "US") > 50
    assert flow(m, "gallium", "CN", "US") == 0.0
    assert price(m, "US", "gallium") > 2 * price(base, "US", "gallium")
    assert price(m, "US", "gallium") > price(m, "CN", "gallium")
    assert price(m, "CN", "gallium") == pytest.approx(price(base, "CN", "gallium"))
    # what US buyers still get comes from Japan and Germany
    assert flow(m, "gallium", "JP", "US") > 0 and flow(m, "gallium", "DE", "US") > 0


@pytest.mark.parametrize("seed", [1, 2])    # the licence decision is random: both outcomes
def test_licence_regime_blocks_until_licences_are_granted_then_lets_part_through(scenario, seed):
    licence = ("CN", "export_control good=gallium target=US mode=licence approval=0.5 delay=1")
    apply = ("US", "apply_licence good=gallium origin=CN volume=60")
    free = passive(scenario, seed)
    step(free)
    routine, applied = passive(scenario, seed), passive(scenario, seed)
    step(routine, licence)
    step(applied, licence, apply)
    for game in (routine, applied):          # turn 1: nothing is licensed yet
        assert flow(game.model, "gallium", "CN", "US") == 0.0
    lic, = applied.model.measures.licences
    assert (lic.exporter, lic.importer, lic.decide_turn, lic.granted) == ("CN", "US", 2, None)
    blocked = price(routine.model, "US", "gallium")
    step(free)
    step(routine)
    step(applied)
    # after the delay routine licensing lets part of the usual trade through
    got_routine = flow(routine.model, "gallium", "CN", "US")
    assert 0 < got_routine < 0.8 * flow(free.model, "gallium", "CN", "US")
    assert price(routine.model, "US", "gallium") < blocked
    # and an application, if granted, adds its volume (60 a year = 30 a turn) for its term
    granted = [x for x in applied.model.measures.licences if x.granted]
    got_applied = flow(applied.model, "gallium", "CN", "US")
    if granted:
        assert got_applied > got_routine + 1.0
        assert got_applied <= got_routine + 30.0 + 1e-6
    else:                                   # refused (a coin toss at approval=0.5): dropped
        assert applied.model.measures.licences == []
        assert got_applied == pytest.approx(got_routine)


@pytest.mark.parametrize("seed", [1, 2])    # the licence decision is random: both outcomes
def test_apply_licence_by_a_firm_licenses_its_plants_country(scenario, seed):
    # Vale refines nickel in Japan with Indonesian ore; Indonesia routinely licenses half
    # of Japan's usual need and grants applications at the same odds (plants buy what they
    # use plus a slow refill of their stock, so full routine approval would leave an
    # application nothing to add)
    control = ("ID", "export_control good=nickel_ore target=JP mode=licence approval=0.5 delay=0")
    apply = ("VALE", "apply_licence good=nickel_ore origin=ID volume=200")
    base, m = passive(scenario, seed), passive(scenario, seed)
    step(base, control)
    step(m, control, apply)
    routine = flow(base.model, "nickel_ore", "ID", "JP")
    got = flow(m.model, "nickel_ore", "ID", "JP")
    if m.model.measures.licences:
        lic, = m.model.measures.licences
        assert (lic.exporter, lic.importer, lic.applicant, lic.granted) == ("ID", "JP", "VALE", True)
        # more ore reaches Japan than routine licensing alone lets through
        assert got > routine + 1.0
    else:                                   # refused: the application is dropped
        assert got == pytest.approx(routine)


def test_apply_licence_needs_a_licence_regime(scenario):
    game = passive(scenario)
    game.submit("US", "apply_licence good=gallium origin=CN volume=10")
    report = game.step()
    assert report.rejected == [("US", "apply_licence good=gallium origin=CN volume=10",
                                "CN does not license gallium exports to US")]


def test_export_quota_caps_the_flow_to_the_target(scenario):
    game = passive(scenario)
    step(game, ("CN", "export_control good=gallium target=US mode=quota quota=20"))
    m = game.model
    assert flow(m, "gallium", "CN", "US") == pytest.approx(20 * m.turn_frac)
    assert price(m, "US", "gallium") > price(m, "CN", "gallium")


def test_lift_control_restores_the_flow(scenario):
    game = passive(scenario)
    step(game, CN_BANS_US)
    assert flow(game.model, "gallium", "CN", "US") == 0.0
    step(game, ("CN", "lift_control good=gallium target=US"))
    m = game.model
    assert m.measures.controls == {}
    assert flow(m, "gallium", "CN", "US") > 50
    assert price(m, "US", "gallium") == pytest.approx(price(m, "CN", "gallium"), abs=1e-3)
    game.submit("CN", "lift_control good=gallium target=US")
    report = game.step()
    assert report.rejected[0][2] == "no control of yours on gallium to US"


def test_suspend_control_lifts_it_for_some_turns_then_it_binds_again(scenario):
    game = passive(scenario)
    flows = []
    plan = {1: [CN_BANS_US], 2: [("CN", "suspend_control good=gallium target=US turns=2")]}
    for turn in range(1, 6):
        step(game, *plan.get(turn, []))
        flows.append(flow(game.model, "gallium", "CN", "US"))
    assert flows[0] == 0.0
    assert flows[1] > 50 and flows[2] > 50
    assert flows[3] == 0.0 and flows[4] == 0.0


# ---- tariffs, subsidies, cartels ------------------------------------------------------------

def test_tariff_raises_the_importer_price_by_the_tariff_and_pays_the_treasury(scenario):
    base, m = twins(scenario, {1: [("US", "tariff good=gallium target=CN rate=0.5")]}, 1)
    duty = 0.5 * m.ref_price[m.goods["gallium"]]
    assert flow(m, "gallium", "CN", "US") > 0
    assert price(m, "US", "gallium") == pytest.approx(price(m, "CN", "gallium") + duty, abs=1e-3)
    income = m.tariff_income[c(m, "US")]
    assert income == pytest.approx(duty * flow(m, "gallium", "CN", "US"), rel=1e-3)
    assert treasury_gain(base, m, "US") == pytest.approx(income, rel=1e-6)
    # dearer gallium: the US buys less of it
    assert m.imports[c(m, "US"), m.goods["gallium"]] < base.imports[c(m, "US"), m.goods["gallium"]]


def test_tariff_at_rate_zero_removes_it(scenario):
    game = passive(scenario)
    step(game, ("US", "tariff good=gallium target=CN rate=0.5"))
    step(game, ("US", "tariff good=gallium target=CN rate=0"))
    m = game.model
    assert m.measures.tariffs == {}
    assert price(m, "US", "gallium") == pytest.approx(price(m, "CN", "gallium"), abs=1e-3)


def test_export_subsidy_lowers_the_world_price_at_the_exporters_expense(scenario):
    base, m = twins(scenario, {1: [("CN", "export_subsidy good=gallium rate=0.2")]}, 1)
    ga = m.goods["gallium"]
    assert (m.price[:, ga] < base.price[:, ga] - 0.05).all()
    paid = 0.2 * m.ref_price[ga] * m.exports[c(m, "CN"), ga]
    assert paid > 0
    assert treasury_gain(base, m, "CN") <= -0.9 * paid


def test_producer_quota_caps_exports_and_lifts_the_price_abroad(scenario):
    game = passive(scenario)
    game.submit("ID", "producer_quota good=nickel_ore cut=0.5")
    report = game.step()
    assert report.rejected[0][2] == "ID exported no nickel_ore last turn: nothing to cap"
    before = game.model.exports[c(game.model, "ID"), game.model.goods["nickel_ore"]]
    base = passive(scenario)
    base.run(2)
    step(game, ("ID", "producer_quota good=nickel_ore cut=0.5"))
    m = game.model
    assert m.exports[c(m, "ID"), m.goods["nickel_ore"]] <= 0.5 * before + 1e-6
    assert price(m, "CN", "nickel_ore") > price(base.model, "CN", "nickel_ore")
    assert price(m, "ID", "nickel_ore") < price(m, "CN", "nickel_ore")


def test_ore_export_ban_keeps_ore_at_home_and_cheapens_it_there(scenario):
    base, m = twins(scenario, {1: [("ID", "ore_export_ban good=nickel_ore")]}, 1)
    ore = m.goods["nickel_ore"]
    assert base.exports[c(m, "ID"), ore] > 0
    assert m.exports[c(m, "ID"), ore] == 0.0
    assert price(m, "ID", "nickel_ore") < price(m, "CN", "nickel_ore")
    assert price(m, "CN", "nickel_ore") > price(base, "CN", "nickel_ore")
    assert m.investor_risk[c(m, "ID")] > base.investor_risk[c(m, "ID")]


def test_ore_export_ban_is_only_for_ores(scenario):
    game = passive(scenario)
    game.submit("ID", "ore_export_ban good=nickel_refined")
    report = game.step()
    assert report.rejected[0][2] == "nickel_refined is not an ore (stage refined); use export_control"


# ---- chips, know-how, governance --------------------------------------------------------------

def test_chip_control_closes_chip_routes_from_the_issuer_and_its_close_allies(scenario):
    game = passive(scenario)
    step(game, ("US", "chip_control target=CN"))
    m = game.model
    routes = build_routes(m)
    assert m.goods["gallium"] not in routes            # other goods are not touched
    for good in ("chip_tools", "advanced_chip"):
        cap = routes[m.goods[good]].cap
        for ally in ("US", "JP", "DE", "AU"):            # members and allies comply
            assert cap[c(m, ally), c(m, "CN")] == 0.0
        assert cap[c(m, "ID"), c(m, "CN")] == np.inf     # a non-aligned state does not
        assert cap[c(m, "JP"), c(m, "ID")] == np.inf     # nor is anyone else cut off


def test_tech_control_makes_the_targets_firms_build_dearer_and_slower(scenario):
    # "processing" know-how is rare-earth separation: NdPr plants are covered, nickel is not
    build = ("TSINGSHAN", "build type=refinery good=ndpr_oxide country=ID capacity=10")
    other = ("BHP", "build type=refinery good=ndpr_oxide country=AU capacity=10")
    nickel = ("TSINGSHAN", "build type=refinery good=nickel_refined country=ID capacity=100")
    base, m = twins(scenario, {1: [("US", "tech_control area=processing target=CN")]}, 1,
                    base_plan={1: [build, other, nickel]})
    new, mine = base.fac.row["tsingshan_ndpr_oxide_id"], m.fac.row["tsingshan_ndpr_oxide_id"]
    assert m.fac.capex_value[mine] == pytest.approx(1.5 * base.fac.capex_value[new])
    assert m.fac.turns_left[mine] > base.fac.turns_left[new]
    assert m.fac.unit_cost[mine] > base.fac.unit_cost[new]
    ts = m.firms["TSINGSHAN"]
    assert m.cash[ts] - base.cash[ts] == pytest.approx(-0.5 * base.fac.capex_value[new])
    bhp = m.fac.row["bhp_ndpr_oxide_au"]              # an Australian firm is not affected
    assert m.fac.capex_value[bhp] == base.fac.capex_value[bhp]
    assert m.fac.turns_left[bhp] == base.fac.turns_left[bhp]
    ni = m.fac.row["tsingshan_nickel_refined_id"]     # nor is know-how outside the area
    assert m.fac.capex_value[ni] == base.fac.capex_value[ni]


def test_relocating_a_plant_meets_the_know_how_rule_of_a_build():
    """Moving a plant means building it anew in the host: under a US processing control a
    Chinese separator moved to Malaysia costs 1.5x, takes a year more and runs dearer."""
    world = load_scenario("baseline_2025")
    move = ("CN_NORTHERN_RE", "relocate facility=cnre_baotou_separation country=MY")
    base, m = twins(world, {1: [("US", "tech_control area=processing target=CN")]}, 2,
                    base_plan={2: [move]})
    new, mine = base.fac.row["cnre_baotou_separation_my"], m.fac.row["cnre_baotou_separation_my"]
    assert m.fac.capex_value[mine] == pytest.approx(1.5 * base.fac.capex_value[new])
    assert m.fac.turns_left[mine] == base.fac.turns_left[new] + 2        # a year of 6-month turns
    assert m.fac.unit_cost[mine] == pytest.approx(1.1 * base.fac.unit_cost[new])


def test_governance_standard_bars_own_firms_from_the_host(scenario):
    game = passive(scenario)
    step(game, ("JP", "governance_standard target=ID"))
    for seat, order in (("JPGA", "build type=refinery good=nickel_refined country=ID capacity=10"),
                        ("JPGA", "build type=refinery good=nickel_refined country=AU capacity=1"),
                        ("DEGA", "build type=refinery good=nickel_refined country=ID capacity=1"),
                        ("JPGA", "relocate facility=jp_gallium country=ID")):
        game.submit(seat, order)
    report = game.step()
    barred = "JP's governance standard bars its firms from investing in ID"
    assert [(s, why) for s, _t, why in report.rejected] == [("JPGA", barred), ("JPGA", barred)]
    m = game.model
    assert "jpga_nickel_refined_au" in m.fac.row and "dega_nickel_refined_id" in m.fac.row
    assert "jpga_nickel_refined_id" not in m.fac.row and "jp_gallium_id" not in m.fac.row


def test_expanding_a_plant_meets_the_same_know_how_and_governance_rules_as_building_one():
    """Growing a plant needs new equipment and know-how too: under a US processing control a
    Chinese separator's expansion costs 1.5x and takes a year more; a governance standard
    of the owner's home bars expanding a plant in the barred host."""
    world = load_scenario("baseline_2025")
    grow = ("CN_NORTHERN_RE", "expand facility=cnre_baotou_separation capacity=10")
    base, m = twins(world, {1: [("US", "tech_control area=processing target=CN")]}, 2,
                    base_plan={2: [grow]})
    row = m.fac.row["cnre_baotou_separation"]
    assert m.fac.pending_turns[row] == base.fac.pending_turns[row] + 2      # a year of 6-month turns
    before = passive(world)                     # the plant's book value before either expansion
    step(before)
    book = before.model.fac.capex_value[row]
    assert base.fac.capex_value[row] > book
    assert m.fac.capex_value[row] - book == pytest.approx(1.5 * (base.fac.capex_value[row] - book))

    small = passive(load_scenario(str(SMALL)))
    step(small, ("CN", "governance_standard target=ID"))
    small.submit("TSINGSHAN", "expand facility=ts_ref_id capacity=10")
    small.submit("TSINGSHAN", "expand facility=ts_ref_cn capacity=10")
    report = small.step()
    assert [(s, why) for s, _t, why in report.rejected] == [
        ("TSINGSHAN", "CN's governance standard bars its firms from investing in ID")]


# ---- circumvention ---------------------------------------------------------------------------

def _transship_game(scenario, enforcement: float, turns: int):
    game = passive(scenario)
    step(game, ("CN", "export_control good=gallium target=JP"), ("CN", f"enforcement level={enforcement}"),
         ("JPGA", "transship good=gallium origin=CN via=ID volume=20"))
    detected = [e for e in game.reports[-1].events if e[0] == "transship_detected"]
    for _ in range(turns - 1):
        if detected:
            break
        step(game)
        detected = [e for e in game.reports[-1].events if e[0] == "transship_detected"]
    return game, detected


def test_transship_moves_goods_round_a_ban_at_a_markup(scenario):
    banned = passive(scenario)
    step(banned, ("CN", "export_control good=gallium target=JP"))
    assert flow(banned.model, "gallium", "CN", "JP") == 0.0
    game, _ = _transship_game(scenario, 0.0, 1)
    m = game.model
    assert m.transship_flow[("JPGA", "gallium", "CN", "ID", "JP")] == pytest.approx(10.0)
    assert flow(m, "gallium", "CN", "JP") == pytest.approx(10.0)    # 20 a year
    markup = scenario.market.transship_markup * m.ref_price[m.goods["gallium"]]
    assert price(m, "JP", "gallium") >= price(m, "CN", "gallium") + markup - 1e-9
    assert price(m, "JP", "gallium") < price(banned.model, "JP", "gallium") + 1e-9


def test_transship_needs_a_control_to_get_round(scenario):
    game = passive(scenario)
    game.submit("JPGA", "transship good=gallium origin=CN via=ID volume=20")
    report = game.step()
    assert report.rejected[0][2] == "gallium from CN to JP is not controlled: buy it directly"


def test_enforcement_decides_whether_transshipment_is_caught(scenario):
    lax, caught = _transship_game(scenario, 0.0, 10)
    assert caught == [] and len(lax.model.measures.transships) == 1
    assert lax.model.enforcement[c(lax.model, "CN")] == 0.0
    strict, caught = _transship_game(scenario, 1.0, 10)
    m = strict.model
    assert len(caught) == 1 and "JPGA" in caught[0][1]
    assert m.measures.transships == []
    step(strict)                                      # the route is closed from then on
    assert flow(strict.model, "gallium", "CN", "JP") == 0.0


def test_enforcement_costs_its_fee(scenario):
    base, m = twins(scenario, {1: [("CN", "enforcement level=0.8")]}, 1)
    assert m.enforcement[c(m, "CN")] == 0.8
    assert treasury_gain(base, m, "CN") == pytest.approx(-50.0)


# ---- deals and pressure -------------------------------------------------------------------------

OFFER = ('propose_deal to=CN give="enforcement level=0.9" '
         'ask="suspend_control good=gallium target=ID turns=6"')


def test_accepted_deal_carries_out_both_sides_and_breaking_it_costs_alignment(scenario):
    ban_id = ("CN", "export_control good=gallium target=ID")
    plan = {2: [("ID", OFFER)], 3: [("CN", "accept_deal deal=D2-ID-CN-1")]}
    base, m = twins(scenario, plan, 4, base_plan={1: [ban_id]})
    deal = m.measures.deals["D2-ID-CN-1"]
    assert (deal.proposer, deal.to, deal.status) == ("ID", "CN", "accepted")
    assert m.enforcement[c(m, "ID")] == 0.9                      # ID's side
    assert flow(m, "gallium", "CN", "ID") > 0                     # CN's side
    assert flow(base, "gallium", "CN", "ID") == 0.0
    # CN re-imposes the suspended ban: the deal breaks and ID turns away from CN, by more
    # than the coercion of a ban without a deal moves it (less the goodwill of the kept deal)
    base, m = twins(scenario, plan, 5, base_plan={1: [ban_id], 5: [ban_id]})
    assert m.measures.deals["D2-ID-CN-1"].status == "broken"
    assert flow(m, "gallium", "CN", "ID") == 0.0
    id_ = c(m, "ID")
    assert m.alignment[id_] - base.alignment[id_] == pytest.approx(0.15 - 0.03)


def test_rejected_deal_cannot_be_accepted_later(scenario):
    game = passive(scenario)
    step(game, ("CN", "export_control good=gallium target=ID"))
    step(game, ("ID", OFFER))
    step(game, ("CN", "reject_deal deal=D2-ID-CN-1"))
    assert game.model.measures.deals["D2-ID-CN-1"].status == "rejected"
    game.submit("CN", "accept_deal deal=D2-ID-CN-1")
    report = game.step()
    assert report.rejected[0][2] == "no pending deal 'D2-ID-CN-1'"
    assert flow(game.model, "gallium", "CN", "ID") == 0.0
    assert game.model.enforcement[c(game.model, "ID")] == 0.5


def test_only_the_addressee_answers_a_deal(scenario):
    game = passive(scenario)
    step(game, ("ID", OFFER))
    game.submit("US", "accept_deal deal=D1-ID-CN-1")
    game.submit("AU", "reject_deal deal=D1-ID-CN-1")
    report = game.step()
    reasons = sorted(why for _s, _t, why in report.rejected)
    assert reasons == ["deal D1-ID-CN-1 was offered to CN, not to you",
                       "no pending deal 'D1-ID-CN-1' offered to you"]
    assert game.model.measures.deals["D1-ID-CN-1"].status == "pending"


def test_deal_terms_must_parse(scenario):
    game = passive(scenario)
    refused = game.submit("ID", 'propose_deal to=CN give="enforcement lvl=1" ask="pressure target=US"')
    assert "bad give part" in refused[0][1] and "no key 'lvl'" in refused[0][1]


def test_pressure_pulls_the_target_toward_the_presser(scenario):
    base, m = twins(scenario, {1: [("US", "pressure target=ID")]}, 1)
    id_ = c(m, "ID")
    assert m.alignment[id_] - base.alignment[id_] == pytest.approx(0.04)
    assert m.stability[id_] < base.stability[id_]
    assert treasury_gain(base, m, "US") == pytest.approx(-20.0)


# ---- engine bugs found while testing the handlers (fixed elsewhere; see the reasons) ------------

def test_reimposing_a_suspended_control_on_all_breaks_the_deal(scenario):
    game = passive(scenario)
    step(game, ("CN", "export_control good=gallium target=ID"))
    step(game, ("ID", OFFER))
    step(game, ("CN", "accept_deal deal=D2-ID-CN-1"))
    step(game, ("CN", "export_control good=gallium target=ALL"))
    assert flow(game.model, "gallium", "CN", "ID") == 0.0
    assert game.model.measures.deals["D2-ID-CN-1"].status == "broken"


def test_a_licence_is_decided_by_the_control_on_its_own_route(scenario):
    game = passive(scenario)
    step(game, ("CN", "export_control good=gallium target=US mode=licence approval=1 delay=0"),
         ("CN", "export_control good=gallium target=JP mode=licence approval=0 delay=0"),
         ("JP", "apply_licence good=gallium origin=CN volume=20"))
    lic, = game.model.measures.licences or [None]
    assert lic is None or lic.granted is False


def test_a_control_on_all_does_not_push_the_issuer_away_from_itself(scenario):
    base, m = twins(scenario, {1: [("AU", "export_control good=nickel_ore target=ALL")]}, 1)
    assert m.alignment[c(m, "AU")] == pytest.approx(base.alignment[c(m, "AU")])
