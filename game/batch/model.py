"""The world as a Mesa model driven by keyword parameters, for `mesa.batch_run` and the like.

    from mesa.batchrunner import batch_run
    from game.batch.model import BatchModel
    rows = batch_run(BatchModel, {"scenario": "baseline_2025", "turns": 4,
                                  "finance.interest_rate": [0.03, 0.06]},
                     rng=[1, 2], number_processes=2, max_steps=100)

`BatchModel(scenario, seed, turns, seats, **params)` plays exactly the game of
`run_game(scenario, seed, turns=turns, seats=seats, **params)`; its DataCollector records
every country's and firm's score each turn, and it stops (`running = False`) after `turns`.
Parameters are dotted paths (a dict key may hold dots) or use `__` for the dots.
"""

from __future__ import annotations

import mesa
import numpy as np

from game.world import WorldModel

from .params import apply_params
from .runner import scenario_of


class BatchModel(WorldModel):
    def __init__(self, scenario="baseline_2025", seed: int | None = 0, turns: int | None = None,
                 seats: dict | None = None, **params):
        from game.tournament import _ensure_levels
        seed = 0 if seed is None else int(seed)
        seats = dict(seats or {})
        _ensure_levels(seats.values())
        super().__init__(apply_params(scenario_of(scenario), params), rng=np.random.default_rng(seed),
                         policies=seats)
        self.policy_seed = seed            # as game.api.Game seeds the policies
        self.turns = int(turns) if turns is not None else self.max_turns
        self.datacollector = mesa.DataCollector(model_reporters=self._score_reporters())

    def _score_reporters(self) -> dict:
        out = {f"score_{c}": (lambda m, i=i: float(m.score[i])) for i, c in enumerate(self.countries.ids)}
        out.update({f"score_{f}": (lambda m, i=i: float(m.firm_score[i])) for i, f in enumerate(self.firms.ids)})
        return out

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)
        if self.turn >= self.turns:
            self.running = False
