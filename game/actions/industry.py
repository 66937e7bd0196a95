"""Facilities: build, expand, idle, reopen, close, relocate, sell, nationalize, recycle."""

from __future__ import annotations

import math

import numpy as np

from game.actions import base as b
from game.actions.base import Reject, handles
from game.actions.controls import tech_penalty
from game.facilities import CLOSED, CONSTRUCTION, IDLE, OPERATING
from game.costs import EXPAND_CAPEX_SHARE, expand_lead_of, new_unit_cost
from game.ledger import pay
from game.measures import StakeOffer


def lead_turns(m, ftype: int, c: int, *, penalty: bool = False) -> int:
    """Turns from order to first output: build time, plus permits for mines; a year more
    for a firm denied the know-how by a technology control."""
    return int(_lead_turns_table(m, ftype)[c]) + tech_delay(m, penalty)


def tech_delay(m, penalty: bool) -> int:
    """The year (in turns) a firm denied the know-how waits longer for a plant or expansion."""
    return math.ceil(12 / m.turn_months) if penalty else 0


def _lead_turns_table(m, ftype: int) -> np.ndarray:
    """costs.lead_turns_all, kept while what it reads (permits, social licence) is unchanged:
    a turn's many builds of one type mostly see the same table."""
    from game.costs import lead_turns_all
    key = (ftype, m.turn_months, m.permit_years.tobytes(), m.social_licence.tobytes())
    cache = m.__dict__.setdefault("_lead_turns_cache", {})
    if cache.get(ftype, (None,))[0] != key:
        cache[ftype] = (key, lead_turns_all(m, ftype))
    return cache[ftype][1]


def capex(m, ftype: int, g: int, capacity: float, *, penalty: bool = False) -> float:
    return capacity * m.ftype_capex[ftype] * m.ref_price[g] * (1.5 if penalty else 1.0)


def spend(m, seat: str, amount: float) -> None:
    """Firms pay capex from cash, borrowing from banks for the rest (within their limit)."""
    b.afford(m, seat, amount, can_borrow=True)
    f = m.firms[seat]
    borrow = max(amount - max(m.cash[f], 0.0), 0.0)
    if borrow > 0:
        m.debt[f] += borrow
        m.cash[f] += borrow
        m.external -= borrow
    pay(m, seat, amount)


def governance_bar(m, home: str, host: str) -> None:
    """Reject investment in `host` by a firm from `home` that a governance standard bars."""
    for issuer, barred in m.measures.governance:
        if barred == host and home in {m.countries.ids[i] for i in m.members[m.countries[issuer]]}:
            raise Reject(f"{issuer}'s governance standard bars its firms from investing in {host}")


@handles("build", 60)
def build(m, seat, o):
    if o.type not in m.ftypes:
        raise Reject(f"unknown facility type {o.type!r}; types: {', '.join(m.ftypes.ids)}")
    t = m.ftypes[o.type]
    g = b.good(m, o.good)
    if o.good not in m.ftype_goods[o.type]:
        raise Reject(f"a {o.type} cannot make {o.good}")
    c = b.country(m, o.country)
    b.positive(o.capacity, "capacity")
    f = b.firm(m, seat)
    home = m.countries.ids[m.firm_home[f]]
    governance_bar(m, home, o.country)
    if o.type == "mine" and m.reserves[c, g] < o.capacity - 1e-9:
        raise Reject(f"{o.country} has known deposits for only {m.reserves[c, g]:g} more {o.good} a year")
    penalty = tech_penalty(m, home, o.good)
    cost = capex(m, t, g, o.capacity, penalty=penalty)
    spend(m, seat, cost)
    if o.type == "mine":
        m.reserves[c, g] -= o.capacity
    fid = m.fac.unique_id(f"{seat.lower()}_{o.good}_{o.country.lower()}")
    m.fac.add(fid, firm=f, country=c, good=g, ftype=t, capacity=o.capacity,
              unit_cost=new_unit_cost(m, g, c, t) * (1.1 if penalty else 1.0), status=CONSTRUCTION,
              turns_left=lead_turns(m, t, c, penalty=penalty), capex_value=cost, built_turn=m.turn)
    m.investments.append((seat, c, cost))


@handles("expand", 61)
def expand(m, seat, o):
    i = b.own_facility(m, seat, o.facility)
    b.positive(o.capacity, "capacity")
    if m.fac.status[i] != OPERATING:
        raise Reject(f"only an operating facility can be expanded ({o.facility} is not)")
    if m.fac.pending_turns[i] > 0:
        raise Reject(f"{o.facility} is already being expanded")
    if o.capacity > m.fac.capacity[i] + 1e-9:      # a larger plant is a new project: build
        raise Reject(f"an expansion adds at most the plant's own capacity "
                     f"({m.fac.capacity[i]:g} a year for {o.facility})")
    t, g, c = int(m.fac.ftype[i]), int(m.fac.good[i]), int(m.fac.country[i])
    home = m.countries.ids[m.firm_home[b.firm(m, seat)]]
    governance_bar(m, home, m.countries.ids[c])      # investing in a plant is investing in its host
    if m.ftypes.ids[t] == "mine" and m.reserves[c, g] < o.capacity - 1e-9:
        raise Reject(f"{m.countries.ids[c]} has known deposits for only {m.reserves[c, g]:g} more a year")
    # a firm denied the know-how pays more and waits longer to add to a plant, as to build one
    penalty = tech_penalty(m, home, m.goods.ids[g])
    cost = EXPAND_CAPEX_SHARE * capex(m, t, g, o.capacity, penalty=penalty)
    spend(m, seat, cost)
    if m.ftypes.ids[t] == "mine":
        m.reserves[c, g] -= o.capacity
    m.fac.pending_capacity[i] = o.capacity
    m.fac.pending_turns[i] = int(expand_lead_of(m, t, lead_turns(m, t, c))) + tech_delay(m, penalty)
    m.fac.capex_value[i] += cost
    m.investments.append((seat, c, cost))


@handles("idle", 62)
def idle(m, seat, o):
    i = b.own_facility(m, seat, o.facility)
    if m.fac.status[i] != OPERATING:
        raise Reject(f"{o.facility} is not operating")
    m.fac.status[i] = IDLE


@handles("reopen", 63)
def reopen(m, seat, o):
    i = b.own_facility(m, seat, o.facility)
    if m.fac.status[i] == CLOSED:
        raise Reject(f"{o.facility} is closed for good and cannot reopen")
    if m.fac.status[i] != IDLE:
        raise Reject(f"{o.facility} is not idle")
    m.fac.status[i] = OPERATING


@handles("close", 64)
def close(m, seat, o):
    i = b.own_facility(m, seat, o.facility)
    if m.fac.status[i] == CLOSED:
        raise Reject(f"{o.facility} is already closed")
    m.fac.status[i] = CLOSED


@handles("relocate", 65)
def relocate(m, seat, o):
    i = b.own_facility(m, seat, o.facility)
    c = b.country(m, o.country)
    if m.fac.status[i] == CLOSED:
        raise Reject(f"{o.facility} is closed")
    t, g = int(m.fac.ftype[i]), int(m.fac.good[i])
    if m.ftypes.ids[t] == "mine":
        raise Reject("a mine cannot move")
    if c == m.fac.country[i]:
        raise Reject(f"{o.facility} is already in {o.country}")
    home = m.countries.ids[m.firm_home[m.fac.firm[i]]]
    governance_bar(m, home, o.country)
    # the plant is built anew in the host: a firm denied the know-how pays and waits as for a build
    penalty = tech_penalty(m, home, m.goods.ids[g])
    cost = 0.6 * capex(m, t, g, m.fac.capacity[i], penalty=penalty)
    spend(m, seat, cost)
    fid = m.fac.unique_id(f"{o.facility}_{o.country.lower()}")
    m.fac.add(fid, firm=int(m.fac.firm[i]), country=c, good=g, ftype=t, capacity=m.fac.capacity[i],
              unit_cost=new_unit_cost(m, g, c, t) * (1.1 if penalty else 1.0), status=CONSTRUCTION,
              turns_left=max(1, lead_turns(m, t, c) // 2) + tech_delay(m, penalty), capex_value=cost,
              built_turn=m.turn)
    m.fac.status[i] = CLOSED
    m.investments.append((seat, c, cost))


@handles("sell_stake", 66)
def sell_stake(m, seat, o):
    """An offer only: nothing changes hands until the buyer accepts (accept_stake)."""
    i = b.own_facility(m, seat, o.facility)
    if m.fac.status[i] == CLOSED:
        raise Reject(f"facility {o.facility} is closed")
    if o.buyer == seat:
        raise Reject("cannot sell to yourself")
    if o.buyer not in m.countries:
        b.firm(m, o.buyer)
    if o.price < 0:
        raise Reject("price must not be negative")
    if o.price > m.fac.capex_value[i] + 1e-9:
        raise Reject(f"the price is above the facility's book value ({m.fac.capex_value[i]:,.0f} M$)")
    # an id the buyer can name without seeing the offer: turn, plant and buyer (a second offer
    # of the same plant to the same buyer in a turn gets -2, and so on)
    offers = m.measures.stake_offers
    oid = base = f"S{m.turn}-{o.facility}-{o.buyer}"
    k = 1
    while oid in offers:
        k += 1
        oid = f"{base}-{k}"
    offers[oid] = StakeOffer(oid, seat, o.buyer, o.facility, float(o.price), m.turn)


@handles("accept_stake", 68)
def accept_stake(m, seat, o):
    offer = b.offered_to(m.measures.stake_offers, o.offer, seat, "stake offer", "buyer")
    if offer.offered_turn >= m.turn:
        raise Reject(f"stake offer {o.offer} can be accepted from turn {offer.offered_turn + 1}")
    i = b.facility(m, offer.facility)
    if m.fac.owner_name(i, m.firms, m.countries) != offer.seller or m.fac.status[i] == CLOSED:
        offer.status = "void"
        raise Reject(f"{offer.seller} no longer has {offer.facility} to sell")
    if seat in m.firms:
        bf = b.firm(m, seat)
    b.afford(m, seat, offer.price)
    if seat in m.countries:
        m.fac.state_owner[i] = m.countries[seat]
    else:
        m.fac.firm[i] = bf
        m.fac.state_owner[i] = -1
    pay(m, seat, offer.price, to=offer.seller)
    offer.status = "accepted"


@handles("nationalize", 30)
def nationalize(m, seat, o):
    c = m.countries[seat]
    b.share(o.compensation, "compensation")
    if bool(o.facility) == bool(o.firm):
        raise Reject("name either facility= or firm=")
    if o.facility:
        rows = [b.facility(m, o.facility)]
    else:
        f = b.firm(m, o.firm)
        rows = list(np.flatnonzero((m.fac.col("firm") == f) & (m.fac.col("country") == c)))
    rows = [i for i in rows if m.fac.country[i] == c and m.fac.state_owner[i] < 0 and m.fac.status[i] != CLOSED]
    if not rows:
        raise Reject(f"nothing to nationalize in {seat}")
    bill = sum(o.compensation * m.fac.capex_value[i] for i in rows)
    b.afford(m, seat, bill)
    for i in rows:
        owner = m.firms.ids[m.fac.firm[i]]
        pay(m, seat, o.compensation * m.fac.capex_value[i], to=owner)
        m.fac.state_owner[i] = c
        m.nationalizations.append((seat, int(m.firm_home[m.fac.firm[i]]), m.fac.ids[i]))
    risk = m.rules.politics.get("investor_risk_per_nationalization", 0.2)
    m.investor_risk[c] = min(1.0, m.investor_risk[c] + risk * (1.0 - o.compensation))
    m.stability[c] = min(1.0, m.stability[c] + 0.03)


@handles("recycling_programme", 67)
def recycling_programme(m, seat, o):
    g = b.good(m, o.good)
    if "recycling" not in m.ftypes or o.good not in m.ftype_goods["recycling"]:
        raise Reject(f"{o.good} cannot be recycled in this ruleset")
    b.positive(o.capacity, "capacity")
    c = m.countries[seat]
    t = m.ftypes["recycling"]
    cost = capex(m, t, g, o.capacity)
    b.afford(m, seat, cost)
    pay(m, seat, cost)
    fid = m.fac.unique_id(f"recycling_{o.good}_{seat.lower()}")
    m.fac.add(fid, firm=0, state_owner=c, country=c, good=g, ftype=t, capacity=o.capacity,
              unit_cost=0.9 * m.ref_price[g] * m.ftype_cost_mult[t], status=CONSTRUCTION,
              turns_left=lead_turns(m, t, c), capex_value=cost, built_turn=m.turn)


@handles("permit_reform", 50)
def permit_reform(m, seat, o):
    c = m.countries[seat]
    done = m.measures.permit_reforms.get(seat, 0)
    if done >= 3:
        raise Reject("permits have been reformed three times already")
    b.afford(m, seat, 0.0)
    m.permit_years[c] *= 0.7
    m.social_licence[c] = max(0.0, m.social_licence[c] - 0.05)
    m.measures.permit_reforms[seat] = done + 1
