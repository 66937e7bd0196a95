"""Financial measures: subsidies, stakes, floors, offtakes, loans and stockpiles."""

from __future__ import annotations

import numpy as np

from game.actions import base as b
from game.actions.base import Reject, handles
from game.actions.diplomacy import binding_control
from game.facilities import CLOSED
from game.ledger import pay
from game.measures import Loan, Offtake, PriceFloor


@handles("subsidy", 40)
def subsidy(m, seat, o):
    f = b.firm(m, o.firm)
    b.positive(o.amount, "amount")
    b.afford(m, seat, o.amount)
    pay(m, seat, o.amount, to=o.firm)
    m.investments.append((seat, int(m.firm_home[f]), o.amount))


@handles("equity_stake", 41)
def equity_stake(m, seat, o):
    f = b.firm(m, o.firm)
    b.positive(o.share, "share", upper=1.0)
    b.positive(o.amount, "amount")
    taken = sum(m.equity.get(f, {}).values())
    if taken + o.share > 1.0 + 1e-9:
        raise Reject(f"only {1 - taken:.0%} of {o.firm} is left to buy")
    b.afford(m, seat, o.amount)
    pay(m, seat, o.amount, to=o.firm)
    c = m.countries[seat]
    held = m.equity.setdefault(f, {})      # only now: a rejected order leaves no trace
    held[c] = held.get(c, 0.0) + o.share
    m.investments.append((seat, int(m.firm_home[f]), o.amount))


@handles("price_floor", 42)
def price_floor(m, seat, o):
    b.good(m, o.good)
    b.positive(o.price, "price")
    b.positive(o.volume, "volume")
    b.positive(o.turns, "turns", upper=40)
    m.measures.floors.append(PriceFloor(seat, o.good, o.price, o.volume, max(m.turn, 1) + o.turns - 1))


@handles("offtake", 43)
def offtake(m, seat, o):
    f = b.facility(m, o.facility)
    b.positive(o.volume, "volume")
    b.positive(o.price, "price")
    b.positive(o.turns, "turns", upper=40)
    g = int(m.fac.good[f])
    if m.fac.status[f] == CLOSED:
        raise Reject(f"facility {o.facility} is closed")
    if seat in m.firms:
        bf = b.firm(m, seat)
        users = np.flatnonzero((m.fac.col("firm") == bf) & (m.recipe[m.fac.col("good"), g] > 0))
        if len(users) == 0:
            raise Reject(f"you have no plant that uses {m.goods.ids[g]}")
        dest = int(m.fac.country[users[0]])          # deliveries go to that plant
    else:
        dest = m.countries[seat]
    origin = int(m.fac.country[f])
    market = float(m.price[origin, g])
    if o.price < market - 1e-9:
        raise Reject(f"the producer will not sign below the market price of {m.goods.ids[g]} "
                     f"in {m.countries.ids[origin]} ({market:g})")
    if origin != dest and binding_control(m, m.countries.ids[origin], m.goods.ids[g], m.countries.ids[dest]):
        raise Reject(f"{m.countries.ids[origin]} controls {m.goods.ids[g]} exports to "
                     f"{m.countries.ids[dest]}: an offtake cannot get round it")
    b.afford(m, seat, o.volume * m.turn_frac * o.price)
    m.measures.offtakes.append(Offtake(seat, o.facility, o.volume, o.price, max(m.turn, 1) + o.turns - 1))
    m.investments.append((seat, int(m.fac.country[f]), o.volume * o.price * m.turn_frac))


def _loan(m, seat, borrower: str, is_firm: bool, amount: float, turns: int) -> None:
    b.positive(amount, "amount")
    b.positive(turns, "turns", upper=60)
    b.afford(m, seat, amount)
    pay(m, seat, amount, to=borrower)
    rate = m.rules.finance.get("interest_rate", 0.03)
    m.measures.loans.append(Loan(seat, borrower, is_firm, amount, rate, int(turns)))


@handles("dev_loan", 44)
def dev_loan(m, seat, o):
    c = b.country(m, o.country)
    if o.country == seat:
        raise Reject("a development loan goes to another country")
    _loan(m, seat, o.country, False, o.amount, o.turns)
    m.investments.append((seat, c, o.amount))


@handles("state_lending", 45)
def state_lending(m, seat, o):
    f = b.firm(m, o.firm)
    _loan(m, seat, o.firm, True, o.amount, o.turns)
    m.investments.append((seat, int(m.firm_home[f]), o.amount))


@handles("stockpile", 46)
def stockpile(m, seat, o):
    g = b.good(m, o.good)
    b.positive(o.amount, "amount")
    if o.max_price < 0:
        raise Reject("max_price must not be negative")
    top = o.max_price if o.max_price > 0 else 2.0 * m.ref_price[g]
    b.afford(m, seat, o.amount * m.turn_frac * top)
    m.measures.stockpile_orders.append((seat, o.good, o.amount, o.max_price))


@handles("release_stockpile", 47)
def release_stockpile(m, seat, o):
    g = b.good(m, o.good)
    b.positive(o.amount, "amount")
    held = m.stockpile[m.countries[seat], g]
    if held <= 0:
        raise Reject(f"your stockpile holds no {o.good}")
    # amounts are annual rates, as for stockpile purchases: a turn releases amount * turn_frac
    m.measures.stockpile_releases.append((seat, o.good, min(o.amount, held / m.turn_frac)))


@handles("substitution_rd", 48)
def substitution_rd(m, seat, o):
    if o.sector not in m.sectors:
        raise Reject(f"unknown sector {o.sector!r}")
    g = b.good(m, o.good)
    s = m.sectors[o.sector]
    c = m.countries[seat]
    if m.intensity[c, s, g] <= 0:
        raise Reject(f"{o.sector} does not use {o.good}")
    b.positive(o.amount, "amount")
    b.afford(m, seat, o.amount)
    pay(m, seat, o.amount)
    cut = 0.3 * o.amount / (o.amount + 2000.0)
    m.intensity[c, s, g] *= 1.0 - cut
