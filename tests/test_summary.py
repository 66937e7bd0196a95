"""The end-of-game summary `chokepoint run` prints (issue 14): its dates, and what binds
where a market is split or short."""

from __future__ import annotations

import io

from game import Game, load_scenario
from game.summary import binding_measures, game_span, period, print_summary
from tests.smallworld import SMALL, passive


def summary(game: Game) -> str:
    text = io.StringIO()
    print_summary(game, out=text)
    return text.getvalue()


def test_the_header_names_the_first_and_last_half_years_played():
    game = Game(str(SMALL), seed=1)
    game.run(game.turns)                           # 12 turns of 6 months from 2025
    first_line = summary(game).splitlines()[0]
    assert "2025 H1 - 2030 H2" in first_line and ".0" not in first_line.split("months")[1]


def test_periods_follow_the_calendar_of_the_ruleset():
    class Cal:                                     # what `period` reads of a model
        start_year, turn_months, turn = 2025, 12, 10
    assert period(Cal, 1) == "2025" and game_span(Cal) == "2025 - 2034"
    Cal.turn_months, Cal.turn = 3, 6
    assert period(Cal, 6) == "2026 Q2" and game_span(Cal) == "2025 Q1 - 2026 Q2"
    Cal.turn_months = 6
    assert period(Cal, 20) == "2034 H2"


def test_a_ban_that_splits_a_market_is_named_with_the_price_gap_it_holds():
    game = passive(load_scenario(str(SMALL)))
    game.submit("CN", "export_control good=gallium target=US mode=ban")
    game.run(2)
    m = game.model
    named = binding_measures(m, m.goods["gallium"])
    assert any(text.startswith("CN ban to US (US pays") for text in named), named
    text = summary(game)
    section = text.split("What binds")[1].split("Scores")[0]
    assert "gallium" in section and "CN ban to US" in section


def test_a_licence_regime_binds_while_it_holds_trade_back_and_not_once_licences_flow():
    """A licence regime approving every application stops trade in its first turn (nothing
    is decided yet), so it splits the market and is named; once routine licences let all
    the trade through, one price returns and nothing is named for that good."""
    game = passive(load_scenario(str(SMALL)))
    m = game.model
    g = m.goods["gallium"]
    game.submit("CN", "export_control good=gallium target=ALL mode=licence approval=1.0 delay=1")
    game.step()
    assert [text.split(" (")[0] for text in binding_measures(m, g)] == ["CN licence to ALL"]
    game.run(3)
    assert binding_measures(m, g) == []
