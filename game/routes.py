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


def compliers(model, issuer: int) -> np.ndarray:
    """Countries bound by `issuer`'s chip controls: its members and close allies."""
    side = 1.0 if model.alignment[issuer] >= 0 else -1.0
    threshold = model.rules.politics.get("compliance_alignment", 0.5)
    allied = np.flatnonzero(model.alignment * side >= threshold)
    return np.union1d(model.members[issuer], allied)


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
        exporters = model.expand_targets(tar.target)
        amount = tar.rate * model.ref_price[model.goods[tar.good]]
        exporters = np.setdiff1d(exporters, importers)      # no tariff inside a union
        for i in importers:
            higher = amount > r.wedge[exporters, i]          # the highest tariff applies and is paid
            r.wedge[exporters[higher], i] = amount            # to the state that set it
            r.wedge_owner[exporters[higher], i] = model.countries[tar.issuer]
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
    importers = np.setdiff1d(importers, exporters)
    if ctl.mode == "ban":
        r.cap[np.ix_(exporters, importers)] = 0.0
    elif ctl.mode == "licence":
        r.licensed = True
        block = np.ix_(exporters, importers)
        granted = np.zeros((len(exporters), len(importers)))
        at_e = {e: k for k, e in enumerate(exporters.tolist())}
        at_i = {i: k for k, i in enumerate(importers.tolist())}
        for (e, i), volume in licensed_volume(model, ctl.good, model.turn).items():
            if e in at_e and i in at_i:
                granted[at_e[e], at_i[i]] = volume
        allowed = granted + general_licences(model, ctl, exporters, importers)[block]
        cap = r.cap[block]
        r.cap[block] = np.where(allowed < cap, allowed, cap)     # min(), keeping the cap on ties
    elif ctl.mode == "quota":
        per_turn = ctl.quota * model.turn_frac
        if ctl.target == "ALL":
            for e in exporters:
                r.export_cap[e] = min(r.export_cap[e], per_turn / max(len(exporters), 1))
        else:
            share = per_turn / max(len(exporters) * len(importers), 1)
            r.cap[np.ix_(exporters, importers)] = np.minimum(r.cap[np.ix_(exporters, importers)], share)


def general_licences(model, ctl, exporters, importers) -> np.ndarray:
    """Volume per turn that routine licensing lets through on each route.

    Applications filed when a licence regime starts are decided after its `delay`; from
    then on, the share `approval` of what the importer needs (its sector demand and its
    plants' inputs at capacity), in proportion to the exporter's share of world output, is
    licensed. Firms may apply for more (apply_licence)."""
    C = len(model.countries)
    out = np.zeros((C, C))
    if model.turn < ctl.start_turn + ctl.delay:
        return out
    g = model.goods[ctl.good]
    world = model.production_prev[:, g].sum()
    if world <= 0:
        return out
    share = model.production_prev[exporters, g] / world
    use = model.demand_ref[importers, g]
    out[np.ix_(exporters, importers)] = ctl.approval * share[:, None] * use[None, :]
    return out


def restrict_by_content(model, r: GoodRoutes | None, g: int, content: dict) -> GoodRoutes | None:
    """Extend extraterritorial controls to good `g` made abroad with controlled content."""
    C = len(model.countries)
    for ctl, shares in content.values():
        if shares[g] is None:
            continue
        exporters = model.members[model.countries[ctl.issuer]]
        caught = np.flatnonzero(shares[g] >= ctl.content)
        caught = np.setdiff1d(caught, exporters)
        if len(caught) == 0:
            continue
        if r is None:
            r = GoodRoutes.open(C)
            np.fill_diagonal(r.cap, np.inf)
        apply_control(model, r, ctl, caught, model.expand_targets(ctl.target))
        np.fill_diagonal(r.cap, np.inf)
    return r
