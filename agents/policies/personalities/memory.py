"""What a policy remembers of past turns, read from its observation.

A policy is a function of its observation: it keeps nothing between turns. The engine
shows each seat a short history of past turns (`public["history"]`, and a state's own rows
in `private["history"]`, oldest first, see game/history.py), so a policy that judges a
trend over several turns reads it there. A game loaded from a save rebuilds the history
by replaying its turns, and its policies decide as in the uninterrupted game.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


class Memory:
    """Named arrays of the last turns, oldest first, the turn being decided last."""

    def __init__(self, records: Sequence[Mapping]):
        self.records = list(records)

    @classmethod
    def of(cls, part: Mapping, *names: str) -> Memory:
        """The arrays `names` of an observation's part (public or private) over its history
        and this turn."""
        turns = list(part.get("history", ())) + [part]
        return cls([{n: t[n] for n in names if n in t} for t in turns])

    def window(self, name: str, turns: int) -> list[np.ndarray]:
        """The arrays under `name` over the last `turns` turns, oldest first."""
        seen = [r[name] for r in self.records if name in r]
        return seen[-max(1, int(turns)):]

    def lowest(self, name: str, turns: int) -> np.ndarray:
        """Element-wise minimum over the window: a level that has held all that time."""
        return np.minimum.reduce(self.window(name, turns))

    def before(self, name: str, turns: int) -> np.ndarray | None:
        """Element-wise minimum over the `turns` turns before the latest (None if none)."""
        past = self.window(name, int(turns) + 1)[:-1]
        return np.minimum.reduce(past) if past else None
