"""Default policies: simple, readable behaviour that makes an all-AI game meaningful.

DefaultFirm invests where expected prices beat costs (floors included), idles plants that
lose money, reopens them when prices recover and applies for licences when a control
starves its plants. DefaultState draws on stockpiles in shortages, builds stockpiles of
goods that come from the rival bloc, answers a new control with one of its own where it
holds leverage (great powers), backs domestic producers with price floors when a rival's
control bites (US-bloc great powers), and bans ore exports when nationalism runs high and
foreigners own most of its mines (resource states).
"""

from __future__ import annotations

import numpy as np

from agents.policies.base import Policy, Traits
from game import orders as o

HORIZON_TURNS = 20          # turns of output a firm counts on when it invests
DISCOUNT = 0.7              # what those future margins are worth today
NEW_PLANT_SHARE = 0.04      # a new plant's size as a share of world output
HURDLE, STATE_HURDLE = 1.2, 0.9   # return per unit of capex a private / state-owned firm asks
CASH_MULTIPLE = 3.0         # capex may reach this multiple of cash (borrowing the rest)


class DefaultFirm(Policy):
    name = "default_firm"
    description = "Invests where expected margins repay capex; idles losers; applies for licences."
    traits = Traits(roles=("firm",), aggressiveness=0.2)

    def decide(self, obs, rng):
        return self.decide_batch([obs], [rng])[0]

    def decide_batch(self, observations, rngs):
        """Decide for many firms at once: the market-wide tables are computed once, and the
        idle/reopen and licence checks run over all firms' plants in one pass."""
        if not observations:
            return []
        pub = observations[0]["public"]
        tables = _firm_tables(pub)
        plants = _plants(observations)
        # what expanding each plant would return, for the whole batch at once; a firm's own
        # rows are a slice of it (best_investment and _investors read these)
        tables["grow"] = expansions(tables, plants)
        tables["grow_rows"] = {obs["private"]["firm"]: (start, end) for obs, start, end
                               in zip(observations, plants["start"], plants["end"])}
        # deposits left for the next firm: one firm's mine takes them from the others
        tables["reserves"] = tables["reserves"].copy()
        operate = self._operate_all(pub, observations, tables, plants)     # a fresh list per firm
        licensed = _licence_rows(tables, plants)
        investors = self._may_invest(pub, observations, tables, plants)
        out = []
        for k, obs in enumerate(observations):
            me = obs["private"]
            if me["bankrupt"]:
                out.append([])
                continue
            orders = operate[k]
            if k in licensed:
                orders += self._licences(pub, me, tables, licensed[k])
            if me.get("stake_offers"):
                orders += self._stakes(pub, me, tables)
            best = self._invest(pub, me, tables) if investors is None or investors[k] else None
            if best is not None:
                orders.append(best)
                _claim_deposits(pub, me, tables, best)
            out.append(orders)
        return out

    @classmethod
    def _operate_all(cls, pub, observations, tables, plants) -> list[list]:
        """Idle and reopen orders for every firm, worked out over all plants together."""
        n = len(observations)
        out: list[list] = [[] for _ in range(n)]
        if pub["turn"] <= 1 or not len(plants["owner"]):
            return out
        owner, good, status = plants["owner"], plants["good"], plants["status_code"]
        margin = tables["value"][plants["country"], good] - plants["unit_cost"]
        ref = pub["ref_price"][good]
        cash = np.array([obs["private"]["cash"] for obs in observations])
        # The market already leaves unprofitable plants unused; idling only saves part of
        # the fixed cost, so a firm idles only when it is short of cash.
        idle = (status == 0) & (plants["output"] <= 0) & (margin < -0.2 * ref) & (cash[owner] < 0)
        reopen = (status == 1) & (margin > 0.1 * ref)
        for j in np.flatnonzero(idle | reopen).tolist():
            k = owner[j]
            fid = observations[k]["private"]["facilities"]["id"][j - plants["start"][k]]
            out[k].append(o.Idle(facility=fid) if idle[j] else o.Reopen(facility=fid))
        return out

    @staticmethod
    def _licences(pub, me, tables, rows) -> list:
        """Licence applications for the inputs of the firm's operating plants `rows` that a
        control starves (picked out for the whole batch by `_licence_rows`)."""
        needs = tables["licensing"]
        if me["cash"] < 5.0:
            return []
        fac = me["facilities"]
        goods, countries = pub["goods"], pub["countries"]
        asked = {(e, g) for e, g, granted in me["licences"] if granted is None}
        out = []
        for k in rows:
            g, c = int(fac["good"][k]), int(fac["country"][k])
            for i in tables["inputs_of"][g]:
                for issuer, target in needs.get(int(i), ()):
                    if target not in (None, c) or issuer == countries[c] or (issuer, goods[i]) in asked:
                        continue
                    need = float(fac["capacity"][k] * pub["recipe"][g, i])
                    out.append(o.ApplyLicence(good=goods[i], origin=issuer, volume=round(need, 6)))
                    asked.add((issuer, goods[i]))
        return out

    @staticmethod
    def _stakes(pub, me, tables) -> list:
        """Buy plants offered to us that are worth their price: what the plant's margin at
        today's prices earns over the investment horizon, discounted as a new plant's is,
        paid from cash in hand."""
        out, cash, taken = [], me["cash"], set()
        countries, goods = pub["countries"], pub["goods"]
        for s in sorted(me["stake_offers"], key=lambda s: (s["offered_turn"], s["id"])):
            if (s["status"] == "closed" or s["facility"] in taken or s["country"] not in countries
                    or s["good"] not in goods):
                continue
            margin = float(tables["value"][countries.index(s["country"]), goods.index(s["good"])]) - s["unit_cost"]
            worth = max(margin, 0.0) * s["capacity"] * pub["turn_frac"] * HORIZON_TURNS * DISCOUNT
            if s["price"] <= worth and s["price"] <= cash:
                out.append(o.AcceptStake(offer=s["id"]))
                cash -= s["price"]
                taken.add(s["facility"])
        return out

    def _invest(self, pub, me, tables):
        """The plant to build or expand this turn, if any (personalities override this)."""
        return self._best_investment(pub, me, tables)

    def _may_invest(self, pub, observations, tables, plants) -> np.ndarray | None:
        """Per firm of the batch, False where `_invest` surely finds nothing (so it is not
        asked), worked out over all plants at once; None: ask every firm. A policy that
        overrides `_invest` overrides this too, or every firm is asked."""
        if type(self)._invest is not DefaultFirm._invest:
            return None
        return _investors(observations, tables, plants)

    def _best_investment(self, pub, me, tables):
        return best_investment(pub, me, tables, STATE_HURDLE if me["state_owned"] else HURDLE,
                               CASH_MULTIPLE, lambda g: self._hosts(pub, me, g, tables))

    def _hosts(self, pub, me, g: int, tables) -> set[int]:
        """Where the firm would put a plant of good g (rows): the countries of its plants, its
        home, and the largest producers of g's inputs (personalities narrow this)."""
        return set(me["facilities"]["country"].tolist()) | {me["home_row"]} | tables["input_hosts"][g]


def best_investment(pub, me, tables, hurdle: float, cash_multiple: float, sites):
    """The firm's best project whose return clears `hurdle`, or None: for each good it makes,
    a new plant (on the host rows `sites(g)` allows) or the expansion of one of its plants
    there, within `cash_multiple` x its cash. Goods in sorted order; a tie keeps the first."""
    fac = me["facilities"]
    if not len(fac["id"]) or me["cash"] <= 0:
        return None
    best, best_ratio = None, hurdle
    rows = tables.get("grow_rows", {}).get(me.get("firm"))
    if rows is not None and rows[1] - rows[0] == len(fac["good"]):
        grow = {key: col[rows[0]:rows[1]] for key, col in tables["grow"].items()}
    else:                                         # not asked through decide_batch
        grow = expansions(tables, fac)
    afford = cash_multiple * me["cash"] + 1.0
    for g in sorted(set(fac["good"].tolist())):
        capacity = tables["capacity"][g]
        hosts = None
        if tables["prospect"][g] > best_ratio and tables["capex_unit"][g] * capacity <= afford:
            hosts = sites(g)
            cands = np.fromiter(sorted(hosts), dtype=np.int64)
            if len(cands):
                ratio, host = best_site(tables, g, cands, capacity)
                if ratio > best_ratio:
                    best_ratio, best = ratio, build_order(pub, tables, g, host, capacity)
        for k in np.flatnonzero((fac["good"] == g) & (grow["ratio"] > best_ratio)).tolist():
            if grow["cost"][k] > afford:
                continue
            hosts = sites(g) if hosts is None else hosts
            c = int(fac["country"][k])
            if tables["is_mine"][g] and tables["reserves"][c, g] < grow["capacity"][k]:
                continue                          # another firm took the deposits this turn
            if c in hosts and grow["ratio"][k] > best_ratio:
                best_ratio = float(grow["ratio"][k])
                best = o.Expand(facility=str(fac["id"][k]), capacity=float(grow["capacity"][k]))
    return best


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
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = ((tables["value_floored"][country, good] - plants["unit_cost"]) * tables["payback"]
                 * (0.97 ** lead) / capex)
    ok = ((plants["status_code"] == 0) & ~plants["expanding"] & tables["expand_open"][good]
          & (tables["type_names"][good] == plants["type"]) & (size > 0) & np.isfinite(ratio)
          & (~tables["is_mine"][good] | (tables["reserves"][country, good] >= size)))
    return {"ratio": np.where(ok, ratio, -np.inf), "capacity": size, "cost": capex * size}


def best_site(tables: dict, g: int, cands: np.ndarray, capacity: float) -> tuple[float, int]:
    """Among candidate host rows, the one where a new plant of good g returns most per unit
    of capex (a mine only where reserves cover its capacity): (that return, the row)."""
    ratio = tables["ratio"][cands, g]
    if tables["is_mine"][g]:
        ratio = np.where(tables["reserves"][cands, g] >= capacity, ratio, -np.inf)
    k = int(np.argmax(ratio))
    return float(ratio[k]), int(cands[k])


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
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (margin - build["unit_cost"]) * payback * (0.97 ** build["lead_turns"]) / build["capex_per_unit"][None, :]
    ratio = np.where(np.isfinite(ratio), ratio, -np.inf)
    inputs_of = _same_arrays("inputs_of", (recipe,), lambda: _inputs_of(recipe))
    hosts = _same_arrays("hosts", (pub["production"], recipe), lambda: _input_hosts(pub["production"], inputs_of))
    countries, goods = pub["countries"], pub["goods"]
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
    lead = _same_arrays("median_lead", (build["lead_turns"],), lambda: np.median(build["lead_turns"], axis=0))
    expand_lead = _same_arrays("median_expand_lead", (build["expand_lead_turns"],),
                               lambda: np.median(build["expand_lead_turns"], axis=0))
    typed = np.array([t is not None for t in build["type"]])
    growing = (world > 0) & typed
    return {
        "licensing": licensing,
        "needs_licence": needs_licence,
        "inputs_of": inputs_of,
        "reserves": build["reserves"],
        "value": value, "ratio": ratio, "payback": payback,
        # per good, the best return of a new plant anywhere if the good is open, else -inf:
        # no firm can clear its hurdle on a good whose prospect is below it
        "prospect": np.where(growing & (pub["pipeline"] <= 0.06 * world * lead), ratio.max(axis=0), -np.inf).tolist(),
        "capacity": np.round(NEW_PLANT_SHARE * world / pub["turn_frac"], 3),
        "capex_unit": build["capex_per_unit"],
        "expand_open": growing & (pub["pipeline"] <= 0.06 * world * expand_lead),
        "value_floored": margin,
        "expand_lead": build["expand_lead_turns"],
        "expand_capex_unit": build["expand_capex_per_unit"],
        "input_hosts": hosts,
        "type": build["type"],
        "type_names": np.array(build["type"], dtype=object),
        "is_mine": np.array([t == "mine" for t in build["type"]]),
    }


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
    """``compute()``, reused while the same read-only arrays come back: the seats deciding in
    one turn share the public view's arrays (a seat that sees the market its own way, e.g.
    at a difficulty level, decides on its own tables, but recipe and output are common)."""
    hit = _SAME.get(name)
    if hit is not None and len(hit[0]) == len(arrays) and all(a is b for a, b in zip(hit[0], arrays)):
        return hit[1]
    value = compute()
    if all(isinstance(a, np.ndarray) and not a.flags.writeable for a in arrays):
        _SAME[name] = (arrays, value)
    return value


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
    cash = np.array([p["cash"] for p in me])
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


class DefaultState(Policy):
    name = "default_state"
    description = "Uses stockpiles in shortages, answers controls in kind, floors and ore bans when pressed."
    traits = Traits(roles=("great_power", "middle", "resource"), aggressiveness=0.3)

    def decide_batch(self, observations, rngs):
        """Decide for many states at once: asked together, they share one copy of the
        public view instead of one each (personalities inherit this with their `decide`)."""
        return [self.decide(obs, rng) for obs, rng in zip(observations, rngs)]

    def decide(self, obs, rng):
        pub, me = obs["public"], obs["private"]
        orders = self._stockpiles(pub, me, obs["kind"])
        if obs["kind"] == "great_power":
            orders += self._answer_controls(pub, me)
            if me["alignment"] > 0:
                orders += self._floors(pub, me)
        if obs["kind"] == "resource":
            orders += self._ore_ban(pub, me)
        return orders

    def _stockpiles(self, pub, me, kind: str) -> list:
        # A state's rows are a score of goods: plain floats compare faster than numpy calls,
        # with the same arithmetic.
        out = []
        demand, short, held = me["demand"].tolist(), me["shortage"].tolist(), me["stockpile"].tolist()
        goods, frac = pub["goods"], pub["turn_frac"]
        for g, (d, s, h) in enumerate(zip(demand, short, held)):
            if s > 0.05 * d and h > 1e-6:
                out.append(o.ReleaseStockpile(good=goods[g], amount=round(min(h, s) / frac, 6)))
        if kind == "resource" or me["treasury"] <= 0:
            return out
        ref = pub["ref_price"].tolist()
        risky = [g for g, (r, d, s, h) in enumerate(zip(me["rival_share"].tolist(), demand, short, held))
                 if r > 0.5 and s <= 0 and h < 0.5 * d / frac and d > 0]
        risky = sorted(risky, key=lambda g: -(demand[g] * ref[g]))[:2]
        budget = 0.05 * me["treasury"]
        for g in risky:
            amount = 0.1 * demand[g] / frac
            cost = amount * frac * ref[g] * 1.2
            if amount > 0 and cost < budget:
                out.append(o.Stockpile(good=goods[g], amount=round(amount, 6), max_price=round(1.2 * ref[g], 6)))
                budget -= cost
        return out

    def _answer_controls(self, pub, me) -> list:
        out = []
        me_code = me["country"]
        mine = {(c["good"], c["target"]) for c in pub["controls"] if c["issuer"] == me_code}
        for issuer, target in pub["coerced"]:
            if target != me_code or issuer == me_code:
                continue
            if issuer not in pub["countries"]:
                continue
            e = pub["countries"].index(issuer)
            c = me["row"]
            lever = [(float(pub["world_share"][c, g]), g) for g in range(len(pub["goods"]))
                     if pub["world_share"][c, g] > 0.5 and pub["imports"][e, g] > 0
                     and (pub["goods"][g], issuer) not in mine]
            if lever:
                _share, g = max(lever)
                out.append(o.ExportControl(good=pub["goods"][g], target=issuer, mode="licence", approval=0.5))
                mine.add((pub["goods"][g], issuer))
        return out

    def _floors(self, pub, me) -> list:
        out = []
        c = me["row"]
        floored = {f["good"] for f in pub["floors"] if f["state"] == me["country"]}
        for ctl in pub["controls"]:
            if not ctl["binding"] or ctl["target"] not in (me["country"], "ALL") or ctl["issuer"] == me["country"]:
                continue
            g = pub["goods"].index(ctl["good"])
            if ctl["good"] in floored or me["demand"][g] <= 0:
                continue
            if me["shortage"][g] > 0.05 * me["demand"][g] or pub["price"][c, g] > 1.3 * pub["ref_price"][g]:
                price = round(1.5 * float(pub["ref_price"][g]), 6)
                volume = round(float(me["demand"][g]) / pub["turn_frac"] * 0.5, 6)
                if volume > 0:
                    out.append(o.PriceFloor(good=ctl["good"], price=price, volume=volume, turns=10))
                    floored.add(ctl["good"])
        return out

    def _ore_ban(self, pub, me) -> list:
        """Ban exports of an ore when nationalism runs high, foreigners own most of the
        mines, and there is refining at home (or being built) to take the ore."""
        if me["nationalism"] < 0.75 or me["foreign_share"] < 0.6:
            return []
        c = me["row"]
        banned = {k[1] for k in me["my_controls"]}
        recipe = pub["recipe"]
        for g, stage in enumerate(pub["stage"]):
            if stage != "ore" or pub["world_share"][c, g] <= 0.3 or pub["goods"][g] in banned:
                continue
            users = np.flatnonzero(recipe[:, g])
            refining = float((pub["production"][c, users] * recipe[users, g]).sum())
            if refining >= 0.2 * pub["production"][c, g]:
                return [o.OreExportBan(good=pub["goods"][g])]
        return []
