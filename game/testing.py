"""A conformance kit for policies: `check_policy(policy, scenario)`.

It plays a few turns of the scenario with the policy in one seat of every role kind it
declares (a second great power puts controls on that seat on turn 1, so that answering
code runs too) and checks, on each observation it is handed, that the policy

* does not raise;
* returns a list of Order objects whose text form parses back to an equal order;
* is deterministic: the same observation and a generator with the same seed give the
  same orders;
* decides within a time limit (5 ms by default, the best of a few calls per turn);

and that the engine, given those orders, accepts each one or rejects it with a reason
(and does not crash). A failure raises PolicyCheckError naming the policy, seat, turn
and what went wrong.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from game.orders import Order, OrderSyntaxError, parse_order

KINDS = ("great_power", "middle", "resource", "firm")


class PolicyCheckError(AssertionError):
    """A policy that breaks the policy contract; the message says where and how."""


@dataclass
class PolicyReport:
    name: str
    seats: list[str] = field(default_factory=list)
    decisions: int = 0
    orders: int = 0
    accepted: int = 0
    rejected: int = 0
    slowest_ms: float = 0.0
    reasons: list[str] = field(default_factory=list)


def _instance(policy):
    from agents.policies import resolve
    if isinstance(policy, str):
        policy = resolve(policy)
    if isinstance(policy, type):
        policy = policy()
    if not hasattr(policy, "decide"):
        raise PolicyCheckError(f"{policy!r} is not a policy: it has no decide(observation, rng)")
    return policy


def _seats_for(scenario, roles) -> list[str]:
    """One seat of each role kind the policy plays (the first in the scenario)."""
    out = []
    kinds = roles or KINDS
    for kind in kinds:
        if kind == "firm":
            if scenario.firms:
                out.append(sorted(scenario.firms)[0])
            continue
        codes = [code for code, c in scenario.countries.items() if _kind(c) == kind]
        if codes:
            out.append("CN" if "CN" in codes else codes[0])
    return out


def _kind(country) -> str:
    return country["kind"] if isinstance(country, dict) else getattr(country, "kind")


def _rng(seed: int, turn: int):
    return np.random.default_rng([seed, turn, 7])


def check_policy(policy, scenario="baseline_2025", *, seed: int = 0, turns: int = 3,
                 time_limit_ms: float = 5.0, provoke: bool = True) -> PolicyReport:
    """Check a policy (instance, class or registered name) on a scenario (name, path or
    Scenario). Returns a report; raises PolicyCheckError on the first breach."""
    from game.rules import load_scenario
    scen = load_scenario(scenario) if isinstance(scenario, str) else scenario
    pol = _instance(policy)
    name = getattr(pol, "name", type(pol).__name__)
    traits = getattr(pol, "traits", None)
    roles = tuple(getattr(traits, "roles", ()) or ())
    seats = _seats_for(scen, roles)
    if not seats:
        raise PolicyCheckError(f"policy {name!r}: the scenario has no seat of kinds {roles}")
    report = PolicyReport(name=name, seats=seats)
    for seat in seats:
        _check_seat(pol, name, scen, seat, seed, turns, time_limit_ms, provoke, report)
    return report


def _fail(name, seat, turn, message):
    raise PolicyCheckError(f"policy {name!r} as {seat} on turn {turn}: {message}")


def _provoker(game, seat) -> str | None:
    m = game.model
    if seat not in m.countries:
        return None
    for code in m.countries.ids:
        if code != seat and m.kind[m.countries[code]] == "great_power":
            return code
    return None


def _check_seat(pol, name, scen, seat, seed, turns, limit, provoke, report) -> None:
    from game.api import Game
    game = Game(scen, seed=seed, seats={seat: "human"}, turns=turns)
    rival = _provoker(game, seat) if provoke else None
    for _ in range(turns):
        turn = game.turn + 1
        obs = game.observe(seat)
        orders = _decide(pol, name, seat, turn, obs, seed)
        again = _decide(pol, name, seat, turn, game.observe(seat), seed)
        if [x.text() for x in orders] != [x.text() for x in again]:
            _fail(name, seat, turn, "not deterministic: the same observation and rng seed gave "
                  f"{[x.text() for x in orders]} then {[x.text() for x in again]}")
        best = min(_timed(pol, game.observe(seat), seed, turn) for _ in range(3))
        report.slowest_ms = max(report.slowest_ms, best)
        if best > limit:
            _fail(name, seat, turn, f"too slow: decide took {best:.2f} ms (limit {limit:g} ms)")
        report.decisions += 1
        report.orders += len(orders)
        game.submit(seat, orders)
        if rival and turn == 1:
            goods = [g for g in ("gallium", "nickel_refined", "ndpr_oxide") if g in game.model.goods]
            game.submit(rival, [f"export_control good={goods[0]} target={seat} mode=ban"] if goods else [])
            game.submit(rival, [f"chip_control target={seat}"])
        try:
            game.step()
        except Exception as exc:  # the engine must never crash on a policy's orders
            _fail(name, seat, turn, f"the engine crashed on its orders {[x.text() for x in orders]}: "
                  f"{type(exc).__name__}: {exc}")
        _check_outcomes(game, name, seat, turn, orders, report)


def _decide(pol, name, seat, turn, obs, seed) -> list:
    try:
        orders = pol.decide(obs, _rng(seed, turn))
    except Exception as exc:
        _fail(name, seat, turn, f"decide raised {type(exc).__name__}: {exc}")
    if orders is None:
        return []
    if not isinstance(orders, (list, tuple)):
        _fail(name, seat, turn, f"decide must return a list of orders, got {type(orders).__name__}")
    for x in orders:
        if not isinstance(x, Order):
            _fail(name, seat, turn, f"decide returned {x!r}, which is not an Order")
        try:
            back = parse_order(x.text())
        except OrderSyntaxError as exc:
            _fail(name, seat, turn, f"order {x.text()!r} does not parse back: {exc}")
        if back != x:
            _fail(name, seat, turn, f"order {x.text()!r} parses back to a different order {back!r}")
    return list(orders)


def _timed(pol, obs, seed, turn) -> float:
    t0 = time.perf_counter()
    pol.decide(obs, _rng(seed, turn))
    return (time.perf_counter() - t0) * 1000.0


def _check_outcomes(game, name, seat, turn, orders, report) -> None:
    m = game.model
    seen = Counter()
    for t, s, text in m.accepted:
        if t == turn and s == seat:
            seen[text.split("  [", 1)[0]] += 1
            report.accepted += 1
    for t, s, text, why in m.rejections:
        if t == turn and s == seat:
            if not str(why).strip():
                _fail(name, seat, turn, f"order {text!r} was rejected without a reason")
            seen[text] += 1
            report.rejected += 1
            report.reasons.append(f"{text}: {why}")
    wanted = Counter(x.text() for x in orders)
    missing = wanted - seen
    if missing:
        _fail(name, seat, turn, f"the engine neither accepted nor rejected {sorted(missing)}")
