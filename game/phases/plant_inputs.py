"""What the plants of a chain level do with their inputs: what the inputs of a unit of
output are worth (the floor of a plant's offer), what each plant bids for the inputs it
needs this turn and for its working stock, and what producing uses up. Phase 4
(game.phases.production) calls these for every level of the chain."""

from __future__ import annotations

import numpy as np


def input_value(m, rows: np.ndarray, goods: np.ndarray, countries: np.ndarray, ins: np.ndarray) -> np.ndarray:
    """What the inputs of one unit of each plant's output are worth at this turn's price
    in the plant's country (inputs clear a chain level earlier, so the price is known).

    A plant offers its output at its unit cost plus this: it would rather keep (or resell)
    inputs worth more than its output earns, so no plant sells below the market cost of its
    inputs and an upstream price rise passes downstream within the turn. Recyclers buy no
    inputs, so theirs is zero."""
    value = np.zeros(rows.shape[0])
    if ins.size and rows.size:
        value = (m.recipe[goods[:, None], ins] * m.price[countries[:, None], ins]).sum(axis=1)
        value[m.fac.col("ftype")[rows] == m.recycler_type] = 0.0
    return value


#: turns over which a plant rebuilds its working stock of an input after running it down
REFILL_TURNS = 2.0
#: the most a plant pays to rebuild that stock, as a multiple of the input's expected price
REFILL_PREMIUM = 1.2
#: the most a plant values its output at when it bids, as a multiple of last turn's price
CRASH_CAP = 1.25


def steady_input_stock(market_rules) -> float:
    """Turns of use a plant running at capacity holds at the start of a turn when its
    buying (``input_bids``) has settled: it buys what it runs short of plus
    1/REFILL_TURNS of the gap to its working stock, so holding ``h`` turns it buys
    ``1 - h + buffer / REFILL_TURNS``, which equals its use when ``h = buffer / REFILL_TURNS``."""
    return min(market_rules.input_buffer_turns / REFILL_TURNS, 1.0 + market_rules.input_buffer_turns)


def input_bids(m, level: list[int], cap_turn: np.ndarray) -> list[tuple]:
    """Per good of the level, (plants, quantity, bid): what each plant using the good asks
    for this turn and the most it pays per unit, the margin its output is expected to
    earn (smoothed prices) per unit of this input."""
    fac = m.fac
    users_of = [m._buyers[g] for g in level]
    sizes = [len(u) for u in users_of]
    users = np.concatenate(users_of)
    g_in = np.repeat(np.asarray(level, dtype=np.intp), sizes)
    out = fac.col("good")[users]
    coef = m.recipe[out, g_in]
    mk = m.rules.market
    use = cap_turn[users] * coef
    held = fac.input_stock[users, g_in]
    now = np.maximum(use - held, 0.0)                                   # this turn's use
    refill = np.maximum((1.0 + mk.input_buffer_turns) * use - held, 0.0) - now   # the working stock
    cty = fac.col("country")[users]
    expect = m.price_expect
    # the output at its smoothed price, but not above CRASH_CAP times last turn's: after a
    # crash, plants bidding on the smoothed price alone paid more for an input than their
    # output then sold for, and held it unused
    out_price = np.maximum(np.fmin(expect[cty, out], CRASH_CAP * m.price[cty, out]), m.ref_price[out] * 0.5)
    other_inputs = (m.recipe[out] * expect[cty]).sum(axis=1) - coef * expect[cty, g_in]
    margin = (out_price - fac.col("unit_cost")[users] - other_inputs) / coef
    ref = m.ref_price[g_in]
    bid = np.clip(margin, mk.min_input_bid_multiple * ref, mk.max_input_bid_multiple * ref)
    # a plant that ran short rebuilds its working stock over REFILL_TURNS turns, not at
    # once, and pays no more than REFILL_PREMIUM times the price it expects for it, so a
    # short turn is not followed by a buying rush that doubles its demand at any price
    refill = refill / REFILL_TURNS
    refill_bid = np.minimum(bid, REFILL_PREMIUM * expect[cty, g_in])
    n = len(users)
    both_users = np.concatenate([users, users])
    both_need = np.concatenate([now, refill])
    both_bid = np.concatenate([bid, refill_bid])
    out = []
    for k, (lo, size) in enumerate(zip(np.cumsum([0] + sizes[:-1]), sizes)):
        part = np.r_[lo:lo + size, n + lo:n + lo + size]
        part = part[both_need[part] > 1e-12]
        out.append((both_users[part], both_need[part], both_bid[part]))
    return out


def consume_inputs(m, f: int, g: int, produced: float) -> None:
    if m.fac.ftype[f] == m.recycler_type:
        return
    for i in m.inputs_of[g]:
        m.fac.input_stock[f, i] = max(m.fac.input_stock[f, i] - m.recipe[g, i] * produced, 0.0)
