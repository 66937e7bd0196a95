"""Phase 3, adjudication: carry out the turn's orders in a fixed order, then run clocks.

Orders are simultaneous; they are applied sorted by (action priority, seat id, position
in the seat's list). Priorities (the `@handles` decorators in game/actions) put deal
answers first, then lifting and suspending controls, new controls and tariffs,
nationalizations, finance, permits, industry, diplomacy and licences. An order that fails its checks is rejected with a
reason and the others stand. An action with a `delay` in the ruleset is checked and
carried out when its delay has run.
"""

from __future__ import annotations

from game.actions import HANDLERS
from game.actions.dispatch import execute
from game.facilities import CONSTRUCTION, OPERATING
from game.orders import Order


def run(model) -> None:
    m = model
    due = [(seat, order) for turn, seat, order in m.delayed if turn == m.turn]
    m.delayed = [d for d in m.delayed if d[0] != m.turn]
    batch = []
    for seat in sorted(m.pending_orders):
        for pos, order in enumerate(m.pending_orders[seat]):
            batch.append((seat, pos, order, False))
    m.pending_orders = {}
    batch += [(seat, -1, order, True) for seat, order in due]
    batch.sort(key=lambda item: (_priority(item[2]), item[0], item[1]))
    for seat, _pos, order, is_due in batch:
        execute(m, seat, order, delayed=is_due)
    run_clocks(m)


def end_of_turn(model) -> None:
    """Clocks that count turns of work or outage: they tick once a turn has been produced,
    so a plant L turns from completion first produces L turns later and an outage of n
    turns costs n turns of output."""
    model.view_epoch = getattr(model, "view_epoch", 0) + 1     # observations must be rebuilt
    fac = model.fac
    status, left = fac.col("status"), fac.col("turns_left")
    building = status == CONSTRUCTION
    left[building] -= 1
    done = building & (left <= 0)
    status[done] = OPERATING
    left[done] = 0
    pend = fac.col("pending_turns")
    exp = pend > 0
    pend[exp] -= 1
    grown = exp & (pend == 0)
    fac.col("capacity")[grown] += fac.col("pending_capacity")[grown]
    fac.col("pending_capacity")[grown] = 0.0
    out = fac.col("outage_turns")
    hit = out > 0
    out[hit] -= 1
    fac.col("outage_share")[hit & (out == 0)] = 0.0


def _priority(order) -> int:
    action = order.action if isinstance(order, Order) else str(order).split(" ", 1)[0]
    return HANDLERS.get(action, (999, None))[0]


def run_clocks(m) -> None:
    """Licence decisions and the expiry of contracts and offers, before the market."""
    _decide_licences(m)
    ms = m.measures
    ms.floors = [f for f in ms.floors if f.until_turn >= m.turn]
    ms.offtakes = [o for o in ms.offtakes if o.until_turn >= m.turn]
    for deal in ms.deals.values():
        if deal.status == "pending" and m.turn - deal.proposed_turn >= 2:
            deal.status = "expired"
    for offer in ms.stake_offers.values():
        if offer.status == "pending" and m.turn - offer.offered_turn >= 2:
            offer.status = "expired"
    m.demand_shocks = [d for d in m.demand_shocks if d[3] >= m.turn]
    m.demand_factor[:] = 1.0
    for c, s, factor, _until in m.demand_shocks:
        m.demand_factor[c if c >= 0 else slice(None), s] *= factor


def _decide_licences(m) -> None:
    keep = []
    life = int(m.rules.politics.get("licence_turns", 2))
    for lic in m.measures.licences:
        if lic.granted is None and lic.decide_turn <= m.turn:
            ctl = _licence_control(m, lic)
            if ctl is None:
                continue                       # control lifted: licence moot
            lic.granted = bool(m.rng.random() < ctl.approval)
            lic.expires_turn = m.turn + life - 1
        if lic.granted is False or (lic.granted and lic.expires_turn < m.turn):
            continue
        keep.append(lic)
    m.measures.licences = keep


def _licence_control(m, lic):
    """The licence regime an application falls under: same good, exporter and target."""
    importer = m.countries[lic.importer]
    for ctl in m.measures.controls.values():
        if (ctl.good == lic.good and ctl.mode == "licence" and ctl.binds(m.turn)
                and m.countries[lic.exporter] in m.members[m.countries[ctl.issuer]]
                and importer in m.expand_targets(ctl.target)):
            return ctl
    return None
