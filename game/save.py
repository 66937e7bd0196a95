"""Saves: JSON Lines, written atomically, that replay to the same digests.

The format (`game.savefile`) and the loading (`game.replay`) live apart so that the API can
load saves without an import cycle; this module gathers them under one name:

    from game.save import SaveError, load_game, write_save
"""

from __future__ import annotations

from pathlib import Path

from game.savefile import (CHAIN_START, FORMAT, READABLE_VERSIONS, VERSION, SaveError, header, line_check,
                           read_save, save_lines, write_save)

__all__ = ["CHAIN_START", "FORMAT", "READABLE_VERSIONS", "VERSION", "SaveError", "header", "line_check",
           "load_game", "read_save", "save_lines", "write_save"]


def load_game(path: str | Path, *, verify: bool = True, upto: int | None = None):
    """The game a save holds, replayed with every digest checked (see `game.api.Game.load`)."""
    from game.api import Game
    return Game.load(path, verify=verify, upto=upto)
