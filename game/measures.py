"""Measures in force: export controls, tariffs, contracts, loans and the like.

Adjudication creates and ends these; the market and finance phases read them. They are
plain mutable records (the world is mutable); the orders that create them are frozen.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Control:
    """An export control by `issuer` on `good` to `target` (a country id or ALL)."""
    issuer: str
    good: str
    target: str
    mode: str                 # ban | licence | quota
    approval: float = 0.5
    quota: float = 0.0        # annual volume for mode=quota
    delay: int = 1            # turns a licence application waits
    content: float = 0.0      # extraterritorial threshold (0 = off)
    start_turn: int = 0       # first turn it binds (announced ahead if later)
    suspended_until: int = -1  # binds again from this turn on
    origin: str = "order"     # order | ore_ban | chip_control | deal

    def binds(self, turn: int) -> bool:
        return turn >= self.start_turn and turn >= self.suspended_until

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.issuer, self.good, self.target)


@dataclass
class Licence:
    """Permission to export a volume per year of a controlled good on one route."""
    exporter: str
    importer: str
    good: str
    volume: float
    decide_turn: int          # when the application is decided
    expires_turn: int = -1    # last turn it may be used (set when granted)
    granted: bool | None = None
    applicant: str = ""


@dataclass
class Tariff:
    issuer: str
    good: str
    target: str
    rate: float


@dataclass
class PriceFloor:
    state: str
    good: str
    price: float
    volume: float             # annual volume covered
    until_turn: int


@dataclass
class Offtake:
    buyer: str                # a country (into its stockpile) or a firm (into its plants)
    facility: str
    volume: float             # annual volume
    price: float
    until_turn: int


@dataclass
class Loan:
    lender: str               # country id, or "" for commercial banks
    borrower: str             # country or firm id
    borrower_is_firm: bool
    principal: float
    rate: float
    turns_left: int


@dataclass
class Transship:
    firm: str
    good: str
    origin: str
    via: str
    destination: str
    volume: float             # annual volume


@dataclass
class Deal:
    id: str
    proposer: str
    to: str
    give: str                 # order texts separated by ';'
    ask: str
    proposed_turn: int
    status: str = "pending"   # pending | accepted | rejected | expired | broken


@dataclass
class StakeOffer:
    """A firm's offer to sell one of its plants to another seat, standing until the buyer
    accepts it (from the next turn) or two turns pass."""
    id: str
    seller: str
    buyer: str
    facility: str
    price: float              # M$
    offered_turn: int
    status: str = "pending"   # pending | accepted | expired | void (the seller no longer owns it)


@dataclass
class Measures:
    """Everything in force at a point of the game."""
    controls: dict[tuple[str, str, str], Control] = field(default_factory=dict)
    licences: list[Licence] = field(default_factory=list)
    tariffs: dict[tuple[str, str, str], Tariff] = field(default_factory=dict)
    floors: list[PriceFloor] = field(default_factory=list)
    offtakes: list[Offtake] = field(default_factory=list)
    loans: list[Loan] = field(default_factory=list)
    transships: list[Transship] = field(default_factory=list)
    deals: dict[str, Deal] = field(default_factory=dict)
    stake_offers: dict[str, StakeOffer] = field(default_factory=dict)
    export_subsidies: dict[tuple[str, str], float] = field(default_factory=dict)
    producer_quotas: dict[tuple[str, str], float] = field(default_factory=dict)  # (country, good) -> annual cap
    tech_controls: set[tuple[str, str, str]] = field(default_factory=set)        # (issuer, area, target)
    governance: set[tuple[str, str]] = field(default_factory=set)                # (issuer, host)
    stockpile_orders: list[tuple[str, str, float, float]] = field(default_factory=list)  # this turn: (country, good, amount, max price)
    stockpile_releases: list[tuple[str, str, float]] = field(default_factory=list)
    permit_reforms: dict[str, int] = field(default_factory=dict)                 # country -> reforms done

    def active_controls(self, turn: int) -> list[Control]:
        return [c for c in self.controls.values() if c.binds(turn)]
