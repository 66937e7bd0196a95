"""Middle-country personalities: aligned, hedging and autonomous (EU-style benchmarks)."""

from __future__ import annotations

import numpy as np

from agents.policies.base import Traits
from agents.policies.default import DefaultState
from agents.policies.personalities import common as k
from game import orders as o


class _Follower(DefaultState):
    """Copies a bloc leader's controls when its alignment with that bloc is strong enough."""
    COMPLY_AT = 0.3            # |alignment| needed to follow the leader of its own bloc
    SOFT = False               # follow with a licence regime instead of the leader's own mode
    CHIPS_ONLY = False

    def _comply(self, pub, me) -> list:
        code, c = me["country"], me["row"]
        align = float(me["alignment"])
        if abs(align) < self.COMPLY_AT:
            return []
        blocked = k.rejected_actions(me)
        held = {(key[1], key[2]) for key in me["my_controls"]}
        # the great powers of its own bloc (alignment of the same sign), found once: only
        # their controls are followed
        countries, alignment = pub["countries"], pub["alignment"]
        leaders = {issuer for issuer, kind in pub["kind"].items()
                   if kind == "great_power" and issuer != code
                   and np.sign(float(alignment[countries.index(issuer)])) == np.sign(align)}
        chip_done = set()
        out = []
        for ctl in pub["controls"]:
            issuer, target = ctl["issuer"], ctl["target"]
            if (issuer not in leaders or not ctl["binding"] or target in (code, "ALL")
                    or (ctl["good"], target) in held):
                continue
            if ctl["origin"] == "chip_control":
                if target not in chip_done and "chip_control" not in blocked:
                    out.append(o.ChipControl(target=target))
                    chip_done.add(target)
                continue
            if self.CHIPS_ONLY or "export_control" in blocked:
                continue
            g = pub["goods"].index(ctl["good"])
            if pub["production"][c, g] <= 0:
                continue                      # nothing of ours to withhold
            mode = "licence" if self.SOFT or ctl["mode"] == "quota" else ctl["mode"]
            out.append(o.ExportControl(good=ctl["good"], target=target, mode=mode, approval=0.5))
            held.add((ctl["good"], target))
        return out


class Aligned(_Follower):
    """Follows its bloc leader closely: copies its controls as soon as alignment passes 0.3,
    and stockpiles what comes from the other bloc."""
    name = "aligned"
    description = "Mirrors its bloc leader's controls in kind; stockpiles rival-bloc goods."
    traits = Traits(roles=("middle",), aggressiveness=0.5, tags=("complies",))
    COMPLY_AT = 0.3

    def decide(self, obs, rng):
        pub, me = obs["public"], obs["private"]
        return self._stockpiles(pub, me, "middle") + self._comply(pub, me)


class Hedging(_Follower):
    """Keeps doors open: follows a bloc's controls only when strongly aligned (0.75+) and then
    only with licences, and accepts deals from either side."""
    name = "hedging"
    description = "Licence-only compliance at high alignment; takes deals from both blocs."
    traits = Traits(roles=("middle",), aggressiveness=0.2, tags=("hedges",))
    COMPLY_AT = 0.75
    SOFT = True

    def decide(self, obs, rng):
        pub, me = obs["public"], obs["private"]
        orders = self._stockpiles(pub, me, "middle") + self._comply(pub, me)
        for d in me["deals_offered"]:
            ok = k.ok_deal_parts(d["ask"], ("suspend_control", "lift_control", "tariff", "offtake", "stockpile"))
            orders.append(o.AcceptDeal(deal=d["id"]) if ok else o.RejectDeal(deal=d["id"]))
        return orders


class Autonomous(_Follower):
    """Strategic autonomy against benchmarks in the spirit of the EU Critical Raw Materials
    Act: no more than 65% of any good from one bloc (stockpiles the excess risk), domestic
    processing backed by floors, and only chip controls copied, at very high alignment (0.95)."""
    name = "autonomous"
    description = "EU-style benchmarks: caps single-bloc dependence with stockpiles and floors."
    traits = Traits(roles=("middle",), aggressiveness=0.25, tags=("benchmarks",))
    COMPLY_AT = 0.95
    CHIPS_ONLY = True
    SINGLE_SOURCE = 0.65       # max share from one (rival) bloc
    PROCESSING = 0.40          # target share of own needs processed at home

    def decide(self, obs, rng):
        pub, me = obs["public"], obs["private"]
        orders = self._stockpiles(pub, me, "resource") + self._comply(pub, me)   # releases only
        c, frac, goods, ref = me["row"], pub["turn_frac"], pub["goods"], pub["ref_price"]
        demand = np.asarray(me["demand"], dtype=float)
        over = np.flatnonzero((np.asarray(me["rival_share"]) > self.SINGLE_SOURCE) & (demand > 0))
        budget = 0.05 * max(me["treasury"], 0.0)
        for g in sorted(over, key=lambda g: (-demand[g] * ref[g], g))[:2]:
            if me["stockpile"][g] >= 0.25 * demand[g] / frac:
                continue
            amount = round(float(0.08 * demand[g] / frac), 6)
            cost = amount * frac * 1.2 * float(ref[g])
            if amount > 0 and cost < budget:
                orders.append(o.Stockpile(good=goods[g], amount=amount, max_price=round(1.2 * float(ref[g]), 6)))
                budget -= cost
        floored = {f["good"] for f in pub["floors"] if f["state"] == me["country"]}
        for g in over[:1]:
            if pub["stage"][g] == "ore" or goods[g] in floored:
                continue
            if pub["production"][c, g] < self.PROCESSING * demand[g] and pub["production"][c, g] > 0:
                orders.append(o.PriceFloor(good=goods[g], price=round(1.25 * float(ref[g]), 6),
                                           volume=round(float(0.2 * demand[g] / frac), 6), turns=8))
        return orders
