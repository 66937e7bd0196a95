"""Difficulty levels: weaker versions of any policy, for players who want an easier table.

A level wraps a policy and thins out what it does:

    easy    acts only on every other turn, and drops each order with probability 0.5
    normal  acts every turn, and drops each order with probability 0.2
    hard    the policy unchanged

Dropping draws from the seat's own generator after the wrapped policy has decided, so the
wrapped policy sees exactly the draws it would see unwrapped, and a game stays a function
of its seed. `register_difficulties()` registers `NAME:easy` and `NAME:normal` for every
policy in the registry (a `NAME:hard` would be NAME itself); `game.tournament` calls it, so
`chokepoint tournament --policies hawk:easy,hawk` works. `with_difficulty(cls, level)` builds
the wrapped class directly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from agents.policies.base import Policy


@dataclass(frozen=True)
class Difficulty:
    name: str
    drop: float        # probability that each order is dropped
    every: int         # act on every `every`-th turn only


LEVELS = {
    "easy": Difficulty("easy", drop=0.5, every=2),
    "normal": Difficulty("normal", drop=0.2, every=1),
    "hard": Difficulty("hard", drop=0.0, every=1),
}


class DifficultyWrapper(Policy):
    """A policy played at a difficulty level (subclasses set `base` and `level`)."""

    base: type[Policy] = Policy
    level: Difficulty = LEVELS["hard"]

    def __init__(self):
        self.inner = self.base()

    def decide(self, observation, rng):
        lv = self.level
        if lv.every > 1 and int(observation["public"]["turn"]) % lv.every:
            return []
        orders = list(self.inner.decide(observation, rng))
        if lv.drop <= 0.0 or not orders:
            return orders
        keep = rng.random(len(orders)) >= lv.drop
        return [o for o, k in zip(orders, keep) if k]


_CACHE: dict[tuple[str, str], type[Policy]] = {}


def with_difficulty(cls: type[Policy], level: str) -> type[Policy]:
    """`cls` played at `level` (easy, normal or hard); hard returns `cls` itself."""
    if level not in LEVELS:
        raise ValueError(f"unknown difficulty {level!r}; levels: {', '.join(LEVELS)}")
    if level == "hard":
        return cls
    key = (f"{cls.__module__}.{cls.__qualname__}", level)
    if key not in _CACHE:
        lv = LEVELS[level]
        traits = replace(cls.traits, stochastic=cls.traits.stochastic or lv.drop > 0,
                         aggressiveness=round(cls.traits.aggressiveness * (1 - lv.drop), 3),
                         tags=tuple(cls.traits.tags) + (f"difficulty:{level}",))
        what = "every other turn, " if lv.every == 2 else ""
        desc = f"{cls.name} at {level}: {what}drops {lv.drop:.0%} of its orders. {cls.description}"
        _CACHE[key] = type(f"{cls.__name__}_{level.capitalize()}", (DifficultyWrapper,), {
            "name": f"{cls.name}:{level}", "description": desc, "traits": traits,
            "base": cls, "level": lv, "__module__": __name__})
    return _CACHE[key]


def register_difficulties() -> None:
    """Register NAME:easy and NAME:normal for every registered policy (idempotent)."""
    from agents.policies import REGISTRY, register
    for name, cls in list(REGISTRY.items()):
        if issubclass(cls, DifficultyWrapper):
            continue
        for level in ("easy", "normal"):
            if f"{name}:{level}" not in REGISTRY:
                register(with_difficulty(cls, level))
