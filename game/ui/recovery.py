"""When a turn cannot be resolved: the game goes back to where it was before the turn.

Before the worker thread resolves a turn, a `Checkpoint` keeps the game's save lines (the
engine's save format, in memory), each person's queued orders and the facilitator's
injected events. If the turn raises, the window shows the error, the game is rebuilt from
the checkpoint by the engine's own replay (every digest checked), and the orders and
events are queued again, so the players can try again or save. The autosave on disk is
not touched by a failed turn: it still holds the game before it. The traceback is
appended to an error log beside the saves, for a bug report.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import traceback
from pathlib import Path

ERROR_LOG = "chokepoint-errors.log"


class Checkpoint:
    def __init__(self, game, humans: list[str]):
        from game.savefile import save_lines
        self.lines = save_lines(game)
        self.turn = game.turn
        self.pending = {seat: list(game.pending(seat)) for seat in humans}
        self.injected = [dict(item) for item in game.model.injected_events]

    def restore(self):
        """The game as it was when the checkpoint was taken, orders and events queued again."""
        from game.api import Game
        with tempfile.TemporaryDirectory(prefix="chokepoint-restore-") as folder:
            path = Path(folder) / "before_turn.save"
            path.write_text("\n".join(self.lines) + "\n", encoding="utf-8")
            game = Game.load(path)
        for seat, orders in self.pending.items():
            if orders:
                game.submit(seat, orders)
        for item in self.injected:
            params = {k: v for k, v in item.items() if k != "event"}
            game.inject(item["event"], **params)
        return game


def log_error(error: BaseException, folder: Path) -> Path | None:
    """Append the error's traceback to the error log in `folder`; None if that fails too."""
    path = Path(folder) / ERROR_LOG
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')}: a turn could not be resolved\n")
            fh.write("".join(traceback.format_exception(error)))
        return path
    except OSError:
        return None
