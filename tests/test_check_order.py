"""Game.check_order tells whether an order would be carried out and what it costs, without
changing the game; Game.withdraw takes back a queued order."""

from game.api import Game


def make_game():
    return Game("baseline_2025", seed=1, seats={"US": "human", "CN": "human"})


def test_valid_order_passes_and_leaves_the_world_untouched():
    game = make_game()
    digest, logged = game.digest(), (len(game.model.rejections), len(game.model.accepted))
    check = game.check_order("US", "export_control good=gallium target=CN")
    assert check.reason is None and check.cost == 0.0
    assert game.digest() == digest and game.pending("US") == []
    assert (len(game.model.rejections), len(game.model.accepted)) == logged


def test_refusals_carry_the_engine_reason():
    game = make_game()
    assert "unknown country 'XX'" in game.check_order("US", "export_control good=gallium target=XX").reason
    assert "target" in game.check_order("US", "export_control good=gallium").reason      # syntax
    firm = next(iter(game.scenario.firms))
    assert "may not use" in game.check_order(firm, "export_control good=gallium target=CN").reason


def test_cost_is_the_money_taken_at_once():
    game = make_game()
    firm = next(iter(game.scenario.firms))
    treasury = float(game.model.treasury[game.model.countries["US"]])
    check = game.check_order("US", f"subsidy firm={firm} amount=500")
    assert check.reason is None and abs(check.cost - 500) < 1e-6
    assert float(game.model.treasury[game.model.countries["US"]]) == treasury
    too_much = game.check_order("US", f"subsidy firm={firm} amount={treasury * 100:.0f}")
    assert too_much.reason is not None


def test_withdraw_removes_the_order_from_the_turn_and_the_save_log():
    game = make_game()
    game.submit("US", ["export_control good=gallium target=CN", "tariff good=battery_cell target=CN rate=0.2"])
    assert game.withdraw("US", 0).startswith("export_control")
    assert game.pending("US") == ["tariff good=battery_cell target=CN rate=0.2"]
    report = game.step()
    mine = [t for s, t in report.accepted if s == "US"]
    assert mine == ["tariff good=battery_cell target=CN rate=0.2"]
    assert game.history[-1]["orders"]["US"] == mine


def test_trade_flows_add_up_to_the_exports_shown_to_everyone():
    game = make_game()
    game.step()
    flows = game.trade_flows("gallium")
    assert flows and flows == sorted(flows, key=lambda r: -r[2])
    public = game.observe("US")["public"]
    j = public["goods"].index("gallium")
    by_exporter = {}
    for exporter, importer, q in flows:
        assert exporter != importer and q > 0
        by_exporter[exporter] = by_exporter.get(exporter, 0.0) + q
    top = max(by_exporter, key=by_exporter.get)
    assert top == "CN"                              # China ships most of the world's gallium
    row = public["countries"].index(top)
    assert abs(by_exporter[top] - float(public["exports"][row][j])) <= 0.05 * float(public["exports"][row][j])
