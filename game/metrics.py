"""Metrics in long form: one row per (turn, entity, good, metric) with a value.

Each turn's arrays are kept as they are (cheap), and turned into the long table only when
asked for (`table()`), as a pyarrow Table with dictionary-encoded text columns.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

# (country x good) metrics and the model attribute each comes from
COUNTRY_GOOD = {
    "price": "price",
    "production": "production",
    "exports": "exports",
    "imports": "imports",
    "consumption": "consumed",
    "demand": "final_demand",
    "shortage": "shortage",
    "stockpile": "stockpile",
    "capacity": None,               # computed from facilities
    "world_supply_share": None,     # computed from production
}
COUNTRY = ("score", "treasury", "alignment", "stability", "nationalism", "gdp", "investor_risk",
           "social_licence", "gov_revenue", "gov_spending", "policy_cost")
FIRM = ("score", "cash", "debt", "profit", "capacity_value")


class MetricsLog:
    def __init__(self):
        self.turns: list[dict] = []
        self.ids: dict | None = None

    def record(self, m) -> None:
        if self.ids is None:
            self.ids = {"countries": m.countries.ids, "goods": m.goods.ids, "firms": m.firms.ids,
                        "sectors": m.sectors.ids}
        snap = {"turn": m.turn}
        for name, attr in COUNTRY_GOOD.items():
            if attr:
                snap[name] = getattr(m, attr).copy()
        snap["capacity"] = capacity_by_country(m)
        world = m.production.sum(axis=0)
        snap["world_supply_share"] = np.where(world > 0, m.production / np.maximum(world, 1e-12), 0.0)
        snap["country"] = {
            "score": m.score.copy(), "treasury": m.treasury.copy(), "alignment": m.alignment.copy(),
            "stability": m.stability.copy(), "nationalism": m.nationalism.copy(), "gdp": m.gdp.copy(),
            "investor_risk": m.investor_risk.copy(), "social_licence": m.social_licence.copy(),
            "gov_revenue": m.gov_revenue.copy(), "gov_spending": m.gov_spending.copy(),
            "policy_cost": m.policy_cost.copy(),
        }
        for name, values in m.objectives.items():
            snap["country"][f"objective_{name}"] = np.asarray(values, dtype=float).copy()
        snap["sector_output"] = m.sector_output.copy()
        snap["sector_lost"] = m.sector_level * (1.0 - m.sector_output)      # US$B a year of output
        snap["rival_share"] = np.array(m.rival_share, copy=True)
        snap["flow_value"] = trade_value(m)
        snap["capacity_by_status"] = capacity_by_status(m)
        n_fac = len(m.fac)
        profit = getattr(m, "fac_profit", None)      # set by the finance phase
        snap["facilities"] = {"output": m.fac_output[:n_fac].copy(),
                              "profit": np.zeros(n_fac) if profit is None else np.array(profit[:n_fac])}
        snap["controls"] = tuple((c.issuer, c.good, c.target, c.mode, c.binds(m.turn))
                                 for c in m.measures.controls.values())
        fac = m.fac
        cap_value = np.zeros(len(m.firms))
        private = fac.col("state_owner") < 0
        np.add.at(cap_value, fac.col("firm")[private], fac.col("capex_value")[private])
        snap["firm"] = {"score": np.asarray(m.firm_score, dtype=float).copy(), "cash": m.cash.copy(),
                        "debt": m.debt.copy(), "profit": m.profit_turn.copy(), "capacity_value": cap_value}
        self.turns.append(snap)

    def last(self) -> dict:
        return self.turns[-1]

    def table(self) -> pa.Table:
        """The whole log as a long table: turn, entity, good, metric, value."""
        cols = {"turn": [], "entity": [], "good": [], "metric": [], "value": []}
        if not self.turns:
            return _to_table(cols)
        cids, gids, fids, sids = (self.ids[k] for k in ("countries", "goods", "firms", "sectors"))
        C, G = len(cids), len(gids)
        ent_cg = np.repeat(np.array(cids, dtype=object), G)
        good_cg = np.tile(np.array(gids, dtype=object), C)
        ent_cs = np.repeat(np.array(cids, dtype=object), len(sids))
        sec_cs = np.tile(np.array(sids, dtype=object), C)
        for snap in self.turns:
            t = snap["turn"]
            for name in COUNTRY_GOOD:
                _extend(cols, t, ent_cg, good_cg, name, snap[name].ravel())
            for name, values in snap["country"].items():
                _extend(cols, t, np.array(cids, dtype=object), np.full(C, "", dtype=object), name, values)
            _extend(cols, t, ent_cs, sec_cs, "sector_output", snap["sector_output"].ravel())
            for name, values in snap["firm"].items():
                _extend(cols, t, np.array(fids, dtype=object), np.full(len(fids), "", dtype=object),
                        f"firm_{name}" if name == "score" else name, values)
        return _to_table(cols)


def capacity_by_country(m) -> np.ndarray:
    fac = m.fac
    out = np.zeros((len(m.countries), len(m.goods)))
    rows = np.flatnonzero(fac.col("status") == 0)
    np.add.at(out, (fac.col("country")[rows], fac.col("good")[rows]), fac.col("capacity")[rows])
    return out


def capacity_by_status(m) -> np.ndarray:
    """Capacity of every facility by status (operating, idle, construction, closed) and good."""
    fac = m.fac
    out = np.zeros((4, len(m.goods)))
    np.add.at(out, (fac.col("status"), fac.col("good")), fac.col("capacity"))
    return out


def trade_value(m) -> np.ndarray:
    """Value of this turn's shipments, exporter x importer, in M$ at the exporter's price."""
    return np.einsum("gei,eg->ei", m.flows, m.price)


def _extend(cols, turn, entity, good, metric, values) -> None:
    n = len(values)
    cols["turn"].append(np.full(n, turn, dtype=np.int32))
    cols["entity"].append(entity)
    cols["good"].append(good)
    cols["metric"].append(np.full(n, metric, dtype=object))
    cols["value"].append(np.asarray(values, dtype=float))


def _to_table(cols) -> pa.Table:
    if not cols["turn"]:
        return pa.table({"turn": pa.array([], pa.int32()), "entity": pa.array([], pa.string()),
                         "good": pa.array([], pa.string()), "metric": pa.array([], pa.string()),
                         "value": pa.array([], pa.float64())})
    arrays = {
        "turn": pa.array(np.concatenate(cols["turn"])),
        "entity": pa.array(np.concatenate(cols["entity"]), pa.string()).dictionary_encode(),
        "good": pa.array(np.concatenate(cols["good"]), pa.string()).dictionary_encode(),
        "metric": pa.array(np.concatenate(cols["metric"]), pa.string()).dictionary_encode(),
        "value": pa.array(np.concatenate(cols["value"])),
    }
    return pa.table(arrays)
