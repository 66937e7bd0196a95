"""Great-power personalities: hawk, pragmatist and builder."""

from __future__ import annotations

import numpy as np

from agents.policies.base import Traits
from agents.policies.default import DefaultState
from agents.policies.personalities import common as k
from agents.policies.personalities.memory import Memory
from game import orders as o


class Hawk(DefaultState):
    """Tit-for-tat with teeth: every new control on it is answered by a mineral ban on the
    issuer within a turn; once the other side's controls have bound for four turns, the
    ladder climbs one good every two turns while they still bind, and its own controls are
    lifted once the other side has lifted all of its.
    It also defends its dominance the way the rare-earth industry was won: where it makes
    most of the world's supply of a processed good and a rival bloc props up competitors
    (a price floor) or builds capacity, it subsidises exports to flood the market, and it
    stops once the threat has gone."""
    name = "hawk"
    description = "Answers every control with a ban on a good it dominates; floods markets rivals try to enter."
    traits = Traits(roles=("great_power",), aggressiveness=0.9, tags=("retaliates", "escalates", "floods"))
    DOMINANT = 0.5          # world share above which it defends a good by flooding
    FLOOD_RATE = 0.2        # export subsidy, as a share of the price
    PATIENCE = 4            # turns it waits for the other side to lift before climbing
    LADDER_TURNS = 2        # turns between rungs while the other side's controls bind
    MAX_EXTRA_RUNGS = 4     # controls it holds beyond the other side's, at most

    def decide(self, obs, rng):
        pub, me = obs["public"], obs["private"]
        orders = self._stockpiles(pub, me, obs["kind"]) + self._flood(pub, me)
        code, c = me["country"], me["row"]
        attackers = k.aggressors(pub, code)
        fresh = {i for i, t in pub["coerced"] if t == code}
        on_me = k.controls_on_me(pub, code)      # read once, picked apart by issuer below
        for e_code in attackers:
            e = pub["countries"].index(e_code)
            mine = {ctl["good"] for ctl in k.mine_on(pub, code, e_code)}
            theirs = [ctl for ctl in on_me if ctl["issuer"] == e_code]
            # answer each fresh round, never hold fewer controls than the other side, and
            # once its oldest control has bound for PATIENCE turns, climb one more rung
            # every LADDER_TURNS turns while any of them still binds
            held = pub["turn"] - min((ctl["start_turn"] for ctl in theirs), default=pub["turn"])
            climb = (bool(theirs) and held >= self.PATIENCE and held % self.LADDER_TURNS == 0
                     and len(mine) < len(theirs) + self.MAX_EXTRA_RUNGS)
            if e_code not in fresh and len(mine) >= len(theirs) and not climb:
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

    def _flood(self, pub, me) -> list:
        """Start or stop export subsidies on the processed goods it dominates."""
        c, side = me["row"], np.sign(me["alignment"]) or 1.0
        rival_floors = {f["good"] for f in pub["floors"] if f["state"] in pub["countries"]
                        and np.sign(pub["alignment"][pub["countries"].index(f["state"])]) == -side}
        world = pub["world_production"]
        # capacity being built by owners outside its own bloc, wherever they build (its own
        # bloc's firms are no threat, at home or abroad)
        outside = np.sign(pub["alignment"]) != side
        building = pub["pipeline_by_owner"][outside].sum(axis=0)
        flooding = {s["good"] for s in pub.get("export_subsidies", ())
                    if s["state"] == me["country"] and s["rate"] > 0}      # in force: it floods
        out = []
        for g, name in enumerate(pub["goods"]):
            if pub["stage"][g] == "ore" or name in k.CHIP_GOODS:
                continue
            threat = name in rival_floors or building[g] > 0.1 * world[g]
            dominant = pub["world_share"][c, g] > self.DOMINANT and world[g] > 0
            if dominant and threat and name not in flooding:
                out.append(o.ExportSubsidy(good=name, rate=self.FLOOD_RATE))
            elif name in flooding and not (dominant and threat):
                out.append(o.ExportSubsidy(good=name, rate=0.0))
        return out


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
        on_me = k.controls_on_me(pub, code)      # read once, picked apart by issuer below
        for e_code in k.aggressors(pub, code):
            e = pub["countries"].index(e_code)
            mine = [ctl for ctl in k.mine_on(pub, code, e_code)]
            theirs = [ctl for ctl in on_me if ctl["issuer"] == e_code]
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
    """Answers supply risk with money, not bans, in the shape of the DoD-MP Materials deal: when
    its supply-risk measure of a good rises above the level it remembers, it sets a price
    floor for producers at home, signs an offtake with a plant it hosts, buys a strategic
    stockpile scaled to the rise, and lends to the friendliest resource state that mines the
    good's inputs. A risk that has always been there (a good it has never made) is no news:
    without a rise it spends nothing on floors, offtakes or stockpiles. It never imposes
    export controls."""
    name = "builder"
    description = "Floors, offtakes, stockpiles and allied loans when its supply-risk measure rises."
    traits = Traits(roles=("great_power", "middle"), aggressiveness=0.15, tags=("invests",))
    RISE = 0.3          # rise of the risk measure over its remembered low that it answers
    MEMORY = 4          # past turns of its own risk measure it compares with

    def decide(self, obs, rng):
        pub, me = obs["public"], obs["private"]
        orders = [x for x in self._stockpiles(pub, me, "resource")]   # releases only
        risk = k.supply_risk(pub, me)
        before = self._risk_before(pub, me, risk)
        if before is None:
            return orders
        rise = risk - before
        goods, frac, ref = pub["goods"], pub["turn_frac"], pub["ref_price"]
        value = rise * np.asarray(me["demand"]) * ref
        rising = sorted(np.flatnonzero((rise > self.RISE) & (np.asarray(me["demand"]) > 0)),
                        key=lambda g: (-value[g], g))[:3]
        budget = 0.08 * max(me["treasury"], 0.0)
        floored = {f["good"] for f in pub["floors"] if f["state"] == me["country"]}
        for g in rising:
            demand = float(me["demand"][g]) / frac             # annual rate
            if goods[g] not in floored:
                orders.append(o.PriceFloor(good=goods[g], price=round(float(ref[g]) * (1.2 + 0.3 * min(risk[g], 2.0)), 6),
                                           volume=round(0.3 * demand, 6), turns=8))
            deal = self._offtake(pub, me, g, 0.3 * demand)
            if deal is not None and deal.volume * deal.price * frac < budget:
                orders.append(deal)
                budget -= deal.volume * deal.price * frac
            amount = round(0.1 * min(float(rise[g]), 2.0) * demand, 6)
            cost = amount * frac * 1.3 * float(ref[g])
            if amount > 0 and cost < budget and not me["shortage"][g] > 0.5 * me["demand"][g]:
                orders.append(o.Stockpile(good=goods[g], amount=amount, max_price=round(1.3 * float(ref[g]), 6)))
                budget -= cost
        if rising and budget > 50:
            friend = self._friend(pub, me, rising[0])
            if friend:
                orders.append(o.DevLoan(country=friend, amount=round(min(0.3 * budget, 500.0), 3), turns=10))
        return orders

    def _risk_before(self, pub, me, risk: np.ndarray) -> np.ndarray | None:
        """The lowest of its supply-risk measure over the last MEMORY turns before this one,
        worked out from the history in its observation (None before two markets: turn 1
        shows the world before any market, with nothing to measure)."""
        if pub["turn"] <= 1:
            return None
        past = [k.supply_risk({**pub, "controls": p["controls"]}, {**me, **q})
                for p, q in zip(pub.get("history", ()), me.get("history", ())) if p["turn"] > 1]
        return Memory([{"risk": r} for r in past + [risk]]).before("risk", self.MEMORY)

    @staticmethod
    def _offtake(pub, me, g: int, most: float):
        """An offtake of half the output of the largest operating plant of the good at home, but
        no more than `most` a year (what the floor covers): the state takes the goods into its
        stockpile, so a larger contract would starve its own users of a plant's output."""
        fac = me["facilities"]
        plants = [i for i in range(len(fac["id"])) if int(fac["good"][i]) == g and int(fac["status_code"][i]) == 0]
        if not plants:
            return None
        i = max(plants, key=lambda i: (float(fac["capacity"][i]), str(fac["id"][i])))
        price = round(1.2 * float(pub["price"][me["row"], g]), 6)
        volume = round(min(0.5 * float(fac["capacity"][i]), most), 6)
        if price <= 0 or volume <= 0:
            return None
        return o.Offtake(facility=str(fac["id"][i]), volume=volume, price=price, turns=8)

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
