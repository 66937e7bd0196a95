"""Trade restrictions of one turn as market inputs: route caps, wedges, quotas, arcs.

Built once per turn from the measures in force. Goods that nothing restricts get no entry,
which lets the market clear them by merit order at one world price.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class GoodRoutes:
    """Restrictions on one good; arrays are (C, C) exporter x importer, or (C,)."""
    cap: np.ndarray
    wedge: np.ndarray
    wedge_owner: np.ndarray            # country row collecting the tariff on each route (-1 none)
    export_cap: np.ndarray
    arcs: list = field(default_factory=list)   # (origin, destination, cap, wedge, transship record)
    licensed: bool = False

    @classmethod
    def open(cls, C: int) -> "GoodRoutes":
        return cls(np.full((C, C), np.inf), np.zeros((C, C)), np.full((C, C), -1),
                   np.full(C, np.inf))


def _compliance(model, issuer: int) -> tuple[float, float]:
    """(side, threshold): a country complies with `issuer`'s chip controls when its alignment
    times the issuer's side reaches the threshold."""
    side = 1.0 if model.alignment[issuer] >= 0 else -1.0
    return side, model.rules.politics.get("compliance_alignment", 0.5)


def compliers(model, issuer: int) -> np.ndarray:
    """Countries bound by `issuer`'s chip controls: its members and close allies."""
    side, threshold = _compliance(model, issuer)
    bound = model.alignment * side >= threshold
    bound[model.members[issuer]] = True
    return np.flatnonzero(bound)


def rows_without(rows, drop, n: int) -> np.ndarray:
    """Country rows in `rows` and not in `drop`, sorted and unique, as np.setdiff1d gives
    them (a mask over the n countries is much quicker for arrays this small)."""
    keep = np.zeros(n, dtype=bool)
    keep[rows] = True
    keep[drop] = False
    return np.flatnonzero(keep)


def targeted(model, target: str, c: int) -> bool:
    """Whether country row `c` is in model.expand_targets(target), without building it."""
    if target == "ALL":
        return True
    t = model.countries[target]
    return c == t or model.member_of[c] == t


def covers(model, control, exporter: int, importer: int) -> bool:
    """Whether a control restricts the route exporter -> importer: the exporter is in
    exporters_of(control) and the importer in its targets (one route, no arrays built)."""
    if not targeted(model, control.target, importer):
        return False
    if targeted(model, control.issuer, exporter):
        return True
    if control.origin != "chip_control":
        return False
    side, threshold = _compliance(model, model.countries[control.issuer])   # compliers()' allies
    return bool(model.alignment[exporter] * side >= threshold)


def exporters_of(model, control) -> np.ndarray:
    """Country rows whose exports a control restricts."""
    issuer = model.countries[control.issuer]
    if control.origin == "chip_control":
        return compliers(model, issuer)
    return model.members[issuer]


def licensed_volume(model, good: str, turn: int) -> dict[tuple[int, int], float]:
    """Per-turn volume that granted licences allow on each (exporter, importer) route."""
    out: dict[tuple[int, int], float] = {}
    for lic in model.measures.licences:
        if lic.good == good and lic.granted and lic.decide_turn <= turn <= lic.expires_turn:
            key = (model.countries[lic.exporter], model.countries[lic.importer])
            out[key] = out.get(key, 0.0) + lic.volume * model.turn_frac
    return out


def build_routes(model) -> dict[int, GoodRoutes]:
    """Restrictions per good index for the current turn."""
    C, turn, ms = len(model.countries), model.turn, model.measures
    routes: dict[int, GoodRoutes] = {}

    def get(g: int) -> GoodRoutes:
        if g not in routes:
            routes[g] = GoodRoutes.open(C)
        return routes[g]

    for ctl in ms.active_controls(turn):
        g = model.goods[ctl.good]
        apply_control(model, get(g), ctl, exporters_of(model, ctl), model.expand_targets(ctl.target))
    for tar in ms.tariffs.values():
        r = get(model.goods[tar.good])
        importers = model.members[model.countries[tar.issuer]]
        exporters = rows_without(model.expand_targets(tar.target), importers, C)   # no tariff inside a union
        amount = tar.rate * model.ref_price[model.goods[tar.good]]
        block = (exporters[:, None], importers)        # np.ix_, without its overhead
        higher = amount > r.wedge[block]                     # the highest tariff applies and is paid
        r.wedge[block] = np.where(higher, amount, r.wedge[block])     # to the state that set it
        r.wedge_owner[block] = np.where(higher, model.countries[tar.issuer], r.wedge_owner[block])
    for (country, good), annual in ms.producer_quotas.items():
        r = get(model.goods[good])
        c = model.countries[country]
        r.export_cap[c] = min(r.export_cap[c], annual * model.turn_frac)
    markup = model.rules.market.transship_markup
    for ts in ms.transships:
        g = model.goods[ts.good]
        o, v, d = (model.countries[x] for x in (ts.origin, ts.via, ts.destination))
        r = get(g)
        if r.cap[o, v] > 0:     # the leg into the third country must itself be open
            r.arcs.append((o, d, ts.volume * model.turn_frac, markup * model.ref_price[g], ts))
    for r in routes.values():
        np.fill_diagonal(r.cap, np.inf)
    return routes


def apply_control(model, r: GoodRoutes, ctl, exporters, importers) -> None:
    """Narrow routes of one good for one control."""
    importers = rows_without(importers, exporters, len(model.countries))
    block = (exporters[:, None], importers)        # np.ix_, without its overhead
    if ctl.mode == "ban":
        r.cap[block] = 0.0
    elif ctl.mode == "licence":
        r.licensed = True
        granted = np.zeros((len(exporters), len(importers)))
        at_e = {e: k for k, e in enumerate(exporters.tolist())}
        at_i = {i: k for k, i in enumerate(importers.tolist())}
        for (e, i), volume in licensed_volume(model, ctl.good, model.turn).items():
            if e in at_e and i in at_i:
                granted[at_e[e], at_i[i]] = volume
        allowed = granted + general_licences(model, ctl, exporters, importers)
        r.cap[block] = _smaller(allowed, r.cap[block])
    elif ctl.mode == "quota":
        per_turn = ctl.quota * model.turn_frac
        if ctl.target == "ALL":
            share = per_turn / max(len(exporters), 1)
            r.export_cap[exporters] = _smaller(share, r.export_cap[exporters])
        else:
            share = per_turn / max(len(exporters) * len(importers), 1)
            r.cap[block] = np.minimum(r.cap[block], share)


def _smaller(new, old):
    """Elementwise min(old, new) as Python's min gives it: `old` unless `new` is smaller."""
    return np.where(new < old, new, old)


def general_licences(model, ctl, exporters, importers) -> np.ndarray:
    """Volume per turn that routine licensing lets through on each route (exporters x importers).

    Applications filed when a licence regime starts are decided after its `delay`; from
    then on, the share `approval` of what the importer needs (its sector demand and its
    plants' inputs at capacity), in proportion to the exporter's share of world output, is
    licensed. Firms may apply for more (apply_licence)."""
    out = np.zeros((len(exporters), len(importers)))
    if model.turn < ctl.start_turn + ctl.delay:
        return out
    g = model.goods[ctl.good]
    world = model.production_prev[:, g].sum()
    if world <= 0:
        return out
    share = model.production_prev[exporters, g] / world
    use = model.demand_ref[importers, g]
    return ctl.approval * share[:, None] * use[None, :]


def restrict_by_content(model, r: GoodRoutes | None, g: int, content: dict) -> GoodRoutes | None:
    """Extend extraterritorial controls to good `g` made abroad with controlled content."""
    C = len(model.countries)
    for ctl, shares in content.values():
        if shares[g] is None:
            continue
        exporters = model.members[model.countries[ctl.issuer]]
        caught = np.flatnonzero(shares[g] >= ctl.content)
        caught = rows_without(caught, exporters, C)
        if len(caught) == 0:
            continue
        if r is None:
            r = GoodRoutes.open(C)
            np.fill_diagonal(r.cap, np.inf)
        apply_control(model, r, ctl, caught, model.expand_targets(ctl.target))
        np.fill_diagonal(r.cap, np.inf)
    return r
