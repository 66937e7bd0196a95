"""What a policy remembers of the turns it has seen: a short record of arrays per turn.

A policy instance plays one seat for a whole game, so it may keep what its observations
showed it (last turns' prices, its own supply-risk measure) and judge a trend over several
turns instead of one. The record is keyed by turn and writing a turn again replaces it, so
asking a policy twice about the same observation gives the same answer (the conformance
kit does exactly that). Only observations go in, so a game stays a function of its
scenario, seed and orders.

A loaded game hands its seats fresh policies whose memory starts empty; they fill it again
within `turns` turns (see docs/policies.md).
"""

from __future__ import annotations

import numpy as np


class Memory:
    """The last `turns` turns of some named arrays, oldest first."""

    def __init__(self, turns: int):
        self.turns = max(1, int(turns))
        self._seen: dict[int, dict[str, np.ndarray]] = {}

    def see(self, turn: int, **arrays) -> None:
        """Record this turn's arrays (again, if the turn was seen already)."""
        turn = int(turn)
        self._seen = {t: v for t, v in self._seen.items() if t < turn}
        self._seen[turn] = {k: np.array(v, dtype=float) for k, v in arrays.items()}
        for t in sorted(self._seen)[:-(self.turns + 1)]:
            del self._seen[t]

    def window(self, name: str, turns: int | None = None) -> list[np.ndarray]:
        """The arrays recorded under `name` over the last `turns` turns seen, oldest first."""
        n = self.turns if turns is None else max(1, int(turns))
        return [self._seen[t][name] for t in sorted(self._seen)[-n:] if name in self._seen[t]]

    def lowest(self, name: str, turns: int | None = None) -> np.ndarray:
        """Element-wise minimum over the window: a level that has held all that time."""
        return np.minimum.reduce(self.window(name, turns))

    def before(self, name: str, turns: int | None = None) -> np.ndarray | None:
        """Element-wise minimum over the window without the latest turn (None if none)."""
        past = self.window(name, (self.turns if turns is None else turns) + 1)[:-1]
        return np.minimum.reduce(past) if past else None
