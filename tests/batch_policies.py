"""A policy that breaks on purpose, to check that a batch records a failing run and goes on."""

from agents.policies.base import Policy, Traits


class BreaksOnTurnTwo(Policy):
    name = "breaks_on_turn_two"
    traits = Traits(roles=("great_power", "middle", "resource", "firm"))
    description = "Plays nothing on turn 1 and raises on turn 2."

    def decide(self, observation, rng):
        if observation["turn"] >= 2:
            raise RuntimeError("this policy breaks on turn two")
        return []
