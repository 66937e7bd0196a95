"""Checks beyond types: references between sections, the recipe graph, tranche shares.

Each check returns a list of problems ``(path, message)``; ``path`` is a tuple of keys and
list indices into the merged document, which the loader turns into file and line.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable

import networkx as nx

from .schema import (EFFECT_KINDS, IMPLEMENTED_ACTIONS, ROLE_KINDS, Ruleset, ScenarioRules,
                     WorldMap)

Problem = tuple[tuple, str]

COUNTRY_ID = re.compile(r"^(?:[A-Z]{2})$")

# For each effect kind: its keys and what each must hold; the required keys.
EFFECT_KEYS: dict[str, dict[str, str]] = {
    "capacity_loss": {"share": "fraction", "turns": "turns", "facility_type": "facility_type",
                      "country": "country", "good": "good"},
    "stability_shock": {"stability": "signed", "alignment": "signed",
                        "role_kind": "role_kind", "country": "country"},
    "alignment_shift": {"alignment": "signed", "role_kind": "role_kind", "country": "country"},
    "demand_shift": {"sector": "sector", "factor": "positive", "turns": "turns",
                     "country": "country"},
    "tariff_struck": {},
}
EFFECT_REQUIRED: dict[str, tuple[str, ...]] = {
    "capacity_loss": ("share", "turns"),
    "stability_shock": ("stability",),
    "alignment_shift": ("alignment",),
    "demand_shift": ("sector", "factor", "turns"),
    "tariff_struck": (),
}
REFERENCE_KINDS = ("good", "sector", "facility_type", "country")


def _unknown(kind: str, name: Any) -> str:
    return f"unknown {kind} {name!r}"


# ---- ruleset -------------------------------------------------------------------------

def ruleset_problems(rules: Ruleset) -> list[Problem]:
    return [
        *_tranche_problems(rules), *_recipe_problems(rules), *_cycle_problems(rules),
        *_sector_problems(rules), *_facility_type_problems(rules), *_action_problems(rules),
        *_event_problems(rules),
    ]


def _tranche_problems(rules: Ruleset) -> list[Problem]:
    total = sum(tranche.share for tranche in rules.market.demand_tranches)
    if abs(total - 1.0) > 1e-6:
        return [(("market", "demand_tranches"), f"tranche shares sum to {total:g}, not 1")]
    return []


def _recipe_problems(rules: Ruleset) -> list[Problem]:
    out: list[Problem] = []
    for output, recipe in rules.recipes.items():
        if output not in rules.goods:
            out.append((("recipes", output), f"recipe for {_unknown('good', output)}"))
        for good in recipe.inputs:
            if good not in rules.goods:
                out.append((("recipes", output, "inputs", good), _unknown("good", good)))
    return out


def _cycle_problems(rules: Ruleset) -> list[Problem]:
    graph = nx.DiGraph()
    for output, recipe in rules.recipes.items():
        graph.add_edges_from((good, output) for good in recipe.inputs)
    out: list[Problem] = []
    components = [sorted(c) for c in nx.strongly_connected_components(graph)]
    for members in sorted(components):
        if len(members) == 1 and not graph.has_edge(members[0], members[0]):
            continue
        start = next(good for good in members if good in rules.recipes)
        cycle = [edge[0] for edge in nx.find_cycle(graph.subgraph(members), start)]
        loop = " -> ".join([*cycle, cycle[0]])
        out.append((("recipes", start), f"the recipes form a cycle: {loop}"))
    return out


def _sector_problems(rules: Ruleset) -> list[Problem]:
    return [
        (("sectors", sector_id, "intensity", good), _unknown("good", good))
        for sector_id, sector in rules.sectors.items()
        for good in sector.intensity if good not in rules.goods
    ]


def _facility_type_problems(rules: Ruleset) -> list[Problem]:
    return [
        (("facility_types", type_id, "goods", index), _unknown("good", good))
        for type_id, ftype in rules.facility_types.items()
        for index, good in enumerate(ftype.goods) if good not in rules.goods
    ]


def _action_problems(rules: Ruleset) -> list[Problem]:
    return [
        (("actions", action_id), f"action {action_id!r} is not implemented by the engine")
        for action_id in rules.actions if action_id not in IMPLEMENTED_ACTIONS
    ]


def _event_problems(rules: Ruleset) -> list[Problem]:
    out: list[Problem] = []
    for event_id, event in rules.events.items():
        out += effect_problems(("events", event_id, "effect"), event.effect, rules, None)
    return out


def effect_problems(path: tuple, effect: dict, rules: Ruleset,
                    countries: Iterable[str] | None) -> list[Problem]:
    """Check one effect; country references only when ``countries`` is given."""
    kind = effect.get("kind")
    if kind not in EFFECT_KINDS:
        what = "missing" if "kind" not in effect else f"{kind!r} is not one of"
        return [(path + ("kind",), f"effect kind {what} {', '.join(EFFECT_KINDS)}")]
    out = [(path + (key,), f"{key!r} is not a parameter of {kind}")
           for key in effect if key != "kind" and key not in EFFECT_KEYS[kind]]
    out += [(path + (key,), f"{kind} needs {key!r}")
            for key in EFFECT_REQUIRED[kind] if key not in effect]
    for key, value in effect.items():
        expected = EFFECT_KEYS[kind].get(key)
        if expected is not None:
            message = _value_problem(expected, value, rules, countries)
            if message:
                out.append((path + (key,), message))
    return out


def _value_problem(expected: str, value: Any, rules: Ruleset,
                   countries: Iterable[str] | None) -> str | None:
    if expected in REFERENCE_KINDS:
        return _reference_problem(expected, value, rules, countries)
    if expected == "role_kind":
        return None if value in ROLE_KINDS else f"role_kind must be one of {', '.join(ROLE_KINDS)}"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "Input should be a valid number"
    if expected == "turns" and (not isinstance(value, int) or value < 1):
        return "Input should be a whole number of turns, at least 1"
    if expected == "fraction" and not 0 <= value <= 1:
        return "Input should be between 0 and 1"
    if expected == "signed" and not -1 <= value <= 1:
        return "Input should be between -1 and 1"
    if expected == "positive" and value <= 0:
        return "Input should be greater than 0"
    return None


def _reference_problem(kind: str, value: Any, rules: Ruleset,
                       countries: Iterable[str] | None) -> str | None:
    if not isinstance(value, str):
        return "Input should be a valid string"
    known = {"good": rules.goods, "sector": rules.sectors,
             "facility_type": rules.facility_types, "country": countries}[kind]
    if known is None or value in known:
        return None
    return _unknown(kind.replace("_", " "), value)


# ---- map -----------------------------------------------------------------------------

def map_problems(world: WorldMap) -> list[Problem]:
    return [*_country_problems(world), *_firm_problems(world), *_facility_id_problems(world)]


def _country_problems(world: WorldMap) -> list[Problem]:
    out: list[Problem] = []
    for country_id, country in world.countries.items():
        if not COUNTRY_ID.match(country_id):
            out.append((("countries", country_id),
                        f"country id {country_id!r} is not an ISO 3166 alpha-2 code or EU"))
        if country.member_of is not None and country.member_of not in world.countries:
            out.append((("countries", country_id, "member_of"),
                        _unknown("country", country.member_of)))
    return out


def _firm_problems(world: WorldMap) -> list[Problem]:
    out: list[Problem] = []
    for firm_id, firm in world.firms.items():
        if firm.home not in world.countries:
            out.append((("firms", firm_id, "home"), _unknown("country", firm.home)))
        for index, fac in enumerate(firm.facilities):
            if fac.country not in world.countries:
                out.append((("firms", firm_id, "facilities", index, "country"),
                            _unknown("country", fac.country)))
    return out


def _facility_id_problems(world: WorldMap) -> list[Problem]:
    first: dict[str, str] = {}
    out: list[Problem] = []
    for firm_id, firm in world.firms.items():
        for index, fac in enumerate(firm.facilities):
            where = f"firms.{firm_id}.facilities.{index}"
            if fac.id in first:
                out.append((("firms", firm_id, "facilities", index, "id"),
                            f"duplicate facility id {fac.id!r} (also {first[fac.id]})"))
            else:
                first[fac.id] = where
    return out


# ---- a scenario: the map against the rules ------------------------------------------

def scenario_problems(rules: ScenarioRules, world: WorldMap) -> list[Problem]:
    return [
        *_country_rule_problems(rules, world), *_facility_rule_problems(rules, world),
        *_event_country_problems(rules, world), *_schedule_problems(rules, world),
        *_order_problems(rules, world), *_seat_problems(rules, world),
    ]


def _country_rule_problems(rules: Ruleset, world: WorldMap) -> list[Problem]:
    out: list[Problem] = []
    for country_id, country in world.countries.items():
        path = ("countries", country_id)
        if country.role not in rules.scoring:
            out.append((path + ("role",), f"role {country.role!r} is not a scoring role"))
        out += [(path + ("demand", key), _unknown("sector", key))
                for key in country.demand if key not in rules.sectors]
        for field in ("stockpile", "reserves"):
            out += [(path + (field, key), _unknown("good", key))
                    for key in getattr(country, field) if key not in rules.goods]
    return out


def _facility_rule_problems(rules: Ruleset, world: WorldMap) -> list[Problem]:
    out: list[Problem] = []
    for firm_id, firm in world.firms.items():
        for index, fac in enumerate(firm.facilities):
            path = ("firms", firm_id, "facilities", index)
            ftype = rules.facility_types.get(fac.type)
            if ftype is None:
                out.append((path + ("type",), _unknown("facility type", fac.type)))
            if fac.good not in rules.goods:
                out.append((path + ("good",), _unknown("good", fac.good)))
            elif ftype is not None and fac.good not in ftype.goods:
                out.append((path + ("good",), f"a {fac.type} cannot make {fac.good!r}"))
    return out


def _event_country_problems(rules: Ruleset, world: WorldMap) -> list[Problem]:
    out: list[Problem] = []
    for event_id, event in rules.events.items():
        country = event.effect.get("country")
        if isinstance(country, str) and country not in world.countries:
            out.append((("events", event_id, "effect", "country"), _unknown("country", country)))
    return out


def _schedule_problems(rules: ScenarioRules, world: WorldMap) -> list[Problem]:
    out: list[Problem] = []
    for index, item in enumerate(rules.scheduled_events):
        path = ("scheduled_events", index)
        if item.event not in rules.events:
            out.append((path + ("event",), _unknown("event", item.event)))
        for key, value in item.params.items():
            if key in REFERENCE_KINDS:
                message = _reference_problem(key, value, rules, world.countries)
                if message:
                    out.append((path + (key,), message))
    return out


def _order_problems(rules: ScenarioRules, world: WorldMap) -> list[Problem]:
    out: list[Problem] = []
    for index, item in enumerate(rules.initial_orders):
        path = ("initial_orders", index)
        if item.seat not in world.countries and item.seat not in world.firms:
            out.append((path + ("seat",), _unknown("seat (country or firm)", item.seat)))
        words = item.order.split()
        if not words or words[0] not in rules.actions:
            first = words[0] if words else ""
            out.append((path + ("order",), f"the order does not start with an action id: "
                                           f"{first!r}"))
    return out


def _seat_problems(rules: ScenarioRules, world: WorldMap) -> list[Problem]:
    return [
        (("seats", seat), _unknown("seat (country or firm)", seat))
        for seat in rules.seats if seat not in world.countries and seat not in world.firms
    ]
