"""Experiment files: what a batch sweeps, validated like rulesets (docs/batch.md).

    from game.batch import load_experiment
    exp = load_experiment("experiments/ban_sweep.yaml")
    exp.runs()          # every RunSpec, in run-id order

A mistake names the file, the dotted path inside it and the line, e.g.::

    sweep.yaml:7: parameters.finance.interest_rat: no such setting in the scenario
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import math
import os
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from game.rules import RulesError, Scenario, load_scenario
from game.rules.overlay import read_mapping
from game.rules.yamlsrc import Origin

from .design import RunSpec, design_points, run_specs
from .params import ParamError, apply_params, leaf_value
from .outcomes import TURN_METRICS, outcome_names


class ExperimentError(RulesError):
    """A problem in an experiment file (or several): file, path and line of each."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Seeds(_Strict):
    count: int = Field(1, ge=1, strict=True)
    root: int = Field(0, ge=0, strict=True)
    # true: seed i is the same at every design point (common random numbers); false: every
    # run gets its own seed from the root seed and its run id
    common: bool = Field(False, strict=True)


class Design(_Strict):
    kind: Literal["factorial", "lhs", "sobol"] = "factorial"
    samples: int | None = Field(None, ge=1, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, data):
        return {"kind": data} if isinstance(data, str) else data     # `design: factorial`


class Outputs(_Strict):
    outcomes: list[str] = ["*"]          # glob patterns over the scalar outcome names
    turns: list[str] = ["score"]         # metrics kept per turn (glob patterns); [] keeps none
    orders: bool = Field(True, strict=True)


class ExperimentFile(_Strict):
    name: str = ""
    description: str = ""
    scenario: str
    turns: int | None = Field(None, ge=1, strict=True)
    seeds: Seeds = Seeds()
    design: Design = Design()
    parameters: dict[str, Any] = {}
    policies: list[dict[str, str]] = [{}]
    outputs: Outputs = Outputs()


@dataclass(frozen=True)
class Parameter:
    """One swept setting: a dotted path and either discrete values or an interval."""
    path: str
    values: tuple = ()                  # discrete values (a list or a from/to/step range)
    low: float | None = None            # an interval, for sampled designs
    high: float | None = None
    integer: bool = False

    @property
    def kind(self) -> str:
        """The column type of its values: 'int', 'float', 'bool' or 'str'."""
        vals = self.values or (self.low, self.high)
        if self.integer or all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
            return "int"
        if all(isinstance(v, bool) for v in vals):
            return "bool"
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            return "float"
        return "str"


@dataclass
class Experiment:
    """A validated experiment: its file, scenario, parameters and outputs."""
    file: str
    spec: ExperimentFile
    scenario: Scenario
    parameters: list[Parameter]
    seat_sets: list[dict[str, str]]        # per entry of `policies`: {seat: policy}, kinds expanded
    outcomes: list[str]                    # names of the scalar outcomes kept
    turn_metrics: list[str]                # glob patterns over the metric names

    @property
    def turns(self) -> int:
        return self.spec.turns or self.scenario.calendar.turns

    def points(self) -> list[dict]:
        return design_points(self)

    def runs(self) -> list[RunSpec]:
        return run_specs(self)

    def identity(self) -> dict:
        """What must not change between a batch and its resumption: everything that shapes
        the results (the scenario by the hashes of its content, not by how it is named)."""
        return {"experiment": self.spec.model_dump(mode="json", exclude={"name", "description", "scenario"}),
                "scenario_hashes": dict(getattr(self.scenario, "_hashes", {}))}

    def identity_hash(self) -> str:
        text = json.dumps(self.identity(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


# -- loading ----------------------------------------------------------------------------------
class _Problems:
    def __init__(self, file: str, origin: Origin):
        self.file, self.origin, self.items = file, origin, []

    def add(self, path: tuple, message: str) -> None:
        found = self.origin.find(path)
        dotted = ".".join(str(p) for p in path)
        self.items.append(ExperimentError(message, file=found.file, path=dotted, line=found.line))

    def raise_if_any(self) -> None:
        if self.items:
            raise ExperimentError.combine(sorted(self.items, key=lambda e: e.line or 0))


def load_experiment(path: str | os.PathLike) -> Experiment:
    """Read and check an experiment file; raises ExperimentError naming file, path and line."""
    file = os.fspath(path)
    try:
        data, origin = read_mapping(file)
    except RulesError as exc:
        raise ExperimentError.combine([ExperimentError(e.message, file=e.file, path=e.path, line=e.line)
                                       for e in exc.errors]) from None
    problems = _Problems(file, origin)
    try:
        spec = ExperimentFile.model_validate(data)
    except ValidationError as exc:
        for item in exc.errors(include_url=False):
            loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and p.startswith("[")))
            problems.add(loc, str(item["msg"]).removeprefix("Value error, "))
        problems.raise_if_any()
    scenario = _load_scenario(spec.scenario, file, problems)
    parameters = [p for p in (_parameter(k, v, scenario, problems) for k, v in spec.parameters.items()) if p]
    _check_design(spec, parameters, problems)
    seat_sets = [_seat_set(i, entry, scenario, problems) for i, entry in enumerate(spec.policies)]
    outcomes = _select(spec.outputs.outcomes, outcome_names(scenario), ("outputs", "outcomes"), problems)
    _select(spec.outputs.turns, TURN_METRICS, ("outputs", "turns"), problems, open_prefix="objective_")
    turn_metrics = list(spec.outputs.turns)      # patterns: objective_* names exist once a game runs
    if not spec.policies:
        problems.add(("policies",), "give at least one entry ({} plays every seat on its default)")
    problems.raise_if_any()
    return Experiment(file, spec, scenario, parameters, seat_sets, outcomes, turn_metrics)


def _load_scenario(ref: str, file: str, problems: _Problems) -> Scenario:
    beside = os.path.join(os.path.dirname(file), ref)
    target = beside if os.path.isfile(beside) else ref
    try:
        return load_scenario(target)
    except RulesError as exc:
        if len(exc.errors) == 1 and exc.errors[0].file == target and exc.errors[0].line is None:
            problems.add(("scenario",), exc.errors[0].message)     # the reference itself is bad
        else:
            problems.add(("scenario",), f"the scenario {ref!r} has errors:\n{exc}")
        problems.raise_if_any()
        raise AssertionError("unreachable")


def _parameter(path: str, raw, scenario: Scenario, problems: _Problems) -> Parameter | None:
    where = ("parameters", path)
    try:
        leaf_value(scenario, path)
    except ParamError as exc:
        problems.add(where, str(exc))
        return None
    try:
        param = _parameter_values(path, raw)
    except ValueError as exc:
        problems.add(where, str(exc))
        return None
    probe = param.values or ((int(param.low), int(param.high)) if param.integer else (param.low, param.high))
    for value in probe:
        try:
            apply_params(scenario, {path: value})
        except ParamError as exc:
            problems.add(where, f"value {value!r}: {exc}")
            return None
    return param


def _parameter_values(path: str, raw) -> Parameter:
    if isinstance(raw, list):
        if not raw:
            raise ValueError("an empty list of values")
        if any(isinstance(v, (dict, list)) or v is None for v in raw):
            raise ValueError("values must be numbers, true/false or text")
        return Parameter(path, values=tuple(raw))
    if not isinstance(raw, dict):
        raise ValueError("expected a list of values, {from, to, step} or {low, high}")
    keys = set(raw)
    if keys <= {"from", "to", "step"} and keys >= {"from", "to"}:
        return Parameter(path, values=_range(raw))
    if keys <= {"low", "high", "integer"} and keys >= {"low", "high"}:
        low, high = raw["low"], raw["high"]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high)):
            raise ValueError("low and high must be numbers")
        if not low < high:
            raise ValueError(f"low ({low}) must be below high ({high})")
        integer = raw.get("integer", False)
        if not isinstance(integer, bool):
            raise ValueError("integer must be true or false")
        return Parameter(path, low=low, high=high, integer=integer)
    raise ValueError(f"unexpected keys {', '.join(sorted(keys))}: expected a list of values, "
                     "{from, to, step} or {low, high, integer}")


def _range(raw: dict) -> tuple:
    start, stop, step = raw["from"], raw["to"], raw.get("step", 1)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (start, stop, step)):
        raise ValueError("from, to and step must be numbers")
    if step <= 0 or stop < start:
        raise ValueError("a range needs from <= to and a step above 0")
    count = int(math.floor((stop - start) / step + 1e-9)) + 1
    if count > 100_000:
        raise ValueError(f"the range has {count} values; at most 100000")
    if all(isinstance(v, int) for v in (start, stop, step)):
        return tuple(start + i * step for i in range(count))
    return tuple(round(start + i * step, 12) for i in range(count))


def _check_design(spec: ExperimentFile, parameters: list[Parameter], problems: _Problems) -> None:
    kind, samples = spec.design.kind, spec.design.samples
    if kind == "factorial":
        if samples is not None:
            problems.add(("design", "samples"), "a factorial design runs every combination; samples "
                         "is for lhs and sobol")
        for p in parameters:
            if not p.values:
                problems.add(("parameters", p.path), "a factorial design needs values (a list or "
                             "from/to/step), not an interval")
        return
    if samples is None:
        problems.add(("design",), f"a {kind} design needs `samples:`")
    elif kind == "sobol" and samples & (samples - 1):
        problems.add(("design", "samples"), f"a Sobol sample keeps its balance only with a power of "
                     f"two points; {samples} is not one (try {1 << samples.bit_length()})")
    if not parameters and samples is not None:
        problems.add(("design",), f"a {kind} design needs parameters to sample")


def _seat_set(index: int, entry: dict, scenario: Scenario, problems: _Problems) -> dict[str, str]:
    from agents.policies import PolicyError, make_policy
    from game.tournament import KINDS, _ensure_levels, seat_kinds
    kinds = seat_kinds(scenario)
    seats: dict[str, str] = {}
    for key, policy in entry.items():
        where = ("policies", index, key)
        if key in kinds:
            ids = [key]
        elif key in KINDS:
            ids = [s for s, k in kinds.items() if k == key]
        else:
            problems.add(where, f"{key!r} is neither a seat of the scenario nor a role kind "
                         f"({', '.join(KINDS)}); seats: {', '.join(kinds)}")
            continue
        try:
            _ensure_levels([policy])
            for seat in ids:
                make_policy(policy, kinds[seat])
        except PolicyError as exc:
            problems.add(where, str(exc))
            continue
        seats.update({i: policy for i in ids})
    return seats


def _select(patterns: list[str], names: list[str], where: tuple, problems: _Problems,
            open_prefix: str = "") -> list[str]:
    chosen: list[str] = []
    for i, pattern in enumerate(patterns):
        hits = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
        if not hits and not (open_prefix and pattern.startswith(open_prefix)):
            problems.add((*where, i), f"{pattern!r} matches nothing; known: {', '.join(names)}")
        if open_prefix and pattern.startswith(open_prefix) and not hits:
            hits = [pattern]
        chosen += [n for n in hits if n not in chosen]
    return chosen
