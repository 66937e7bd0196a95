"""Money moves between treasuries, firms' cash and the outside world.

Every M$ leaves one account and enters another; `external` stands for everything outside
the modelled actors (households buying sector output, banks, equipment suppliers). The
sum of treasuries, cash and `external` therefore never changes, which the tests check.
"""

from __future__ import annotations

import numpy as np


def credit_owners(m, rows: np.ndarray, amounts: np.ndarray) -> None:
    """Pay facility owners: firms' cash, or the treasury of a state that owns the plant."""
    owner = m.fac.col("state_owner")[rows]
    by_state = owner >= 0
    np.add.at(m.cash, m.fac.col("firm")[rows][~by_state], amounts[~by_state])
    np.add.at(m.treasury, owner[by_state], amounts[by_state])


def debit_owners(m, rows: np.ndarray, amounts: np.ndarray) -> None:
    credit_owners(m, rows, -amounts)


def total_money(m) -> float:
    """Treasuries + cash + the outside world: constant over a game."""
    return float(m.treasury.sum() + m.cash.sum() + m.external)


def seat_balance(m, seat: str) -> float:
    if seat in m.countries:
        return float(m.treasury[m.countries[seat]])
    return float(m.cash[m.firms[seat]])


def spending_room(m, seat: str) -> float:
    """What a seat may spend on an order: a firm its cash, a state its treasury plus the
    room it has to borrow (game.fiscal)."""
    if seat in m.countries:
        from game.fiscal import spending_room as room
        return room(m, m.countries[seat])
    return float(m.cash[m.firms[seat]])


def pay(m, seat: str, amount: float, to: str | None = None) -> None:
    """Move `amount` from a seat to another seat (or to the outside world)."""
    _add(m, seat, -amount)
    if to is None:
        m.external += amount
    else:
        _add(m, to, amount)


def receive_external(m, seat: str, amount: float) -> None:
    _add(m, seat, amount)
    m.external -= amount


def _add(m, seat: str, amount: float) -> None:
    if seat in m.countries:
        m.treasury[m.countries[seat]] += amount
    else:
        m.cash[m.firms[seat]] += amount
