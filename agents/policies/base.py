"""The policy protocol: `decide(observation, rng) -> list[Order]`, a name and traits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class Traits:
    """What a policy declares about itself (Axelrod-style classifier)."""
    roles: tuple[str, ...]          # role kinds it can play: great_power, middle, resource, firm
    aggressiveness: float = 0.0     # 0 passive ... 1 escalates readily
    stochastic: bool = False        # draws from the rng it is given
    tags: tuple[str, ...] = field(default_factory=tuple)


class Policy:
    """Base class: subclasses set `name`, `traits`, `description` and implement `decide`."""

    name: ClassVar[str] = "policy"
    description: ClassVar[str] = ""
    traits: ClassVar[Traits] = Traits(roles=())

    def decide(self, observation: dict, rng) -> list:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<policy {self.name}>"


class Passive(Policy):
    """Submits nothing: the seat sits still (useful as a control in experiments)."""
    name = "passive"
    description = "Never acts; the seat keeps whatever is in force."
    traits = Traits(roles=("great_power", "middle", "resource", "firm"))

    def decide(self, observation, rng):
        return []
