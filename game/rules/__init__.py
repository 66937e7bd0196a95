"""Rules: the schema and loader of ruleset, map and scenario files (docs/data-format.md).

    from game.rules import load_scenario
    scenario = load_scenario("baseline_2025")      # or a path to a scenario YAML
"""

from .errors import RulesError
from .loader import (available_scenarios, canonical_hash, load_map, load_ruleset,
                     load_scenario, validate_paths)
from .schema import (IMPLEMENTED_ACTIONS, Action, Calendar, Country, EventDef, Facility,
                     FacilityType, Firm, Good, InitialOrder, Market, Recipe, Ruleset, Scenario,
                     ScheduledEvent, Sector, Tranche, WorldMap)

_LOADED: dict[str, Scenario] = {}


def scenario_of(ref: Scenario | str) -> Scenario:
    """A Scenario from a loaded one, a name or a path; each name or path is loaded once per
    process (workers of tournaments and batches play many games of one scenario)."""
    if not isinstance(ref, str):
        return ref
    if ref not in _LOADED:
        _LOADED[ref] = load_scenario(ref)
    return _LOADED[ref]


__all__ = [
    "RulesError", "load_scenario", "scenario_of", "load_ruleset", "load_map", "validate_paths",
    "available_scenarios", "canonical_hash", "IMPLEMENTED_ACTIONS",
    "Scenario", "Ruleset", "WorldMap", "Action", "Calendar", "Country", "EventDef",
    "Facility", "FacilityType", "Firm", "Good", "InitialOrder", "Market", "Recipe",
    "ScheduledEvent", "Sector", "Tranche",
]
