"""Resuming: a game saved at any turn and loaded plays on to exactly the digests of the
game that never stopped; a damaged save is refused with a SaveError and left as it was; a
process killed in the middle of an autosave leaves the previous save loadable."""

from __future__ import annotations

import json
import re
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game import Game, load_scenario
from game.save import SaveError, write_save
from game.session import play_out

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SMALL = str(HERE / "fixtures" / "small" / "small_scenario.yaml")


@pytest.fixture(scope="module")
def small():
    return load_scenario(SMALL)


def digests(game, turns: int) -> list[str]:
    return [game.step().digest for _ in range(turns)]


@pytest.mark.parametrize("seed", [0, 5, 11])
def test_a_resumed_game_gives_the_digests_of_one_that_never_stopped(small, tmp_path, seed):
    whole = Game(small, seed=seed, turns=6)
    expected = digests(whole, 6)
    first = Game(small, seed=seed, turns=6)
    assert digests(first, 2) == expected[:2]
    resumed = Game.load(write_save(first, tmp_path / "two.save"))
    assert resumed.turn == 2
    assert digests(resumed, 4) == expected[2:]


def _people_and_events(game) -> None:
    """Turns 1-3 of a game where people hold US and CN and the facilitator injects an event."""
    game.submit("US", ["stockpile good=gallium amount=20 max_price=5"])
    game.step()
    game.inject("ev_demand_surge", turns=2)
    game.submit("CN", "export_control good=tungsten target=US mode=ban")
    game.step()
    game.submit("US", "tariff good=battery_cell target=CN rate=0.4")
    game.step()


def test_a_game_with_human_orders_and_injected_events_resumes_exactly(tmp_path):
    seats = {"US": "human", "CN": "human"}
    whole = Game("baseline_2025", seed=4, seats=seats, turns=5)
    _people_and_events(whole)
    rest = digests(whole, 2)
    saved = Game("baseline_2025", seed=4, seats=seats, turns=5)
    _people_and_events(saved)
    resumed = Game.load(write_save(saved, tmp_path / "people.save"))
    assert [t["digest"] for t in resumed.history] == [t["digest"] for t in whole.history[:3]]
    assert digests(resumed, 2) == rest


def test_every_turn_autosaves_and_a_mid_game_save_resumes(small, tmp_path):
    save = tmp_path / "auto.save"
    whole = Game(small, seed=3, turns=5)
    expected = digests(whole, 5)
    game = Game(small, seed=3, turns=5)
    play_out(game, turns=2, autosave=save)
    assert [json.loads(line).get("turn") for line in save.read_text().splitlines()] == [None, 1, 2, None]
    resumed = Game.load(save)
    play_out(resumed, autosave=save)
    assert [t["digest"] for t in Game.load(save).history] == expected


def chokepoint(*args) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "game.cli", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


def test_chokepoint_resume_plays_on_to_the_uninterrupted_digest(tmp_path):
    whole = chokepoint("run", "--scenario", SMALL, "--seed", 2, "--turns", 5, "--quiet")
    part = chokepoint("run", "--scenario", SMALL, "--seed", 2, "--turns", 3, "--out", tmp_path)
    assert whole.returncode == 0 and part.returncode == 0, part.stderr
    assert "chokepoint report" in part.stdout
    done = chokepoint("resume", tmp_path / "game.save", "--turns", 2)
    assert done.returncode == 0, done.stderr
    assert f"final digest {whole.stdout.strip()}" in done.stdout
    assert "resumed at turn 3, played to turn 5" in done.stdout


def test_chokepoint_resume_refuses_a_bad_save_and_a_bad_seat(tmp_path):
    bad = tmp_path / "bad.save"
    bad.write_text("nonsense\n")
    done = chokepoint("resume", bad)
    assert done.returncode == 2 and f"{bad}:1:" in done.stderr and "Traceback" not in done.stderr
    assert bad.read_text() == "nonsense\n"


# ---- damaged saves: Hypothesis ------------------------------------------------------------

@pytest.fixture(scope="module")
def good_save(small, tmp_path_factory) -> bytes:
    game = Game(small, seed=2, seats={"US": "human"}, turns=6)
    game.submit("US", "stockpile good=gallium amount=30 max_price=5")
    game.run(3)
    return write_save(game, tmp_path_factory.mktemp("good") / "game.save").read_bytes()


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")[:-1]


def _damage(data: bytes, how: str, a: int, b: int) -> bytes:
    lines = _lines(data)
    if how == "truncate":
        return data[: a % len(data)]
    if how == "flip":
        i = a % len(data)
        return data[:i] + bytes([data[i] ^ (1 + b % 255)]) + data[i + 1:]
    i, j = a % len(lines), b % len(lines)
    if how == "swap":
        j = j if i != j else (i + 1) % len(lines)
        lines[i], lines[j] = lines[j], lines[i]
    elif how == "duplicate":
        lines.insert(j, lines[i])
    elif how == "drop":
        del lines[i]
    elif how == "ruleset":
        head = json.loads(lines[0])
        head["ruleset_hash"] = format(a, "x").rjust(64, "0")
        lines[0] = json.dumps(head, sort_keys=True).encode()
    return b"\n".join(lines) + b"\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(how=st.sampled_from(["truncate", "flip", "swap", "duplicate", "drop", "ruleset"]),
       a=st.integers(min_value=0, max_value=10**6), b=st.integers(min_value=0, max_value=10**6))
def test_any_damage_gives_a_save_error_and_leaves_the_file(good_save, tmp_path_factory, how, a, b):
    damaged = _damage(good_save, how, a, b)
    if damaged == good_save:
        return                                  # (the damage changed nothing)
    path = tmp_path_factory.mktemp("bad") / "game.save"
    path.write_bytes(damaged)
    with pytest.raises(SaveError) as err:
        Game.load(path)
    message = str(err.value)
    assert re.match(rf"{re.escape(str(path))}:\d+: \S", message), message      # the file, the line, why
    assert path.read_bytes() == damaged


def test_a_changed_ruleset_is_named(good_save, tmp_path):
    path = tmp_path / "game.save"
    path.write_bytes(_damage(good_save, "ruleset", 7, 0))
    with pytest.raises(SaveError, match=r":1: the line's check does not match"):
        Game.load(path)


# ---- a kill in the middle of an autosave -------------------------------------------------

WRITER = """
import sys
from game import Game
from game.save import write_save
game = Game(sys.argv[1], seed=1, turns=4)
game.run(2)
write_save(game, sys.argv[2])
print("ready", flush=True)
while True:                        # save, again and again, as autosave does each turn
    write_save(game, sys.argv[2])
"""


def test_a_process_killed_while_autosaving_leaves_the_last_save_loadable(small, tmp_path):
    save = tmp_path / "game.save"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for delay in (0.0, 0.01, 0.05, 0.2):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, SMALL, str(save)], env=env,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        game = Game.load(save)
        assert game.turn == 2
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "game.save"]
    assert all(name.startswith(".game.save.") for name in leftovers)     # only temporary files


def test_a_map_changed_since_saving_is_named(tmp_path):
    world = tmp_path / "world"
    world.mkdir()
    scenario = (HERE / "fixtures" / "small" / "small_scenario.yaml").read_text()
    base = (REPO / "rulesets" / "base.yaml").resolve()
    (world / "small_scenario.yaml").write_text(scenario.replace("../../../rulesets/base.yaml", str(base)))
    (world / "small_map.yaml").write_text((HERE / "fixtures" / "small" / "small_map.yaml").read_text())
    game = Game(str(world / "small_scenario.yaml"), seed=1, turns=3)
    game.run(1)
    save = write_save(game, tmp_path / "game.save")
    edited = (world / "small_map.yaml").read_text().replace("gdp: 29000", "gdp: 29500", 1)
    (world / "small_map.yaml").write_text(edited)                  # the US economy, revised
    before = save.read_bytes()
    with pytest.raises(SaveError, match=r":1: the scenario cannot be loaded|:1: the map files changed"):
        Game.load(save)
    assert save.read_bytes() == before


def test_a_version_1_save_still_loads(small, tmp_path):
    game = Game(small, seed=6, turns=4)
    game.run(2)
    lines = write_save(game, tmp_path / "new.save").read_text().splitlines()
    records = [json.loads(line) for line in lines[:-1]]             # without the end line
    records[0]["version"] = 1
    old = tmp_path / "old.save"
    old.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "check"}, sort_keys=True) + "\n"
                           for r in records))
    loaded = Game.load(old)
    assert loaded.turn == 2 and loaded.step().digest == game.step().digest
