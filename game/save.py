"""Saves: JSON Lines, written atomically, that replay to the same digests.

Line 1 is the header: format name and version, the scenario (name and the path it was
loaded from when it is not a bundled one), the ruleset and map hashes, the seed, the
seats and the number of turns. Each further line is one turn: every order every seat
submitted (people and policies alike, as text), facilitator-injected events, and the
state digest after the turn. Loading replays the turns with all seats driven by the
recorded orders, and checks every digest.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

FORMAT = "chokepoint-save"
VERSION = 1


class SaveError(ValueError):
    """A save that cannot be read or does not replay."""


def header(game) -> dict:
    sc = game.scenario
    return {
        "format": FORMAT, "version": VERSION, "scenario": sc.name,
        "scenario_path": _scenario_ref(sc),
        "ruleset_hash": sc.hashes["ruleset"], "map_hash": sc.hashes["map"],
        "seed": game.seed, "seats": game.seats, "turns": game.turns,
    }


def _scenario_ref(sc) -> str:
    """The bundled name when the scenario ships with the game, else its file path."""
    first = Path(sc.source_files[0]) if sc.source_files else None
    bundled = Path(__file__).resolve().parent.parent / "rulesets"
    if first is not None and first.resolve().parent == bundled:
        return first.stem
    return str(first) if first else sc.name


def write_save(game, path: str | Path) -> Path:
    """Write the game to `path` atomically: a crash leaves the old file or the new, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(header(game), sort_keys=True)]
    lines += [json.dumps(turn, sort_keys=True) for turn in game.history]
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_save(path: str | Path) -> tuple[dict, list[dict]]:
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SaveError(f"{path}: cannot read: {exc.strerror}") from None
    records = []
    for n, line in enumerate(raw, start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise SaveError(f"{path}:{n}: not JSON: {exc.msg}") from None
    if not records or records[0].get("format") != FORMAT:
        raise SaveError(f"{path}:1: not a Chokepoint save (no '{FORMAT}' header)")
    if records[0].get("version") != VERSION:
        raise SaveError(f"{path}:1: save format version {records[0].get('version')} is not supported (this is {VERSION})")
    return records[0], records[1:]


def load_game(path: str | Path, *, verify: bool = True, upto: int | None = None):
    """Rebuild a game from its save by replaying it; raise SaveError at the first mismatch."""
    from game.api import HUMAN, Game
    from game.rules import load_scenario
    head, turns = read_save(path)
    scenario = load_scenario(head["scenario_path"])
    for key, part in (("ruleset_hash", "ruleset"), ("map_hash", "map")):
        if scenario.hashes[part] != head[key]:
            raise SaveError(f"{path}: the {part} files changed since this game was saved "
                            f"({head[key][:12]} then, {scenario.hashes[part][:12]} now)")
    seats = {seat: HUMAN for seat in list(scenario.countries) + list(scenario.firms)}
    game = Game(scenario, seed=head["seed"], seats=seats, turns=head["turns"])
    game.seats = dict(head["seats"])
    for n, turn in enumerate(turns, start=2):
        if upto is not None and turn["turn"] > upto:
            break
        for seat, orders in turn["orders"].items():
            game.submit(seat, orders)
        for item in turn.get("inject", []):
            item = dict(item)
            game.inject(item.pop("event"), **item)
        game.step()
        if verify and game.digest() != turn["digest"]:
            raise SaveError(f"{path}:{n}: turn {turn['turn']} replays to digest {game.digest()}, "
                            f"the save recorded {turn['digest']}")
    return game
