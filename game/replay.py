"""Loading a save: replaying its turns, checking each digest, handing the seats back.

The file format is `game.savefile`'s; this module rebuilds the game from it. It takes the
API's Game class as an argument (`game.api.Game.load` passes it), so that the API can load
saves without the save code depending on the API.
"""

from __future__ import annotations

from pathlib import Path

from game.savefile import SaveError, read_save


def replay_save(path: str | Path, game_cls, *, verify: bool = True, upto: int | None = None):
    """Rebuild a game (an instance of `game_cls`, the API's Game) from its save by replaying
    it. Any problem, a damaged record or a turn that replays to another digest, raises
    SaveError naming the line. After loading, the seats play as they did when saved."""
    from agents.policies import make_policy
    HUMAN = game_cls.HUMAN
    head, turns = read_save(path)
    game = _at_line(path, 1, _start, head, game_cls)
    for n, turn in enumerate(turns, start=2):
        if not isinstance(turn, dict) or "turn" not in turn:
            raise SaveError(f"{path}:{n}: malformed turn record (expected an object with a turn number)")
        if upto is not None and turn["turn"] > upto:
            break
        _at_line(path, n, _replay_turn, game, turn)
        if verify and game.digest() != turn.get("digest"):
            raise SaveError(f"{path}:{n}: turn {turn['turn']} replays to digest {game.digest()}, "
                            f"the save recorded {turn.get('digest')}")
    # hand the seats back to the people and policies that played them
    m = game.model
    m.human_seats = {s for s, p in game.seats.items() if p == HUMAN}
    for seat, name in game.seats.items():
        if name != HUMAN:
            m.seat_agent[seat].policy = make_policy(name, m.seat_kind(seat))
    return game


def _at_line(path, line: int, fn, *args):
    """Run one step of loading; turn whatever goes wrong into a SaveError naming the line."""
    from game.rules import RulesError
    try:
        return fn(*args)
    except SaveError as exc:
        if str(exc).startswith(str(path)):
            raise
        raise SaveError(f"{path}:{line}: {exc}") from None
    except RulesError as exc:
        raise SaveError(f"{path}:{line}: the scenario cannot be loaded: {exc}") from None
    except (KeyError, TypeError, AttributeError, ValueError, RuntimeError, IndexError) as exc:
        what = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        raise SaveError(f"{path}:{line}: malformed save: {what}") from None


def _start(head: dict, Game):
    from game.rules import load_scenario
    HUMAN = Game.HUMAN
    if not isinstance(head.get("seats"), dict):
        raise ValueError("the header has no seats table")
    scenario = load_scenario(head["scenario_path"])
    for key, part in (("ruleset_hash", "ruleset"), ("map_hash", "map")):
        if scenario.hashes[part] != head[key]:
            raise SaveError(f"the {part} files changed since this game was saved "
                            f"({head[key][:12]} then, {scenario.hashes[part][:12]} now)")
    seats = {seat: HUMAN for seat in list(scenario.countries) + list(scenario.firms)}
    game = Game(scenario, seed=head["seed"], seats=seats, turns=head["turns"])
    game.seats = dict(head["seats"])
    return game


def _replay_turn(game, turn: dict) -> None:
    for seat, orders in turn["orders"].items():
        game.submit(seat, orders)
    for item in turn.get("inject", []):
        item = dict(item)
        game.inject(item.pop("event"), **item)
    game.step()
