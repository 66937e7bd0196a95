"""WorldModel: the Mesa model that holds the world and runs one turn.

The world's numbers live in numpy arrays indexed by country, good, sector and firm (the
market touches all of them every turn); the Mesa agents are the decision makers, one per
seat, and read their observation rather than these arrays. Only the engine (the phases
and the order handlers) changes the world.
"""

from __future__ import annotations

import mesa
import numpy as np

from agents.firm import Firm
from agents.state import STATE_CLASSES
from game import fiscal
from game.facilities import STATUS_CODES, Facilities
from game.measures import Measures
from game.metrics import MetricsLog
from game.phases import PHASES


class Index:
    """A fixed list of ids and their positions."""

    def __init__(self, ids):
        self.ids = list(ids)
        self.pos = {k: i for i, k in enumerate(self.ids)}

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, key: str) -> int:
        return self.pos[key]

    def __contains__(self, key) -> bool:
        return key in self.pos


class WorldModel(mesa.Model):
    """The world of one game. `step()` plays one turn through the phases of DESIGN 4."""

    def __init__(self, scenario, *, rng=None, policies: dict[str, str] | None = None):
        super().__init__(rng=rng)
        self.rules = scenario
        cal = scenario.calendar
        self.turn = 0
        self.turn_months = cal.turn_months
        self.turn_frac = cal.turn_months / 12.0
        self.start_year = cal.start_year
        self.max_turns = cal.turns
        self._build_indices()
        self._build_chain()
        self._build_countries()
        self._build_firms()
        self.measures = Measures()
        self.log = MetricsLog()
        self.rejections: list[tuple[int, str, str, str]] = []   # (turn, seat, order text, reason)
        self.accepted: list[tuple[int, str, str]] = []           # (turn, seat, order text)
        self.events_log: list[tuple[int, str, str]] = []         # (turn, event id, description)
        self.pending_orders: dict[str, list] = {}
        self.submission_log: list[tuple[int, str, str]] = []   # (turn, seat, order text)
        self.injected_events: list[dict] = []
        self.delayed: list[tuple[int, str, object]] = []     # (turn due, seat, order)
        self.commitments: list[tuple[str, str, str, int, str]] = []  # (party, good, target, until, deal)
        self.human_seats: set[str] = set()
        self.policy_seed = 0
        self.clear_turn_records()
        self._make_agents(policies or {})
        self._reset_turn_arrays()
        self._apply_initial_orders()

    # -- construction -------------------------------------------------------------------
    def _build_indices(self) -> None:
        sc = self.rules
        self.goods = Index(sc.topological_goods())
        self.countries = Index(sorted(sc.countries))
        self.sectors = Index(sorted(sc.sectors))
        self.firms = Index(sorted(sc.firms))
        self.ftypes = Index(sorted(sc.facility_types))

    def _build_chain(self) -> None:
        sc, G = self.rules, len(self.goods)
        self.ref_price = np.array([sc.goods[g].price for g in self.goods.ids])
        self.recipe = np.zeros((G, G))          # recipe[out, in] = units of in per unit out
        for out, rec in sc.recipes.items():
            for inp, q in rec.inputs.items():
                self.recipe[self.goods[out], self.goods[inp]] = q
        depth = np.zeros(G, dtype=int)
        for g in range(G):                     # goods are in topological order
            ins = np.flatnonzero(self.recipe[g])
            depth[g] = 1 + depth[ins].max() if len(ins) else 0
        self.chain_levels = [list(np.flatnonzero(depth == d)) for d in range(depth.max() + 1)]
        self.flex = np.zeros((G, G))           # share of an input a plant may do without
        for out, rec in sc.recipes.items():
            for inp, share in rec.flexible.items():
                self.flex[self.goods[out], self.goods[inp]] = share
        self.recycler_type = self.ftypes["recycling"] if "recycling" in self.ftypes else -1
        self.consumers_of = [np.flatnonzero(self.recipe[:, g]) for g in range(G)]
        self.inputs_of = [np.flatnonzero(self.recipe[g]) for g in range(G)]
        self.stage = [sc.goods[g].stage for g in self.goods.ids]
        self.criticality = np.array([sc.sectors[s].criticality for s in self.sectors.ids])
        self.growth = np.array([sc.sectors[s].growth for s in self.sectors.ids])
        base_int = np.zeros((len(self.sectors), G))
        for s, sec in sc.sectors.items():
            for g, q in sec.intensity.items():
                base_int[self.sectors[s], self.goods[g]] = q
        self.base_intensity = base_int
        ft = sc.facility_types
        self.ftype_lead = np.array([ft[t].lead_years for t in self.ftypes.ids])
        self.ftype_expand = np.array([np.nan if ft[t].expand_years is None else ft[t].expand_years
                                      for t in self.ftypes.ids])
        self.ftype_capex = np.array([ft[t].capex_per_unit_price for t in self.ftypes.ids])
        self.ftype_fixed = np.array([ft[t].fixed_cost_share for t in self.ftypes.ids])
        self.ftype_cost_mult = np.array([ft[t].unit_cost_multiple for t in self.ftypes.ids])
        self.ftype_goods = {t: set(ft[t].goods) for t in self.ftypes.ids}

    def _build_countries(self) -> None:
        sc, C, G, S = self.rules, len(self.countries), len(self.goods), len(self.sectors)
        rows = [sc.countries[c] for c in self.countries.ids]
        self.kind = [r.kind for r in rows]
        self.role = [r.role for r in rows]
        self.member_of = np.array([self.countries[r.member_of] if r.member_of else -1 for r in rows])
        self.treasury = np.array([float(r.treasury) for r in rows])
        self.alignment = np.array([r.alignment for r in rows])
        self.alignment0 = self.alignment.copy()
        self.stability = np.array([r.stability for r in rows])
        self.stability0 = self.stability.copy()
        self.social_licence = np.array([r.social_licence for r in rows])
        self.investor_risk = np.array([r.investor_risk for r in rows])
        self.gdp0 = np.array([r.gdp for r in rows])
        self.gdp = self.gdp0.copy()
        self.tax_rate = np.array([r.tax_rate for r in rows])
        self.royalty_rate = np.array([r.royalty_rate for r in rows])
        self.permit_years = np.array([float(r.permit_years) for r in rows])
        self.nationalism = np.zeros(C)
        self.enforcement = np.full(C, 0.5)
        self.demand = np.zeros((C, S))
        self.stockpile = np.zeros((C, G))
        self.reserves = np.zeros((C, G))
        for c, r in enumerate(rows):
            for s, v in r.demand.items():
                self.demand[c, self.sectors[s]] = v
            for g, v in r.stockpile.items():
                self.stockpile[c, self.goods[g]] = v
            for g, v in r.reserves.items():
                self.reserves[c, self.goods[g]] = v
        self.intensity = np.broadcast_to(self.base_intensity, (C, S, G)).copy()
        self.demand_factor = np.ones((C, S))
        self.demand_shocks: list[tuple[int, int, float, int]] = []   # (country or -1, sector, factor, until turn)
        self.treasury0 = self.treasury.copy()
        self.budget_cum = np.zeros(C)
        fiscal.setup(self)
        self.members = [np.flatnonzero((self.member_of == c) | (np.arange(C) == c)) for c in range(C)]
        self.external = 0.0   # money held outside the modelled actors (households, banks, suppliers)

    def _build_firms(self) -> None:
        sc, N = self.rules, len(self.firms)
        rows = [sc.firms[f] for f in self.firms.ids]
        self.firm_home = np.array([self.countries[r.home] for r in rows])
        self.firm_state_owned = np.array([r.state_owned for r in rows])
        self.cash = np.array([float(r.cash) for r in rows])
        self.debt = np.array([float(r.debt) for r in rows])
        self.bankrupt = np.zeros(N, dtype=bool)
        self.profit_cum = np.zeros(N)
        self.profit_turn = np.zeros(N)
        self.equity: dict[int, dict[int, float]] = {}   # firm -> {country: share held by that state}
        self.fac = Facilities(len(self.goods), reserve=max(64, 2 * sum(len(r.facilities) for r in rows)))
        for fi, r in enumerate(rows):
            for f in r.facilities:
                t = self.ftypes[f.type]
                g = self.goods[f.good]
                self.fac.add(f.id, firm=fi, country=self.countries[f.country], good=g, ftype=t,
                             capacity=f.capacity, unit_cost=f.unit_cost,
                             status=STATUS_CODES[f.status], turns_left=f.turns_left,
                             capex_value=f.capacity * self.ftype_capex[t] * self.ref_price[g])
        # plants start with the working stock of inputs that their buying rule keeps in
        # steady state (game.phases.plant_inputs.steady_input_stock), so the first turn's
        # input purchases are a normal turn's, not a half turn's
        from game.phases.plant_inputs import steady_input_stock
        rows = np.flatnonzero(self.fac.col("status") == STATUS_CODES["operating"])
        self.fac.input_stock[rows] = (steady_input_stock(self.rules.market) * self.fac.col("capacity")[rows]
                                      * self.turn_frac)[:, None] * self.recipe[self.fac.col("good")[rows]]

    def _cost_index(self) -> np.ndarray:
        """Each country's unit costs relative to the world median of the goods it makes."""
        fac, C = self.fac, len(self.countries)
        cost, good, cty = fac.col("unit_cost"), fac.col("good"), fac.col("country")
        median = np.array([np.median(cost[good == g]) if (good == g).any() else 1.0 for g in range(len(self.goods))])
        ratio = cost / np.maximum(median[good], 1e-12)
        total, count = np.zeros(C), np.zeros(C)
        np.add.at(total, cty, ratio)
        np.add.at(count, cty, 1.0)
        rich = np.array([k != "resource" for k in self.kind], dtype=float)
        default = 1.0 + 0.3 * rich           # no plants yet: rich countries build dearer
        return np.where(count > 0, total / np.maximum(count, 1.0), default)

    def _expected_output(self):
        """Before any turn is played: output at capacity, per turn."""
        fac = self.fac
        rows = np.flatnonzero(fac.col("status") == 0)
        prod = np.zeros((len(self.countries), len(self.goods)))
        np.add.at(prod, (fac.col("country")[rows], fac.col("good")[rows]), fac.col("capacity")[rows] * self.turn_frac)
        return prod

    def _apply_initial_orders(self) -> None:
        from game.actions.dispatch import execute
        for item in self.rules.initial_orders:
            if item.turn > 0:
                continue                 # submitted on its turn by the orders phase
            ok = execute(self, item.seat, item.order)
            if not ok:
                _turn, seat, text, reason = self.rejections[-1]
                raise ValueError(f"initial order of {seat} rejected: {text}: {reason}")
        self.clear_turn_records()

    def clear_turn_records(self) -> None:
        """Forget this turn's political signals once politics has read them."""
        self.investments: list[tuple[str, int, float]] = []   # (seat, host country row, M$)
        self.coercions: list[tuple[str, str]] = []            # (seat, target)
        self.pressures: list[tuple[str, str]] = []
        self.deals_kept: list[tuple[str, str]] = []
        self.deals_broken: list[tuple[str, str]] = []
        self.nationalizations: list[tuple[str, int, str]] = []

    def commit_deal_terms(self, seat: str, order, deal_id: str) -> None:
        """Suspensions and lifts agreed in a deal bind the party for their term (8 turns for a lift)."""
        if order.action in ("suspend_control", "lift_control"):
            turns = getattr(order, "turns", 8)
            self.commitments.append((seat, order.good, order.target, self.turn + turns, deal_id))

    def break_commitments(self, seat: str, good: str, target: str) -> None:
        """A party that re-imposes a control it gave up in a deal breaks the deal."""
        for party, g, tgt, until, deal_id in self.commitments:
            if party == seat and g == good and (tgt == target or "ALL" in (tgt, target)) and self.turn <= until:
                deal = self.measures.deals[deal_id]
                if deal.status != "broken":
                    deal.status = "broken"
                    other = deal.to if deal.proposer == seat else deal.proposer
                    self.deals_broken.append((seat, other))

    def _make_agents(self, policies: dict[str, str]) -> None:
        from agents.policies import make_policy
        self.seat_agent: dict[str, mesa.Agent] = {}
        for c, code in enumerate(self.countries.ids):
            cls = STATE_CLASSES[self.kind[c]]
            agent = cls(self, code, make_policy(policies.get(code, self.rules.seats.get(code, "default")), self.kind[c]))
            self.seat_agent[code] = agent
        for fi, code in enumerate(self.firms.ids):
            agent = Firm(self, code, make_policy(policies.get(code, self.rules.seats.get(code, "default")), "firm"))
            self.seat_agent[code] = agent

    def _reset_turn_arrays(self) -> None:
        C, G = len(self.countries), len(self.goods)
        self.price = np.tile(self.ref_price, (C, 1))
        self.price_expect = self.price.copy()     # smoothed prices that plants bid on
        self.final_demand = np.zeros((C, G))
        self.clear_market_records()
        self.rival_share = np.zeros((C, G))      # share of consumption supplied by the other bloc
        self.sector_output = np.ones((C, len(self.sectors)))
        self.gov_revenue = np.zeros(C)
        self.foreign_share = np.zeros(C)
        self.price_index = np.ones(C)
        self.score = np.zeros(C)
        self.objectives: dict[str, np.ndarray] = {}
        self.firm_score = np.zeros(len(self.firms))
        self.profit_turn = np.zeros(len(self.firms))
        self.cost_index = self._cost_index()
        self.production_prev = self._expected_output()

    def clear_market_records(self) -> None:
        """Fresh records of one turn's markets: output, trade, consumption, who earned what."""
        C, G, F = len(self.countries), len(self.goods), len(self.fac)
        self.production = np.zeros((C, G))
        self.exports = np.zeros((C, G))
        self.imports = np.zeros((C, G))
        self.consumed = np.zeros((C, G))
        self.shortage = np.zeros((C, G))
        self.flows = np.zeros((G, C, C))
        self.fac_output = np.zeros(F)
        self.fac_revenue = np.zeros(F)
        self.fac_input_cost = np.zeros(F)
        self.fac_offtake_income = np.zeros(F)
        self.rents = np.zeros(C)
        self.tariff_income = np.zeros(C)
        self.transship_flow = {}
        self.offtake_trade = []

    # -- helpers used across phases -------------------------------------------------------
    @property
    def year(self) -> float:
        return self.start_year + (self.turn - 1) * self.turn_frac if self.turn else self.start_year

    def seat_kind(self, seat: str) -> str:
        if seat in self.countries:
            return self.kind[self.countries[seat]]
        if seat in self.firms:
            return "firm"
        raise KeyError(seat)

    def bloc(self, c: int) -> int:
        """+1 US bloc, -1 China bloc, 0 non-aligned (|alignment| < 0.3)."""
        a = self.alignment[c]
        return 1 if a >= 0.3 else (-1 if a <= -0.3 else 0)

    def expand_targets(self, target: str) -> np.ndarray:
        """Country rows a measure aimed at `target` touches (ALL, a bloc's members)."""
        if target == "ALL":
            return np.arange(len(self.countries))
        return self.members[self.countries[target]]

    # -- the turn ------------------------------------------------------------------------
    def submit(self, seat: str, orders: list, *, during_turn: bool = False, log: bool = True) -> None:
        """Queue orders for the coming turn (or, from the orders phase, for the turn being
        played), remembering them in submission order for saves and replays (scenario orders
        scheduled for a turn are not logged: replaying the scenario submits them again)."""
        self.pending_orders.setdefault(seat, []).extend(orders)
        if not log:
            return
        turn = self.turn if during_turn else self.turn + 1
        for order in orders:
            self.submission_log.append((turn, seat, order.text() if hasattr(order, "text") else str(order)))

    def step(self) -> None:
        """Play one turn. `self.on_phase(done, total, name)`, if set (Game.step sets it), is
        called after each phase (a window shows it as progress; it must not touch the model)."""
        on_phase = getattr(self, "on_phase", None)
        self.turn += 1
        for done, phase in enumerate(PHASES, 1):
            phase(self)
            if on_phase is not None:
                on_phase(done, len(PHASES), phase_name(phase))


def phase_name(phase) -> str:
    """'events', 'orders', ... 'end_of_turn': the phase's module, or the function's own name."""
    return phase.__name__ if phase.__name__ != "run" else phase.__module__.rsplit(".", 1)[-1]
