"""Resource-state personalities: nationalist, investor_friendly and balancer."""

from __future__ import annotations

import numpy as np

from agents.policies.base import Traits
from agents.policies.default import DefaultState
from agents.policies.personalities import common as k
from game import orders as o


def _my_ores(pub, c: int, min_share: float = 0.02) -> list[int]:
    return [g for g, stage in enumerate(pub["stage"]) if stage == "ore" and pub["world_share"][c, g] > min_share]


def _price_ratio(pub, c: int, g: int) -> float:
    return float(pub["price"][c, g] / max(float(pub["ref_price"][g]), 1e-12))


class Nationalist(DefaultState):
    """Resource nationalism: when its ores sell dear and foreigners own most of its mines it
    takes them over (where it can name them) or bans ore exports to force refining at home;
    when prices sag it cuts output with other producers instead."""
    name = "nationalist"
    description = "Ore export bans and nationalizations when prices and foreign ownership are high."
    traits = Traits(roles=("resource", "middle"), aggressiveness=0.7, tags=("ownership", "ore_ban"))
    HIGH_PRICE = 1.15
    HIGH_FOREIGN = 0.5

    def decide(self, obs, rng):
        pub, me = obs["public"], obs["private"]
        orders = self._stockpiles(pub, me, "resource")
        c = me["row"]
        controlled = {key[1] for key in me["my_controls"]}
        quotas_ok = "producer_quota" not in k.rejected_actions(me)
        for g in _my_ores(pub, c):
            name, ratio = pub["goods"][g], _price_ratio(pub, c, g)
            if ratio >= self.HIGH_PRICE and me["foreign_share"] >= self.HIGH_FOREIGN:
                orders += self._take_over(pub, me, g)
                if name not in controlled:
                    orders.append(o.OreExportBan(good=name))
            elif ratio < 0.85 and quotas_ok and pub["exports"][c, g] > 0 and pub["world_share"][c, g] > 0.2:
                orders.append(o.ProducerQuota(good=name, cut=0.15))
        return orders

    COMPENSATION = 0.4      # share of a plant's value it offers, if it can pay it
    MIN_COMPENSATION = 0.2  # below this it would not take a plant (investors would flee)

    def _take_over(self, pub, me, g: int) -> list:
        """Nationalize the largest foreign plant of the good it can pay for, valuing a plant
        at what building it would cost and paying from at most 80% of its treasury."""
        fac = me.get("foreign_facilities")
        if not fac:
            return []
        purse = 0.8 * max(float(me["treasury"]), 0.0)
        plants = sorted((i for i in range(len(fac["id"])) if int(fac["good"][i]) == g),
                        key=lambda i: (-float(fac["capacity"][i]), str(fac["id"][i])))
        for i in plants:
            value = float(fac["capacity"][i]) * float(pub["build"]["capex_per_unit"][g])
            share = min(self.COMPENSATION, purse / value) if value > 0 else self.COMPENSATION
            if share >= self.MIN_COMPENSATION:
                return [o.Nationalize(facility=str(fac["id"][i]), compensation=round(share, 3))]
        return []


class InvestorFriendly(DefaultState):
    """Courts capital: never bans, lifts any control it inherited, speeds up permits when its
    investor risk climbs, and takes deals that bring money in from either bloc."""
    name = "investor_friendly"
    description = "Lifts its controls, reforms permits, accepts investment deals."
    traits = Traits(roles=("resource", "middle"), aggressiveness=0.05, tags=("open",))

    def decide(self, obs, rng):
        pub, me = obs["public"], obs["private"]
        orders = self._stockpiles(pub, me, "resource")
        for issuer, good, target in me["my_controls"]:
            orders.append(o.LiftControl(good=good, target=target))
        if me["investor_risk"] > 0.25 and me["treasury"] > 500 and pub["turn"] % 6 == 1:
            orders.append(o.PermitReform())
        for d in me["deals_offered"]:
            harmless = k.ok_deal_parts(d["ask"], ("lift_control", "suspend_control", "tariff", "offtake"))
            orders.append(o.AcceptDeal(deal=d["id"]) if harmless else o.RejectDeal(deal=d["id"]))
        return orders


class Balancer(DefaultState):
    """Plays both blocs: takes deals from the side it leans away from, turns down the side it
    already leans toward, and uses a licence regime on its ore towards the great power of the
    bloc it leans toward when that bloc squeezes it, as a reminder it has other buyers."""
    name = "balancer"
    description = "Keeps its alignment near zero: deals with the far side, leverage on the near side."
    traits = Traits(roles=("resource", "middle"), aggressiveness=0.4, tags=("both_blocs",))

    def decide(self, obs, rng):
        pub, me = obs["public"], obs["private"]
        orders = self._stockpiles(pub, me, "resource")
        lean = float(me["alignment"])
        for d in me["deals_offered"]:
            if d["from"] not in pub["countries"]:
                continue
            their = float(pub["alignment"][pub["countries"].index(d["from"])])
            welcome = abs(lean) < 0.2 or np.sign(their) != np.sign(lean)
            orders.append(o.AcceptDeal(deal=d["id"]) if welcome else o.RejectDeal(deal=d["id"]))
        code, c = me["country"], me["row"]
        controlled = {(key[1], key[2]) for key in me["my_controls"]}
        export_ok = "export_control" not in k.rejected_actions(me)
        attackers = k.aggressors(pub, code)
        for e_code in attackers:
            e = pub["countries"].index(e_code)
            if pub["kind"].get(e_code) != "great_power" or not export_ok:
                continue
            for g in _my_ores(pub, c, 0.1):
                if pub["imports"][e, g] > 0 and (pub["goods"][g], e_code) not in controlled:
                    orders.append(o.ExportControl(good=pub["goods"][g], target=e_code, mode="licence", approval=0.7))
                    break
        # no quarrel left: lift what it holds on great powers
        for _i, good, target in me["my_controls"]:
            if target != "ALL" and target not in attackers:
                orders.append(o.LiftControl(good=good, target=target))
        return orders
