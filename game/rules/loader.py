"""Loading rulesets, maps and scenarios: YAML -> overlay -> models -> cross checks.

Every problem becomes a ``RulesError`` naming the file that defined the offending value,
the dotted path and the line; all problems found in one load are raised together.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Iterable, TypeVar

from pydantic import BaseModel, ValidationError

from . import checks
from .errors import RulesError
from .overlay import REPO_ROOT, Doc, display_path, load_chain, overlay, resolve_ref
from .schema import MAP_KEYS, RULES_ONLY_KEYS, Ruleset, Scenario, ScenarioRules, WorldMap
from .yamlsrc import Origin

Model = TypeVar("Model", bound=BaseModel)
PathLike = str | os.PathLike


class _Sink:
    """Collects errors, each placed in a file and line through an origin tree."""

    def __init__(self) -> None:
        self.errors: list[RulesError] = []

    def add(self, origin: Origin, path: tuple, message: str) -> None:
        found = origin.find(path)
        dotted = ".".join(str(part) for part in path)
        self.errors.append(RulesError(message, file=found.file, path=dotted, line=found.line))

    def add_all(self, origin: Origin, problems: Iterable[checks.Problem]) -> None:
        for path, message in problems:
            self.add(origin, path, message)

    def raise_if_any(self, files: list[str]) -> None:
        if not self.errors:
            return
        order = {name: index for index, name in enumerate(files)}
        ranked = sorted(self.errors, key=lambda e: (order.get(e.file, len(order)), e.line or 0))
        raise RulesError.combine(ranked)


def _validate(model: type[Model], data: dict, origin: Origin, sink: _Sink) -> Model | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for item in exc.errors(include_url=False):
            sink.add(origin, _clean_loc(item["loc"]), _clean_message(item))
        return None


def _clean_loc(loc: tuple) -> tuple:
    return tuple(part for part in loc if not (isinstance(part, str) and part.startswith("[")))


def _clean_message(item: dict) -> str:
    message = str(item["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def canonical_hash(model: BaseModel, exclude: Iterable[str] = ()) -> str:
    """sha256 hex of the model's content as canonical JSON (sorted keys, no spaces)."""
    payload = model.model_dump(mode="json", exclude=set(exclude))
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _finish(obj: Model, files: list[str], hashes: dict[str, str]) -> Model:
    obj._source_files = [Path(name) for name in files]
    obj._hashes = hashes
    return obj


# ---- kinds of document -----------------------------------------------------------------

def _ruleset_from(doc: Doc) -> Ruleset:
    data = {k: v for k, v in doc.data.items() if k not in RULES_ONLY_KEYS | MAP_KEYS}
    sink = _Sink()
    rules = _validate(Ruleset, data, doc.origin, sink)
    if rules is not None:
        sink.add_all(doc.origin, checks.ruleset_problems(rules))
    sink.raise_if_any(doc.files)
    return _finish(rules, doc.files, {"ruleset": canonical_hash(rules)})


def _map_from(doc: Doc) -> WorldMap:
    sink = _Sink()
    world = _validate(WorldMap, doc.data, doc.origin, sink)
    if world is not None:
        sink.add_all(doc.origin, checks.map_problems(world))
    sink.raise_if_any(doc.files)
    return _finish(world, doc.files, {"map": canonical_hash(world)})


def _map_doc_of(doc: Doc) -> Doc:
    """Load the map a scenario names and lay the scenario's countries/firms over it."""
    ref = doc.data.pop("map", None)
    ref_origin = doc.origin.kids.get("map", doc.origin)
    if not isinstance(ref, str) or not ref.strip():
        raise RulesError("a scenario needs `map:` naming a map file", file=ref_origin.file,
                         path="map", line=ref_origin.line)
    found = resolve_ref(ref.strip(), ref_origin.file)
    if found is None:
        raise RulesError(f"cannot find the map file {ref!r}", file=ref_origin.file, path="map",
                         line=ref_origin.line)
    doc.data["map"] = ref
    map_doc = load_chain(found)
    if "countries" not in map_doc.data:
        raise RulesError(f"{found} is not a map: it has no `countries:`", file=ref_origin.file,
                         path="map", line=ref_origin.line)
    _apply_map_overrides(doc, map_doc)
    return map_doc


def _apply_map_overrides(doc: Doc, map_doc: Doc) -> None:
    over = {key: doc.data.pop(key) for key in MAP_KEYS if key in doc.data}
    if not over:
        return
    kids = {key: doc.origin.kids.pop(key) for key in over if key in doc.origin.kids}
    root_file, root_line = map_doc.origin.file, map_doc.origin.line
    overlay(map_doc.data, map_doc.origin, over, Origin(doc.origin.file, doc.origin.line, kids))
    map_doc.origin.file, map_doc.origin.line = root_file, root_line


def _scenario_from(doc: Doc) -> Scenario:
    map_doc = _map_doc_of(doc)
    files = [*doc.files, *map_doc.files]
    sink = _Sink()
    rules = _validate(ScenarioRules, doc.data, doc.origin, sink)
    world = _validate(WorldMap, map_doc.data, map_doc.origin, sink)
    if rules is not None:
        sink.add_all(doc.origin, checks.ruleset_problems(rules))
    if world is not None:
        sink.add_all(map_doc.origin, checks.map_problems(world))
    if rules is not None and world is not None:
        for path, message in checks.scenario_problems(rules, world):
            origin = map_doc.origin if path[0] in MAP_KEYS else doc.origin
            sink.add(origin, path, message)
    sink.raise_if_any(files)
    return _combine(rules, world, files)


def _combine(rules: ScenarioRules, world: WorldMap, files: list[str]) -> Scenario:
    scenario = Scenario.model_validate({
        **dict(rules), "countries": world.countries, "firms": world.firms,
        "map_name": world.name, "map_description": world.description,
        "map_sources": world.sources,
    })
    hashes = {"ruleset": canonical_hash(rules, exclude=["map"]), "map": canonical_hash(world)}
    return _finish(scenario, files, hashes)


def _kind_of(doc: Doc) -> str:
    if "map" in doc.data:
        return "scenario"
    return "map" if "countries" in doc.data else "ruleset"


# ---- public API ---------------------------------------------------------------------------

def load_ruleset(path: PathLike) -> Ruleset:
    """Load a ruleset (with its extends chain); a scenario file gives its ruleset part."""
    return _ruleset_from(load_chain(os.fspath(path)))


def load_map(path: PathLike) -> WorldMap:
    """Load a map (with its extends chain); a scenario file gives the map it plays on."""
    doc = load_chain(os.fspath(path))
    if _kind_of(doc) == "scenario":
        doc = _map_doc_of(doc)
    return _map_from(doc)


def load_scenario(ref: PathLike) -> Scenario:
    """Load a scenario from a path or a bare name of a file in rulesets/."""
    doc = load_chain(_scenario_file(ref))
    if "map" not in doc.data:
        where = doc.origin.find(("map",))
        raise RulesError("not a scenario: no `map:` key", file=where.file, path="map",
                         line=where.line)
    return _scenario_from(doc)


def validate_paths(paths: Iterable[PathLike]) -> list[RulesError]:
    """Check each file (scenario, map or ruleset by content); every problem found."""
    found: list[RulesError] = []
    for path in paths:
        try:
            doc = load_chain(os.fspath(path))
            {"scenario": _scenario_from, "map": _map_from, "ruleset": _ruleset_from}[
                _kind_of(doc)](doc)
        except RulesError as exc:
            found.extend(exc.errors)
    return found


def available_scenarios() -> list[str]:
    """Names of the scenario files in rulesets/ (those whose content has a `map:` key)."""
    names = []
    for path in sorted((REPO_ROOT / "rulesets").glob("*.yaml")):
        try:
            if "map" in load_chain(display_path(path)).data:
                names.append(path.stem)
        except RulesError:
            continue
    return names


def _scenario_file(ref: PathLike) -> str:
    text = os.fspath(ref)
    if os.path.isfile(text):
        return text
    is_bare = os.sep not in text and "/" not in text
    if is_bare:
        stem = text[:-5] if text.endswith(".yaml") else text
        candidate = REPO_ROOT / "rulesets" / f"{stem}.yaml"
        if candidate.is_file():
            return display_path(candidate)
        names = ", ".join(available_scenarios()) or "none"
        raise RulesError(f"no scenario named {stem!r}; available: {names}", file=text)
    raise RulesError("file not found", file=text)

