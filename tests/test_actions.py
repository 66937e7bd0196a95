"""Order handlers: the action catalogue is complete, and bad orders are turned away clearly.

The effect of each action on the world is tested in test_actions_trade.py (controls,
tariffs, deals, licences) and test_actions_economy.py (money and facilities). All use the
small test world with every seat passive, so that only the orders a test gives take effect.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from game import Game
from game.actions import HANDLERS
from game.orders import ORDER_TYPES
from game.rules import load_ruleset, load_scenario
import smallworld
from smallworld import passive  # noqa: F401

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SMALL = HERE / "fixtures" / "small"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(str(SMALL / "small_scenario.yaml"))


def step(game: Game, *orders: tuple[str, str]):
    return smallworld.step(game, *orders, strict=False)


def reason_for(report, seat: str, action: str) -> str:
    found = [why for s, text, why in report.rejected if s == seat and text.startswith(action)]
    assert found, f"{seat}'s {action} was not rejected: {report.rejected}"
    return found[0]


# ---- the catalogue ----------------------------------------------------------------------

def test_every_catalogued_action_has_an_order_type_and_a_handler():
    actions = load_ruleset(str(REPO / "rulesets" / "base.yaml")).actions
    assert len(actions) == 37
    assert sorted(a for a in actions if a not in ORDER_TYPES) == []
    assert sorted(a for a in actions if a not in HANDLERS) == []
    # and nothing is handled that the catalogue does not list
    assert sorted(set(HANDLERS) - set(actions)) == []
    for action, spec in actions.items():
        assert ORDER_TYPES[action].action == action
        assert spec.who, f"{action} names nobody who may use it"
        assert (ORDER_TYPES[action].__doc__ or "").strip(), f"{action} has no help text"


def test_catalogue_priorities_put_deal_answers_first_and_licences_last():
    prio = {a: p for a, (p, _fn) in HANDLERS.items()}
    assert prio["accept_deal"] < prio["lift_control"] < prio["export_control"] < prio["subsidy"]
    assert prio["subsidy"] < prio["build"] < prio["propose_deal"] < prio["apply_licence"]


# ---- rejections -------------------------------------------------------------------------

def test_a_firm_cannot_use_a_state_measure_and_the_turn_goes_on(scenario):
    game = passive(scenario)
    report = step(game, ("JPGA", "export_control good=gallium target=CN"),
                  ("US", "subsidy firm=JPGA amount=10"))
    assert reason_for(report, "JPGA", "export_control") == "a firm may not use export_control"
    assert ("US", "subsidy firm=JPGA amount=10") in report.accepted
    assert game.model.measures.controls == {}
    assert game.turn == 1
    step(game)
    assert game.turn == 2


def test_a_state_cannot_use_a_firm_action(scenario):
    game = passive(scenario)
    report = step(game, ("US", "build type=refinery good=gallium country=US capacity=10"))
    assert "may not use build" in reason_for(report, "US", "build")


def test_unknown_good_is_named_in_the_reason(scenario):
    game = passive(scenario)
    report = step(game, ("CN", "export_control good=unobtainium target=US"),
                  ("US", "stockpile good=unobtainium amount=5"))
    assert reason_for(report, "CN", "export_control") == "unknown good 'unobtainium'"
    assert reason_for(report, "US", "stockpile") == "unknown good 'unobtainium'"
    assert game.model.measures.controls == {}


def test_unaffordable_orders_are_rejected_and_cost_nothing(scenario):
    base, game = passive(scenario), passive(scenario)
    base.step()
    report = step(game, ("ID", "subsidy firm=BHP amount=1000000"),
                  ("JPGA", "build type=refinery good=gallium country=JP capacity=1000000"))
    assert reason_for(report, "ID", "subsidy").startswith("not enough money: needs 1,000,000 M$")
    assert "not enough money" in reason_for(report, "JPGA", "build")
    m, b = game.model, base.model
    assert (m.treasury == b.treasury).all() and (m.cash == b.cash).all()
    assert len(m.fac) == len(b.fac)


def test_a_facility_of_someone_else_cannot_be_touched(scenario):
    game = passive(scenario)
    report = step(game, ("JPGA", "idle facility=chalco_gallium"),
                  ("JPGA", "sell_stake facility=chalco_gallium buyer=JPGA price=1"),
                  ("JPGA", "expand facility=nowhere capacity=5"))
    assert reason_for(report, "JPGA", "idle") == "facility chalco_gallium is not yours"
    assert reason_for(report, "JPGA", "sell_stake") == "facility chalco_gallium is not yours"
    assert reason_for(report, "JPGA", "expand") == "unknown facility 'nowhere'"
    m = game.model
    row = m.fac.row["chalco_gallium"]
    assert m.fac.owner_name(row, m.firms, m.countries) == "CHALCO"
    assert m.fac_output[row] > 0


def test_an_eu_member_leaves_tariffs_to_the_union(tmp_path):
    (tmp_path / "eu_map.yaml").write_text(
        f"extends: {SMALL / 'small_map.yaml'}\n"
        "countries:\n"
        "  EU: {name: European Union, kind: middle, role: middle_power, position: [12, 45],\n"
        "       alignment: 0.7, gdp: 5000, stability: 0.8, social_licence: 0.5, investor_risk: 0.1,\n"
        "       tax_rate: 0.22, royalty_rate: 0.03, permit_years: 5, treasury: 5000,\n"
        "       demand: {general_industry: 400}}\n"
        "  DE: {member_of: EU}\n")
    (tmp_path / "eu.yaml").write_text(
        f"extends: {SMALL / 'small_scenario.yaml'}\nmap: eu_map.yaml\n")
    game = passive(load_scenario(str(tmp_path / "eu.yaml")))
    report = step(game, ("DE", "tariff good=gallium target=CN rate=0.2"),
                  ("DE", "export_control good=gallium target=CN"),
                  ("EU", "tariff good=gallium target=CN rate=0.2"))
    assert reason_for(report, "DE", "tariff") == \
        "tariff is a common trade measure: EU decides it for its members"
    assert "EU decides it" in reason_for(report, "DE", "export_control")
    assert ("EU", "tariff good=gallium target=CN rate=0.2") in report.accepted
    # the Union's tariff covers its member: German buyers pay it on Chinese gallium
    m = game.model
    ga, cn, de = m.goods["gallium"], m.countries["CN"], m.countries["DE"]
    assert m.flows[ga][cn, de] > 0
    assert m.price[de, ga] == pytest.approx(m.price[cn, ga] + 0.2 * m.ref_price[ga], abs=1e-3)


def test_a_misspelt_order_is_refused_at_submission_with_a_suggestion(scenario):
    game = passive(scenario)
    refused = game.submit("CN", "export_controls good=gallium target=US")
    assert len(refused) == 1
    assert "did you mean export_control" in refused[0][1]
    refused = game.submit("CN", "export_control good=gallium target=US mode=embargo")
    assert "mode must be one of ban, licence, quota" in refused[0][1]
    report = game.step()
    assert game.turn == 1 and report.accepted == []


def test_rejected_orders_are_reported_with_the_turn(scenario):
    game = passive(scenario)
    step(game)
    report = step(game, ("ID", "pressure target=ID"), ("US", "pressure target=CN"))
    assert reason_for(report, "ID", "pressure") == "a resource may not use pressure"
    assert reason_for(report, "US", "pressure") == "great powers do not bend to pressure"
    assert all(t == 2 for t, *_ in game.model.rejections)


def test_every_catalogued_action_is_exercised_by_an_effect_test():
    sources = "".join((HERE / name).read_text() for name in
                      ("test_actions_trade.py", "test_actions_economy.py"))
    actions = load_ruleset(str(REPO / "rulesets" / "base.yaml")).actions
    untested = [a for a in actions if not re.search(r"[\"'(]" + a + r"[ \"']", sources)]
    assert untested == []
