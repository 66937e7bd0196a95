"""Phase 7, scoring: each role's objectives (each 0-1), weighted by the ruleset, per turn.

Objectives (docs/model.md has the formulas):
secure_supply, defence_readiness, ai_compute, gdp, fiscal, leverage, export_revenue,
self_reliance, partners, industrial_output, eu_benchmarks, revenue, value_added,
domestic_ownership, stability (states); profit, market_share, survival (firms).
"""

from __future__ import annotations

import numpy as np

EU_TARGETS = {"extraction": 0.10, "processing": 0.40, "recycling": 0.25}
EU_MAX_ONE_SUPPLIER = 0.65


def run(model) -> None:
    m = model
    objectives = state_objectives(m)
    weights = m.rules.scoring
    score = np.zeros(len(m.countries))
    for c in range(len(m.countries)):
        w = weights.get(m.role[c], {})
        score[c] = sum(wt * objectives[name][c] for name, wt in w.items() if name in objectives)
    m.objectives = objectives
    m.score = score
    firm_obj = firm_objectives(m)
    fw = weights.get("firm", {})
    m.firm_objectives = firm_obj
    m.firm_score = sum(wt * firm_obj[name] for name, wt in fw.items() if name in firm_obj)
    m.log.record(m)


def state_objectives(m) -> dict[str, np.ndarray]:
    C = len(m.countries)
    s = m.sectors.pos
    value = m.final_demand * m.ref_price[None, :]
    met = np.where(m.final_demand > 0, m.consumed * (1.0 - m.rival_share) / np.maximum(m.final_demand, 1e-12), 1.0)
    secure = (value * met).sum(axis=1) / np.maximum(value.sum(axis=1), 1e-12)
    weights = m.demand / np.maximum(m.demand.sum(axis=1, keepdims=True), 1e-12)
    industrial = (weights * m.sector_output).sum(axis=1)
    # the share of the money it had for minerals policy (its start fund and appropriations)
    # that its measures did not use up, net of what they brought back
    fiscal = np.clip(1.0 - m.policy_cost_cum / np.maximum(m.treasury0 + m.budget_cum, 1.0), 0.0, 1.0)
    exports_value = (m.exports * m.price).sum(axis=1)
    if not hasattr(m, "exports_value0"):
        m.exports_value0 = np.maximum(exports_value, 1.0)
    if not hasattr(m, "gov_revenue0"):
        m.gov_revenue0 = np.maximum(m.gov_revenue, 1.0)
    return {
        "secure_supply": secure,
        "defence_readiness": m.sector_output[:, s["defence"]] if "defence" in s else np.ones(C),
        "ai_compute": m.sector_output[:, s["ai_compute"]] if "ai_compute" in s else np.ones(C),
        "gdp": np.clip(m.gdp / m.gdp0, 0.0, 1.0),
        "fiscal": fiscal,
        "leverage": leverage_all(m),
        "export_revenue": np.clip(exports_value / m.exports_value0 / 2.0, 0.0, 1.0),
        "self_reliance": self_reliance(m),
        "partners": partners(m),
        "industrial_output": industrial,
        "eu_benchmarks": eu_benchmarks(m),
        "revenue": np.clip(m.gov_revenue / m.gov_revenue0 / 2.0, 0.0, 1.0),
        "value_added": value_added(m),
        "domestic_ownership": 1.0 - m.foreign_share,
        "stability": m.stability.copy(),
    }


def leverage_all(m) -> np.ndarray:
    """Each country's mean share of world refining, across the refined goods."""
    processed = np.array([st == "refined" for st in m.stage])
    world = m.production.sum(axis=0)
    share = np.where(world > 0, m.production / np.maximum(world, 1e-12), 0.0)
    return share[:, processed].mean(axis=1)


def self_reliance(m) -> np.ndarray:
    """AI compute output times the share of advanced chips made at home."""
    if "advanced_chip" not in m.goods or "ai_compute" not in m.sectors:
        return np.ones(len(m.countries))
    g = m.goods["advanced_chip"]
    use = np.maximum(m.production[:, g] - m.exports[:, g], 0.0) + m.imports[:, g]
    home = np.where(use > 0, np.maximum(m.production[:, g] - m.exports[:, g], 0.0) / np.maximum(use, 1e-12), 0.0)
    return m.sector_output[:, m.sectors["ai_compute"]] * (0.5 + 0.5 * home)


def partners(m) -> np.ndarray:
    """Share of non-great-power states leaning to each country's side, against the start."""
    others = np.array([k != "great_power" for k in m.kind])
    now, then = m.alignment[others], m.alignment0[others]
    ratio = {}
    for side in (1.0, -1.0):        # a country on no side counts as on the US side
        ratio[side] = min(np.mean((now * side) > 0) / max(np.mean((then * side) > 0), 1e-9), 1.0)
    side = np.where(np.sign(m.alignment0) < 0, -1.0, 1.0)
    return np.where(side > 0, ratio[1.0], ratio[-1.0])


def eu_benchmarks(m) -> np.ndarray:
    """The EU 2030 benchmarks for each country's bloc (the Union and its members together)."""
    C = len(m.countries)
    out = np.zeros(C)
    wanted = {r for r, w in m.rules.scoring.items() if "eu_benchmarks" in w}
    scored = [c for c in range(C) if m.role[c] in wanted]
    if not scored:
        return out
    ore = np.array([st == "ore" for st in m.stage])
    refined = np.array([st == "refined" for st in m.stage])
    recycled = np.zeros((C, len(m.goods)))
    if "recycling" in m.ftypes:
        rows = np.flatnonzero(m.fac.col("ftype") == m.ftypes["recycling"])
        np.add.at(recycled, (m.fac.col("country")[rows], m.fac.col("good")[rows]), m.fac_output[rows])
    input_use = _input_use(m)
    blocs: dict[int, list[int]] = {}       # head of each bloc -> its scored countries
    for c in scored:
        blocs.setdefault(int(m.member_of[c]) if m.member_of[c] >= 0 else c, []).append(c)
    parts = []
    for head in blocs:
        bloc = m.members[head]
        use = _bloc_total(m.consumed, bloc) + _bloc_total(input_use, bloc)
        val = use * m.ref_price
        extraction = _ratio((_bloc_total(m.production, bloc, ore) * m.ref_price[ore]).sum(), val[ore].sum())
        processing = _ratio((_bloc_total(m.production, bloc, refined) * m.ref_price[refined]).sum(),
                            val[refined].sum())
        recycling = _ratio((_bloc_total(recycled, bloc) * m.ref_price).sum(), val.sum())
        if len(bloc) == 1:
            imports_by = m.flows[:, :, head].copy()                  # (G, exporter)
        else:
            imports_by = m.flows[:, :, bloc].sum(axis=2)
        imports_by[:, bloc] = 0.0
        total_in = imports_by.sum(axis=1)
        top = np.where(total_in > 0, imports_by.max(axis=1) / np.maximum(total_in, 1e-12), 0.0)
        worst = float(top.max()) if top.size else 0.0
        parts.append([min(extraction / EU_TARGETS["extraction"], 1.0), min(processing / EU_TARGETS["processing"], 1.0),
                      min(recycling / EU_TARGETS["recycling"], 1.0),
                      1.0 if worst <= EU_MAX_ONE_SUPPLIER else EU_MAX_ONE_SUPPLIER / worst])
    # one mean per row of a (blocs, 4) array adds up exactly as np.mean of each row alone
    for countries, score in zip(blocs.values(), np.mean(np.array(parts), axis=1)):
        out[countries] = score
    return out


def _bloc_total(a: np.ndarray, bloc: np.ndarray, cols=None) -> np.ndarray:
    """Rows of `a` (columns `cols`) summed over a bloc's countries.

    A bloc of one is its own row: a sum over one row differs from it only in the sign of
    zeros, which no benchmark sees. Larger blocs keep the exact indexing of the formula,
    since the memory layout of a[bloc][:, cols] sets the order in which the sum adds."""
    if len(bloc) == 1:
        return a[bloc[0]] if cols is None else a[bloc[0]][cols]
    return (a[bloc] if cols is None else a[bloc][:, cols]).sum(axis=0)


def _input_use(m) -> np.ndarray:
    """Inputs each country's plants used at this turn's output, (C, G).

    np.bincount adds each cell's terms in plant order, as np.add.at of whole rows does,
    and is much quicker on a two-dimensional table."""
    fac = m.fac
    G = len(m.goods)
    used = m.fac_output[:, None] * m.recipe[fac.col("good")]
    cell = fac.col("country")[:, None] * G + np.arange(G)
    return np.bincount(cell.ravel(), weights=used.ravel(), minlength=len(m.countries) * G).reshape(-1, G)


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else 0.0


def value_added(m) -> np.ndarray:
    """Share of the value a country produces that comes from processing rather than mining."""
    ore = np.array([st == "ore" for st in m.stage])
    val = m.production * m.price
    total = val.sum(axis=1)
    return np.where(total > 0, val[:, ~ore].sum(axis=1) / np.maximum(total, 1e-12), 0.0)


def firm_objectives(m) -> dict[str, np.ndarray]:
    fac = m.fac
    N = len(m.firms)
    if not hasattr(m, "firm_scale"):
        assets = np.zeros(N)
        np.add.at(assets, fac.col("firm"), fac.col("capex_value"))
        m.firm_scale = np.maximum(assets + np.maximum(m.cash, 0.0), 1.0)
    value = m.fac_output * m.price[fac.col("country"), fac.col("good")]
    world_by_good = np.zeros(len(m.goods))
    np.add.at(world_by_good, fac.col("good"), value)
    share = np.where(world_by_good[fac.col("good")] > 0, value / np.maximum(world_by_good[fac.col("good")], 1e-12), 0.0)
    private = fac.col("state_owner") < 0
    firm_share = np.zeros(N)
    counts = np.zeros(N)
    np.add.at(firm_share, fac.col("firm")[private], share[private])
    np.add.at(counts, fac.col("firm")[private], 1.0)
    return {
        "profit": 0.5 + 0.5 * np.tanh(m.profit_cum / m.firm_scale),
        "market_share": np.where(counts > 0, firm_share / np.maximum(counts, 1.0), 0.0),
        "survival": (~m.bankrupt).astype(float),
    }
