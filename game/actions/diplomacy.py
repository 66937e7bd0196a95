"""Deals, pressure, licences and transshipment."""

from __future__ import annotations

import numpy as np

from game.actions import base as b
from game.actions.base import Reject, handles
from game.actions.dispatch import execute
from game.measures import Deal, Licence, Transship
from game.orders import OrderSyntaxError, split_orders
from game.market.routes import covers


@handles("propose_deal", 70)
def propose_deal(m, seat, o):
    b.country(m, o.to)
    if o.to == seat:
        raise Reject("a deal needs another party")
    try:
        o.give_orders(), o.ask_orders()
    except OrderSyntaxError as exc:
        raise Reject(f"deal terms do not parse: {exc}") from None
    n = sum(1 for d in m.measures.deals.values() if d.proposed_turn == m.turn and d.proposer == seat)
    did = f"D{m.turn}-{seat}-{o.to}-{n + 1}"
    m.measures.deals[did] = Deal(did, seat, o.to, o.give, o.ask, m.turn)


@handles("accept_deal", 5)
def accept_deal(m, seat, o):
    deal = b.offered_to(m.measures.deals, o.deal, seat, "deal", "to")
    terms = [(party, text) for part, party in ((deal.give, deal.proposer), (deal.ask, deal.to))
             for text in split_orders(part)]        # as propose_deal checked them: ';' inside quotes stays
    for party, text in terms:
        _check_term(m, party, text, deal.id)
    deal.status = "accepted"
    failed = [party for party, text in terms if not execute(m, party, text, via_deal=deal.id)]
    if failed:                  # a term its party could not carry out after all: that party broke it
        deal.status = "broken"
        for party in sorted(set(failed)):
            m.deals_broken.append((party, deal.to if party == deal.proposer else deal.proposer))
    else:
        m.deals_kept.append((deal.proposer, deal.to))


def _check_term(m, party: str, text: str, deal_id: str) -> None:
    """Before a deal runs: every term must be an action its party may use and afford."""
    from game.ledger import seat_balance
    from game.orders import parse_order
    order = parse_order(text)
    spec = m.rules.actions.get(order.action)
    kind = m.seat_kind(party)
    if spec is None or not spec.enabled:
        raise Reject(f"deal {deal_id}: {order.action} is not available in this ruleset")
    if kind not in spec.who:
        raise Reject(f"deal {deal_id}: {party} ({kind.replace('_', ' ')}) may not use {order.action}")
    if spec.cost > seat_balance(m, party) + 1e-9:
        raise Reject(f"deal {deal_id}: {party} cannot pay the {spec.cost:g} M$ that {order.action} costs")


@handles("reject_deal", 6)
def reject_deal(m, seat, o):
    deal = m.measures.deals.get(o.deal)
    if deal is None or deal.status != "pending" or deal.to != seat:
        raise Reject(f"no pending deal {o.deal!r} offered to you")
    deal.status = "rejected"


@handles("pressure", 71)
def pressure(m, seat, o):
    t = b.country(m, o.target)
    if o.target == seat:
        raise Reject("cannot pressure yourself")
    if m.kind[t] == "great_power":
        raise Reject("great powers do not bend to pressure")
    m.pressures.append((seat, o.target))


def _importer(m, seat: str, good: int) -> int:
    if seat in m.countries:
        return m.countries[seat]
    f = b.firm(m, seat)
    fac = m.fac
    own = np.flatnonzero(fac.col("firm") == f)      # the firm's plants first: few, so quick to filter
    users = own[(fac.state_owner[own] < 0) & (m.recipe[fac.good[own], good] > 0)]
    return int(fac.country[users[0]]) if len(users) else int(m.firm_home[f])


def binding_control(m, origin: str, good: str, importer: str):
    """The control in force that restricts `good` from `origin` to `importer`, if any."""
    o, i = m.countries[origin], m.countries[importer]
    for ctl in m.measures.controls.values():          # the active_controls, in their order
        if ctl.good == good and ctl.binds(m.turn) and covers(m, ctl, o, i):
            return ctl
    return None


@handles("apply_licence", 80)
def apply_licence(m, seat, o):
    g = b.good(m, o.good)
    b.country(m, o.origin)
    b.positive(o.volume, "volume")
    importer = m.countries.ids[_importer(m, seat, g)]
    ctl = binding_control(m, o.origin, o.good, importer)
    if ctl is None or ctl.mode != "licence":
        raise Reject(f"{o.origin} does not license {o.good} exports to {importer}")
    m.measures.licences.append(Licence(o.origin, importer, o.good, o.volume,
                                       decide_turn=m.turn + ctl.delay, applicant=seat))


@handles("transship", 81)
def transship(m, seat, o):
    g = b.good(m, o.good)
    b.country(m, o.origin)
    b.country(m, o.via)
    b.positive(o.volume, "volume")
    dest = m.countries.ids[_importer(m, seat, g)]
    if o.via in (o.origin, dest):
        raise Reject("the third country must differ from origin and destination")
    if binding_control(m, o.origin, o.good, dest) is None:
        raise Reject(f"{o.good} from {o.origin} to {dest} is not controlled: buy it directly")
    if binding_control(m, o.origin, o.good, o.via) is not None:
        raise Reject(f"{o.origin} controls {o.good} to {o.via} as well")
    m.measures.transships.append(Transship(seat, o.good, o.origin, o.via, dest, o.volume))
