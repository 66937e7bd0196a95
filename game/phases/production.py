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

import numpy as np

from game.facilities import CLOSED, OPERATING
from game.ledger import credit_owners, debit_owners
from game.market import MarketInput, clear_stage
from game.routes import build_routes, restrict_by_content


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
        prepared = []
        for g in level:
            r = restrict_by_content(m, routes.get(g), g, content) if content else routes.get(g)
            prepared.append(prepare_good(m, g, cap_turn, r))
        results = clear_stage([p[3] for p in prepared], [m.ref_price[g] for g in level])
        for (g, sup, dem, _mi, r), res in zip(((p[0], p[1], p[2], p[3], p[4]) for p in prepared), results):
            m.used_lp += int(res.used_lp)
            settle(m, g, sup, dem, res, r)
            if content:
                update_content(m, g, content)
    m.price_expect = 0.6 * m.price_expect + 0.4 * m.price
    m.measures.stockpile_orders.clear()
    m.measures.stockpile_releases.clear()
    update_rival_share(m)


def reference_use(m) -> np.ndarray:
    """What each country needs of each good this turn: sector demand plus its operating
    plants' inputs at capacity (the basis of routine licensing)."""
    fac = m.fac
    rows = np.flatnonzero(fac.col("status") == OPERATING)
    use = m.final_demand.copy()
    cap = fac.col("capacity")[rows] * m.turn_frac
    np.add.at(use, fac.col("country")[rows], cap[:, None] * m.recipe[fac.col("good")[rows]])
    return use


def final_demand(m) -> np.ndarray:
    """Sector demand for each good this turn, (C, G) in good units per turn."""
    years = max(m.turn - 1, 0) * m.turn_frac
    m.sector_level = m.demand * m.demand_factor * ((1.0 + m.growth) ** years)[None, :]
    sector = m.sector_level * m.turn_frac
    return np.einsum("cs,csg->cg", sector, m.intensity)


def prepare_good(m, g: int, cap_turn: np.ndarray, r):
    """Supply and demand steps and restrictions of one good, as market input."""
    sup = supply_steps(m, g, cap_turn)
    dem = demand_steps(m, g, cap_turn)
    mi = MarketInput(
        n_countries=len(m.countries),
        supply_country=sup["country"], supply_qty=sup["qty"], supply_cost=sup["cost"],
        demand_country=dem["country"], demand_qty=dem["qty"], demand_wtp=dem["wtp"],
        route_cap=None if r is None else r.cap,
        route_wedge=None if r is None else r.wedge,
        export_cap=None if r is None else r.export_cap,
        arc_from=None if not (r and r.arcs) else np.array([a[0] for a in r.arcs]),
        arc_to=None if not (r and r.arcs) else np.array([a[1] for a in r.arcs]),
        arc_cap=None if not (r and r.arcs) else np.array([a[2] for a in r.arcs]),
        arc_wedge=None if not (r and r.arcs) else np.array([a[3] for a in r.arcs]),
    )
    return g, sup, dem, mi, r


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
        m._tranches = (np.array([t.share for t in tranches]), np.array([t.price_multiple for t in tranches]),
                       np.repeat(np.arange(C), len(tranches)))


def supply_steps(m, g: int, cap_turn: np.ndarray) -> dict:
    fac = m.fac
    rows = m._makers[g]
    qty = cap_turn[rows].copy()
    makes = fac.col("ftype")[rows] != m.recycler_type       # recyclers need no bought inputs
    for i in m.inputs_of[g]:
        limit = fac.input_stock[rows, i] / (m.recipe[g, i] * (1.0 - m.flex[g, i]))
        qty = np.where(makes, np.minimum(qty, limit), qty)
    qty = np.maximum(qty, 0.0)
    qty = deliver_offtakes(m, g, rows, qty)
    countries = fac.col("country")[rows]
    cost = fac.col("unit_cost")[rows].copy()
    for (country, good), rate in m.measures.export_subsidies.items():
        if m.goods[good] == g:
            cost[countries == m.countries[country]] -= rate * m.ref_price[g]
    rel_c, rel_q = [], []
    left = {}                            # what each stockpile still holds after earlier releases
    for country, good, amount in m.measures.stockpile_releases:
        if m.goods[good] == g:
            c = m.countries[country]
            q = min(amount * m.turn_frac, left.get(c, m.stockpile[c, g]))
            left[c] = left.get(c, m.stockpile[c, g]) - q
            rel_c.append(c)
            rel_q.append(q)
    return {
        "rows": rows, "n_fac": len(rows),
        "country": np.concatenate([countries, np.array(rel_c, dtype=np.int64)]),
        "qty": np.concatenate([qty, np.array(rel_q, dtype=float)]),
        "cost": np.concatenate([np.maximum(cost, 0.0), np.zeros(len(rel_c))]),
    }


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
    from game.routes import exporters_of
    good = m.goods.ids[g]
    return any(ctl.good == good and ctl.mode == "ban" and origin in exporters_of(m, ctl)
               and dest in m.expand_targets(ctl.target) for ctl in m.measures.active_controls(m.turn))


def demand_steps(m, g: int, cap_turn: np.ndarray) -> dict:
    C = len(m.countries)
    shares, mults, f_country = m._tranches
    fd = m.final_demand[:, g]
    K = len(shares)
    f_qty = (fd[:, None] * shares[None, :]).ravel()
    f_wtp = np.tile(mults * m.ref_price[g], C)
    rows, need, bid = input_bids(m, g, cap_turn)
    s_c, s_q, s_w = [], [], []
    for country, good, amount, max_price in m.measures.stockpile_orders:
        if m.goods[good] == g:
            s_c.append(m.countries[country])
            s_q.append(amount * m.turn_frac)
            s_w.append(max_price if max_price > 0 else 2.0 * m.ref_price[g])
    return {
        "n_final": C * K, "rows": rows, "n_bid": len(rows),
        "country": np.concatenate([f_country, m.fac.col("country")[rows], np.array(s_c, dtype=np.int64)]),
        "qty": np.concatenate([f_qty, need, np.array(s_q, dtype=float)]),
        "wtp": np.concatenate([f_wtp, bid, np.array(s_w, dtype=float)]),
    }


def input_bids(m, g: int, cap_turn: np.ndarray):
    """What each facility using `g` asks for this turn and the most it pays per unit: the
    margin its output is expected to earn (smoothed prices), per unit of this input."""
    fac = m.fac
    users = m._buyers[g]
    if len(users) == 0:
        return users, np.zeros(0), np.zeros(0)
    out = fac.col("good")[users]
    coef = m.recipe[out, g]
    target = 1.0 + m.rules.market.input_buffer_turns      # this turn's use plus a working stock
    need = np.maximum(target * cap_turn[users] * coef - fac.input_stock[users, g], 0.0)
    cty = fac.col("country")[users]
    expect = m.price_expect
    out_price = np.maximum(expect[cty, out], m.ref_price[out] * 0.5)
    other_inputs = (m.recipe[out] * expect[cty]).sum(axis=1) - coef * expect[cty, g]
    margin = (out_price - fac.col("unit_cost")[users] - other_inputs) / coef
    ref = m.ref_price[g]
    mk = m.rules.market
    bid = np.clip(margin, mk.min_input_bid_multiple * ref, mk.max_input_bid_multiple * ref)
    keep = need > 1e-12
    return users[keep], need[keep], bid[keep]


def consume_inputs(m, f: int, g: int, produced: float) -> None:
    if m.fac.ftype[f] == m.recycler_type:
        return
    for i in m.inputs_of[g]:
        m.fac.input_stock[f, i] = max(m.fac.input_stock[f, i] - m.recipe[g, i] * produced, 0.0)


def settle(m, g: int, sup: dict, dem: dict, res, r) -> None:
    """Move goods and money after a clearing."""
    price = res.price
    m.price[:, g] = np.where(np.isfinite(price), price, m.price[:, g])
    p = m.price[:, g]
    fac = m.fac
    # sellers: facilities and stock releases
    nf = sup["n_fac"]
    rows, sold = sup["rows"], res.supply_taken[:nf]
    cty = sup["country"][:nf]
    used = np.where(fac.col("ftype")[rows] != m.recycler_type, sold, 0.0)
    for i in m.inputs_of[g]:
        fac.input_stock[rows, i] = np.maximum(fac.input_stock[rows, i] - m.recipe[g, i] * used, 0.0)
    m.fac_output[rows] += sold
    m.fac_revenue[rows] += sold * p[cty]
    credit_owners(m, rows, sold * p[cty])
    C = len(m.countries)
    m.production[:, g] += np.bincount(cty, weights=sold, minlength=C)
    rel_c, rel_q = sup["country"][nf:], res.supply_taken[nf:]
    if len(rel_c):
        np.subtract.at(m.stockpile[:, g], rel_c, rel_q)
        np.add.at(m.treasury, rel_c, rel_q * p[rel_c])
    # buyers: sectors, facilities, stockpiles
    nfin, nb = dem["n_final"], dem["n_bid"]
    taken = res.demand_taken
    dc = dem["country"]
    final = np.bincount(dc[:nfin], weights=taken[:nfin], minlength=C)
    m.consumed[:, g] = final
    m.shortage[:, g] = np.maximum(m.final_demand[:, g] - final, 0.0)
    m.external -= float((final * p).sum())
    brow, bq = dem["rows"], taken[nfin:nfin + nb]
    fac.input_stock[brow, g] += bq
    bcost = bq * p[dc[nfin:nfin + nb]]
    m.fac_input_cost[brow] += bcost
    debit_owners(m, brow, bcost)
    sc, sq = dc[nfin + nb:], taken[nfin + nb:]
    if len(sc):
        np.add.at(m.stockpile[:, g], sc, sq)
        np.subtract.at(m.treasury, sc, sq * p[sc])
    settle_flows(m, g, res, r)
    for og, o_from, o_to, q in m.offtake_trade:
        if og == g:                      # contract deliveries across borders are trade too
            m.exports[o_from, g] += q
            m.imports[o_to, g] += q
            m.flows[g][o_from, o_to] += q


def settle_flows(m, g: int, res, r) -> None:
    """Trade flows: record them and pay route rents and tariffs to the right treasury."""
    p = m.price[:, g]
    flows = res.flows
    m.flows[g] = flows
    m.exports[:, g] = flows.sum(axis=1)
    m.imports[:, g] = flows.sum(axis=0)
    gap = p[None, :] - p[:, None]          # importer price minus exporter price
    if r is not None:
        wedge = np.minimum(r.wedge, np.maximum(gap, 0.0))
        tariff = flows * wedge
        owners = r.wedge_owner
        has = (tariff > 0) & (owners >= 0)
        np.add.at(m.tariff_income, owners[has], tariff[has])
        np.add.at(m.treasury, owners[has], tariff[has])
        rent = flows * (gap - wedge)
    else:
        rent = flows * gap
    exporter_rent = rent.sum(axis=1)
    m.rents += exporter_rent
    m.treasury += exporter_rent
    if r is not None and r.arcs:
        for (o, d, _cap, wedge_amt, ts), q in zip(r.arcs, res.arc_flows):
            if q <= 0:
                continue
            m.exports[o, g] += q
            m.imports[d, g] += q
            m.flows[g][o, d] += q
            f = m.firms[ts.firm]
            m.cash[f] += q * (p[d] - p[o] - wedge_amt)
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
