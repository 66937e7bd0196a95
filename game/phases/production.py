"""Phase 4, production and markets: clear every good in chain order.

For each good, in topological order of the recipe graph:
1. supply: each operating facility offers what its capacity and the inputs it holds allow,
   at its unit cost (less any export subsidy of its host); strategic stock releases offer
   at zero cost; offtake contracts take their volume first;
2. demand: sector demand in tranches that pay up to a multiple of the reference price,
   facilities bidding for the inputs they need this turn (up to the margin their output
   earns), and strategic stock purchases;
3. the market (game.market) clears it under the turn's restrictions, giving quantities,
   flows between countries and a price per country;
4. facilities that sold consume their inputs; buyers receive theirs; money changes hands.
Downstream output is therefore limited by the inputs obtained earlier in the same turn.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from game.facilities import CLOSED, OPERATING
from game.ledger import credit_owners, debit_owners
from game.market import MarketInput, clear_stage
from game.market.routes import build_routes, restrict_by_content
from game.phases.demand import final_demand, update_demand_response
from game.phases.plant_inputs import consume_inputs, input_bids, input_value


def run(model) -> None:
    m = model
    if m.turn > 1:
        m.production_prev = m.production.copy()
    m.clear_market_records()
    m.used_lp = 0
    m.final_demand = final_demand(m)
    m.demand_ref = reference_use(m)
    routes = build_routes(m)
    content = init_content(m)
    cap_turn = m.fac.col("capacity") * m.fac.available_share() * m.turn_frac
    index_facilities(m, cap_turn)
    for level in m.chain_levels:
        prepared = prepare_level(m, level, cap_turn, routes, content)
        results = clear_stage([p.market for p in prepared], m.ref_price[level])
        settle(m, prepared, results)
        for p, res in zip(prepared, results):
            m.used_lp += int(res.used_lp)
            if content:
                update_content(m, p.good, content)
    # what plants bid on: prices smoothed over about two years (a quarter of the gap to
    # this turn's price closed each turn), as contracts and order books move; with a
    # faster expectation, plants' bids chased each turn's price and made it alternate
    # between a scarce and a plentiful half-year
    m.price_expect = EXPECT_KEEP * m.price_expect + (1.0 - EXPECT_KEEP) * m.price
    update_demand_response(m)
    m.measures.stockpile_orders.clear()
    m.measures.stockpile_releases.clear()
    update_rival_share(m)


#: share of the expected price kept from one turn to the next (see ``run``)
EXPECT_KEEP = 0.75


def reference_use(m) -> np.ndarray:
    """What each country needs of each good this turn: sector demand plus its operating
    plants' inputs at capacity (the basis of routine licensing)."""
    fac = m.fac
    rows = np.flatnonzero(fac.col("status") == OPERATING)
    use = m.final_demand.copy()
    cap = fac.col("capacity")[rows] * m.turn_frac
    need = cap[:, None] * m.recipe[fac.col("good")[rows]]
    # only the (plant, input) cells a recipe uses, added one by one in plant order (the
    # additions each cell gets, in the same order, as a row-wise add would make)
    r, g = need.nonzero()
    np.add.at(use.ravel(), fac.col("country")[rows][r] * use.shape[1] + g, need[r, g])
    return use


class Prepared(NamedTuple):
    """One good of a chain level, ready to clear: its steps (``supply``/``demand`` dicts,
    see ``supply_level``/``demand_level``), restrictions and market input."""
    good: int
    supply: dict
    demand: dict
    routes: object          # game.market.routes restrictions of the good, or None
    market: MarketInput


def prepare_level(m, level: list[int], cap_turn: np.ndarray, routes: dict, content: dict) -> list[Prepared]:
    """Supply and demand steps and restrictions of every good of a chain level.

    The goods of one level neither use each other nor share a plant, so their steps are
    worked out together (one array pass for the level, then split per good)."""
    C = len(m.countries)
    out = []
    for g, sup, dem in zip(level, supply_level(m, level, cap_turn), demand_level(m, level, cap_turn)):
        r = restrict_by_content(m, routes.get(g), g, content) if content else routes.get(g)
        arcs = r is not None and bool(r.arcs)
        mi = MarketInput.trusted(
            C, sup["country"], sup["qty"], sup["cost"], dem["country"], dem["qty"], dem["wtp"],
            route_cap=None if r is None else r.cap,
            route_wedge=None if r is None else r.wedge,
            export_cap=None if r is None else r.export_cap,
            arc_from=np.array([a[0] for a in r.arcs], dtype=np.intp) if arcs else None,
            arc_to=np.array([a[1] for a in r.arcs], dtype=np.intp) if arcs else None,
            arc_cap=np.array([a[2] for a in r.arcs], dtype=float) if arcs else None,
            arc_wedge=np.array([a[3] for a in r.arcs], dtype=float) if arcs else None,
        )
        out.append(Prepared(g, sup, dem, r, mi))
    return out


def index_facilities(m, cap_turn: np.ndarray) -> None:
    """Rows of the plants that can run this turn, by the good they make and by the goods
    they buy (recyclers buy nothing), worked out once for the turn."""
    fac = m.fac
    G = len(m.goods)
    live = np.flatnonzero(cap_turn > 0)
    goods = fac.col("good")[live]
    order = np.argsort(goods, kind="stable")
    cuts = np.searchsorted(goods[order], np.arange(G + 1))
    m._makers = [live[order[cuts[g]:cuts[g + 1]]] for g in range(G)]
    buyers = live[fac.col("ftype")[live] != m.recycler_type]
    uses = m.recipe[fac.col("good")[buyers]] > 0                     # (rows, G)
    m._buyers = [buyers[uses[:, g]] for g in range(G)]
    if getattr(m, "_tranches", None) is None:
        tranches = m.rules.market.demand_tranches
        C = len(m.countries)
        mults = np.array([t.price_multiple for t in tranches])
        m._tranches = (np.array([t.share for t in tranches]), mults, np.repeat(np.arange(C), len(tranches)))
        m._needed = np.tile(needed_tranches(tranches), C)


def level_inputs(m, level) -> np.ndarray:
    """Every good an input of some good of the chain level (the recipe does not change during
    a game, so worked out once per level)."""
    key = tuple(level)
    cache = m.__dict__.setdefault("_level_inputs", {})
    if key not in cache:
        cache[key] = np.flatnonzero(m.recipe[list(key)].any(axis=0))
    return cache[key]


def needed_tranches(tranches) -> np.ndarray:
    """Which demand tranches buy at the reference price: what a sector needs in normal
    times, so what counts as a shortage when it goes unserved."""
    return np.array([t.price_multiple >= 1.0 for t in tranches])


def _split(a: np.ndarray, sizes: list[int]) -> list[np.ndarray]:
    """Consecutive pieces of `a` of the given sizes (views)."""
    out, k = [], 0
    for n in sizes:
        out.append(a[k:k + n])
        k += n
    return out


def _by_good(m, items) -> dict[int, list[tuple]]:
    """Orders of the turn as (good id, *rest) grouped by good row: {g: [rest, ...]}."""
    out: dict[int, list[tuple]] = {}
    for good, *rest in items:
        out.setdefault(m.goods[good], []).append(tuple(rest))
    return out


def supply_level(m, level: list[int], cap_turn: np.ndarray) -> list[dict]:
    """Each good's supply steps: its running plants (limited by the inputs they hold),
    then stock releases. Per good a dict: ``rows`` (plants), ``n_fac``, and ``country``,
    ``qty``, ``cost`` per step."""
    fac = m.fac
    rows_of = [m._makers[g] for g in level]
    sizes = [len(r) for r in rows_of]
    rows = np.concatenate(rows_of)
    goods = np.repeat(np.asarray(level, dtype=np.intp), sizes)
    qty = cap_turn[rows]
    ins = level_inputs(m, level)
    if ins.size:
        # a plant runs as far as its scarcest input allows (recyclers buy no inputs)
        cells = (goods[:, None], ins)
        need = m.recipe[cells] * (1.0 - m.flex[cells])
        limit = np.divide(fac.input_stock[rows[:, None], ins], need, out=np.full(need.shape, np.inf),
                          where=need > 0).min(axis=1)
        qty = np.where(fac.col("ftype")[rows] != m.recycler_type, np.minimum(qty, limit), qty)
    qty = np.maximum(qty, 0.0)
    countries = fac.col("country")[rows].astype(np.intp)
    cost = fac.col("unit_cost")[rows] + input_value(m, rows, goods, countries, ins)
    ms = m.measures
    subsidies = _by_good(m, ((good, country, rate) for (country, good), rate in ms.export_subsidies.items()))
    releases = _by_good(m, ((good, country, amount) for country, good, amount in ms.stockpile_releases))
    out = []
    for g, r, q, c, k in zip(level, rows_of, _split(qty, sizes), _split(countries, sizes), _split(cost, sizes)):
        if ms.offtakes:
            q = deliver_offtakes(m, g, r, q)
        for country, rate in subsidies.get(g, ()):
            k[c == m.countries[country]] -= rate * m.ref_price[g]
        k = np.maximum(k, 0.0)
        rel_c, rel_q = [], []
        left = {}                        # what each stockpile still holds after earlier releases
        for country, amount in releases.get(g, ()):
            ci = m.countries[country]
            take = min(amount * m.turn_frac, left.get(ci, m.stockpile[ci, g]))
            left[ci] = left.get(ci, m.stockpile[ci, g]) - take
            rel_c.append(ci)
            rel_q.append(take)
        if rel_c:
            c = np.concatenate([c, np.array(rel_c, dtype=np.intp)])
            q = np.concatenate([q, np.array(rel_q, dtype=float)])
            k = np.concatenate([k, np.zeros(len(rel_c))])
        out.append({"rows": r, "n_fac": len(r), "country": c, "qty": q, "cost": k})
    return out


def deliver_offtakes(m, g: int, rows: np.ndarray, qty: np.ndarray) -> np.ndarray:
    """Offtake contracts take their volume out of supply before the market."""
    for off in m.measures.offtakes:
        if off.until_turn < m.turn or off.facility not in m.fac.row:
            continue
        f = m.fac.row[off.facility]
        if m.fac.good[f] != g:
            continue
        pos = np.flatnonzero(rows == f)
        if len(pos) == 0:
            continue
        k = pos[0]
        take = min(off.volume * m.turn_frac, qty[k])
        if take <= 0:
            continue
        if off.buyer in m.countries:
            dest, where = None, m.countries[off.buyer]
        else:
            bf = m.firms[off.buyer]
            users = np.flatnonzero((m.fac.col("firm") == bf) & (m.fac.col("state_owner") < 0)
                                   & (m.fac.col("status") != CLOSED) & (m.recipe[m.fac.col("good"), g] > 0))
            if len(users) == 0:
                continue                 # the buyer has no plant left to take it: nothing delivered
            dest, where = users[0], int(m.fac.country[users[0]])
        origin = int(m.fac.country[f])
        if where != origin and r_blocks(m, g, origin, where):
            continue                     # a control in force stops the contract's deliveries
        qty[k] -= take
        consume_inputs(m, f, g, take)
        m.fac_output[f] += take
        m.production[m.fac.country[f], g] += take
        pay = take * off.price
        m.fac_offtake_income[f] += pay
        credit_owners(m, np.array([f]), np.array([pay]))
        if dest is None:
            m.treasury[where] -= pay
            m.stockpile[where, g] += take
        else:
            m.cash[bf] -= pay
            m.fac.input_stock[dest, g] += take
        if where != origin:
            m.offtake_trade.append((g, origin, where, take))
    return qty


def r_blocks(m, g: int, origin: int, dest: int) -> bool:
    """Whether a ban in force stops `g` going from `origin` to `dest` this turn (contract
    deliveries under a licence regime or a quota are let through)."""
    from game.market.routes import covers
    good = m.goods.ids[g]
    return any(ctl.good == good and ctl.mode == "ban" and covers(m, ctl, origin, dest)
               for ctl in m.measures.active_controls(m.turn))


def demand_level(m, level: list[int], cap_turn: np.ndarray) -> list[dict]:
    """Each good's demand steps: sector tranches (country by country), plants' input
    bids, stock purchases. Per good a dict: ``n_final``, ``rows`` and ``n_bid`` (bidding
    plants), and ``country``, ``qty``, ``wtp`` per step."""
    C = len(m.countries)
    shares, mults, f_country = m._tranches
    K = len(shares)
    lv = np.asarray(level, dtype=np.intp)
    f_qty = (m.final_demand[:, lv].T[:, :, None] * shares).reshape(len(level), C * K)
    f_wtp = np.tile(mults * m.ref_price[lv][:, None], C)        # (L, C * K)
    bids = input_bids(m, level, cap_turn)
    country = m.fac.col("country")
    purchases = _by_good(m, ((good, cty, amount, max_price)
                             for cty, good, amount, max_price in m.measures.stockpile_orders))
    out = []
    for j, g in enumerate(level):
        rows, need, bid = bids[j]
        s_c, s_q, s_w = [], [], []
        for cty, amount, max_price in purchases.get(g, ()):
            s_c.append(m.countries[cty])
            s_q.append(amount * m.turn_frac)
            s_w.append(max_price if max_price > 0 else 2.0 * m.ref_price[g])
        out.append({
            "n_final": C * K, "rows": rows, "n_bid": len(rows),
            "country": np.concatenate([f_country, country[rows], np.array(s_c, dtype=np.intp)]),
            "qty": np.concatenate([f_qty[j], need, np.array(s_q, dtype=float)]),
            "wtp": np.concatenate([f_wtp[j], bid, np.array(s_w, dtype=float)]),
        })
    return out


def settle(m, prepared: list[Prepared], results: list) -> None:
    """Move goods and money after the goods of a chain level cleared (one array pass for
    the level: the goods of a level have no plant in common and none uses another)."""
    C = len(m.countries)
    L = len(prepared)
    fac = m.fac
    lv = np.array([p.good for p in prepared], dtype=np.intp)
    P = np.array([res.price for res in results]).T
    m.price[:, lv] = np.where(np.isfinite(P), P, m.price[:, lv])
    price = m.price
    j = np.arange(L)
    # sellers: plants (consuming their inputs), then stock releases
    nfs = [p.supply["n_fac"] for p in prepared]
    rows = np.concatenate([p.supply["rows"] for p in prepared])
    sold = np.concatenate([res.supply_taken[:n] for res, n in zip(results, nfs)])
    cty = np.concatenate([p.supply["country"][:n] for p, n in zip(prepared, nfs)])
    goods = np.repeat(lv, nfs)
    ins = level_inputs(m, [p.good for p in prepared])
    if ins.size and rows.size:
        used = np.where(fac.col("ftype")[rows] != m.recycler_type, sold, 0.0)
        at = (rows[:, None], ins)
        fac.input_stock[at] = np.maximum(fac.input_stock[at] - m.recipe[goods[:, None], ins] * used[:, None], 0.0)
    revenue = sold * price[cty, goods]
    m.fac_output[rows] += sold
    m.fac_revenue[rows] += revenue
    credit_owners(m, rows, revenue)
    m.production[:, lv] += np.bincount(cty * L + np.repeat(j, nfs), weights=sold, minlength=C * L).reshape(C, L)
    for p, res, n in zip(prepared, results, nfs):
        rel_c, rel_q = p.supply["country"][n:], res.supply_taken[n:]
        if len(rel_c):
            g = p.good
            np.subtract.at(m.stockpile[:, g], rel_c, rel_q)
            np.add.at(m.treasury, rel_c, rel_q * price[rel_c, g])
    # buyers: sector tranches, plants (inputs for their stock), stock purchases
    nfin = prepared[0].demand["n_final"]
    f_country = prepared[0].demand["country"][:nfin]
    cells = (j[:, None] * C + f_country).ravel()
    taken = np.concatenate([res.demand_taken[:nfin] for res in results])
    final = np.bincount(cells, weights=taken, minlength=L * C).reshape(L, C)
    m.consumed[:, lv] = final.T
    # shortage: demand that would pay the reference price and went unserved (the tranches
    # below it are demand that only appears when the good is cheap, not a need)
    unmet = np.concatenate([p.demand["qty"][:nfin] for p in prepared]) - taken
    unmet *= np.tile(m._needed, L)
    m.shortage[:, lv] = np.maximum(np.bincount(cells, weights=unmet, minlength=L * C).reshape(L, C).T, 0.0)
    for spent in (final * price[:, lv].T).sum(axis=1).tolist():
        m.external -= spent
    nbs = [p.demand["n_bid"] for p in prepared]
    brow = np.concatenate([p.demand["rows"] for p in prepared])
    if brow.size:
        bq = np.concatenate([res.demand_taken[nfin:nfin + n] for res, n in zip(results, nbs)])
        bgood = np.repeat(lv, nbs)
        np.add.at(fac.input_stock, (brow, bgood), bq)   # a plant bids twice: its use, its stock
        bcost = bq * price[fac.col("country")[brow], bgood]
        np.add.at(m.fac_input_cost, brow, bcost)     # a plant may buy two goods of a level
        debit_owners(m, brow, bcost)
    for p, res, n in zip(prepared, results, nbs):
        dc, g = p.demand["country"], p.good
        sc, sq = dc[nfin + n:], res.demand_taken[nfin + n:]
        if len(sc):
            np.add.at(m.stockpile[:, g], sc, sq)
            np.subtract.at(m.treasury, sc, sq * price[sc, g])
    settle_flows(m, prepared, results)
    for og, o_from, o_to, q in m.offtake_trade:
        if og in lv:                         # contract deliveries across borders are trade too
            m.exports[o_from, og] += q
            m.imports[o_to, og] += q
            m.flows[og][o_from, o_to] += q


def settle_flows(m, prepared: list[Prepared], results: list) -> None:
    """Trade flows of a level's goods: record them and pay route rents and tariffs to the
    right treasury."""
    lv = np.array([p.good for p in prepared], dtype=np.intp)
    flows = np.stack([res.flows for res in results])        # (L, C, C)
    m.flows[lv] = flows
    m.exports[:, lv] = flows.sum(axis=2).T
    m.imports[:, lv] = flows.sum(axis=1).T
    price = m.price[:, lv].T                                 # (L, C)
    gap = price[:, None, :] - price[:, :, None]              # importer price minus exporter price
    wedge = np.zeros_like(gap)
    owners = np.full(gap.shape, -1, dtype=np.intp)
    for k, p in enumerate(prepared):
        if p.routes is not None:
            wedge[k] = np.minimum(p.routes.wedge, np.maximum(gap[k], 0.0))
            owners[k] = p.routes.wedge_owner
    tariff = flows * wedge
    has = (tariff > 0) & (owners >= 0)
    exporter_rent = (flows * (gap - wedge)).sum(axis=2)      # (L, C)
    for k, p in enumerate(prepared):
        if p.routes is not None and has[k].any():
            np.add.at(m.tariff_income, owners[k][has[k]], tariff[k][has[k]])
            np.add.at(m.treasury, owners[k][has[k]], tariff[k][has[k]])
        m.rents += exporter_rent[k]
        m.treasury += exporter_rent[k]
    for p, res in zip(prepared, results):
        r, g = p.routes, p.good
        if r is None or not r.arcs:
            continue
        pg = m.price[:, g]
        for (o, d, _cap, wedge_amt, ts), q in zip(r.arcs, res.arc_flows):
            if q <= 0:
                continue
            m.exports[o, g] += q
            m.imports[d, g] += q
            m.flows[g][o, d] += q
            f = m.firms[ts.firm]
            m.cash[f] += q * (pg[d] - pg[o] - wedge_amt)
            m.external += q * wedge_amt
            m.transship_flow[(ts.firm, ts.good, ts.origin, ts.via, ts.destination)] = q


def init_content(m) -> dict:
    """Per extraterritorial control (by key), the control and the share of each good's value,
    per producing country, traced to the issuer's controlled good."""
    content = {}
    for ctl in m.measures.active_controls(m.turn):
        if ctl.content > 0:
            shares = [None] * len(m.goods)
            u = m.goods[ctl.good]
            base = np.zeros(len(m.countries))
            base[m.members[m.countries[ctl.issuer]]] = 1.0
            shares[u] = base
            content[ctl.key] = (ctl, shares)
    return content


def update_content(m, g: int, content: dict) -> None:
    """After good g clears, trace controlled content into the goods that use it."""
    home_use = np.maximum(m.production[:, g] - m.exports[:, g], 0.0)
    flows = m.flows[g]
    received = home_use + flows.sum(axis=0)
    for ctl, shares in content.values():
        if shares[g] is None:
            continue
        traced = (home_use * shares[g] + flows.T @ shares[g]) / np.maximum(received, 1e-12)
        for out in m.consumers_of[g]:
            vshare = min(m.recipe[out, g] * m.ref_price[g] / m.ref_price[out], 1.0)
            prev = shares[out] if shares[out] is not None else np.zeros(len(m.countries))
            shares[out] = np.minimum(prev + vshare * traced, 1.0)


def update_rival_share(m) -> None:
    """Share of each country's consumption that came from the other bloc."""
    bloc = np.sign(np.where(np.abs(m.alignment) >= 0.3, m.alignment, 0.0))
    rival = (bloc[:, None] * bloc[None, :]) < 0        # exporter x importer
    from_rival = np.einsum("gei,ei->ig", m.flows, rival)
    use = np.maximum(m.production - m.exports, 0.0) + m.imports
    m.rival_share = np.where(use > 1e-12, from_rival / np.maximum(use, 1e-12), 0.0)
