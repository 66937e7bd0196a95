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
from agents.policies.investing import (CASH_MULTIPLE, DISCOUNT, HORIZON_TURNS, HURDLE, STATE_HURDLE,
                                       _claim_deposits, _firm_tables, _investors, _licence_rows,
                                       _plants, best_investment, expansions)
from game import orders as o


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
