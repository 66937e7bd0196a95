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

from game.metrics import COUNTRY, COUNTRY_GOOD, FIRM

# the metric names a game's long table holds (objective_<name> ones come with the ruleset)
TURN_METRICS = [*COUNTRY_GOOD, *COUNTRY, "sector_output",
                *(f"firm_{n}" if n == "score" else n for n in FIRM)]

TURN_SCHEMA = pa.schema([("run_id", pa.int64()), ("turn", pa.int32()), ("entity", pa.string()),
                         ("good", pa.string()), ("metric", pa.string()), ("value", pa.float64())])
# one row per attempt at a run that raised: which attempt, the code that ran it, the error in
# one line (as the runs table has it) and the whole traceback
ERROR_SCHEMA = pa.schema([("run_id", pa.int64()), ("attempt", pa.int32()), ("code_version", pa.string()),
                          ("error", pa.string()), ("traceback", pa.string())])
ORDER_SCHEMA = pa.schema([("run_id", pa.int64()), ("turn", pa.int32()), ("seat", pa.string()),
                          ("order", pa.string()), ("result", pa.string()), ("reason", pa.string())])


def outcome_names(scenario) -> list[str]:
    """Every scalar outcome a game of this scenario reports, in a fixed order."""
    seats = sorted(scenario.countries) + sorted(scenario.firms)
    goods = scenario.topological_goods()
    return ([f"score_{s}" for s in seats] + [f"price_{g}" for g in goods]
            + [f"shortage_{g}" for g in goods] + ["digest"])


def scalar_outcomes(m) -> dict:
    """The scalar outcomes of a played game's model (see the module text)."""
    from game.api import state_digest
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
    out["digest"] = state_digest(m)
    return out


def turn_rows(model, patterns: list[str], run_id: int) -> pa.Table:
    """The game's metrics in long form (as `Game.metrics()` names them), only those matching
    `patterns`, tagged with the run. Built from the per-turn snapshots of the metrics log
    for the asked metrics alone, rather than from the whole long table."""
    log = model.log
    if not patterns or not log.turns:
        return TURN_SCHEMA.empty_table()
    ids = log.ids
    turns = np.array([snap["turn"] for snap in log.turns], dtype=np.int32)
    parts = []
    for metric, rows, entities, goods in _metric_sources(log.turns[0], ids):
        if not any(fnmatch.fnmatchcase(metric, p) for p in patterns):
            continue
        values = np.stack([rows(snap) for snap in log.turns]).reshape(len(turns), -1)
        per_turn = values.shape[1]
        parts.append((np.repeat(turns, per_turn), np.tile(entities, len(turns)),
                      np.tile(goods, len(turns)), metric, values.ravel()))
    if not parts:
        return TURN_SCHEMA.empty_table()
    size = sum(len(p[0]) for p in parts)
    return pa.table({
        "run_id": pa.array(np.full(size, run_id, dtype=np.int64)),
        "turn": pa.array(np.concatenate([p[0] for p in parts])),
        "entity": pa.array(np.concatenate([p[1] for p in parts]), pa.string()),
        "good": pa.array(np.concatenate([p[2] for p in parts]), pa.string()),
        "metric": pa.array(np.concatenate([np.full(len(p[0]), p[3], dtype=object) for p in parts]), pa.string()),
        "value": pa.array(np.concatenate([p[4] for p in parts]).astype(np.float64)),
    }, schema=TURN_SCHEMA)


def _metric_sources(first: dict, ids: dict):
    """(metric name, snapshot -> values, entity per value, good per value) of every metric."""
    cids = np.array(ids["countries"], dtype=object)
    gids, sids = np.array(ids["goods"], dtype=object), np.array(ids["sectors"], dtype=object)
    fids = np.array(ids["firms"], dtype=object)
    none_c, none_f = np.full(len(cids), "", dtype=object), np.full(len(fids), "", dtype=object)
    for name in COUNTRY_GOOD:
        yield name, (lambda snap, n=name: snap[n]), np.repeat(cids, len(gids)), np.tile(gids, len(cids))
    for name in first["country"]:
        yield name, (lambda snap, n=name: snap["country"][n]), cids, none_c
    yield "sector_output", (lambda snap: snap["sector_output"]), np.repeat(cids, len(sids)), np.tile(sids, len(cids))
    for name in first["firm"]:
        yield (f"firm_{name}" if name == "score" else name), (lambda snap, n=name: snap["firm"][n]), fids, none_f


def order_rows(m, run_id: int) -> pa.Table:
    """Every order of the game with its fate (accepted, or rejected and why)."""
    rows = [(t, s, text, "accepted", "") for t, s, text in m.accepted]
    rows += [(t, s, text, "rejected", why) for t, s, text, why in m.rejections]
    rows.sort(key=lambda r: (r[0], r[1]))
    cols = list(zip(*rows)) if rows else [(), (), (), (), ()]
    return pa.table({"run_id": pa.array([run_id] * len(rows), pa.int64()),
                     "turn": pa.array(cols[0], pa.int32()), "seat": pa.array(cols[1], pa.string()),
                     "order": pa.array(cols[2], pa.string()), "result": pa.array(cols[3], pa.string()),
                     "reason": pa.array(cols[4], pa.string())}, schema=ORDER_SCHEMA)
