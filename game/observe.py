"""What each seat may see, as plain data (dicts, lists, numbers and read-only arrays).

The public part (prices, output, trade, measures in force, alignments, the cost of
building) is built once a turn and shared by every seat; the private part holds the
seat's own money, stockpiles or facilities. With the ruleset's `observation.fog` on, a
seat sees other countries' treasuries only as rough bands; off, it sees them exactly.
"""

from __future__ import annotations

import numpy as np

from game.facilities import STATUS_NAMES


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


def public_view(m) -> dict:
    cached = getattr(m, "public_view", None)
    if cached is not None and cached.get("_epoch") == _epoch(m):
        return cached
    from game.costs import build_table
    world = m.production.sum(axis=0)
    ms = m.measures
    view = {
        "turn": m.turn,
        "year": m.year,
        "turns_total": m.max_turns,
        "turn_frac": m.turn_frac,
        "goods": list(m.goods.ids),
        "countries": list(m.countries.ids),
        "sectors": list(m.sectors.ids),
        "stage": list(m.stage),
        "kind": dict(zip(m.countries.ids, m.kind)),
        "ref_price": _ro(m.ref_price),
        "recipe": _ro(m.recipe),
        "price": _ro(m.price),
        "production": _ro(m.production),
        "world_production": _ro(world),
        "pipeline": _ro(_pipeline(m)),
        "world_share": _ro(np.where(world > 0, m.production / np.maximum(world, 1e-12), 0.0)),
        "exports": _ro(m.exports),
        "imports": _ro(m.imports),
        "shortage": _ro(m.shortage),
        "demand": _ro(m.final_demand),
        "alignment": _ro(m.alignment),
        "stability": _ro(m.stability),
        "nationalism": _ro(m.nationalism),
        "controls": [
            {"issuer": c.issuer, "good": c.good, "target": c.target, "mode": c.mode,
             "start_turn": c.start_turn, "suspended_until": c.suspended_until, "origin": c.origin,
             "binding": c.binds(m.turn + 1)}
            for c in sorted(ms.controls.values(), key=lambda c: c.key)
        ],
        "tariffs": [{"issuer": t.issuer, "good": t.good, "target": t.target, "rate": t.rate}
                    for t in sorted(ms.tariffs.values(), key=lambda t: (t.issuer, t.good, t.target))],
        "floors": [{"state": f.state, "good": f.good, "price": f.price, "volume": f.volume,
                    "until_turn": f.until_turn} for f in ms.floors],
        "tech_controls": sorted(ms.tech_controls),
        "governance": sorted(ms.governance),
        "coerced": list(getattr(m, "last_coercions", [])),
        "events": [e for e in m.events_log if e[0] >= m.turn],
        "build": {k: (_ro(v) if isinstance(v, np.ndarray) else list(v)) for k, v in build_table(m).items()},
        "_epoch": _epoch(m),
    }
    m.public_view = view
    return view


def _pipeline(m) -> np.ndarray:
    """Capacity under construction per good, per turn (same scale as production)."""
    fac = m.fac
    out = np.zeros(len(m.goods))
    rows = np.flatnonzero(fac.col("status") == 2)
    np.add.at(out, fac.col("good")[rows], fac.col("capacity")[rows] * m.turn_frac)
    return out


def observe(m, seat: str, public: dict | None = None) -> dict:
    """The observation of one seat: {"seat", "kind", "public", "private"}. `public` lets a
    caller hand several seats of one batched policy the same copy of the public view."""
    pub = public_view(m)
    if seat in m.countries:
        private = _state_private(m, seat)
        kind = m.kind[m.countries[seat]]
    elif seat in m.firms:
        private = _firm_private(m, seat)
        kind = "firm"
    else:
        raise KeyError(f"unknown seat {seat!r}")
    return {"seat": seat, "kind": kind, "turn": m.turn,
            "public": public if public is not None else _own_copy(pub), "private": private}


def _own_copy(pub: dict) -> dict:
    """A seat's own copy of the public view: its containers are fresh, so a policy that edits
    its observation changes nobody else's (arrays are shared but read-only)."""
    out = dict(pub)
    for key, value in pub.items():
        if isinstance(value, (list, tuple)):
            out[key] = [dict(v) if isinstance(v, dict) else v for v in value]
        elif isinstance(value, dict):
            out[key] = dict(value)
    return out


def _state_private(m, seat: str) -> dict:
    c = m.countries[seat]
    fog = m.rules.observation.fog
    ms = m.measures
    return {
        "country": seat,
        "role": m.role[c],
        "row": c,
        "treasury": float(m.treasury[c]),
        "gdp": float(m.gdp[c]),
        "alignment": float(m.alignment[c]),
        "stability": float(m.stability[c]),
        "nationalism": float(m.nationalism[c]),
        "foreign_share": float(m.foreign_share[c]),
        "investor_risk": float(m.investor_risk[c]),
        "stockpile": _ro(m.stockpile[c]),
        "demand": _ro(m.final_demand[c]),
        "shortage": _ro(m.shortage[c]),
        "rival_share": _ro(m.rival_share[c]),
        "sector_output": _ro(m.sector_output[c]),
        "score": float(m.score[c]),
        "others_treasury": _others_treasury(m, fog),
        "facilities": _hosted(m, c, foreign_only=False),
        "foreign_facilities": _hosted(m, c, foreign_only=True),
        "my_controls": [k for k in ms.controls if k[0] == seat],
        "deals_offered": [{"id": d.id, "from": d.proposer, "give": d.give, "ask": d.ask}
                          for d in ms.deals.values() if d.to == seat and d.status == "pending"],
        "rejected": recent_rejections(m).get(seat, []),
    }


def licences_by_applicant(m) -> dict[str, list]:
    """(exporter, good, granted) of each seat's licence applications (built once a turn)."""
    key = (m.turn, len(m.measures.licences))
    cached = getattr(m, "_licences_by_applicant", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    out: dict[str, list] = {}
    for lic in m.measures.licences:
        out.setdefault(lic.applicant, []).append((lic.exporter, lic.good, lic.granted))
    m._licences_by_applicant = (key, out)
    return out


def recent_rejections(m) -> dict[str, list]:
    """Orders rejected last turn and this one, by seat (built once a turn)."""
    cached = getattr(m, "_recent_rejections", None)
    if cached is not None and cached[0] == (m.turn, len(m.rejections)):
        return cached[1]
    out: dict[str, list] = {}
    for t, s, text, why in reversed(m.rejections):
        if t < m.turn - 1:
            break
        out.setdefault(s, []).insert(0, (t, text, why))
    m._recent_rejections = ((m.turn, len(m.rejections)), out)
    return out


def _host_table(m) -> dict:
    """The plants each country hosts (not closed), as read-only columns sorted by host."""
    cached = getattr(m, "_host_table", None)
    if cached is not None and cached[0] == _epoch(m):
        return cached[1]
    fac = m.fac
    rows = np.flatnonzero(fac.col("status") != 3)
    rows = rows[np.argsort(fac.col("country")[rows], kind="stable")]
    names = _name_arrays(m)
    owner_home = np.where(fac.col("state_owner")[rows] >= 0, fac.col("state_owner")[rows],
                          m.firm_home[fac.col("firm")[rows]])
    owner = np.array([fac.owner_name(i, m.firms, m.countries) for i in rows], dtype=object)
    cols = {"id": names["id"][rows], "good": fac.good[rows], "capacity": fac.capacity[rows],
            "status_code": fac.status[rows], "owner": owner, "owner_home": owner_home,
            "foreign": owner_home != fac.country[rows]}
    for col in cols.values():
        col.flags.writeable = False
    hosts = fac.country[rows]
    C = len(m.countries)
    bounds = np.stack([np.searchsorted(hosts, np.arange(C), "left"),
                       np.searchsorted(hosts, np.arange(C), "right")], axis=1).tolist()
    table = {"cols": cols, "bounds": bounds}
    m._host_table = (_epoch(m), table)
    return table


def _hosted(m, c: int, *, foreign_only: bool) -> dict:
    """Plants in country c (id, good row, capacity, status code, owner, owner's home row)."""
    table = _host_table(m)
    lo, hi = table["bounds"][c]
    cols = {k: v[lo:hi] for k, v in table["cols"].items()}
    if foreign_only:
        keep = cols["foreign"]
        cols = {k: v[keep] for k, v in cols.items()}
        for v in cols.values():
            v.flags.writeable = False
    return cols


def _others_treasury(m, fog: bool) -> np.ndarray:
    cached = getattr(m, "_treasury_view", None)
    if cached is None or cached[0] != (_epoch(m), fog):
        cached = ((_epoch(m), fog), _banded(m.treasury) if fog else _ro(m.treasury))
        m._treasury_view = cached
    return cached[1]


def _banded(treasury: np.ndarray) -> np.ndarray:
    """Treasuries rounded to the nearest power of two of 100 M$: the size, not the figure."""
    bands = 100.0 * 2.0 ** np.round(np.log2(np.maximum(treasury, 100.0) / 100.0))
    return _ro(np.where(treasury > 0, bands, 0.0))


def _name_arrays(m) -> dict[str, np.ndarray]:
    """Facility ids, type names and status names as object arrays, rebuilt when plants are added."""
    cached = getattr(m, "_name_cache", None)
    if cached is not None and cached[0] == len(m.fac):
        return cached[1]
    arrays = {"id": np.array(m.fac.ids, dtype=object), "type": np.array(m.ftypes.ids, dtype=object),
              "status": np.array(STATUS_NAMES, dtype=object)}
    m._name_cache = (len(m.fac), arrays)
    return arrays


def _firm_table(m) -> dict:
    """Every privately owned facility, sorted by owner, as read-only columns, with each
    firm's slice: built once per view so that a firm's facilities are cheap views."""
    cached = getattr(m, "_firm_table", None)
    if cached is not None and cached[0] == _epoch(m):
        return cached[1]
    fac = m.fac
    rows = np.flatnonzero(fac.col("state_owner") < 0)
    rows = rows[np.argsort(fac.col("firm")[rows], kind="stable")]
    owners = fac.col("firm")[rows]
    names = _name_arrays(m)
    out_len = len(m.fac_output)
    output = np.zeros(len(rows))
    has = rows < out_len
    output[has] = m.fac_output[rows[has]]
    cols = {
        "id": names["id"][rows], "type": names["type"][fac.ftype[rows]],
        "good": fac.good[rows], "country": fac.country[rows], "capacity": fac.capacity[rows],
        "unit_cost": fac.unit_cost[rows], "status": names["status"][fac.status[rows]],
        "status_code": fac.status[rows],          # 0 operating, 1 idle, 2 construction, 3 closed
        "turns_left": fac.turns_left[rows], "output": output,
    }
    for col in cols.values():
        col.flags.writeable = False
    firms = np.arange(len(m.firms))
    bounds = np.stack([np.searchsorted(owners, firms, "left"), np.searchsorted(owners, firms, "right")], axis=1)
    table = {"cols": cols, "bounds": bounds.tolist()}
    m._firm_table = (_epoch(m), table)
    return table


def _epoch(m):
    return (m.turn, len(m.fac), getattr(m, "view_epoch", 0))


def _firm_private(m, seat: str) -> dict:
    f = m.firms[seat]
    table = _firm_table(m)
    lo, hi = table["bounds"][f]
    facilities = {key: col[lo:hi] for key, col in table["cols"].items()}
    return {
        "firm": seat,
        "home": m.countries.ids[m.firm_home[f]],
        "home_row": int(m.firm_home[f]),
        "state_owned": bool(m.firm_state_owned[f]),
        "cash": float(m.cash[f]),
        "debt": float(m.debt[f]),
        "bankrupt": bool(m.bankrupt[f]),
        "profit": float(m.profit_turn[f]),
        "facilities": facilities,
        "licences": licences_by_applicant(m).get(seat, []),
        "rejected": recent_rejections(m).get(seat, []),
    }
