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

Policies that remember (the firm personalities, the builder) read past turns from the
observation's history and set how many turns they judge over in `MEMORY`; a level sets it
on the wrapped instance. The wrapper keeps nothing between turns: last turn's market is the
history's latest record, and the history itself is shown as the level sees it (one turn
older when stale, as forecasts when foresighted, without others' measures when blind).
Noise and slips draw from a child of the seat's generator and after the wrapped policy has
decided, so the wrapped policy sees exactly the draws it would see unwrapped, and a game
stays a function of its seed.

A wrapped policy that decides in batches (the firms, the states) is asked in a batch too,
on one shared view of the market, unless the level gives each seat its own view (easy:
noise drawn per seat, blindness per seat); then its seats decide one at a time.

`agents.policies.register_difficulties()` registers `NAME:easy`, `NAME:normal` and `NAME:hard` for every
policy in the registry; `game.tournament` calls it, so `chokepoint tournament --policies
hawk:easy,hawk,hawk:hard` works. `with_difficulty(cls, level)` builds the wrapped class.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from agents.policies.base import Policy
from game import history

# what goes stale is what the history keeps of each turn (public, and a state's own rows)
MARKET, MARKET_PRIVATE = history.PUBLIC, history.PRIVATE


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
        turns = getattr(self.inner, "MEMORY", None)
        if turns is not None:
            if self.level.memory is not None:
                self.inner.MEMORY = self.level.memory
            elif self.level.foresight:
                self.inner.MEMORY = max(1, turns - self.level.foresight)

    def decide(self, observation, rng):
        obs = self._view(observation, rng) if self._changes_view() else observation
        return self._slips(list(self.inner.decide(obs, rng)), rng)

    def _changes_view(self) -> bool:
        lv = self.level
        return bool(lv.stale or lv.noise or lv.blind or lv.foresight)

    def _slips(self, orders: list, rng) -> list:
        if self.level.drop <= 0.0 or not orders:
            return orders
        keep = rng.random(len(orders)) >= self.level.drop
        return [o for o, k in zip(orders, keep) if k]

    # -- what the wrapped policy sees ----------------------------------------------------
    def _view(self, observation, rng) -> dict:
        pub = self._public(observation["public"])
        me = self._private(observation["private"])
        lv = self.level
        if lv.noise and "price" in pub:
            blur = np.exp(rng.spawn(1)[0].normal(0.0, lv.noise, np.shape(pub["price"])))
            pub["price"] = _ro(np.asarray(pub["price"]) * blur)
        if lv.blind:
            _blind(pub, me, observation)
        return {**observation, "public": pub, "private": me}

    def _public(self, pub) -> dict:
        return _shifted(pub, MARKET, self.level)

    def _private(self, me) -> dict:
        return _shifted(me, MARKET_PRIVATE, self.level) if "history" in me else dict(me)


class BatchedDifficultyWrapper(DifficultyWrapper):
    """A difficulty level of a policy that decides in batches: asked in a batch too, like
    the policy it wraps (a policy without one is asked seat by seat, each seat with its
    own observation, as unwrapped)."""

    def decide_batch(self, observations, rngs):
        """Decide for many seats at once: the wrapped policy's own batch, on one view of the
        market shared by the batch, when the level shows every seat the same market."""
        lv, batch = self.level, self.inner.decide_batch
        if lv.noise or lv.blind:
            return [self.decide(obs, rng) for obs, rng in zip(observations, rngs)]
        if self._changes_view() and observations:
            seen = observations[0]["public"]
            pub = self._public(seen)
            observations = [{**obs, "public": pub, "private": self._private_of(obs["private"], seen, pub)
                             if "history" in obs["private"] else obs["private"]} for obs in observations]
        return [self._slips(list(orders), rng) for orders, rng in zip(batch(observations, rngs), rngs)]

    def _private_of(self, me, seen, ahead) -> dict:
        """`_private(me)`, for a seat of a batch whose public part `seen` the level shows as
        `ahead`: a state's own rows of demand, now and in every remembered turn, are rows of
        the public arrays, and where they are so bit for bit, their forecasts are the same
        rows of the public forecasts (`_extrapolate` works element by element)."""
        lv, past = self.level, me["history"]
        if (lv.stale or not lv.foresight or not past or len(past) != len(seen.get("history", ()))
                or any("price" in t for t in (*past, me))):      # (forecast too, as in _shifted)
            return self._private(me)
        c = me.get("row")
        if not isinstance(c, int) or not all(_is_row(mine.get("demand"), theirs.get("demand"), c)
                                             for mine, theirs in zip((*past, me), (*seen["history"], seen))):
            return self._private(me)
        part = dict(me)
        part["demand"] = ahead["demand"][c]
        later = ahead["history"]
        part["history"] = (dict(past[0]), *({**past[i], "demand": later[i]["demand"][c]} for i in range(1, len(past))))
        return part


def _is_row(a, table, c: int) -> bool:
    """Whether array `a` is, bit for bit, row c of the 2-d array `table`."""
    if not (isinstance(a, np.ndarray) and isinstance(table, np.ndarray) and table.ndim == 2
            and 0 <= c < len(table)):
        return False
    b = table[c]
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _shifted(part, keys: tuple, lv: Difficulty) -> dict:
    """A copy of an observation's part (public or private) as the level sees its market:
    stale, the history's latest record as this turn and the history one turn shorter; with
    foresight, prices and demand of this turn and of every remembered turn extrapolated
    along the move from the turn before."""
    part = dict(part)
    past = list(part.get("history", ()))
    if lv.stale and past:
        last = past.pop()
        part.update({k: last[k] for k in keys if k in last})
        part["history"] = tuple(past)
    if lv.foresight and past:
        turns = past + [part]
        ahead = [dict(t) for t in turns]
        for i in range(1, len(turns)):
            for key in ("price", "demand"):
                if key in turns[i] and key in turns[i - 1]:
                    ahead[i][key] = _extrapolate(turns[i][key], turns[i - 1][key], lv.foresight)
        part = ahead[-1]
        part["history"] = tuple(ahead[:-1])
    return part


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
    pub["export_subsidies"] = [x for x in pub.get("export_subsidies", ()) if x["state"] == who]
    pub["history"] = tuple({**rec, "controls": tuple([c for c in rec["controls"] if who in (c["issuer"], c["target"])
                                                      or c["target"] == "ALL"])}
                           for rec in pub.get("history", ()))
    for key in ("pipeline", "pipeline_by_country", "pipeline_by_owner"):
        if key in pub:
            pub[key] = _ro(np.zeros_like(np.asarray(pub[key], dtype=float)))
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
        parent = BatchedDifficultyWrapper if hasattr(cls, "decide_batch") else DifficultyWrapper
        _CACHE[key] = type(f"{cls.__name__}_{level.capitalize()}", (parent,), {
            "name": f"{cls.name}:{level}", "description": desc, "traits": traits,
            "base": cls, "level": lv, "__module__": __name__})
    return _CACHE[key]
