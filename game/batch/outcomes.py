"""What a batch keeps of each game: scalar outcomes, metrics per turn, orders.

Scalar outcomes (one value per run):

- `score_<seat>`: each country's and firm's score at the last turn played;
- `price_<good>`: the good's mean price across countries at the last turn (M$ per unit);
- `shortage_<good>`: the good's shortage summed over countries and turns (units);
- `digest`: the hash of the final state (text), equal whenever two runs ended the same.
"""

from __future__ import annotations

import fnmatch

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from game.metrics import COUNTRY, COUNTRY_GOOD, FIRM

# the metric names a game's long table holds (objective_<name> ones come with the ruleset)
TURN_METRICS = [*COUNTRY_GOOD, *COUNTRY, "sector_output",
                *(f"firm_{n}" if n == "score" else n for n in FIRM)]

TURN_SCHEMA = pa.schema([("run_id", pa.int64()), ("turn", pa.int32()), ("entity", pa.string()),
                         ("good", pa.string()), ("metric", pa.string()), ("value", pa.float64())])
ORDER_SCHEMA = pa.schema([("run_id", pa.int64()), ("turn", pa.int32()), ("seat", pa.string()),
                          ("order", pa.string()), ("result", pa.string()), ("reason", pa.string())])


def outcome_names(scenario) -> list[str]:
    """Every scalar outcome a game of this scenario reports, in a fixed order."""
    seats = sorted(scenario.countries) + sorted(scenario.firms)
    goods = scenario.topological_goods()
    return ([f"score_{s}" for s in seats] + [f"price_{g}" for g in goods]
            + [f"shortage_{g}" for g in goods] + ["digest"])


def scalar_outcomes(game) -> dict:
    """The scalar outcomes of a played game (see the module text)."""
    m = game.model
    out: dict = {}
    for i, c in enumerate(m.countries.ids):
        out[f"score_{c}"] = float(m.score[i])
    for i, f in enumerate(m.firms.ids):
        out[f"score_{f}"] = float(m.firm_score[i])
    mean_price = m.price.mean(axis=0)
    shortage = np.zeros(len(m.goods))
    for snap in m.log.turns:
        shortage += snap["shortage"].sum(axis=0)
    for g, good in enumerate(m.goods.ids):
        out[f"price_{good}"] = float(mean_price[g])
    for g, good in enumerate(m.goods.ids):
        out[f"shortage_{good}"] = float(shortage[g])
    out["digest"] = game.digest()
    return out


def turn_rows(game, patterns: list[str], run_id: int) -> pa.Table:
    """The game's metrics in long form, only those matching `patterns`, tagged with the run."""
    if not patterns:
        return TURN_SCHEMA.empty_table()
    table = game.metrics()
    names = pc.unique(table["metric"].combine_chunks().dictionary_decode()
                      if pa.types.is_dictionary(table["metric"].type) else table["metric"]).to_pylist()
    keep = [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)]
    metric = table["metric"].cast(pa.string())
    table = table.filter(pc.is_in(metric, value_set=pa.array(keep, pa.string())))
    return pa.table({
        "run_id": pa.array(np.full(table.num_rows, run_id, dtype=np.int64)),
        "turn": table["turn"].cast(pa.int32()),
        "entity": table["entity"].cast(pa.string()),
        "good": table["good"].cast(pa.string()),
        "metric": table["metric"].cast(pa.string()),
        "value": table["value"].cast(pa.float64()),
    }, schema=TURN_SCHEMA)


def order_rows(game, run_id: int) -> pa.Table:
    """Every order of the game with its fate (accepted, or rejected and why)."""
    m = game.model
    rows = [(t, s, text, "accepted", "") for t, s, text in m.accepted]
    rows += [(t, s, text, "rejected", why) for t, s, text, why in m.rejections]
    rows.sort(key=lambda r: (r[0], r[1]))
    cols = list(zip(*rows)) if rows else [(), (), (), (), ()]
    return pa.table({"run_id": pa.array([run_id] * len(rows), pa.int64()),
                     "turn": pa.array(cols[0], pa.int32()), "seat": pa.array(cols[1], pa.string()),
                     "order": pa.array(cols[2], pa.string()), "result": pa.array(cols[3], pa.string()),
                     "reason": pa.array(cols[4], pa.string())}, schema=ORDER_SCHEMA)
