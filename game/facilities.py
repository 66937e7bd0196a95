"""The facility table: every mine and plant in the world, stored column-wise.

Facilities are many and touched every turn by the market, so they live in numpy columns
rather than in one object each. A row never moves or disappears (closing sets a status),
so a facility's row number is a stable handle for the whole game.
"""

from __future__ import annotations

import numpy as np

OPERATING, IDLE, CONSTRUCTION, CLOSED = 0, 1, 2, 3
STATUS_NAMES = ("operating", "idle", "construction", "closed")
STATUS_CODES = {name: code for code, name in enumerate(STATUS_NAMES)}

_FLOAT_COLUMNS = ("capacity", "unit_cost", "outage_share", "capex_value", "pending_capacity")
_INT_COLUMNS = ("firm", "state_owner", "country", "good", "ftype", "status", "turns_left", "outage_turns",
                "pending_turns", "built_turn")


class Facilities:
    """Column store of facilities; `ids[i]` names row i."""

    def __init__(self, n_goods: int, reserve: int = 64):
        self.n_goods = n_goods
        self.ids: list[str] = []
        self.row: dict[str, int] = {}
        self._size = 0
        for name in _FLOAT_COLUMNS:
            setattr(self, name, np.zeros(reserve))
        for name in _INT_COLUMNS:
            setattr(self, name, np.zeros(reserve, dtype=np.int64))
        self.input_stock = np.zeros((reserve, n_goods))

    def __len__(self) -> int:
        return self._size

    def _grow(self) -> None:
        new = max(2 * len(self.capacity), 16)
        for name in _FLOAT_COLUMNS + _INT_COLUMNS:
            old = getattr(self, name)
            grown = np.zeros(new, dtype=old.dtype)
            grown[: len(old)] = old
            setattr(self, name, grown)
        stock = np.zeros((new, self.n_goods))
        stock[: len(self.input_stock)] = self.input_stock
        self.input_stock = stock

    def add(self, fid: str, *, firm: int, country: int, good: int, ftype: int,
            capacity: float, unit_cost: float, status: int, turns_left: int = 0,
            capex_value: float = 0.0, built_turn: int = 0, state_owner: int = -1) -> int:
        """Append a facility and return its row."""
        if fid in self.row:
            raise ValueError(f"facility id {fid!r} already exists")
        if self._size == len(self.capacity):
            self._grow()
        i = self._size
        self._size += 1
        self.ids.append(fid)
        self.row[fid] = i
        self.firm[i], self.country[i], self.good[i], self.ftype[i] = firm, country, good, ftype
        self.capacity[i], self.unit_cost[i] = capacity, unit_cost
        self.status[i], self.turns_left[i] = status, turns_left
        self.capex_value[i], self.built_turn[i] = capex_value, built_turn
        self.state_owner[i] = state_owner
        return i

    def owner_name(self, i: int, firms, countries) -> str:
        """The id of whoever owns row i: a firm, or a state after nationalization."""
        if self.state_owner[i] >= 0:
            return countries.ids[self.state_owner[i]]
        return firms.ids[self.firm[i]]

    def col(self, name: str) -> np.ndarray:
        """A live view of the used part of a column."""
        return getattr(self, name)[: self._size]

    def unique_id(self, stem: str) -> str:
        """A new facility id from a stem, numbered if the stem is taken."""
        if stem not in self.row:
            return stem
        n = 2
        while f"{stem}_{n}" in self.row:
            n += 1
        return f"{stem}_{n}"

    def available_share(self) -> np.ndarray:
        """Share of each facility's capacity usable this turn (status and outages)."""
        share = np.where(self.col("status") == OPERATING, 1.0, 0.0)
        return share * (1.0 - self.col("outage_share"))
