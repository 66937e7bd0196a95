"""What each seat may see, as plain data (dicts, lists, numbers and read-only arrays).

The public part (prices, output, trade, measures in force, alignments, the cost of
building) is built once a turn and shared by every seat; the private part holds the
seat's own money, stockpiles or facilities. With the ruleset's `observation.fog` on, a
seat sees other countries' treasuries only as rough bands; off, it sees them exactly.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from game import history
from game.facilities import STATUS_NAMES


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


def public_view(m) -> dict:
    epoch = _epoch(m)
    cached = getattr(m, "public_view", None)
    if cached is not None and cached.get("_epoch") == epoch:
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
        **{key: _ro(table) for key, table in _pipelines(m).items()},
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
        "export_subsidies": [{"state": s, "good": g, "rate": r} for (s, g), r in sorted(ms.export_subsidies.items())],
        "history": history.past(m),
        "_epoch": epoch,
    }
    m.public_view = view
    return view


def _pipelines(m) -> dict[str, np.ndarray]:
    """Capacity under construction, per turn (same scale as production): new plants and
    expansions of plants standing. ``pipeline`` per good, ``pipeline_by_country`` per (host
    country, good), ``pipeline_by_owner`` per (owner's home, good), the owner's home being the
    owning state or the owning firm's home country. Projects are announced, so where they
    are and whose they are is public."""
    fac = m.fac
    G, C = len(m.goods), len(m.countries)
    out = {"pipeline": np.zeros(G), "pipeline_by_country": np.zeros(C * G), "pipeline_by_owner": np.zeros(C * G)}
    for rows, size in ((np.flatnonzero(fac.col("status") == 2), fac.col("capacity")),
                       (np.flatnonzero(fac.col("pending_turns") > 0), fac.col("pending_capacity"))):
        good, qty = fac.col("good")[rows], size[rows] * m.turn_frac
        home = fac.col("state_owner")[rows].copy()          # a state's own project: that state
        private = home < 0
        home[private] = m.firm_home[fac.col("firm")[rows][private]]
        np.add.at(out["pipeline"], good, qty)
        np.add.at(out["pipeline_by_country"], fac.col("country")[rows] * G + good, qty)
        np.add.at(out["pipeline_by_owner"], home * G + good, qty)
    out["pipeline_by_country"] = out["pipeline_by_country"].reshape(C, G)
    out["pipeline_by_owner"] = out["pipeline_by_owner"].reshape(C, G)
    working = np.flatnonzero(fac.col("status") == 0)       # operating plants, per turn
    capacity = np.zeros(C * G)
    np.add.at(capacity, fac.col("country")[working] * G + fac.col("good")[working],
              fac.col("capacity")[working] * m.turn_frac)
    out["capacity"] = capacity.reshape(C, G)
    return out


def observe(m, seat: str, public: dict | None = None) -> dict:
    """The observation of one seat: {"seat", "kind", "turn", "public", "private"}. `public`
    lets a caller hand several seats the same copy of the public view."""
    if public is None:
        public = _own_copy(public_view(m))
    return _Sight(m).observation(seat, public)


def observe_batch(m, seats: list[str]) -> list[dict]:
    """The observations of several seats decided by one batched policy: they share one copy
    of the public view, and the turn's tables behind the private parts are looked up once."""
    public = _own_copy(public_view(m))
    sight = _Sight(m)
    return [sight.observation(seat, public) for seat in seats]


def _own_copy(pub: dict) -> dict:
    """A seat's (or a batch's) own copy of the public view: its containers are fresh, the
    records of past turns included, so a policy that edits its observation changes neither
    the model's history nor the seats outside its batch (arrays are shared but read-only)."""
    out = dict(pub)
    for key, value in pub.items():
        if key == "history":        # the model's own records: each reader gets copies
            out[key] = tuple({**rec, "controls": tuple([c.copy() for c in rec["controls"]])} for rec in value)
        elif isinstance(value, list):
            out[key] = [v.copy() if isinstance(v, dict) else v for v in value]
        elif isinstance(value, dict):
            out[key] = dict(value)
    return out


class _Sight:
    """The private parts of observations taken at one moment: the turn's tables (plants by
    host and by owner, licences, rejections, measures by seat) are fetched or grouped once,
    however many seats are observed."""

    def __init__(self, m):
        self.m = m
        self.epoch = _epoch(m)

    def observation(self, seat: str, public: dict) -> dict:
        m = self.m
        if seat in m.countries.pos:
            private = self._state_private(seat)
            kind = m.kind[m.countries.pos[seat]]
        elif seat in m.firms.pos:
            private = self._firm_private(seat)
            kind = "firm"
        else:
            raise KeyError(f"unknown seat {seat!r}")
        return {"seat": seat, "kind": kind, "turn": m.turn, "public": public, "private": private}

    @cached_property
    def licences(self) -> dict[str, list]:
        return licences_by_applicant(self.m)

    @cached_property
    def rejections(self) -> dict[str, list]:
        return recent_rejections(self.m)

    @cached_property
    def controls_by_issuer(self) -> dict[str, list]:
        out: dict[str, list] = {}
        for key in self.m.measures.controls:          # keys are (issuer, good, target)
            out.setdefault(key[0], []).append(key)
        return out

    @cached_property
    def deals_by_recipient(self) -> dict[str, list]:
        out: dict[str, list] = {}
        for d in self.m.measures.deals.values():
            if d.status == "pending":
                out.setdefault(d.to, []).append(d)
        return out

    @cached_property
    def stake_offers(self) -> dict[str, list]:
        """Pending offers of plants, by buyer: what each plant is and what it costs."""
        m = self.m
        out: dict[str, list] = {}
        for s in m.measures.stake_offers.values():
            i = m.fac.row.get(s.facility)
            if s.status != "pending" or i is None or m.fac.owner_name(i, m.firms, m.countries) != s.seller:
                continue                 # (an offer of a plant the seller has since sold is void)
            out.setdefault(s.buyer, []).append({
                "id": s.id, "from": s.seller, "facility": s.facility, "price": s.price,
                "good": m.goods.ids[m.fac.good[i]], "country": m.countries.ids[m.fac.country[i]],
                "capacity": float(m.fac.capacity[i]), "unit_cost": float(m.fac.unit_cost[i]),
                "status": STATUS_NAMES[m.fac.status[i]], "offered_turn": s.offered_turn})
        return out

    @cached_property
    def hosts(self) -> dict:
        return _host_table(self.m, self.epoch)

    @cached_property
    def owners(self) -> dict:
        return _firm_table(self.m, self.epoch)

    @cached_property
    def shared(self) -> dict:
        """The public view itself (not a seat's copy): its rows of demand and shortage are
        what a state sees of its own."""
        return public_view(self.m)

    @cached_property
    def state_figures(self) -> dict[str, list]:
        """Every country's money and standing as plain values, read once for all states."""
        m = self.m
        return {key: getattr(m, key).tolist() for key in
                ("treasury", "gdp", "alignment", "stability", "nationalism", "foreign_share",
                 "investor_risk", "score")}

    @cached_property
    def borrowing_limit(self) -> list:
        from game.fiscal import borrowing_limit
        return borrowing_limit(self.m).tolist()

    @cached_property
    def firm_figures(self) -> dict[str, list]:
        """Every firm's home, ownership and books as plain values, read once for all firms."""
        m = self.m
        return {key: getattr(m, key).tolist() for key in
                ("firm_home", "firm_state_owned", "cash", "debt", "bankrupt", "profit_turn")}

    @cached_property
    def state_arrays(self) -> dict[str, np.ndarray]:
        """Read-only copies of the arrays of which each state sees its own row, made once for
        all states (a row of one is a read-only view)."""
        m = self.m
        return {key: _ro(getattr(m, key)) for key in ("stockpile", "rival_share", "sector_output")}

    @cached_property
    def history_arrays(self) -> dict[int, dict]:
        return history.private_arrays(self.m)

    @cached_property
    def others_treasury(self) -> np.ndarray:
        return _others_treasury(self.m, self.m.rules.observation.fog, self.epoch)

    def _state_private(self, seat: str) -> dict:
        m = self.m
        c = m.countries.pos[seat]
        fig = self.state_figures
        own = self.state_arrays
        return {
            "country": seat,
            "role": m.role[c],
            "row": c,
            "treasury": float(fig["treasury"][c]),
            "spending_room": float(fig["treasury"][c] + self.borrowing_limit[c]),
            "gdp": float(fig["gdp"][c]),
            "alignment": float(fig["alignment"][c]),
            "stability": float(fig["stability"][c]),
            "nationalism": float(fig["nationalism"][c]),
            "foreign_share": float(fig["foreign_share"][c]),
            "investor_risk": float(fig["investor_risk"][c]),
            "stockpile": own["stockpile"][c],
            "demand": self.shared["demand"][c],         # read-only rows of public arrays
            "shortage": self.shared["shortage"][c],
            "rival_share": own["rival_share"][c],
            "sector_output": own["sector_output"][c],
            "score": float(fig["score"][c]),
            "others_treasury": self.others_treasury,
            "facilities": _part(self.hosts["all"], c),
            "foreign_facilities": _part(self.hosts["foreign"], c),
            "my_controls": list(self.controls_by_issuer.get(seat, ())),
            "deals_offered": [{"id": d.id, "from": d.proposer, "give": d.give, "ask": d.ask}
                              for d in self.deals_by_recipient.get(seat, ())],
            "stake_offers": [dict(s) for s in self.stake_offers.get(seat, ())],
            "rejected": self.rejections.get(seat, []),
            "history": history.state_rows(self.shared["history"], self.history_arrays, c),
        }

    def _firm_private(self, seat: str) -> dict:
        m = self.m
        f = m.firms.pos[seat]
        fig = self.firm_figures
        home = fig["firm_home"][f]
        return {
            "firm": seat,
            "home": m.countries.ids[home],
            "home_row": int(home),
            "state_owned": bool(fig["firm_state_owned"][f]),
            "cash": float(fig["cash"][f]),
            "debt": float(fig["debt"][f]),
            "bankrupt": bool(fig["bankrupt"][f]),
            "profit": float(fig["profit_turn"][f]),
            "facilities": _part(self.owners, f),
            "licences": self.licences.get(seat, []),
            "rejected": self.rejections.get(seat, []),
            "stake_offers": [dict(s) for s in self.stake_offers.get(seat, ())],
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


def _host_table(m, epoch=None) -> dict:
    """The plants each country hosts (not closed) as read-only columns sorted by host: all of
    them, and apart those with a foreign owner, so that either part of a country is a slice."""
    epoch = epoch or _epoch(m)
    cached = getattr(m, "_host_table", None)
    if cached is not None and cached[0] == epoch:
        return cached[1]
    fac = m.fac
    rows = np.flatnonzero(fac.col("status") != 3)
    rows = rows[np.argsort(fac.col("country")[rows], kind="stable")]
    names = _name_arrays(m)
    state_owner, firm, hosts = fac.state_owner[rows], fac.firm[rows], fac.country[rows]
    # a state's plant names its state; the firm column of such a row means nothing
    private = state_owner < 0
    owner_home = state_owner.copy()
    owner_home[private] = m.firm_home[firm[private]]
    owner = names["country"][np.maximum(state_owner, 0)]     # object arrays, as owner_name
    owner[private] = names["firm"][firm[private]]
    cols = {"id": names["id"][rows], "good": fac.good[rows], "capacity": fac.capacity[rows],
            "status_code": fac.status[rows], "owner": owner, "owner_home": owner_home,
            "foreign": owner_home != hosts}
    foreign = cols["foreign"]
    C = len(m.countries)
    table = {"all": _by_key(cols, hosts, C),
             "foreign": _by_key({k: v[foreign] for k, v in cols.items()}, hosts[foreign], C)}
    m._host_table = (epoch, table)
    return table


def _by_key(cols: dict, keys: np.ndarray, n: int) -> dict:
    """Columns whose rows are sorted by `keys`, made read-only, with the rows of each key
    0..n-1 (a slice)."""
    for col in cols.values():
        col.flags.writeable = False
    every = np.arange(n)
    bounds = zip(np.searchsorted(keys, every, "left").tolist(), np.searchsorted(keys, every, "right").tolist())
    return {"cols": cols, "rows": [slice(lo, hi) for lo, hi in bounds]}


def _part(table: dict, k: int) -> dict:
    """The rows of key k in a table made by _by_key: read-only views, no copies."""
    rows = table["rows"][k]
    return {key: col[rows] for key, col in table["cols"].items()}


def _others_treasury(m, fog: bool, epoch=None) -> np.ndarray:
    epoch = epoch or _epoch(m)
    cached = getattr(m, "_treasury_view", None)
    if cached is None or cached[0] != (epoch, fog):
        cached = ((epoch, fog), _banded(m.treasury) if fog else _ro(m.treasury))
        m._treasury_view = cached
    return cached[1]


def _banded(treasury: np.ndarray) -> np.ndarray:
    """Treasuries rounded to the nearest power of two of 100 M$: the size, not the figure."""
    bands = 100.0 * 2.0 ** np.round(np.log2(np.maximum(treasury, 100.0) / 100.0))
    return _ro(np.where(treasury > 0, bands, 0.0))


def _name_arrays(m) -> dict[str, np.ndarray]:
    """Facility ids, type names, status names and the ids of firms and countries as object
    arrays, rebuilt when plants are added."""
    cached = getattr(m, "_name_cache", None)
    if cached is not None and cached[0] == len(m.fac):
        return cached[1]
    arrays = {"id": np.array(m.fac.ids, dtype=object), "type": np.array(m.ftypes.ids, dtype=object),
              "status": np.array(STATUS_NAMES, dtype=object),
              "firm": np.array(m.firms.ids, dtype=object), "country": np.array(m.countries.ids, dtype=object)}
    m._name_cache = (len(m.fac), arrays)
    return arrays


def _firm_table(m, epoch=None) -> dict:
    """Every privately owned facility, sorted by owner, as read-only columns, with each
    firm's slice: built once per view so that a firm's facilities are cheap views."""
    epoch = epoch or _epoch(m)
    cached = getattr(m, "_firm_table", None)
    if cached is not None and cached[0] == epoch:
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
        "expanding": fac.pending_turns[rows] > 0,   # an expansion under way (one at a time)
    }
    table = _by_key(cols, owners, len(m.firms))
    m._firm_table = (epoch, table)
    return table


def _epoch(m):
    return (m.turn, len(m.fac), getattr(m, "view_epoch", 0))
