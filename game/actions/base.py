"""What every order handler shares: the registry, rejection, and look-ups that reject.

A handler is `fn(model, seat, order)`. It checks everything first and raises `Reject`
with a reason a player can act on before changing anything, so a rejected order leaves
the world exactly as it was.
"""

from __future__ import annotations

import math


HANDLERS: dict[str, tuple[int, callable]] = {}


class Reject(Exception):
    """An order that cannot be carried out; the message says why."""


def handles(action: str, priority: int):
    """Register a handler. Lower priorities run first within a turn (see docs/model.md)."""
    def wrap(fn):
        HANDLERS[action] = (priority, fn)
        return fn
    return wrap


def good(m, name: str) -> int:
    if name not in m.goods:
        raise Reject(f"unknown good {name!r}")
    return m.goods[name]


def country(m, code: str, *, allow_all: bool = False) -> int | None:
    if allow_all and code == "ALL":
        return None
    if code not in m.countries:
        raise Reject(f"unknown country {code!r}")
    return m.countries[code]


def firm(m, code: str) -> int:
    if code not in m.firms:
        raise Reject(f"unknown firm {code!r}")
    f = m.firms[code]
    if m.bankrupt[f]:
        raise Reject(f"firm {code} is bankrupt")
    return f


def facility(m, fid: str) -> int:
    if fid not in m.fac.row:
        raise Reject(f"unknown facility {fid!r}")
    return m.fac.row[fid]


def own_facility(m, seat: str, fid: str) -> int:
    f = facility(m, fid)
    if m.fac.owner_name(f, m.firms, m.countries) != seat:
        raise Reject(f"facility {fid} is not yours")
    return f


def offered_to(items: dict, key: str, seat: str, what: str, to: str):
    """The pending offer `key` (a deal, a stake offer) of `items`, which must be addressed to
    `seat` (its attribute `to`)."""
    item = items.get(key)
    if item is None or item.status != "pending":
        raise Reject(f"no pending {what} {key!r}")
    if getattr(item, to) != seat:
        raise Reject(f"{what} {key} was offered to {getattr(item, to)}, not to you")
    return item


def positive(value: float, what: str, *, upper: float = math.inf) -> float:
    if not (value > 0) or value > upper:
        raise Reject(f"{what} must be above 0{'' if upper == math.inf else f' and at most {upper:g}'}, got {value:g}")
    return value


def share(value: float, what: str) -> float:
    if not 0.0 <= value <= 1.0:
        raise Reject(f"{what} must be between 0 and 1, got {value:g}")
    return value


def seat_country(m, seat: str) -> int:
    """The country a seat acts for: itself, or a firm's home."""
    if seat in m.countries:
        return m.countries[seat]
    return int(m.firm_home[m.firms[seat]])


def afford(m, seat: str, amount: float, *, can_borrow: bool = False) -> None:
    from game.ledger import spending_room
    balance = spending_room(m, seat)
    if seat in m.firms and can_borrow:
        f = m.firms[seat]
        room = m.rules.finance.get("firm_debt_limit", 2.0) * firm_assets(m, f) - m.debt[f]
        balance += max(room, 0.0)
    if amount > balance + 1e-9:
        raise Reject(f"not enough money: needs {amount:,.0f} M$, may spend {balance:,.0f} M$")


def firm_assets(m, f: int) -> float:
    own = (m.fac.col("firm") == f) & (m.fac.col("state_owner") < 0)
    return float(m.fac.col("capex_value")[own].sum() + max(m.cash[f], 0.0))


def no_eu_member(m, seat: str, action: str) -> None:
    """Trade policy of EU members is set by the Union."""
    if seat in m.countries and m.member_of[m.countries[seat]] >= 0:
        union = m.countries.ids[m.member_of[m.countries[seat]]]
        raise Reject(f"{action} is a common trade measure: {union} decides it for its members")
