"""Saves: a saved game loads back to the very same game, and a damaged save is refused
with a SaveError that says where, never with a traceback.

A save is JSON Lines: a header, then one line per turn with every order submitted, the
facilitator's injected events and the digest after the turn. Loading replays the turns
and checks each digest. Writing is atomic: a crash while saving leaves the old file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from game import Game, load_scenario
from game.save import CHAIN_START, SaveError, line_check, load_game, read_save, write_save

HERE = Path(__file__).resolve().parent
SMALL = str(HERE / "fixtures" / "small" / "small_scenario.yaml")


@pytest.fixture(scope="module")
def small():
    return load_scenario(SMALL)


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline_2025")


def all_passive(scenario, **people) -> dict[str, str]:
    """Every seat passive except the ones given (e.g. US="human")."""
    return {**{s: "passive" for s in [*scenario.countries, *scenario.firms]}, **people}


@pytest.fixture(scope="module")
def played(baseline, tmp_path_factory):
    """Three turns of the 2025 game: the US seat played by a person, a facilitator's
    injected event on turn 2, random events from the seed. Saved after turn 3."""
    game = Game(baseline, seed=4, seats=all_passive(baseline, US="human", CN="human"), turns=8)
    assert game.submit("US", ["stockpile good=gallium amount=20 max_price=5", "tariff good=battery_cell target=CN rate=0.4"]) == []
    game.step()
    game.inject("ev_demand_surge", turns=2)
    assert game.submit("CN", "export_control good=tungsten target=US mode=ban") == []
    game.submit("US", "subsidy firm=NOBODY amount=5")          # rejected by the rules, still recorded
    game.step()
    game.step()
    path = write_save(game, tmp_path_factory.mktemp("save") / "game.save")
    return game, path


@pytest.fixture(scope="module")
def small_save(small, tmp_path_factory):
    """A quick save for the damage tests: three turns of the small world, people in two seats."""
    game = Game(small, seed=2, seats=all_passive(small, US="human", CN="human"), turns=8)
    game.submit("CN", "export_control good=gallium target=US mode=ban")
    game.submit("US", "stockpile good=gallium amount=30 max_price=5")
    game.run(3)
    return write_save(game, tmp_path_factory.mktemp("small") / "game.save")


def test_a_save_loads_back_to_the_same_game(played):
    game, path = played
    loaded = load_game(path)
    assert loaded.turn == game.turn == 3
    assert [r.digest for r in loaded.reports] == [r.digest for r in game.reports]
    assert loaded.digest() == game.digest()
    assert loaded.seed == game.seed and loaded.seats == game.seats and loaded.turns == game.turns
    # the facilitator's event and the people's orders happened again, rejections included
    assert any(eid == "ev_demand_surge" for eid, _ in loaded.reports[1].events)
    assert loaded.reports[0].accepted == game.reports[0].accepted
    assert loaded.reports[1].rejected == game.reports[1].rejected
    assert ("US", "subsidy firm=NOBODY amount=5") in [(s, t) for s, t, _ in loaded.reports[1].rejected]
    assert loaded.metrics().equals(game.metrics())


def test_a_loaded_game_plays_on_like_the_original_when_people_hold_the_seats(small, tmp_path):
    game = Game(small, seed=2, seats=all_passive(small, US="human", CN="human"), turns=6)
    game.submit("CN", "export_control good=gallium target=US mode=ban")
    game.submit("US", "stockpile good=gallium amount=30 max_price=5")
    game.run(2)
    loaded = load_game(write_save(game, tmp_path / "game.save"))
    for g in (game, loaded):
        g.submit("US", "release_stockpile good=gallium amount=4")
        g.submit("CN", "lift_control good=gallium target=US")
    assert loaded.step().digest == game.step().digest
    assert loaded.step().digest == game.step().digest


def test_loading_part_of_a_save(played):
    game, path = played
    early = load_game(path, upto=1)
    assert early.turn == 1 and early.digest() == game.reports[0].digest


def test_the_save_file_is_json_lines_with_a_header_and_a_line_per_turn(played):
    game, path = played
    head, turns = read_save(path)
    assert head["format"] == "chokepoint-save" and head["seed"] == 4 and head["scenario_path"] == "baseline_2025"
    assert [t["turn"] for t in turns] == [1, 2, 3]
    assert turns[1]["inject"] == [{"event": "ev_demand_surge", "turns": 2}]
    assert "stockpile good=gallium amount=20 max_price=5" in turns[0]["orders"]["US"]
    assert [t["digest"] for t in turns] == [r.digest for r in game.reports]


def test_a_game_with_ai_seats_replays(small, tmp_path):
    """The AI's orders are recorded under the turn they were given and replay exactly."""
    game = Game(small, seed=1, turns=4)
    game.run(3)
    assert any(t > 1 for t, _s, _x in game.model.accepted), "the AI seats gave no orders: the test shows nothing"
    loaded = load_game(write_save(game, tmp_path / "ai.save"))
    assert [r.digest for r in loaded.reports] == [r.digest for r in game.reports]


def test_a_scenario_with_scheduled_orders_replays(tmp_path):
    scheduled = tmp_path / "scheduled.yaml"
    scheduled.write_text(f"extends: {SMALL}\nname: scheduled\ninitial_orders:\n"
                         "  - {seat: DE, order: \"subsidy firm=DEGA amount=100\", turn: 2}\n", encoding="utf-8")
    game = Game(load_scenario(str(scheduled)), seed=1, seats=all_passive(load_scenario(str(scheduled))), turns=3)
    game.run(3)
    assert (2, "DE", "subsidy firm=DEGA amount=100") in game.model.accepted
    assert load_game(write_save(game, tmp_path / "game.save")).digest() == game.digest()


def test_a_loaded_game_with_ai_seats_plays_on_like_the_original(small, tmp_path):
    game = Game(small, seed=1, turns=5)
    game.run(2)
    loaded = load_game(write_save(game, tmp_path / "ai.save"))
    assert loaded.step().digest == game.step().digest


# ---- damaged saves -----------------------------------------------------------------------

def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def resigned(text: str) -> str:
    """The lines with their chained checks made again and an end line added where missing,
    as a forger would: what is left to catch them is the replay itself."""
    out, previous, turns = [], CHAIN_START, 0
    lines = [line for line in text.splitlines() if line.strip()]
    for line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            out.append(line)
            continue
        if isinstance(record, dict) and "end" not in record:
            turns += "turn" in record
            record["check"] = previous = line_check(record, previous)
            line = json.dumps(record, sort_keys=True)
        if not (isinstance(record, dict) and "end" in record):
            out.append(line)
    end = {"end": turns}
    end["check"] = line_check(end, previous)
    return "\n".join(out + [json.dumps(end, sort_keys=True)]) + "\n"


def test_a_tampered_digest_is_caught_on_its_line(small_save, tmp_path):
    path = small_save
    lines = lines_of(path)
    record = json.loads(lines[2])                       # line 3: turn 2
    record["digest"] = "0123456789abcdef"
    lines[2] = json.dumps(record, sort_keys=True)
    bad = tmp_path / "tampered.save"
    bad.write_text(resigned("\n".join(lines)), encoding="utf-8")
    with pytest.raises(SaveError) as err:
        load_game(bad)
    assert f"{bad}:3:" in str(err.value) and "turn 2" in str(err.value) and "0123456789abcdef" in str(err.value)


def test_a_tampered_order_is_caught_on_its_line(small_save, tmp_path):
    path = small_save
    lines = lines_of(path)
    record = json.loads(lines[1])                       # line 2: turn 1
    record["orders"]["US"] = ["enforcement level=0.9"]    # instead of buying gallium
    lines[1] = json.dumps(record, sort_keys=True)
    bad = tmp_path / "cheat.save"
    bad.write_text(resigned("\n".join(lines)), encoding="utf-8")
    with pytest.raises(SaveError, match=rf"{bad}:2: turn 1 replays"):
        load_game(bad)


def _header(path: Path) -> str:
    return lines_of(path)[0]


def _turn(**fields) -> str:
    return json.dumps({"turn": 1, "orders": {}, "inject": [], "digest": "0", **fields})


# name -> (how to damage a good save, the line the error must name or None)
DAMAGE = {
    "cut off mid-line": (lambda p: p.read_text()[:-25], 5),           # the end line, cut
    "empty": (lambda p: "", 1),
    "garbage bytes": (lambda p: "\x00\x01garbage{{{\n", 1),
    "another format": (lambda p: json.dumps({"format": "not-a-save"}) + "\n", 1),
    "future version": (lambda p: _header(p).replace('"version": 2', '"version": 99') + "\n", 1),
    "a turn line that is not JSON": (lambda p: _header(p) + "\n{turn: 1,\n", 2),
}
UNCHECKED = {   # damage the loader must catch: (damage, line named, the exception it used to escape as)
    "header is a list": (lambda p: "[1, 2]\n", 1, "AttributeError"),
    "header without a seed": (lambda p: json.dumps({k: v for k, v in json.loads(_header(p)).items() if k != "seed"}) + "\n", 1, "KeyError"),
    "turn without orders": (lambda p: _header(p) + "\n" + json.dumps({"turn": 1, "digest": "0"}) + "\n", 2, "KeyError"),
    "turn line is a list": (lambda p: _header(p) + "\n[1, 2]\n", 2, "TypeError"),
    "unknown seat": (lambda p: _header(p) + "\n" + _turn(orders={"ZZ": ["pressure target=ID"]}) + "\n", 2, "ValueError"),
    "unknown injected event": (lambda p: _header(p) + "\n" + _turn(inject=[{"event": "meteor"}]) + "\n", 2, "ValueError"),
    "unknown scenario": (lambda p: _header(p).replace(SMALL, "atlantis") + "\n", 1, "RulesError"),
    "more turns than the game has": (lambda p: _header(p).replace('"turns": 8', '"turns": 1') + "\n"
                                     + "\n".join(lines_of(p)[1:]) + "\n", 3, "RuntimeError"),
    "not UTF-8": (lambda p: b"\xe9\xff\xfe", 1, "UnicodeDecodeError"),
}


def _write(path: Path, body) -> None:
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body, encoding="utf-8")


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_a_damaged_save_gives_a_save_error_naming_the_line(small_save, tmp_path, name):
    path = small_save
    damage, line = DAMAGE[name]
    bad = tmp_path / "damaged.save"
    _write(bad, damage(path))
    with pytest.raises(SaveError) as err:
        load_game(bad)
    assert str(err.value).startswith(f"{bad}:{line}:"), str(err.value)


@pytest.mark.parametrize("name", [
    pytest.param(name) for name in sorted(UNCHECKED)])
def test_a_malformed_save_gives_a_save_error_not_a_traceback(small_save, tmp_path, name):
    path = small_save
    damage, line, _escapes_as = UNCHECKED[name]
    bad = tmp_path / "malformed.save"
    body = damage(path)
    _write(bad, body if isinstance(body, bytes) else resigned(body))
    with pytest.raises(SaveError) as err:
        load_game(bad)
    assert str(err.value).startswith(f"{bad}:{line}"), str(err.value)


def test_a_missing_save_gives_a_save_error(tmp_path):
    with pytest.raises(SaveError, match="cannot read"):
        load_game(tmp_path / "nowhere.save")


# ---- atomic writes -----------------------------------------------------------------------

def _crashing(monkeypatch, name: str):
    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, name, crash)


@pytest.mark.parametrize("crash_in", ["replace", "fsync"])
def test_a_crash_while_saving_keeps_the_old_save_and_leaves_no_temporary_file(small, tmp_path, monkeypatch, crash_in):
    game = Game(small, seed=2, seats=all_passive(small, US="human"), turns=6)
    game.submit("US", "stockpile good=gallium amount=10")
    game.step()
    path = write_save(game, tmp_path / "game.save")
    before = path.read_bytes()
    game.step()
    _crashing(monkeypatch, crash_in)
    with pytest.raises(OSError):
        write_save(game, path)
    monkeypatch.undo()
    assert path.read_bytes() == before                  # the old save, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["game.save"]
    assert load_game(path).turn == 1


def test_saving_again_replaces_the_old_save(small, tmp_path):
    game = Game(small, seed=2, seats=all_passive(small), turns=6)
    game.step()
    path = write_save(game, tmp_path / "game.save")
    game.step()
    write_save(game, path)
    assert load_game(path).turn == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["game.save"]
