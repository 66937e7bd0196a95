"""States as Mesa agents: great powers, middle countries and resource states.

An agent is a seat: it holds its policy and, each turn, hands the policy its observation
and submits the orders that come back. The numbers describing the state (treasury,
alignment, stockpiles...) live in the engine's arrays; agents never change them.
"""

from __future__ import annotations

import mesa
import numpy as np


class LazyGenerator:
    """A numpy Generator seeded from `key`, created only if a policy draws from it."""

    __slots__ = ("_key", "_gen")

    def __init__(self, key):
        self._key = key
        self._gen = None

    def __getattr__(self, name):
        if self._gen is None:
            self._gen = np.random.default_rng(list(self._key))
        return getattr(self._gen, name)


class Seat(mesa.Agent):
    """A seat at the table: a state or a firm, played by a policy or a person."""

    kind = "seat"

    def __init__(self, model, code: str, policy):
        super().__init__(model)
        self.code = code
        self.policy = policy

    def decide(self) -> None:
        """Ask the policy for orders unless a person plays this seat."""
        m = self.model
        if self.code in m.human_seats or self.policy is None:
            return
        from game.observe import observe
        orders = self.policy.decide(observe(m, self.code), self.policy_rng())
        if orders:
            m.submit(self.code, list(orders), during_turn=True)

    def policy_rng(self):
        """A generator for this seat and turn, apart from the engine's own stream, so that
        replaying recorded orders without the policies draws the same engine numbers."""
        return LazyGenerator((self.model.policy_seed, self.model.turn, self.unique_id))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code} policy={getattr(self.policy, 'name', None)}>"


class StateAgent(Seat):
    kind = "state"


class GreatPower(StateAgent):
    """A great power (US, China; the EU if a ruleset makes it one)."""
    kind = "great_power"


class MiddleCountry(StateAgent):
    """A middle power: an industrial importer that hedges between the blocs."""
    kind = "middle"


class ResourceState(StateAgent):
    """A resource state: hosts mines, taxes them, and may nationalize or ban ore exports."""
    kind = "resource"


STATE_CLASSES = {"great_power": GreatPower, "middle": MiddleCountry, "resource": ResourceState}
