"""The game's record as arrays over turns, for the report's charts and questions.

Everything here is read from the metrics log the model keeps each turn (and the same log of
the status-quo game), so a report of a loaded save is the report of the game that was played.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# the three blocs, as `WorldModel.bloc` numbers them
BLOCS = {1: "US bloc", 0: "non-aligned", -1: "China bloc"}
BLOC_THRESHOLD = 0.3
KEY_MARKETS = ("US", "CN", "EU", "JP")


@dataclass
class ControlSpan:
    """One export control and the turns it bound in this game."""
    issuer: str
    good: str
    target: str
    mode: str
    first: int                 # first turn it bound (the game's first turn if in force from the start)
    last: int                  # last turn it bound
    from_start: bool           # in force before the game's first turn
    to_end: bool               # still binding at the last turn

    @property
    def label(self) -> str:
        return f"{self.issuer} {self.mode} to {self.target}"


@dataclass
class Series:
    """Per-turn arrays: axis 0 is the turn (1..T), then country, good, sector as named."""
    turns: np.ndarray
    years: np.ndarray
    countries: list[str]
    goods: list[str]
    sectors: list[str]
    units: dict[str, str]
    ref_price: np.ndarray
    stage: dict[str, str]
    kind: list[str]
    role: list[str]
    turn_frac: float
    price: np.ndarray           # (T, C, G) M$ per unit
    demand: np.ndarray          # (T, C, G)
    shortage: np.ndarray        # (T, C, G)
    consumption: np.ndarray     # (T, C, G)
    rival_share: np.ndarray     # (T, C, G) share of use that came from the other bloc
    alignment: np.ndarray       # (T, C)
    score: np.ndarray           # (T, C)
    base_score: np.ndarray      # (T, C) the status-quo game's
    flow_value: np.ndarray      # (T, C, C) M$ shipped in the turn, exporter x importer
    capacity_status: np.ndarray  # (T, 4, G) operating, idle, construction, closed
    sector_lost: np.ndarray     # (T, C, S) US$B a year of output lost to shortages
    fac_output: list[np.ndarray] = field(default_factory=list)   # per turn, per facility row
    fac_profit: list[np.ndarray] = field(default_factory=list)
    controls: list[ControlSpan] = field(default_factory=list)

    def year(self, turn: int) -> float:
        return float(self.years[0] + (turn - self.turns[0]) * self.turn_frac)

    def blocs(self) -> np.ndarray:
        """(T, C) bloc number of each country each turn."""
        a = self.alignment
        return np.where(a >= BLOC_THRESHOLD, 1, np.where(a <= -BLOC_THRESHOLD, -1, 0))

    def ratio(self) -> np.ndarray:
        """(T, C, G) price as a multiple of the good's reference price."""
        return self.price / self.ref_price[None, None, :]

    def market_rows(self) -> list[int]:
        return [self.countries.index(c) for c in KEY_MARKETS if c in self.countries]


def collect(game) -> Series:
    """The series of a game that has played at least one turn."""
    m = game.model
    snaps = m.log.turns
    if not snaps:
        raise ValueError("the game has not played a turn yet: there is nothing to report")
    base = game.baseline().model.log.turns
    turns = np.array([s["turn"] for s in snaps])
    goods = list(m.goods.ids)
    rules = game.scenario
    stack = lambda key: np.stack([s[key] for s in snaps])              # noqa: E731
    country = lambda key: np.stack([s["country"][key] for s in snaps])  # noqa: E731
    base_by_turn = {s["turn"]: s["country"]["score"] for s in base}
    series = Series(
        turns=turns, years=m.start_year + (turns - 1) * m.turn_frac,
        countries=list(m.countries.ids), goods=goods, sectors=list(m.sectors.ids),
        units={g: rules.goods[g].unit for g in goods}, ref_price=np.asarray(m.ref_price, dtype=float),
        stage={g: rules.goods[g].stage for g in goods}, kind=list(m.kind), role=list(m.role),
        turn_frac=float(m.turn_frac),
        price=stack("price"), demand=stack("demand"), shortage=stack("shortage"),
        consumption=stack("consumption"), rival_share=stack("rival_share"),
        alignment=country("alignment"), score=country("score"),
        base_score=np.stack([base_by_turn.get(int(t), np.full(len(m.countries), np.nan)) for t in turns]),
        flow_value=stack("flow_value"), capacity_status=stack("capacity_by_status"),
        sector_lost=stack("sector_lost"),
        fac_output=[s["facilities"]["output"] for s in snaps],
        fac_profit=[s["facilities"]["profit"] for s in snaps],
    )
    series.controls = control_spans(snaps)
    return series


def control_spans(snaps: list[dict]) -> list[ControlSpan]:
    """Each control that bound in some turn, with the first and last turn it bound (a control
    lifted and imposed again gives two spans)."""
    first_turn, last_turn = snaps[0]["turn"], snaps[-1]["turn"]
    open_spans: dict[tuple, ControlSpan] = {}
    done: list[ControlSpan] = []
    for snap in snaps:
        t = snap["turn"]
        binding = {(i, g, tg, mode) for i, g, tg, mode, binds in snap["controls"] if binds}
        for key in list(open_spans):
            if key not in binding:
                done.append(open_spans.pop(key))
        for key in binding:
            if key in open_spans:
                open_spans[key].last = t
            else:
                issuer, good, target, mode = key
                open_spans[key] = ControlSpan(issuer, good, target, mode, first=t, last=t,
                                              from_start=(t == first_turn and first_turn == 1),
                                              to_end=False)
    for span in open_spans.values():
        span.to_end = span.last == last_turn
        done.append(span)
    return sorted(done, key=lambda s: (s.good, s.first, s.issuer, s.target))
