"""The markets of the last few turns, kept by the model for the seats' observations.

A policy is a function of its observation, so what it would remember of past turns comes
with the observation. At the start of every orders phase the model keeps the market the
seats see (prices, output, trade, shortages, demand, capacity being built, controls in
force, and each state's rival shares) in a ring buffer. An observation shows the records
of the turns before its own, oldest first, as plain dicts of read-only arrays; the
observation gets copies of the records (game.observe._own_copy), so what a policy writes into
them never reaches the buffer, other batches or later turns. A loaded game replays its turns
through the same phases, so its buffer is the uninterrupted game's and its policies decide
alike.
"""

from __future__ import annotations

from collections import deque
import numpy as np

HISTORY_TURNS = 4      # past turns an observation shows
PUBLIC = ("price", "production", "world_production", "world_share", "exports", "imports",
          "shortage", "demand", "pipeline")
PRIVATE = ("demand", "shortage", "rival_share")     # a state's own rows


def buffer(m) -> deque:
    """The model's ring buffer of (public record, private arrays), made on first use. It
    holds one record more than an observation shows: the turn being played is pushed after
    its own view was built."""
    buf = getattr(m, "market_history", None)
    if buf is None:
        buf = m.market_history = deque(maxlen=HISTORY_TURNS + 1)
    return buf


def past(m) -> tuple:
    """The public records an observation built now shows, oldest first."""
    return tuple(rec for rec, _ in buffer(m))[-HISTORY_TURNS:]


def remember_turn(m, view: dict) -> None:
    """Keep this turn's market, as `view` (the turn's public view) shows it."""
    rec = {"turn": view["turn"], **{key: view[key] for key in PUBLIC}, "controls": tuple(view["controls"])}
    rival = np.array(m.rival_share, copy=True)
    rival.setflags(write=False)
    buffer(m).append((rec, {"rival_share": rival}))


def private_arrays(m) -> dict[int, dict]:
    """The private arrays kept with each record, by the record's id."""
    return {id(rec): arrays for rec, arrays in buffer(m)}


def state_rows(history: tuple, private: dict[int, dict], c: int) -> tuple:
    """A state's own rows of the records in `history` (a view's past), oldest first;
    `private`: private_arrays(m)."""
    return tuple({"turn": rec["turn"], "demand": rec["demand"][c], "shortage": rec["shortage"][c],
                  "rival_share": private[id(rec)]["rival_share"][c]} for rec in history)
