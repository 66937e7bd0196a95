"""Great-power personalities: hawk, pragmatist and builder."""

from __future__ import annotations

import numpy as np

from agents.policies.base import Traits
from agents.policies.default import DefaultState
from agents.policies.personalities import common as k
from game import orders as o


class Hawk(DefaultState):
    """Tit-for-tat with teeth: every new control on it is answered by a mineral ban on the
    issuer within a turn, the ladder climbs one good per round while the other side keeps
    coercing, and its own controls are lifted once the other side has lifted all of its."""
    name = "hawk"
    description = "Answers every control with a ban on a good it dominates; lifts when the other side lifts."
    traits = Traits(roles=("great_power",), aggressiveness=0.9, tags=("retaliates", "escalates"))

    def decide(self, obs, rng):
        pub, me = obs["public"], obs["private"]
        orders = self._stockpiles(pub, me, obs["kind"])
        code, c = me["country"], me["row"]
        attackers = k.aggressors(pub, code)
        fresh = {i for i, t in pub["coerced"] if t == code}
        for e_code in attackers:
            e = pub["countries"].index(e_code)
            mine = {ctl["good"] for ctl in k.mine_on(pub, code, e_code)}
            theirs = [ctl for ctl in k.controls_on_me(pub, code) if ctl["issuer"] == e_code]
            # answer each fresh round, and never hold fewer controls than the other side
            if e_code not in fresh and len(mine) >= len(theirs):
                continue
            chips = [g for g in k.CHIP_GOODS if g in pub["goods"]]
            if chips and pub["world_share"][c, pub["goods"].index(chips[-1])] > 0.3 and chips[-1] not in mine:
                orders.append(o.ChipControl(target=e_code, content=0.25))
                continue
            for g in k.levers(pub, c, e, mine)[:1]:
                orders.append(o.ExportControl(good=pub["goods"][g], target=e_code, mode="ban"))
        # tit-for-tat forgiveness: once nothing of theirs binds me, lift what I hold on them
        for ctl in pub["controls"]:
            tgt = ctl["target"]
            if ctl["issuer"] != code or tgt == "ALL" or ctl["origin"] == "chip_control":
                continue
            if tgt not in attackers:
                orders.append(o.LiftControl(good=ctl["good"], target=tgt))
        return orders


class Pragmatist(DefaultState):
    """Controls are bargaining chips: it answers coercion with a licence regime (reversible),
    then offers to suspend its controls in exchange for the other side suspending theirs, and
    accepts deals that trade control for control."""
    name = "pragmatist"
    description = "Licence-mode counter-controls as chips; proposes and accepts mutual suspensions."
    traits = Traits(roles=("great_power",), aggressiveness=0.5, tags=("bargains",))
    DEAL_TURNS = 6

    def decide(self, obs, rng):
        pub, me = obs["public"], obs["private"]
        orders = self._stockpiles(pub, me, obs["kind"])
        code, c = me["country"], me["row"]
        orders += self._answer_offers(me)
        for e_code in k.aggressors(pub, code):
            e = pub["countries"].index(e_code)
            mine = [ctl for ctl in k.mine_on(pub, code, e_code)]
            theirs = [ctl for ctl in k.controls_on_me(pub, code) if ctl["issuer"] == e_code]
            if not mine:
                for g in k.levers(pub, c, e, set())[:1]:
                    orders.append(o.ExportControl(good=pub["goods"][g], target=e_code, mode="licence", approval=0.3))
            elif theirs and pub["turn"] % 3 == 0:
                give = "; ".join(o.SuspendControl(good=x["good"], target=e_code, turns=self.DEAL_TURNS).text()
                                 for x in mine if x["binding"])
                ask = "; ".join(o.SuspendControl(good=x["good"], target=x["target"], turns=self.DEAL_TURNS).text()
                                for x in theirs)
                if give and ask:
                    orders.append(o.ProposeDeal(to=e_code, give=give, ask=ask))
        return orders

    @staticmethod
    def _answer_offers(me) -> list:
        out = []
        for d in me["deals_offered"]:
            fair = (k.ok_deal_parts(d["ask"], ("suspend_control", "lift_control", "tariff"))
                    and k.ok_deal_parts(d["give"], ("suspend_control", "lift_control", "tariff", "dev_loan",
                                                    "offtake", "stockpile", "release_stockpile")))
            out.append(o.AcceptDeal(deal=d["id"]) if fair else o.RejectDeal(deal=d["id"]))
        return out


class Builder(DefaultState):
    """Answers supply risk with money, not bans: price floors for home producers, strategic
    stockpiles scaled to the risk, and development loans to friendly resource states; never
    imposes export controls."""
    name = "builder"
    description = "Floors, stockpiles and allied investment that grow with its supply-risk measure."
    traits = Traits(roles=("great_power", "middle"), aggressiveness=0.15, tags=("invests",))
    RISK = 0.6

    def decide(self, obs, rng):
        pub, me = obs["public"], obs["private"]
        orders = [x for x in self._stockpiles(pub, me, "resource")]   # releases only
        risk = k.supply_risk(pub, me)
        goods, frac, ref = pub["goods"], pub["turn_frac"], pub["ref_price"]
        floored = {f["good"] for f in pub["floors"] if f["state"] == me["country"]}
        budget = 0.08 * max(me["treasury"], 0.0)
        short = np.asarray(me["shortage"]) > 0
        order = sorted(np.flatnonzero(risk > self.RISK), key=lambda g: (-risk[g] * me["demand"][g] * ref[g], g))
        for g in order[:3]:
            demand = float(me["demand"][g]) / frac             # annual rate
            if goods[g] not in floored and (risk[g] > 1.0 or short[g]):
                orders.append(o.PriceFloor(good=goods[g], price=round(float(ref[g]) * (1.2 + 0.3 * min(risk[g], 2.0)), 6),
                                           volume=round(0.3 * demand, 6), turns=8))
            cover = float(me["stockpile"][g]) / max(demand, 1e-12)
            if cover < 0.25 * risk[g] and not short[g]:
                amount = round(0.1 * risk[g] * demand, 6)
                cost = amount * frac * 1.3 * float(ref[g])
                if amount > 0 and cost < budget:
                    orders.append(o.Stockpile(good=goods[g], amount=amount, max_price=round(1.3 * float(ref[g]), 6)))
                    budget -= cost
        if order and pub["turn"] % 4 == 1 and budget > 50:
            friend = self._friend(pub, me, order[0])
            if friend:
                orders.append(o.DevLoan(country=friend, amount=round(min(0.3 * budget, 500.0), 3), turns=10))
        return orders

    @staticmethod
    def _friend(pub, me, g: int) -> str | None:
        """The friendliest resource state producing the good or one of its inputs."""
        inputs = set(np.flatnonzero(pub["recipe"][g]).tolist()) | {g}
        side = 1.0 if me["alignment"] >= 0 else -1.0
        best, score = None, 0.0
        for c, code in enumerate(pub["countries"]):
            if pub["kind"][code] != "resource" or code == me["country"]:
                continue
            s = side * float(pub["alignment"][c]) + sum(float(pub["world_share"][c, i]) for i in inputs)
            if side * pub["alignment"][c] > 0 and s > score:
                best, score = code, s
        return best
