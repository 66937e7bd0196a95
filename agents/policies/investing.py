"""What a firm could build or expand, and what it would return.

The market-wide tables every firm policy of a batch shares (value of output net of inputs,
the return of a new plant anywhere, where each good's inputs come from, licence regimes),
what expanding each plant would return, and the search for a firm's best project, with the
hurdle, cash and host rules its policy gives. The default firm and the firm personalities
decide with these; the engine's own rules for building and expanding are in
game/actions/industry.py and game/costs.py.
"""

from __future__ import annotations

import math

import numpy as np

from game import orders as o

HORIZON_TURNS = 30          # turns of output a firm counts on when it invests (15 years: plants run 20-30 years; estimate)
DISCOUNT = 0.7              # what those future margins are worth today
NEW_PLANT_SHARE = 0.04      # a new plant's size as a share of world output
HURDLE, STATE_HURDLE = 1.2, 0.9   # return per unit of capex a private / state-owned firm asks
CASH_MULTIPLE = 3.0         # capex may reach this multiple of cash (borrowing the rest)


def best_investment(pub, me, tables, hurdle: float, cash_multiple: float, sites):
    """The firm's best project whose return clears `hurdle`, or None: for each good it makes,
    a new plant (on the host rows `sites(g)` allows) or the expansion of one of its plants
    there, within `cash_multiple` x its cash. Goods in sorted order; a tie keeps the first."""
    fac = me["facilities"]
    funds = investable(me, pub["turn_frac"])
    if not len(fac["id"]) or funds <= 0:
        return None
    best, best_ratio = None, hurdle
    rows = tables.get("grow_rows", {}).get(me.get("firm"))
    if rows is not None and rows[1] - rows[0] == len(fac["good"]):
        grow = {key: col[rows[0]:rows[1]] for key, col in tables["grow"].items()}
    else:                                         # not asked through decide_batch
        grow = expansions(tables, fac)
    afford = cash_multiple * funds + 1.0
    plants_of: dict[int, list[int]] = {}          # the firm's plants (rows) by good
    for k, g in enumerate(fac["good"].tolist()):
        plants_of.setdefault(g, []).append(k)
    grow_ratio = grow["ratio"].tolist()
    for g in sorted(plants_of):
        capacity = tables["capacity"][g]
        hosts = None
        if tables["prospect"][g] > best_ratio and tables["capex_unit"][g] * capacity <= afford:
            hosts = sites(g)
            if hosts:
                ratio, host = best_site(tables, g, sorted(hosts), capacity)
                if ratio > best_ratio:
                    best_ratio, best = ratio, (g, host, capacity)
        for k in plants_of[g]:
            if not grow_ratio[k] > best_ratio or grow["cost"][k] > afford:
                continue
            hosts = sites(g) if hosts is None else hosts
            c = int(fac["country"][k])
            if tables["is_mine"][g] and tables["reserves"][c, g] < grow["capacity"][k]:
                continue                          # another firm took the deposits this turn
            if c in hosts:
                best_ratio, best = grow_ratio[k], k
    # the order is made for the winner only: a new plant (good, host, size) or a plant's row
    if best is None:
        return None
    if isinstance(best, tuple):
        return build_order(pub, tables, *best)
    return o.Expand(facility=str(fac["id"][best]), capacity=float(grow["capacity"][best]))


def investable(me, turn_frac: float) -> float:
    """The money a firm plans a project on: its cash plus a year of its last profit (a
    profitable firm that has just paid down its cash still funds growth from its earnings;
    banks lend on them), never less than its cash."""
    return max(me["cash"], 0.0) + max(me.get("profit", 0.0), 0.0) / turn_frac


def _claim_deposits(pub, me, tables, order) -> None:
    """Take a new or larger mine's deposits out of the batch's `reserves`, so that firms
    deciding after this one do not count on them (the engine would reject all but the
    first order)."""
    if isinstance(order, o.Build):
        c, g = pub["countries"].index(order.country), pub["goods"].index(order.good)
    else:
        fac = me["facilities"]
        k = list(fac["id"]).index(order.facility)
        c, g = int(fac["country"][k]), int(fac["good"][k])
    if tables["is_mine"][g]:
        tables["reserves"][c, g] -= order.capacity


def expansions(tables, plants) -> dict:
    """For plants (a firm's facilities, or the columns of a batch's): what expanding each would
    return per unit of capex (-inf where it cannot be expanded: not operating, already
    growing, not the good's usual plant type, the good not open, or a mine without the
    deposits), by how much (a new plant's size, at most doubling) and at what cost."""
    good, country = plants["good"], plants["country"]
    lead = tables["expand_lead"][country, good]
    # a new plant's size (already rounded to 3 decimals), but never more than the plant itself
    size = np.minimum(tables["capacity"][good], plants["capacity"])
    capex = tables["expand_capex_unit"][good]
    ratio = project_return(tables["value_floored"][country, good], plants["unit_cost"], lead, capex,
                           tables["payback"])
    ok = ((plants["status_code"] == 0) & ~plants["expanding"] & tables["expand_open"][good]
          & (tables["type_names"][good] == plants["type"]) & (size > 0)
          & (~tables["is_mine"][good] | (tables["reserves"][country, good] >= size)))
    return {"ratio": np.where(ok, ratio, -np.inf), "capacity": size, "cost": capex * size}


def project_return(margin, unit_cost, lead, capex, payback: float) -> np.ndarray:
    """What a project returns per unit of capex: its unit margin over the horizon
    (`payback`), discounted 3% a turn of lead time; -inf where that is no number (a good no
    plant type makes has infinite capex)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (margin - unit_cost) * payback * (0.97 ** lead) / capex
    return np.where(np.isfinite(ratio), ratio, -np.inf)


def best_site(tables: dict, g: int, cands: list[int], capacity: float) -> tuple[float, int]:
    """Among candidate host rows (not none), the one where a new plant of good g returns most
    per unit of capex (a mine only where reserves cover its capacity; -inf elsewhere):
    (that return, the row), the first of equals."""
    ratio, mine, reserves = tables["ratio_by_good"][g], tables["is_mine"][g], tables["reserves"]
    best, row = None, None
    for c in cands:
        r = ratio[c] if not mine or reserves[c, g] >= capacity else -math.inf
        if best is None or r > best:
            best, row = r, c
    return best, row


def build_order(pub, tables: dict, g: int, host: int, capacity: float) -> o.Build:
    return o.Build(type=tables["type"][g], good=pub["goods"][g], country=pub["countries"][host],
                   capacity=float(capacity))


def _firm_tables(pub) -> dict:
    """Market-wide numbers every firm uses: value of a unit of output net of inputs per
    (country, good), what a new plant or an expansion would return per unit of capex, and
    where each good's inputs come from."""
    price, recipe, build = pub["price"], pub["recipe"], pub["build"]
    value = price - price @ recipe.T                      # (C, G): price less input cost
    floors = np.full_like(price, -np.inf)
    for fl in pub["floors"]:
        c, g = pub["countries"].index(fl["state"]), pub["goods"].index(fl["good"])
        floors[c, g] = max(floors[c, g], fl["price"] - float(recipe[g] @ price[c]))
    margin = np.maximum(value, floors)                   # floors count where they pay more
    payback = pub["turn_frac"] * HORIZON_TURNS * DISCOUNT
    ratio = project_return(margin, build["unit_cost"], build["lead_turns"], build["capex_per_unit"][None, :], payback)
    inputs_of = _same_arrays("inputs_of", (recipe,), lambda: _inputs_of(recipe))
    hosts = _same_arrays("hosts", (pub["production"], recipe), lambda: _input_hosts(pub["production"], inputs_of))
    countries, goods = pub["countries"], pub["goods"]
    hosts = _with_ore_bans(pub, hosts, inputs_of)
    # binding licence regimes by input good: (issuer, target row or None for all), in the
    # order of the controls; a plant in c needs a licence from each issuer but itself
    licensing: dict[int, list[tuple[str, int | None]]] = {}
    regime = np.zeros(ratio.shape)                        # (C, G): input i needs a licence into c
    for ctl in pub["controls"]:
        if ctl["mode"] != "licence" or not ctl["binding"]:
            continue
        i, issuer = goods.index(ctl["good"]), ctl["issuer"]
        target = None if ctl["target"] == "ALL" else countries.index(ctl["target"])
        licensing.setdefault(i, []).append((issuer, target))
        if target is None:
            regime[np.arange(len(countries)) != countries.index(issuer), i] = 1.0
        elif ctl["target"] != issuer:
            regime[target, i] = 1.0
    needs_licence = regime @ (recipe != 0).T > 0           # (C, G): some input of g does
    # firms stop adding to a good once the capacity being built would cover about 6% growth
    # of world output a turn until it is ready (more for slow-to-build mines; an expansion,
    # ready sooner, stops sooner)
    world = pub["world_production"]
    annual = world / pub["turn_frac"]      # capacity and the pipeline are a year's output
    lead = _same_arrays("median_lead", (build["lead_turns"],), lambda: np.median(build["lead_turns"], axis=0))
    # (an expansion's gate counts at least half a new plant's lead, as when expansions took
    # that long: brownfield mine expansions are quicker now, but the capacity building,
    # new mines among it, is no smaller a share of output for it)
    expand_lead = _same_arrays("median_expand_lead", (build["expand_lead_turns"], build["lead_turns"]),
                               lambda: np.maximum(np.median(build["expand_lead_turns"], axis=0),
                                                  np.median(np.maximum(1, build["lead_turns"] // 2), axis=0)))
    typed = np.array([t is not None for t in build["type"]])
    growing = (world > 0) & typed
    return {
        "licensing": licensing,
        "needs_licence": needs_licence,
        "inputs_of": inputs_of,
        "reserves": build["reserves"],
        "value": value, "ratio": ratio, "payback": payback,
        "ratio_by_good": ratio.T.tolist(),               # the same, per good as plain floats
        # per good, the best return of a new plant anywhere if the good is open, else -inf:
        # no firm can clear its hurdle on a good whose prospect is below it
        "prospect": np.where(growing & (pub["pipeline"] <= 0.06 * annual * lead), ratio.max(axis=0), -np.inf).tolist(),
        "capacity": np.round(NEW_PLANT_SHARE * world / pub["turn_frac"], 3),
        "capex_unit": build["capex_per_unit"],
        "expand_open": growing & (pub["pipeline"] <= 0.06 * annual * expand_lead),
        "value_floored": margin,
        "expand_lead": build["expand_lead_turns"],
        "expand_capex_unit": build["expand_capex_per_unit"],
        "input_hosts": hosts,
        "type": build["type"],
        "type_names": np.array(build["type"], dtype=object),
        "is_mine": np.array([t == "mine" for t in build["type"]]),
    }


def _with_ore_bans(pub, hosts: tuple, inputs_of) -> tuple:
    """Per good, its input hosts plus the countries that ban exports of one of its inputs
    while they mine it: the ore kept at home sells cheap there, which is the margin an ore
    ban offers refiners (Indonesia's nickel)."""
    countries, goods = pub["countries"], pub["goods"]
    bans = [ctl for ctl in pub["controls"] if ctl["origin"] == "ore_ban" and ctl["binding"]
            and ctl["issuer"] in countries]
    if not bans:
        return hosts
    # a country has the ore if it mined it in this turn's market or one it remembers, or
    # holds deposits of it (a ban with no refiner at home leaves its mines idle)
    mined = np.maximum.reduce([pub["production"], pub["build"]["reserves"]]
                              + [rec["production"] for rec in pub.get("history", ())])
    banned = {}                                   # input good -> countries banning its export
    for ctl in bans:
        c, i = countries.index(ctl["issuer"]), goods.index(ctl["good"])
        if mined[c, i] > 0:
            banned.setdefault(i, set()).add(c)
    if not banned:
        return hosts
    return tuple(h | frozenset(c for i in inputs.tolist() for c in banned.get(i, ()))
                 for h, inputs in zip(hosts, inputs_of))


def _inputs_of(recipe) -> tuple:
    """Per good, the goods its recipe uses (read-only index arrays)."""
    out = tuple(np.flatnonzero(recipe[g]) for g in range(recipe.shape[0]))
    for a in out:
        a.flags.writeable = False
    return out


def _input_hosts(production, inputs_of) -> tuple:
    """Per good, the two largest producers of each of its inputs (a stable sort, column by
    column), countries that produce none of it left out: an input made in one country only
    has one host, not a second picked by its place in the list."""
    top2 = np.argsort(-production, axis=0, kind="stable")[:2]
    makes = np.take_along_axis(production, top2, axis=0) > 0
    return tuple(frozenset(top2[:, inputs][makes[:, inputs]].tolist()) for inputs in inputs_of)


_SAME: dict[str, tuple] = {}


def _same_arrays(name: str, arrays: tuple, compute):
    """``compute()``, reused while read-only arrays of the same contents come back: the seats
    deciding in one turn share the public view's arrays (a seat that sees the market its own
    way, e.g. at a difficulty level, decides on its own tables, but recipe and output are
    common), and the recipe and lead times, copied afresh into each turn's view, seldom
    change from one turn to the next."""
    hit = _SAME.get(name)
    if hit is not None and len(hit[0]) == len(arrays) and all(_same(a, b) for a, b in zip(hit[0], arrays)):
        return hit[1]
    value = compute()
    if all(isinstance(a, np.ndarray) and not a.flags.writeable for a in arrays):
        _SAME[name] = (arrays, value)
    return value


def _same(a: np.ndarray, b) -> bool:
    """The same array, or one of the same type, shape and contents."""
    return a is b or (isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
                      and bool(np.array_equal(a, b)))


def _plants(observations) -> dict:
    """All firms' plants in one set of columns (owner: the firm's place in the batch; start:
    where each firm's plants begin)."""
    facs = [obs["private"]["facilities"] for obs in observations]
    sizes = [len(f["good"]) for f in facs]
    cols = {key: np.concatenate([f[key] for f in facs]) if facs else np.zeros(0)
            for key in ("good", "country", "status_code", "output", "unit_cost", "capacity",
                        "expanding", "type")}
    cols["owner"] = np.repeat(np.arange(len(facs)), sizes)
    cols["start"] = np.cumsum([0] + sizes[:-1]).tolist()
    cols["end"] = np.cumsum(sizes).tolist()
    return cols


def _investors(observations, tables, plants, hurdle=None, cash_multiple: float = CASH_MULTIPLE) -> np.ndarray:
    """Per firm, whether `best_investment` can find it a project: it needs cash and a plant
    of a good whose best new plant anywhere clears its hurdle and which it can afford, or a
    plant whose expansion does (the same tests, done for all plants at once). `hurdle` (one
    per firm) and `cash_multiple` are the default rule's unless given."""
    n = len(observations)
    if not len(plants["owner"]):
        return np.zeros(n, dtype=bool)
    me = [obs["private"] for obs in observations]
    frac = observations[0]["public"]["turn_frac"]
    cash = np.array([investable(p, frac) for p in me])
    if hurdle is None:
        hurdle = np.array([STATE_HURDLE if p["state_owned"] else HURDLE for p in me])
    owner, good = plants["owner"], plants["good"]
    afford = cash_multiple * cash[owner] + 1.0
    cost = (tables["capex_unit"] * tables["capacity"])[good]
    grow = tables["grow"] if "grow" in tables else expansions(tables, plants)
    fits = (((np.array(tables["prospect"])[good] > hurdle[owner]) & ~(cost > afford))
            | ((grow["ratio"] > hurdle[owner]) & ~(grow["cost"] > afford)))
    return (np.bincount(owner[fits], minlength=n) > 0) & (cash > 0)


def _licence_rows(tables, plants) -> dict[int, list]:
    """The firms (by place in the batch) with operating plants whose inputs need a licence
    where they stand, and those plants (most firms, most turns: none)."""
    out: dict[int, list] = {}
    if not tables["licensing"] or not len(plants["owner"]):
        return out
    hit = (plants["status_code"] == 0) & tables["needs_licence"][plants["country"], plants["good"]]
    for j in np.flatnonzero(hit).tolist():
        k = int(plants["owner"][j])
        out.setdefault(k, []).append(j - plants["start"][k])
    return out
