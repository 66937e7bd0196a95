"""Parameters as dotted paths into a scenario: `finance.interest_rate`, `countries.CN.stability`.

A path walks the scenario's content (ruleset and map together) key by key; a number in the
path indexes a list (`market.demand_tranches.0.price_multiple`). Only an existing setting
holding a single value can be swept. In keyword arguments, where a dot cannot appear, `__`
stands for it: `finance__interest_rate`.
"""

from __future__ import annotations

import copy

from pydantic import ValidationError

from game.rules import Scenario

# the dump of each scenario already seen (keyed by id, holding the scenario so the id stays its own)
_DUMPS: dict[int, tuple[Scenario, dict]] = {}


class ParamError(ValueError):
    """A dotted path that names no setting, or a value the setting does not accept."""


def dotted(name: str) -> str:
    """A parameter name from a keyword argument (`a__b`) as a dotted path (`a.b`)."""
    return name.replace("__", ".")


def _dump(scenario: Scenario) -> dict:
    key = id(scenario)
    if key not in _DUMPS:
        if len(_DUMPS) > 16:
            _DUMPS.clear()
        _DUMPS[key] = (scenario, scenario.model_dump())
    return _DUMPS[key][1]


def _step(node, part: str, walked: list[str]):
    where = ".".join(walked) or "the scenario"
    if isinstance(node, dict):
        if part not in node:
            known = ", ".join(sorted(map(str, node))[:30])
            raise ParamError(f"no such setting in the scenario: {where} has no {part!r}"
                             + (f" (it has: {known})" if known else ""))
        return node[part]
    if isinstance(node, list):
        if not part.isdigit() or int(part) >= len(node):
            raise ParamError(f"{where} is a list of {len(node)}: {part!r} is not an index in it")
        return node[int(part)]
    raise ParamError(f"{where} is a single value; it has no {part!r}")


def leaf_value(scenario: Scenario, path: str):
    """The current value at `path`; ParamError unless it exists and is a single value."""
    parts = path.split(".")
    if not path or any(not p for p in parts):
        raise ParamError(f"{path!r} is not a dotted path like finance.interest_rate")
    node, walked = _dump(scenario), []
    for part in parts:
        node = _step(node, part, walked)
        walked.append(part)
    if isinstance(node, (dict, list)):
        raise ParamError(f"{path} holds a {'mapping' if isinstance(node, dict) else 'list'}; "
                         "name one value inside it")
    return node


def apply_params(scenario: Scenario, params: dict) -> Scenario:
    """A copy of `scenario` with each dotted path set to its value, validated by the schema."""
    if not params:
        return scenario
    data = _dump(scenario)
    top = {path.split(".")[0] for path in map(dotted, params)}
    changed = dict(data)
    for key in top:                        # copy only the sections that change
        if key in changed:
            changed[key] = copy.deepcopy(data[key])
    for name, value in params.items():
        path = dotted(name)
        leaf_value(scenario, path)
        parts = path.split(".")
        node = changed
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        last = parts[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    try:
        out = Scenario.model_validate(changed)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise ParamError(f"{loc}: {first['msg']}") from None
    out._source_files = getattr(scenario, "_source_files", [])
    out._hashes = dict(getattr(scenario, "_hashes", {}))
    return out
