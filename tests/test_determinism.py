"""Same scenario, seed and orders: the same game, turn by turn, in any process.

A game's digest (a hash of the full state, floats rounded to 9 significant digits, and the
random generator's state) is what saves are checked against and what players compare to
confirm they played the same game, so it must not depend on anything but the inputs: not
on the process, the hash seed of Python's sets and dicts, or earlier games in the same
process. Different seeds, on the other hand, must give different games where the
scenario has random events.

The golden test pins the digests of six turns of the small world under a fixed script
(tests/golden/small_digests.json). A deliberate change to the rules or the engine that
changes the game changes them; after checking that the change is intended, regenerate
the file with

    CHOKEPOINT_REGEN_GOLDEN=1 python -m pytest tests/test_determinism.py -k golden

and commit it with the change that explains it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from game import Game, load_scenario

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SMALL = HERE / "fixtures" / "small" / "small_scenario.yaml"
GOLDEN = HERE / "golden" / "small_digests.json"

# Two seats played by people, the rest by their default AI, for six turns.
SCRIPT = {
    1: [("CN", "export_control good=gallium target=US mode=ban"),
        ("US", "stockpile good=gallium amount=20 max_price=3")],
    2: [("US", "tariff good=nickel_refined target=CN rate=0.2"),
        ("CN", "subsidy firm=TSINGSHAN amount=200")],
    3: [("US", "price_floor good=gallium price=1.2 volume=5 turns=4"),
        ("US", "release_stockpile good=gallium amount=4")],
    4: [("CN", "suspend_control good=gallium target=US turns=2")],
    5: [("US", "subsidy firm=JPGA amount=50"), ("US", "no_such_order x=1")],
    6: [("CN", "lift_control good=gallium target=US")],
}
SEATS = {"US": "human", "CN": "human"}


def play(scenario: str, seed: int, turns: int, script: dict | None = None, seats: dict | None = None) -> list[str]:
    """The digest after each turn of a game (also run in fresh interpreters below)."""
    game = Game(load_scenario(scenario), seed=seed, seats=seats or {}, turns=turns)
    digests = []
    for turn in range(1, turns + 1):
        for seat, text in (script or {}).get(turn, []):
            game.submit(seat, text)
        digests.append(game.step().digest)
        assert digests[-1] == game.digest()
    return digests


def play_elsewhere(scenario: str, seed: int, turns: int, script=None, seats=None, hash_seed: str = "0") -> list[str]:
    """`play` in a fresh Python process with its own PYTHONHASHSEED."""
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(HERE)!r})\n"
        "from test_determinism import play\n"
        "args = json.loads(sys.stdin.read())\n"
        "script = {int(k): [tuple(x) for x in v] for k, v in (args['script'] or {}).items()}\n"
        "print(json.dumps(play(args['scenario'], args['seed'], args['turns'], script, args['seats'])))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)}
    args = json.dumps({"scenario": scenario, "seed": seed, "turns": turns, "script": script, "seats": seats})
    done = subprocess.run([sys.executable, "-c", code], input=args, capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_same_inputs_give_the_same_game_twice_in_one_process():
    first = Game(load_scenario(str(SMALL)), seed=5, seats=SEATS, turns=6)
    second = Game(load_scenario(str(SMALL)), seed=5, seats=SEATS, turns=6)
    for turn in range(1, 7):
        for game in (first, second):
            for seat, text in SCRIPT.get(turn, []):
                game.submit(seat, text)
        a, b = first.step(), second.step()
        assert a.digest == b.digest, f"turn {turn}"
        assert (a.accepted, a.rejected, a.events) == (b.accepted, b.rejected, b.events)
    # what a player reads afterwards is identical too: the metrics table and the summary numbers
    assert first.metrics().equals(second.metrics())
    assert np.array_equal(first.model.price, second.model.price)


def test_a_scenario_object_reused_by_a_second_game_gives_the_same_game():
    """Running one game must not leave traces in the scenario another game then uses."""
    scenario = load_scenario("baseline_2025")
    one = Game(scenario, seed=11, turns=3)
    one.run()
    two = Game(scenario, seed=11, turns=3)
    two.run()
    assert [r.digest for r in one.reports] == [r.digest for r in two.reports]
    assert [r.events for r in one.reports] == [r.events for r in two.reports]


def test_a_fresh_process_replays_the_small_game_with_orders():
    here = play(str(SMALL), 5, 6, SCRIPT, SEATS)
    there = play_elsewhere(str(SMALL), 5, 6, SCRIPT, SEATS, hash_seed="12345")
    assert there == here


def test_a_fresh_process_replays_the_2025_game_with_its_random_events():
    here = play("baseline_2025", 7, 3)
    for hash_seed in ("1", "987654"):
        assert play_elsewhere("baseline_2025", 7, 3, hash_seed=hash_seed) == here


def test_different_seeds_give_different_2025_games():
    """Seeds drive the random events (and the AI's tie-breaks): the games must differ in what
    a player sees, not only in the hash of the random generator's state."""
    scenario = load_scenario("baseline_2025")
    games = {seed: Game(scenario, seed=seed, turns=4) for seed in (1, 2, 3)}
    for game in games.values():
        game.run()
    digests = {seed: [r.digest for r in g.reports] for seed, g in games.items()}
    for a in games:
        for b in games:
            if a < b:
                assert all(x != y for x, y in zip(digests[a], digests[b])), (a, b)
    events = {seed: [r.events for r in g.reports] for seed, g in games.items()}
    prices = {seed: g.model.price for seed, g in games.items()}
    differs = [(a, b) for a in games for b in games if a < b
               and (events[a] != events[b] or not np.allclose(prices[a], prices[b]))]
    assert len(differs) >= 2, "the seed does not change the events or prices of the 2025 game"


def test_golden_digests_of_the_small_game():
    """Six turns of the small world with the fixed SCRIPT end on pinned digests."""
    digests = play(str(SMALL), 5, 6, SCRIPT, SEATS)
    record = {"scenario": "tests/fixtures/small/small_scenario.yaml", "seed": 5, "turns": 6,
              "seats": SEATS, "digests": digests}
    if os.environ.get("CHOKEPOINT_REGEN_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        pytest.skip(f"regenerated {GOLDEN.relative_to(REPO)}")
    assert GOLDEN.is_file(), f"{GOLDEN} is missing: run with CHOKEPOINT_REGEN_GOLDEN=1 to create it"
    pinned = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for turn, (want, got) in enumerate(zip(pinned["digests"], digests), start=1):
        assert got == want, (f"turn {turn}: digest {got}, pinned {want}. If the game changed on purpose, "
                             "regenerate with CHOKEPOINT_REGEN_GOLDEN=1 (see this module's docstring)")
    assert len(digests) == len(pinned["digests"]) == 6


def test_digest_rounding_of_many_arrays_is_that_of_each_array_alone():
    """The digest rounds all its arrays in one pass, skipping the transcendental functions
    for zeros; the bytes must be those of the plain formula applied to each array."""
    from game.api import _rounded, _rounded_many

    def plain(a):
        a = np.asarray(a, dtype=float)
        exponent = np.floor(np.log10(np.maximum(np.abs(a), 1e-300)))
        scale = np.where(np.abs(a) > 0, 10.0 ** (8 - exponent), 1.0)
        return np.round(a * scale).astype(np.int64).tobytes() + exponent.astype(np.int64).tobytes()

    rng = np.random.default_rng(3)
    edges = [0.0, -0.0, 1e-300, 1e-310, 5e-324, 0.1, 0.3, -2.5]
    for k in range(-323, 309):
        x = 10.0 ** k
        edges += [x, np.nextafter(x, 0.0), np.nextafter(x, np.inf), -x]
    arrays = [np.array(edges), np.zeros((3, 4)), np.arange(5), np.array([])]
    arrays += [rng.standard_normal(n) * 10.0 ** rng.integers(-12, 12, n) * (rng.random(n) < 0.5)
               for n in rng.integers(1, 200, 20)]
    assert _rounded_many(arrays) == [plain(a) for a in arrays]
    assert all(_rounded(a) == plain(a) for a in arrays)
