"""Scripted orders for `chokepoint run --orders FILE`: a YAML list of
`{turn: N, seat: ID, orders: [text, ...]}`. Errors name the file and line."""

from __future__ import annotations

from pathlib import Path

from game.orders import OrderSyntaxError, parse_order
from game.rules import RulesError
from game.rules.yamlsrc import parse_text


class ScriptError(ValueError):
    """An orders file that cannot be used."""


def load_orders_script(path: Path, scenario) -> dict[int, list[tuple[str, list[str]]]]:
    """Orders by turn: {turn: [(seat, [order text, ...]), ...]}."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScriptError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data, origin = parse_text(text, str(path))
    except RulesError as exc:
        raise ScriptError(str(exc)) from None
    if not isinstance(data, list):
        raise ScriptError(f"{path}:1: expected a list of {{turn, seat, orders}} items")
    seats = set(scenario.countries) | set(scenario.firms)
    out: dict[int, list[tuple[str, list[str]]]] = {}
    for n, item in enumerate(data):
        where = f"{path}:{origin.find((n,)).line}"
        if not isinstance(item, dict) or set(item) - {"turn", "seat", "orders"} or not {"turn", "seat", "orders"} <= set(item):
            raise ScriptError(f"{where}: item {n}: needs exactly the keys turn, seat and orders")
        turn, seat, orders = item["turn"], item["seat"], item["orders"]
        if not isinstance(turn, int) or turn < 1:
            raise ScriptError(f"{where}: item {n}: turn must be a whole number from 1, got {turn!r}")
        if seat not in seats:
            raise ScriptError(f"{where}: item {n}: unknown seat {seat!r}")
        if isinstance(orders, str):
            orders = [orders]
        if not isinstance(orders, list):
            raise ScriptError(f"{where}: item {n}: orders must be a list of order texts")
        for k, text in enumerate(orders):
            try:
                parse_order(str(text))
            except OrderSyntaxError as exc:
                line = origin.find((n, "orders", k)).line
                raise ScriptError(f"{path}:{line}: item {n}: {exc}") from None
        out.setdefault(turn, []).append((seat, [str(t) for t in orders]))
    return out
