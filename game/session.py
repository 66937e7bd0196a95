"""Playing a game on from the command line: turn loop with autosave, resume, report.

`chokepoint run`, `resume` and `report` are thin wrappers around these.
"""

from __future__ import annotations

import sys
from pathlib import Path

SAVE_NAME = "game.save"


def play_out(game, *, turns: int | None = None, script: dict | None = None, autosave: Path | None = None,
             warn=None) -> None:
    """Play `turns` more turns (default: to the end). `script` maps a turn to (seat, orders)
    pairs submitted before it; with `autosave`, the save is written after every turn, so a
    game stopped at any point can be resumed from its last whole turn."""
    script = script or {}
    warn = warn or (lambda text: print(text, file=sys.stderr))
    scripted = {seat for items in script.values() for seat, _ in items}
    left = game.turns - game.turn if turns is None else min(turns, game.turns - game.turn)
    from game.save import write_save
    for _ in range(left):
        for seat, orders in script.get(game.turn + 1, []):
            for text, why in game.submit(seat, orders):
                warn(f"turn {game.turn + 1}: {seat}: rejected {text!r}: {why}")
        report = game.step()
        for seat, text, why in report.rejected:
            if seat in scripted:
                warn(f"turn {report.turn}: {seat}: rejected {text!r}: {why}")
        if autosave is not None:
            write_save(game, autosave)


def resume(path: Path, seat_specs: list[str]):
    """The game in a save, with the seats given as SEAT=POLICY handed to those policies.
    Raises SaveError for a bad save and ValueError for a bad seat option."""
    from game.api import Game
    from game.cli import seat_policies
    game = Game.load(path)
    for seat, policy in seat_policies(game.scenario, seat_specs).items():
        game.set_policy(seat, policy)
    return game


def extend(game, more: int | None) -> None:
    """Let `more` turns be played on past the game's planned end, up to the scenario's last
    turn (the length a game was started with is only where it stops: nothing in the world
    depends on it, so a game extended later plays as if it had been started longer)."""
    if more is not None and game.turn + more > game.turns:
        game.turns = min(game.turn + more, game.model.max_turns)


def human_seats(game) -> list[str]:
    return sorted(game.model.human_seats)


def write_report(game, out: Path) -> Path:
    from game.report import build_report
    return build_report(game).write(out)
