"""Difficulty levels: any policy played with less or more information and foresight.

A level wraps a policy and changes what it sees before it decides, not what it is:

    easy    decides on last turn's market (prices, output, trade, shortages one turn
            stale), with prices blurred by about 10% noise, without looking at measures
            between other seats (controls, floors and coercion not involving it, others'
            treasuries, plants being built), with a one-turn memory, and lets one order in
            five slip
    normal  the policy as written (NAME and NAME:normal play alike)
    hard    foresight: prices and demand extrapolated one turn ahead along their last
            move, so it acts on a rising price a turn earlier and discounts a falling one;
            a policy with a memory judges the forecasts over one turn fewer

Policies that remember (the firm personalities, the builder) keep a `memory` attribute (a
personalities.memory.Memory); a level sets how many turns it spans. The wrapper remembers
the previous turn's market itself (keyed by turn, so asking it twice about one turn gives
one answer). Noise and slips draw from a child of the seat's generator and after the
wrapped policy has decided, so the wrapped policy sees exactly the draws it would see
unwrapped, and a game stays a function of its seed.

`register_difficulties()` registers `NAME:easy`, `NAME:normal` and `NAME:hard` for every
policy in the registry; `game.tournament` calls it, so `chokepoint tournament --policies
hawk:easy,hawk,hawk:hard` works. `with_difficulty(cls, level)` builds the wrapped class.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from agents.policies.base import Policy

MARKET = ("price", "production", "world_production", "world_share", "exports", "imports",
          "shortage", "demand", "pipeline")        # public numbers that go stale
MARKET_PRIVATE = ("shortage", "rival_share", "demand")


@dataclass(frozen=True)
class Difficulty:
    name: str
    stale: bool = False       # decide on the previous turn's market
    noise: float = 0.0        # relative sd of the noise on prices
    blind: bool = False       # no look at measures between other seats
    foresight: int = 0        # turns of trend extrapolation of prices and demand
    memory: int | None = None  # turns a remembering policy remembers (None: its own)
    drop: float = 0.0         # probability that each order slips


LEVELS = {
    "easy": Difficulty("easy", stale=True, noise=0.1, blind=True, memory=1, drop=0.2),
    "normal": Difficulty("normal"),
    "hard": Difficulty("hard", foresight=1),
}


class DifficultyWrapper(Policy):
    """A policy played at a difficulty level (subclasses set `base` and `level`)."""

    base: type[Policy] = Policy
    level: Difficulty = LEVELS["normal"]

    def __init__(self):
        self.inner = self.base()
        self._seen: dict[int, tuple[dict, dict]] = {}     # turn -> (public, private) market numbers
        mem = getattr(self.inner, "memory", None)
        if mem is not None and hasattr(mem, "turns"):
            if self.level.memory is not None:
                mem.turns = self.level.memory
            elif self.level.foresight:
                mem.turns = max(1, mem.turns - self.level.foresight)

    def decide(self, observation, rng):
        lv = self.level
        obs = self._view(observation, rng) if (lv.stale or lv.noise or lv.blind or lv.foresight) else observation
        orders = list(self.inner.decide(obs, rng))
        if lv.drop <= 0.0 or not orders:
            return orders
        keep = rng.random(len(orders)) >= lv.drop
        return [o for o, k in zip(orders, keep) if k]

    # -- what the wrapped policy sees ----------------------------------------------------
    def _view(self, observation, rng) -> dict:
        pub, me = observation["public"], observation["private"]
        turn = int(pub["turn"])
        now = ({k: pub[k] for k in MARKET if k in pub}, {k: me[k] for k in MARKET_PRIVATE if k in me})
        self._seen = {t: v for t, v in self._seen.items() if turn - 2 < t < turn}
        last = self._seen.get(turn - 1)
        self._seen[turn] = now
        pub, me = dict(pub), dict(me)
        lv = self.level
        if lv.stale and last is not None:
            pub.update(last[0])
            me.update(last[1])
        if lv.foresight and last is not None:
            for part, src, prev in ((pub, now[0], last[0]), (me, now[1], last[1])):
                for key in ("price", "demand"):
                    if key in src and key in prev:
                        part[key] = _extrapolate(src[key], prev[key], lv.foresight)
        if lv.noise and "price" in pub:
            blur = np.exp(rng.spawn(1)[0].normal(0.0, lv.noise, np.shape(pub["price"])))
            pub["price"] = _ro(np.asarray(pub["price"]) * blur)
        if lv.blind:
            _blind(pub, me, observation)
        return {**observation, "public": pub, "private": me}


def _ro(a) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.flags.writeable = False
    return a


def _extrapolate(now, before, turns: int) -> np.ndarray:
    """`now` moved on along its last change for `turns` turns, kept within 0.5x..2x of now."""
    now, before = np.asarray(now, dtype=float), np.asarray(before, dtype=float)
    ahead = now + turns * (now - before)
    return _ro(np.clip(ahead, 0.5 * now, 2.0 * now))


def _blind(pub: dict, me: dict, observation: dict) -> None:
    """Hide what other seats do to each other: controls, floors and coercion not involving
    this seat (or, for a firm, its home), other treasuries and plants being built."""
    who = me.get("country") or me.get("home")
    pub["controls"] = [c for c in pub["controls"] if who in (c["issuer"], c["target"]) or c["target"] == "ALL"]
    pub["floors"] = [f for f in pub["floors"] if f["state"] == who]
    pub["coerced"] = [x for x in pub["coerced"] if who in x]
    if "pipeline" in pub:
        pub["pipeline"] = _ro(np.zeros_like(np.asarray(pub["pipeline"], dtype=float)))
    if "others_treasury" in me:
        me["others_treasury"] = _ro(np.zeros_like(np.asarray(me["others_treasury"], dtype=float)))


_CACHE: dict[tuple[str, str], type[Policy]] = {}


def with_difficulty(cls: type[Policy], level: str) -> type[Policy]:
    """`cls` played at `level` (easy, normal or hard)."""
    if level not in LEVELS:
        raise ValueError(f"unknown difficulty {level!r}; levels: {', '.join(LEVELS)}")
    key = (f"{cls.__module__}.{cls.__qualname__}", level)
    if key not in _CACHE:
        lv = LEVELS[level]
        traits = replace(cls.traits, stochastic=cls.traits.stochastic or lv.drop > 0 or lv.noise > 0,
                         aggressiveness=round(cls.traits.aggressiveness * (1 - lv.drop), 3),
                         tags=tuple(cls.traits.tags) + (f"difficulty:{level}",))
        what = {"easy": "stale, noisy prices, blind to others' measures, drops 20% of its orders",
                "normal": "as written",
                "hard": "foresees prices and demand a turn ahead"}[level]
        desc = f"{cls.name} at {level}: {what}. {cls.description}"
        _CACHE[key] = type(f"{cls.__name__}_{level.capitalize()}", (DifficultyWrapper,), {
            "name": f"{cls.name}:{level}", "description": desc, "traits": traits,
            "base": cls, "level": lv, "__module__": __name__})
    return _CACHE[key]


def register_difficulties() -> None:
    """Register NAME:easy, NAME:normal and NAME:hard for every registered policy (idempotent)."""
    from agents.policies import REGISTRY, register
    for name, cls in list(REGISTRY.items()):
        if issubclass(cls, DifficultyWrapper):
            continue
        for level in LEVELS:
            if f"{name}:{level}" not in REGISTRY:
                register(with_difficulty(cls, level))
