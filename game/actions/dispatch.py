"""Carrying out one order: the checks every action shares, then its handler.

Used by the adjudication phase for the turn's orders and by deals for their terms; it
depends on the handler registry alone, so order handlers can call it without importing
the phase that runs them."""

from __future__ import annotations

from game.actions.base import HANDLERS, Reject
from game.ledger import pay, seat_balance
from game.orders import Order, OrderSyntaxError, parse_order


def execute(m, seat: str, order, *, delayed: bool = False, via_deal: str | None = None) -> bool:
    """Check and carry out one order; record it as accepted or rejected. Returns success."""
    text = order.text() if isinstance(order, Order) else str(order)
    try:
        order = parse_order(order)
        text = order.text()
        spec = m.rules.actions.get(order.action)
        if spec is None or not spec.enabled or order.action not in HANDLERS:
            raise Reject(f"{order.action} is not available in this ruleset")
        kind = m.seat_kind(seat)
        if kind == "firm" and m.bankrupt[m.firms[seat]]:
            raise Reject(f"{seat} is bankrupt and can no longer act")
        if kind not in spec.who:
            raise Reject(f"a {kind.replace('_', ' ')} may not use {order.action}")
        if spec.delay > 0 and not delayed:
            m.delayed.append((m.turn + spec.delay, seat, order))
            m.accepted.append((m.turn, seat, text + f"  [takes effect on turn {m.turn + spec.delay}]"))
            return True
        if spec.cost > seat_balance(m, seat) + 1e-9:
            raise Reject(f"{order.action} costs {spec.cost:g} M$ and you have {seat_balance(m, seat):,.0f} M$")
        HANDLERS[order.action][1](m, seat, order)
        if spec.cost:
            pay(m, seat, spec.cost)
    except (Reject, OrderSyntaxError) as exc:
        m.rejections.append((m.turn, seat, text, str(exc)))
        return False
    suffix = f"  [deal {via_deal}]" if via_deal else ("  [delayed]" if delayed else "")
    m.accepted.append((m.turn, seat, text + suffix))
    if via_deal:
        m.commit_deal_terms(seat, order, via_deal)
    return True
