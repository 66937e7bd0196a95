"""Small readers of an observation shared by the personalities (no state, no side effects)."""

from __future__ import annotations

import numpy as np

from game import orders as o

CHIP_GOODS = ("chip_tools", "advanced_chip")


def targets_me(ctl: dict, me: str) -> bool:
    return ctl["target"] in (me, "ALL") and ctl["issuer"] != me


def controls_on_me(pub, me: str) -> list[dict]:
    """Binding controls other seats hold against me (ore bans aimed at ALL excluded)."""
    return [c for c in pub["controls"] if c["binding"] and targets_me(c, me) and c["origin"] != "ore_ban"]


def mine_on(pub, me: str, target: str) -> list[dict]:
    return [c for c in pub["controls"] if c["issuer"] == me and c["target"] == target]


def aggressors(pub, me: str) -> list[str]:
    """Countries that coerced me last turn or hold a binding control on me, sorted."""
    out = {i for i, t in pub["coerced"] if t == me and i != me}
    out |= {c["issuer"] for c in controls_on_me(pub, me)}
    return sorted(i for i in out if i in pub["countries"])


def levers(pub, c: int, e: int, taken: set[str]) -> list[int]:
    """Goods (not chips) where I hold a large world share and `e` imports, best first."""
    share, imports = pub["world_share"], pub["imports"]
    cands = [g for g, name in enumerate(pub["goods"])
             if share[c, g] > 0.3 and name not in taken and name not in CHIP_GOODS]
    cands.sort(key=lambda g: (-(share[c, g] * (1.0 + imports[e, g] * pub["ref_price"][g])), g))
    return cands


def supply_risk(pub, me: dict) -> np.ndarray:
    """Per good: share from the rival bloc, shortage and controls against me, in 0..~2."""
    demand = np.asarray(me["demand"], dtype=float)
    short = np.where(demand > 0, np.asarray(me["shortage"]) / np.maximum(demand, 1e-12), 0.0)
    risk = np.asarray(me["rival_share"], dtype=float) + 2.0 * short
    for ctl in controls_on_me(pub, me["country"]):
        risk[pub["goods"].index(ctl["good"])] += 0.5
    return np.where(demand > 0, risk, 0.0)


def ok_deal_parts(text: str, allowed: tuple[str, ...]) -> bool:
    try:
        parts = [o.parse_order(p) for p in o.split_orders(text)]
    except o.OrderSyntaxError:
        return False
    return all(p.action in allowed for p in parts)


def rejected_actions(me: dict) -> set[str]:
    """Actions the engine refused last turn for reasons that will not change (e.g. EU rules)."""
    out = set()
    for _turn, text, why in me.get("rejected", []):
        if "decides it for its members" in why or "may not use" in why or "not available" in why:
            out.add(text.split(" ", 1)[0])
    return out
