"""Helpers shared by the tests that play the small test world with every seat passive, so
that only the orders a test gives take effect."""

from __future__ import annotations

from pathlib import Path

from game import Game

SMALL = Path(__file__).resolve().parent / "fixtures" / "small" / "small_scenario.yaml"
CN_BANS_US = ("CN", "export_control good=gallium target=US mode=ban")


def passive(scenario, seed: int = 1) -> Game:
    """A game of `scenario` in which no seat acts unless a test says so."""
    seats = {s: "passive" for s in [*scenario.countries, *scenario.firms]}
    return Game(scenario, seed=seed, seats=seats)


def step(game: Game, *orders: tuple[str, str], strict: bool = True):
    """Submit orders and play a turn; with `strict`, insist every order was accepted."""
    for seat, text in orders:
        assert game.submit(seat, text) == [], text
    report = game.step()
    if strict:
        assert report.rejected == [], report.rejected
    return report


def twins(scenario, plan: dict[int, list], turns: int, base_plan: dict[int, list] | None = None):
    """Play the same game with and without `plan`; both share `base_plan`. Returns models."""
    base, game = passive(scenario), passive(scenario)
    for turn in range(1, turns + 1):
        step(base, *(base_plan or {}).get(turn, []))
        step(game, *(base_plan or {}).get(turn, []), *plan.get(turn, []))
    return base.model, game.model
