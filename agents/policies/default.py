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

HORIZON_TURNS = 16          # turns of output a firm counts on when it invests
DISCOUNT = 0.6              # what those future margins are worth today
NEW_PLANT_SHARE = 0.04      # a new plant's size as a share of world output


class DefaultFirm(Policy):
    name = "default_firm"
    description = "Invests where expected margins repay capex; idles losers; applies for licences."
    traits = Traits(roles=("firm",), aggressiveness=0.2)

    def decide(self, obs, rng):
        pub, me = obs["public"], obs["private"]
        if me["bankrupt"]:
            return []
        orders = self._operate(pub, me)
        orders += self._licences(pub, me)
        best = self._best_investment(pub, me, obs["seat"])
        if best is not None:
            orders.append(best)
        return orders

    @staticmethod
    def _margin(pub, c: int, g: int, unit_cost: float) -> float:
        price = pub["price"]
        return float(price[c, g] - unit_cost - pub["recipe"][g] @ price[c])

    def _operate(self, pub, me) -> list:
        out = []
        for f in me["facilities"]:
            margin = self._margin(pub, f["country_row"], f["good_row"], f["unit_cost"])
            ref = pub["ref_price"][f["good_row"]]
            if f["status"] == "operating" and f["output"] <= 0 and margin < -0.05 * ref and pub["turn"] > 1:
                out.append(o.Idle(facility=f["id"]))
            elif f["status"] == "idle" and margin > 0.05 * ref:
                out.append(o.Reopen(facility=f["id"]))
        return out

    def _licences(self, pub, me) -> list:
        out, asked = [], {(e, g) for e, g, granted in me["licences"] if granted is None}
        countries, goods = pub["countries"], pub["goods"]
        for f in me["facilities"]:
            if f["status"] != "operating":
                continue
            g = f["good_row"]
            for i in np.flatnonzero(pub["recipe"][g]):
                for ctl in pub["controls"]:
                    if ctl["mode"] != "licence" or ctl["good"] != goods[i] or not ctl["binding"]:
                        continue
                    if ctl["target"] not in ("ALL", f["country"]) or ctl["issuer"] == f["country"]:
                        continue
                    if (ctl["issuer"], goods[i]) in asked:
                        continue
                    need = f["capacity"] * pub["recipe"][g, i]
                    out.append(o.ApplyLicence(good=goods[i], origin=ctl["issuer"], volume=round(need, 6)))
                    asked.add((ctl["issuer"], goods[i]))
        del countries
        return out

    def _best_investment(self, pub, me, seat: str):
        build = pub["build"]
        goods = sorted({f["good_row"] for f in me["facilities"]})
        if not goods or me["cash"] <= 0:
            return None
        best, best_ratio = None, 1.0 if me["state_owned"] else 1.4
        for g in goods:
            world = pub["world_production"][g]
            if world <= 0 or pub["pipeline"][g] > 0.15 * world:
                continue
            ftype = build["type"][g]
            if ftype is None:
                continue
            frac = pub["turn_frac"]
            capacity = round(NEW_PLANT_SHARE * world / frac, 3)   # annual
            capex = build["capex_per_unit"][g] * capacity
            if capex > 3.0 * me["cash"] + 1.0:
                continue
            for c in self._candidate_countries(pub, me, g):
                if ftype == "mine" and build["reserves"][c, g] < capacity:
                    continue
                margin = self._margin(pub, c, g, build["unit_cost"][c, g])
                margin = max(margin, self._floor_margin(pub, c, g, build["unit_cost"][c, g]))
                lead = build["lead_turns"][c, g]
                value = margin * capacity * frac * HORIZON_TURNS * DISCOUNT * (0.97 ** lead)
                ratio = value / capex if capex > 0 else 0.0
                if ratio > best_ratio:
                    best_ratio = ratio
                    best = o.Build(type=ftype, good=pub["goods"][g], country=pub["countries"][c], capacity=capacity)
        return best

    @staticmethod
    def _candidate_countries(pub, me, g: int) -> list[int]:
        cands = {f["country_row"] for f in me["facilities"]} | {me["home_row"]}
        for i in np.flatnonzero(pub["recipe"][g]):
            top = np.argsort(-pub["production"][:, i], kind="stable")[:2]
            cands.update(int(c) for c in top if pub["production"][c, i] > 0)
        return sorted(cands)

    @staticmethod
    def _floor_margin(pub, c: int, g: int, unit_cost: float) -> float:
        best = -np.inf
        country = pub["countries"][c]
        for fl in pub["floors"]:
            if fl["good"] == pub["goods"][g] and fl["state"] == country:
                best = max(best, fl["price"] - unit_cost - float(pub["recipe"][g] @ pub["price"][c]))
        return best


class DefaultState(Policy):
    name = "default_state"
    description = "Uses stockpiles in shortages, answers controls in kind, floors and ore bans when pressed."
    traits = Traits(roles=("great_power", "middle", "resource"), aggressiveness=0.3)

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
        out = []
        demand, short, held = me["demand"], me["shortage"], me["stockpile"]
        goods = pub["goods"]
        for g in np.flatnonzero((short > 0.05 * demand) & (held > 0)):
            out.append(o.ReleaseStockpile(good=goods[g], amount=round(float(min(held[g], short[g]) / pub["turn_frac"]), 6)))
        if kind == "resource" or me["treasury"] <= 0:
            return out
        risky = np.flatnonzero((me["rival_share"] > 0.5) & (short <= 0) & (held < 0.5 * demand / pub["turn_frac"]) & (demand > 0))
        risky = sorted(risky, key=lambda g: -float(demand[g] * pub["ref_price"][g]))[:2]
        budget = 0.05 * me["treasury"]
        for g in risky:
            amount = float(0.1 * demand[g] / pub["turn_frac"])
            cost = amount * pub["turn_frac"] * pub["ref_price"][g] * 1.2
            if amount > 0 and cost < budget:
                out.append(o.Stockpile(good=goods[g], amount=round(amount, 6), max_price=round(1.2 * float(pub["ref_price"][g]), 6)))
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
        if me["nationalism"] < 0.6 or me["foreign_share"] < 0.5:
            return []
        c = me["row"]
        banned = {k[1] for k in me["my_controls"]}
        for g, stage in enumerate(pub["stage"]):
            if stage == "ore" and pub["world_share"][c, g] > 0.3 and pub["goods"][g] not in banned:
                return [o.OreExportBan(good=pub["goods"][g])]
        return []
