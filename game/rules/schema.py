"""Pydantic models of rulesets, maps and scenarios (see docs/data-format.md).

Numbers are strict (``true`` or ``"5"`` is not a number); unknown keys are errors so that a
misspelt key does not silently fall back to a default. Checks that need more than one value
(references between sections, the recipe graph) live in ``checks.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

# Every action id the engine implements: exactly the catalogue of rulesets/base.yaml.
IMPLEMENTED_ACTIONS: frozenset[str] = frozenset({
    "export_control", "lift_control", "suspend_control", "tariff", "enforcement",
    "chip_control", "tech_control", "subsidy", "equity_stake", "price_floor", "offtake",
    "dev_loan", "state_lending", "stockpile", "release_stockpile", "nationalize",
    "ore_export_ban", "permit_reform", "recycling_programme", "substitution_rd",
    "propose_deal", "accept_deal", "reject_deal", "pressure", "export_subsidy",
    "producer_quota", "governance_standard", "build", "expand", "idle", "reopen", "close",
    "apply_licence", "transship", "relocate", "sell_stake", "accept_stake",
})

EFFECT_KINDS = ("capacity_loss", "stability_shock", "alignment_shift", "demand_shift",
                "tariff_struck")
ROLE_KINDS = ("great_power", "middle", "resource")

Number = Annotated[float, Field(strict=True)]
NonNegative = Annotated[float, Field(strict=True, ge=0)]
Positive = Annotated[float, Field(strict=True, gt=0)]
Fraction = Annotated[float, Field(strict=True, ge=0, le=1)]
Signed = Annotated[float, Field(strict=True, ge=-1, le=1)]
Count = Annotated[int, Field(strict=True, ge=0)]
PositiveCount = Annotated[int, Field(strict=True, ge=1)]
Flag = Annotated[bool, Field(strict=True)]
Text = Annotated[str, Field(strict=True)]


class Strict(BaseModel):
    """Base of every model: unknown keys and non-finite numbers are errors."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Calendar(Strict):
    turn_months: PositiveCount = 6
    start_year: Annotated[int, Field(strict=True)]
    turns: PositiveCount


class Tranche(Strict):
    share: Fraction
    price_multiple: Positive


class Market(Strict):
    demand_tranches: Annotated[list[Tranche], Field(min_length=1)]
    max_input_bid_multiple: Positive
    min_input_bid_multiple: NonNegative = 0.8
    input_buffer_turns: NonNegative = 1.0
    transship_markup: NonNegative


class DemandResponse(Strict):
    """How sector demand for a good gives way when its price stays above the reference:
    thrift, substitution and recycling bring demand toward (price / reference)^-elasticity
    (never below `floor` of the normal demand), closing the gap with a lag of `lag_years`."""
    elasticity: NonNegative
    lag_years: Positive
    floor: Fraction = 0.5
    source: Optional[Text] = None


class Good(Strict):
    name: Text
    unit: Text
    stage: Literal["ore", "refined", "component"]
    price: Positive
    source: Optional[Text] = None
    demand_response: Optional[DemandResponse] = None


class Recipe(Strict):
    inputs: Annotated[dict[str, Positive], Field(min_length=1)]
    flexible: dict[str, Fraction] = {}   # share of an input a plant can do without (e.g. LFP cells)
    source: Optional[Text] = None


class Sector(Strict):
    name: Text
    criticality: Fraction
    growth: Annotated[float, Field(ge=-0.5, le=1.0)] = 0.0   # demand growth a year
    intensity: dict[str, NonNegative] = {}
    source: Optional[Text] = None


class Observation(Strict):
    fog: Flag = True          # others' treasuries shown as bands, not figures


class FacilityType(Strict):
    goods: Annotated[list[Text], Field(min_length=1)]
    lead_years: NonNegative
    capex_per_unit_price: NonNegative
    fixed_cost_share: Fraction
    unit_cost_multiple: Positive = 1.0
    expand_years: Optional[NonNegative] = None   # a brownfield expansion's lead; none: half a new plant's
    source: Optional[Text] = None


class Action(Strict):
    who: Annotated[list[Literal["great_power", "middle", "resource", "firm"]],
                   Field(min_length=1)]
    cost: NonNegative = 0.0
    delay: Count = 0
    description: Text = ""
    enabled: Flag = True


class EventDef(Strict):
    description: Text = ""
    probability: Fraction
    effect: dict[str, Any]


class Loaded(Strict):
    """A model read from files: which files, and hashes of the content (set by the loader)."""

    _source_files: list[Path] = PrivateAttr(default_factory=list)
    _hashes: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def source_files(self) -> list[Path]:
        """Every file read to build this object, in the order read."""
        return self._source_files

    @property
    def hashes(self) -> dict[str, str]:
        """sha256 of the canonical JSON of the content ('ruleset' and/or 'map')."""
        return self._hashes


class Ruleset(Loaded):
    """Goods, chain, sectors, actions, events and parameters: everything but the map."""

    name: Text
    description: Text = ""
    calendar: Calendar
    market: Market
    goods: Annotated[dict[str, Good], Field(min_length=1)]
    recipes: dict[str, Recipe] = {}
    sectors: dict[str, Sector] = {}
    facility_types: dict[str, FacilityType] = {}
    actions: dict[str, Action] = {}
    events: dict[str, EventDef] = {}
    politics: dict[str, Number] = {}
    finance: dict[str, Number] = {}
    scoring: dict[str, dict[str, Number]] = {}
    observation: Observation = Observation()
    sources: dict[str, Text] = {}

    def recipe_graph(self) -> nx.DiGraph:
        """Goods as nodes, an edge from each input to the good made from it."""
        graph = nx.DiGraph()
        graph.add_nodes_from(self.goods)
        for output, recipe in self.recipes.items():
            graph.add_edges_from((good, output) for good in recipe.inputs)
        return graph

    def topological_goods(self) -> list[str]:
        """Good ids in chain order: inputs before outputs, ties alphabetical."""
        return list(nx.lexicographical_topological_sort(self.recipe_graph()))


class InitialOrder(Strict):
    turn: Count = 0
    seat: Text
    order: Text


class ScheduledEvent(BaseModel):
    """A scheduled event; extra keys (country, good, sector ...) are kept as ``params``."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    turn: Count
    event: Text

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Facility(Strict):
    id: Text
    type: Text
    good: Text
    country: Text
    capacity: NonNegative
    unit_cost: NonNegative
    status: Literal["operating", "idle", "construction", "closed"] = "operating"
    turns_left: Count = 0
    source: Optional[Text] = None


class Firm(Strict):
    name: Text
    home: Text
    state_owned: Flag = False
    cash: Number = 0.0
    debt: NonNegative = 0.0
    facilities: list[Facility] = []
    source: Optional[Text] = None


class Country(Strict):
    name: Text
    kind: Literal["great_power", "middle", "resource"]
    role: Text
    member_of: Optional[Text] = None
    position: tuple[Annotated[float, Field(strict=True, ge=-180, le=180)],
                    Annotated[float, Field(strict=True, ge=-90, le=90)]]
    alignment: Signed = 0.0
    gdp: Positive
    stability: Fraction = 0.7
    social_licence: Fraction = 0.5
    investor_risk: Fraction = 0.3
    tax_rate: Fraction = 0.2
    royalty_rate: Fraction = 0.05
    revenue_share: Optional[Fraction] = None   # general-government revenue / GDP (finance.revenue_share if none)
    permit_years: NonNegative = 2.0
    treasury: Number = 0.0
    demand: dict[str, NonNegative] = {}
    stockpile: dict[str, NonNegative] = {}
    reserves: dict[str, NonNegative] = {}
    source: Optional[Text] = None


class WorldMap(Loaded):
    """Countries and firms (with their facilities)."""

    name: Text
    description: Text = ""
    countries: Annotated[dict[str, Country], Field(min_length=1)]
    firms: dict[str, Firm] = {}
    sources: dict[str, Text] = {}

    def facilities(self) -> list[tuple[str, Facility]]:
        """(firm id, facility) for every facility, in file order."""
        return [(firm_id, fac) for firm_id, firm in self.firms.items() for fac in firm.facilities]


class ScenarioRules(Ruleset):
    """The part of a scenario file chain that is not the map."""

    title: Text = ""
    briefing: Text = ""
    map: Text
    initial_orders: list[InitialOrder] = []
    scheduled_events: list[ScheduledEvent] = []
    seats: dict[str, Text] = {}


class Scenario(ScenarioRules):
    """A ruleset with a map: what a game is played on."""

    countries: dict[str, Country]
    firms: dict[str, Firm] = {}
    map_name: Text = ""
    map_description: Text = ""
    map_sources: dict[str, Text] = {}

    def facilities(self) -> list[tuple[str, Facility]]:
        """(firm id, facility) for every facility, in file order."""
        return [(firm_id, fac) for firm_id, firm in self.firms.items() for fac in firm.facilities]


RULES_ONLY_KEYS = frozenset(ScenarioRules.model_fields) - frozenset(Ruleset.model_fields)
MAP_KEYS = frozenset({"countries", "firms"})
