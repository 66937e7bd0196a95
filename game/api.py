"""The Python API: a Game wraps a WorldModel with seats, orders, metrics and digests.

    from game import load_scenario, Game
    game = Game(load_scenario("baseline_2025"), seed=1, seats={"US": "human"})
    game.submit("US", ["price_floor good=ndpr_oxide price=110 volume=5 turns=20"])
    report = game.step()
    game.metrics()        # pyarrow Table: turn, entity, good, metric, value
    game.digest()         # hash of the full state
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from game.orders import Order, OrderSyntaxError, parse_order
from game.rules import Scenario, load_scenario
from game.world import WorldModel

HUMAN = "human"


@dataclass
class TurnReport:
    """What happened in one turn, for people and logs."""
    turn: int
    year: float
    events: list[tuple[str, str]] = field(default_factory=list)
    accepted: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)
    digest: str = ""


@dataclass
class OrderCheck:
    """The engine's verdict on an order before it is sent: `ok`, or the `reason` it would
    be refused; `cost` is what the seat's treasury would lose (M$), `delay` the turns it
    waits before it takes effect."""
    text: str
    ok: bool
    reason: str
    cost: float
    delay: int


class Game:
    """One game: a scenario, a seed, and who plays each seat.

    `seats` maps a seat id (country or firm) to a policy name, or to "human" for a seat
    whose orders come through `submit`. Seats not named play their scenario default.
    """

    def __init__(self, scenario: Scenario | str, *, seed: int = 0, seats: dict[str, str] | None = None,
                 turns: int | None = None):
        self.scenario = load_scenario(scenario) if isinstance(scenario, str) else scenario
        self.seed = int(seed)
        if self.seed < 0:
            raise ValueError(f"seed must be a whole number from 0 up, got {seed}")
        self.seats = dict(seats or {})
        unknown = [s for s in self.seats if s not in self.scenario.countries and s not in self.scenario.firms]
        if unknown:
            raise ValueError(f"unknown seat(s): {', '.join(unknown)}")
        policies = {s: p for s, p in self.seats.items() if p != HUMAN}
        self.model = WorldModel(self.scenario, rng=np.random.default_rng(self.seed), policies=policies)
        self.model.human_seats = {s for s, p in self.seats.items() if p == HUMAN}
        self.model.policy_seed = self.seed
        self.turns = int(turns) if turns is not None else self.model.max_turns
        self.history: list[dict] = []          # per turn: orders submitted, injected events, digest
        self._submitted: dict[str, list[str]] = {}
        self._injected: list[dict] = []
        self.reports: list[TurnReport] = []
        m = self.model       # where this turn's records start in the model's logs
        self._marks = (len(m.accepted), len(m.rejections), len(m.events_log), len(m.submission_log))
        self._baseline: Game | None = None

    HUMAN = HUMAN

    @classmethod
    def load(cls, path, *, verify: bool = True, upto: int | None = None) -> "Game":
        """The game a save holds, replayed and checked turn by turn, ready to play on: it
        continues exactly as the game that was saved would have (raises game.save.SaveError).
        `upto`: stop after that turn; `verify=False`: do not check the digests."""
        from game.replay import replay_save
        return replay_save(path, cls, verify=verify, upto=upto)

    def set_policy(self, seat: str, policy: str) -> None:
        """Hand a seat to an AI policy (or to a person, with "human") from the next turn on."""
        from agents.policies import make_policy
        m = self.model
        if seat not in m.seat_agent:
            raise ValueError(f"unknown seat {seat!r}")
        if policy == HUMAN:
            m.human_seats.add(seat)
        else:
            m.seat_agent[seat].policy = make_policy(policy, m.seat_kind(seat))
            m.human_seats.discard(seat)
        self.seats[seat] = policy

    # -- state ---------------------------------------------------------------------------
    @property
    def turn(self) -> int:
        return self.model.turn

    @property
    def over(self) -> bool:
        return self.model.turn >= self.turns

    def observe(self, seat: str) -> dict:
        from game.observe import observe
        return observe(self.model, seat)

    # -- orders and turns ----------------------------------------------------------------
    def submit(self, seat: str, orders) -> list[tuple[str, str]]:
        """Queue orders (Order objects or text, a list or one string with ';' or newlines)
        for the next turn. Returns the ones rejected at once for syntax, with reasons."""
        if seat not in self.model.seat_agent:
            raise ValueError(f"unknown seat {seat!r}")
        if isinstance(orders, (str, Order)):
            orders = [orders]
        rejected, parsed = [], []
        for item in orders:
            texts = [item] if isinstance(item, Order) else [t for t in _split(item) if t]
            for text in texts:
                try:
                    parsed.append(parse_order(text))
                except OrderSyntaxError as exc:
                    rejected.append((str(text), str(exc)))
                    self.model.rejections.append((self.model.turn + 1, seat, str(text), str(exc)))
                    self.model.submission_log.append((self.model.turn + 1, seat, str(text)))
        self.model.submit(seat, parsed)
        self._submitted.setdefault(seat, []).extend(o.text() for o in parsed)
        return rejected

    def pending(self, seat: str) -> list[str]:
        """The orders a seat has queued for the next turn, as text."""
        return list(self._submitted.get(seat, []))

    def withdraw(self, seat: str, index: int) -> str:
        """Take back the `index`-th order a seat has queued for the next turn (as `pending`
        lists them); returns its text. Nothing of it is left in the game or its save."""
        queued = self._submitted.get(seat, [])
        if not 0 <= index < len(queued):
            raise IndexError(f"{seat} has {len(queued)} pending order(s); there is no number {index + 1}")
        text = queued.pop(index)
        m, turn = self.model, self.model.turn + 1
        orders = m.pending_orders.get(seat, [])
        same = [i for i, o in enumerate(orders) if o.text() == text]
        del orders[same[-1]]
        logged = [i for i, (t, s, x) in enumerate(m.submission_log)
                  if i >= self._marks[3] and (t, s, x) == (turn, seat, text)]
        del m.submission_log[logged[-1]]
        return text

    def check_order(self, seat: str, order) -> "OrderCheck":
        """Would this order be carried out if the turn ended now, and what would it cost?

        Runs the engine's own checks and handler (game.actions.dispatch) on a throwaway copy
        of the world, so the answer is the rules' answer; the game itself is not touched.
        Orders already queued this turn are not applied first."""
        import copy

        from game.actions.dispatch import execute
        from game.ledger import seat_balance
        if seat not in self.model.seat_agent:
            raise ValueError(f"unknown seat {seat!r}")
        try:
            parsed = parse_order(order)
        except OrderSyntaxError as exc:
            return OrderCheck(str(order), False, str(exc), 0.0, 0)
        trial = copy.deepcopy(self.model)
        trial.turn += 1                       # as adjudication sees it next turn
        before = seat_balance(trial, seat)
        spec = trial.rules.actions.get(parsed.action)
        delay = spec.delay if spec is not None else 0
        ok = execute(trial, seat, parsed, delayed=True)
        reason = "" if ok else trial.rejections[-1][3]
        cost = before - seat_balance(trial, seat) if ok else 0.0
        return OrderCheck(parsed.text(), ok, reason, float(cost), int(delay))

    def trade_flows(self, good: str) -> list[tuple[str, str, float]]:
        """Last turn's shipments of a good: (exporter, importer, volume per turn), largest first."""
        m = self.model
        if good not in m.goods.ids:
            raise ValueError(f"unknown good {good!r}")
        flows = m.flows[m.goods.ids.index(good)]
        ids = m.countries.ids
        src, dst = np.nonzero(flows > 1e-9)
        out = [(ids[a], ids[b], float(flows[a, b])) for a, b in zip(src, dst) if a != b]
        return sorted(out, key=lambda f: -f[2])

    def inject(self, event: str, **params) -> None:
        """Facilitator: make a catalogued event happen at the start of the next turn."""
        if event not in self.scenario.events:
            raise ValueError(f"unknown event {event!r}; known: {', '.join(sorted(self.scenario.events))}")
        item = {"event": event, **params}
        self.model.injected_events.append(dict(item))
        self._injected.append(item)

    def step(self, on_phase=None) -> TurnReport:
        """Play one turn; `on_phase(done, total, name)` hears of each phase as it ends."""
        if self.over:
            raise RuntimeError(f"the game is over (turn {self.turn} of {self.turns})")
        m = self.model
        m.on_phase = on_phase            # (Mesa's step takes no arguments)
        try:
            m.step()
        finally:
            m.on_phase = None
        orders = self._orders_of_turn(m.turn)
        digest = self.digest()
        self.history.append({"turn": m.turn, "orders": orders, "inject": self._injected, "digest": digest})
        self._submitted, self._injected = {}, []
        # only records added since the last turn can belong to this one (logs grow all game)
        a0, r0, e0, s0 = self._marks
        report = TurnReport(
            turn=m.turn, year=m.year,
            events=[(eid, text) for t, eid, text in m.events_log[e0:] if t == m.turn],
            accepted=[(s, text) for t, s, text in m.accepted[a0:] if t == m.turn],
            rejected=[(s, text, why) for t, s, text, why in m.rejections[r0:] if t == m.turn],
            digest=digest,
        )
        self._marks = (len(m.accepted), len(m.rejections), len(m.events_log), len(m.submission_log))
        self.reports.append(report)
        return report

    def _orders_of_turn(self, turn: int) -> dict[str, list[str]]:
        """Every order any seat submitted for this turn (people and policies), as text."""
        out: dict[str, list[str]] = {}
        for t, seat, text in self.model.submission_log[self._marks[3]:]:
            if t == turn:
                out.setdefault(seat, []).append(text)
        return {s: out[s] for s in sorted(out)}

    def run(self, turns: int | None = None) -> list[TurnReport]:
        """Play `turns` more turns (default: to the end)."""
        left = self.turns - self.turn if turns is None else min(turns, self.turns - self.turn)
        return [self.step() for _ in range(left)]

    # -- outputs -------------------------------------------------------------------------
    def metrics(self):
        """All recorded metrics as a long pyarrow Table (turn, entity, good, metric, value)."""
        return self.model.log.table()

    def digest(self) -> str:
        return state_digest(self.model)

    def baseline(self) -> "Game":
        """The status-quo game: same scenario, seed and length, every seat on its default."""
        if self._baseline is None:
            base = Game(self.scenario, seed=self.seed, turns=self.turns)
            base.run()
            self._baseline = base
        return self._baseline

    def scores(self, against_baseline: bool = True) -> dict[str, float]:
        """Latest score per country seat, minus the baseline's at the same turn if asked."""
        m = self.model
        now = dict(zip(m.countries.ids, m.score.tolist()))
        if not against_baseline or self.turn == 0:
            return now
        base = self.baseline().model.log.turns[self.turn - 1]["country"]["score"]
        return {c: now[c] - float(base[i]) for i, c in enumerate(m.countries.ids)}


def _split(text: str) -> list[str]:
    from game.orders import split_orders
    return [t.strip() for t in split_orders(str(text))]


# What the digest covers, in the order it hashes them.
DIGEST_ARRAYS = ("price", "production", "exports", "imports", "stockpile", "treasury", "cash", "debt",
                 "alignment", "stability", "nationalism", "investor_risk", "social_licence", "gdp",
                 "intensity", "reserves", "permit_years", "enforcement", "profit_cum")
DIGEST_FAC_FLOATS = ("capacity", "unit_cost", "capex_value", "outage_share", "pending_capacity")
DIGEST_FAC_INTS = ("firm", "state_owner", "country", "good", "status", "turns_left", "outage_turns", "pending_turns")


def state_digest(m) -> str:
    """A hash of the full state, rounded so that the last bits of floats do not matter."""
    fac = m.fac
    floats = [getattr(m, name) for name in DIGEST_ARRAYS]
    floats += [fac.col(col) for col in DIGEST_FAC_FLOATS] + [fac.input_stock[: len(fac)]]
    rounded = _rounded_many(floats)
    h = hashlib.sha256()
    h.update(str(m.turn).encode())
    for name, data in zip(DIGEST_ARRAYS, rounded):
        h.update(name.encode())
        h.update(data)
    for data in rounded[len(DIGEST_ARRAYS): len(DIGEST_ARRAYS) + len(DIGEST_FAC_FLOATS)]:
        h.update(data)
    for col in DIGEST_FAC_INTS:
        h.update(fac.col(col).astype(np.int64).tobytes())
    h.update(rounded[-1])
    h.update("|".join(fac.ids).encode())
    h.update(m.bankrupt.tobytes())
    h.update(repr(sorted((k, repr(v)) for k, v in m.measures.controls.items())).encode())
    h.update(repr(sorted(m.measures.tariffs)).encode())
    h.update(repr([(f.state, f.good, f.price, f.volume, f.until_turn) for f in m.measures.floors]).encode())
    h.update(repr(sorted((k, d.status) for k, d in m.measures.deals.items())).encode())
    if m.measures.stake_offers:     # (only when there are any, so older digests stand)
        h.update(repr(sorted((k, s.status) for k, s in m.measures.stake_offers.items())).encode())
    h.update(repr(m.rng.bit_generator.state["state"]).encode())
    return h.hexdigest()[:16]


def _rounded(a) -> bytes:
    """Nine significant digits of each value and its decimal exponent, as int64 bytes."""
    return _rounded_many([a])[0]


def _rounded_many(arrays) -> list[bytes]:
    """`_rounded` of several arrays in one pass over their concatenation (the bytes are the
    same as one array at a time). Most state is zero, and a zero's exponent is that of
    1e-300 and its scale 1, so log10 and the power, the costly part, run on the rest only."""
    parts = [np.asarray(a, dtype=float).ravel() for a in arrays]
    flat = np.concatenate(parts) if len(parts) > 1 else parts[0]
    mag = np.abs(flat)
    exponent = np.full(flat.shape, _ZERO_EXPONENT)
    live = mag != 0                       # NaN included, as log10 of NaN is what it always was
    exponent[live] = np.floor(np.log10(np.maximum(mag[live], 1e-300)))
    scale = np.ones(flat.shape)
    big = mag > 0
    power = 8 - exponent[big]
    if np.isfinite(power).all():          # always but for infinite values
        scale[big] = _POWERS_OF_TEN[power.astype(np.int64) - _LOWEST_POWER]
    else:
        scale[big] = 10.0 ** power
    digits = np.round(flat * scale).astype(np.int64)
    exponent = exponent.astype(np.int64)
    out, start = [], 0
    for p in parts:
        end = start + p.size
        out.append(digits[start:end].tobytes() + exponent[start:end].tobytes())
        start = end
    return out


_ZERO_EXPONENT = float(np.floor(np.log10(np.array([1e-300])))[0])
# 10.0 ** k for every whole k that 8 - exponent takes (from 8 - 308 to 8 + 300), computed
# by the same power as the formula, so looking them up gives the same bytes
_LOWEST_POWER = -300
_POWERS_OF_TEN = 10.0 ** np.arange(_LOWEST_POWER, 309, dtype=float)
