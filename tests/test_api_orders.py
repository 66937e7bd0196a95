"""The engine's answers the orders panel is built on: check before sending, withdraw, trade."""

from __future__ import annotations

from game.api import Game


def test_check_order_gives_the_rules_verdict_and_leaves_the_game_alone():
    game = Game("baseline_2025", seed=1, seats={"US": "human"})
    before = game.digest()
    good = game.check_order("US", "export_control good=gallium target=CN")
    assert good.ok and good.reason == "" and good.text.startswith("export_control good=gallium target=CN")
    bad = game.check_order("US", "export_control good=banana target=CN")
    assert not bad.ok and "banana" in bad.reason
    typo = game.check_order("US", "export_contrl good=gallium")
    assert not typo.ok and "unknown action" in typo.reason
    firm = next(iter(game.scenario.firms))
    broke = game.check_order("US", f"subsidy firm={firm} amount=99999999")
    assert not broke.ok and broke.reason
    assert game.digest() == before and game.pending("US") == []
    assert not game.model.rejections                      # nothing of the trial reaches the game


def test_check_order_cost_is_what_the_treasury_would_lose():
    game = Game("baseline_2025", seed=1, seats={"US": "human"})
    firm = next(iter(game.scenario.firms))
    check = game.check_order("US", f"subsidy firm={firm} amount=50")
    assert check.ok and check.cost == 50


def test_a_withdrawn_order_leaves_no_trace_in_the_turn_or_the_save():
    played = Game("baseline_2025", seed=2, seats={"US": "human"})
    played.submit("US", ["export_control good=gallium target=CN", "tariff good=gallium target=CN rate=0.2"])
    assert played.withdraw("US", 0).startswith("export_control")
    assert played.pending("US") == ["tariff good=gallium target=CN rate=0.2"]
    played.step()
    straight = Game("baseline_2025", seed=2, seats={"US": "human"})
    straight.submit("US", ["tariff good=gallium target=CN rate=0.2"])
    straight.step()
    assert played.digest() == straight.digest()
    assert played.history[-1]["orders"] == straight.history[-1]["orders"]


def test_trade_flows_list_last_turns_shipments_largest_first():
    game = Game("baseline_2025", seed=1)
    game.step()
    flows = game.trade_flows("gallium")
    assert flows and all(src != dst and vol > 0 for src, dst, vol in flows)
    assert [v for *_, v in flows] == sorted((v for *_, v in flows), reverse=True)
    assert flows[0][0] == "CN"                            # China ships most of the world's gallium
