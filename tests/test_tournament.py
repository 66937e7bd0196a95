"""Tournaments: every allowed assignment of policies to seats over a few seeds, in parallel.

The table must not depend on how many worker processes play the games, must hold one row
per run and seat, and the CLI must fail cleanly (exit 2, no traceback) on bad input.
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from game.api import Game
from game.tournament import (SUMMARY_COLUMNS, TournamentError, derive_seed, format_summary,
                             plan_assignments, run_tournament)

REPO = Path(__file__).resolve().parent.parent
SMALL = "tests/fixtures/small/small_scenario.yaml"
POLICIES = ["hawk", "aligned", "passive"]
SEATS = ["CN", "JP"]
# hawk plays great powers only, aligned middles only, passive anything:
# CN in {hawk, passive} x JP in {aligned, passive} = 4 assignments
N_ASSIGNMENTS = 4


def chokepoint(*args, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "game.cli", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def serial():
    return run_tournament(SMALL, POLICIES, SEATS, seeds=2, turns=2, workers=1, root_seed=5)


@pytest.fixture(scope="module")
def parallel():
    return run_tournament(SMALL, POLICIES, SEATS, seeds=2, turns=2, workers=2, root_seed=5)


def test_assignments_respect_traits():
    from game.rules import load_scenario
    plan = plan_assignments(load_scenario(SMALL), POLICIES, SEATS)
    assert plan == [{"CN": "hawk", "JP": "aligned"}, {"CN": "hawk", "JP": "passive"},
                    {"CN": "passive", "JP": "aligned"}, {"CN": "passive", "JP": "passive"}]


def test_same_table_whatever_the_number_of_workers(serial, parallel):
    assert serial.runs == parallel.runs
    assert format_summary(serial.summary) == format_summary(parallel.summary)
    assert serial.seeds == parallel.seeds == [derive_seed(5, 0), derive_seed(5, 1)]


def test_root_seed_picks_the_seeds():
    assert derive_seed(5, 0) == derive_seed(5, 0)
    assert len({derive_seed(r, i) for r in range(3) for i in range(3)}) == 9


def test_one_row_per_run_and_seat(serial):
    assert len(serial.assignments) == N_ASSIGNMENTS
    assert len(serial.runs) == N_ASSIGNMENTS * 2 * len(SEATS)
    for r in serial.runs:
        assert r["turns"] == 2
        assert r["score_vs_baseline"] == pytest.approx(r["score"] - r["baseline_score"])
        assert f"{r['seat']}={r['policy']}" in r["assignment"].split(",")


def test_a_run_matches_a_game_played_by_hand(serial):
    row = next(r for r in serial.runs if r["assignment"] == "CN=hawk,JP=aligned" and r["seat"] == "CN")
    game = Game(SMALL, seed=row["seed"], seats={"CN": "hawk", "JP": "aligned"}, turns=2)
    game.run()
    assert game.scores(against_baseline=False)["CN"] == pytest.approx(row["score"], abs=1e-12)
    assert game.scores(against_baseline=True)["CN"] == pytest.approx(row["score_vs_baseline"], abs=1e-12)


def test_summary_has_means_and_t_intervals(serial):
    assert {(r["seat"], r["policy"]) for r in serial.summary} == {
        ("CN", "hawk"), ("CN", "passive"), ("JP", "aligned"), ("JP", "passive")}
    for r in serial.summary:
        assert set(SUMMARY_COLUMNS) <= set(r)
        assert r["n"] == 2 * 2        # two assignments of the other seat x two seeds
        assert r["ci95_low"] <= r["mean_vs_baseline"] <= r["ci95_high"]
        xs = [x["score_vs_baseline"] for x in serial.runs if (x["seat"], x["policy"]) == (r["seat"], r["policy"])]
        assert r["mean_vs_baseline"] == pytest.approx(sum(xs) / len(xs))
    text = format_summary(serial.summary)
    assert "95% CI (t)" in text and "hawk" in text


def test_a_single_run_has_no_interval():
    res = run_tournament(SMALL, ["passive"], ["CN"], seeds=1, turns=1, workers=1)
    (row,) = res.summary
    assert row["n"] == 1 and math.isnan(row["ci95_low"]) and math.isnan(row["ci95_high"])


@pytest.mark.parametrize("policies, seats, needle", [
    (["nope"], ["CN"], "unknown policy 'nope'"),
    (["hawk"], ["XX"], "unknown seat"),
    (["hawk", "cautious"], ["CN", "US"], "'cautious' can play none of the seats"),
    (["hawk"], ["JP"], "can play none"),
    ([], ["CN"], "no policies"),
])
def test_bad_inputs_raise(policies, seats, needle):
    with pytest.raises(TournamentError, match=needle.replace("(", r"\(")):
        run_tournament(SMALL, policies, seats, seeds=1, turns=1, workers=1)


def test_unknown_scenario_raises():
    with pytest.raises(TournamentError, match="no scenario"):
        run_tournament("no_such_scenario", ["hawk"], ["CN"], seeds=1, turns=1, workers=1)


# -- the command line --------------------------------------------------------------------------
def test_cli_tournament_writes_readable_files(tmp_path, serial):
    out = tmp_path / "t"
    done = chokepoint("tournament", "--scenario", SMALL, "--policies", ",".join(POLICIES),
                      "--seats", ",".join(SEATS), "--seeds", 2, "--turns", 2, "--workers", 2,
                      "--root-seed", 5, "--out", out)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert format_summary(serial.summary) in done.stdout
    assert "Student's t" in done.stdout
    table = pq.read_table(out / "runs.parquet")
    assert table.num_rows == N_ASSIGNMENTS * 2 * len(SEATS)
    assert {"assignment", "seed", "seat", "policy", "score", "baseline_score", "score_vs_baseline",
            "turns"} <= set(table.column_names)
    assert table.column("score_vs_baseline").to_pylist() == [r["score_vs_baseline"] for r in serial.runs]
    with open(out / "runs.csv", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == table.num_rows
    with open(out / "summary.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 and {"ci95_low", "ci95_high", "n"} <= set(rows[0])


@pytest.mark.parametrize("args, needle", [
    (["--policies", "nope", "--seats", "CN"], "unknown policy 'nope'"),
    (["--policies", "hawk", "--seats", "XX"], "unknown seat"),
    (["--policies", "cautious", "--seats", "CN"], "can play none of the seats"),
    (["--policies", "hawk", "--seats", "CN", "--seeds", "0"], "seeds must be at least 1"),
])
def test_cli_tournament_errors_are_clean(args, needle):
    done = chokepoint("tournament", "--scenario", SMALL, "--turns", 1, *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert needle in done.stderr


def test_cli_tournament_unknown_scenario():
    done = chokepoint("tournament", "--scenario", "no_such_scenario", "--policies", "hawk", "--seats", "CN")
    assert done.returncode == 2 and "Traceback" not in done.stderr and "no_such_scenario" in done.stderr


def test_cli_policies_lists_them_with_roles():
    done = chokepoint("policies")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n\n")[0].splitlines()
    assert lines[0].split()[:4] == ["policy", "roles", "aggr", "stoch"]
    hawk = next(line for line in lines if line.startswith("hawk "))
    assert "great_power" in hawk and "0.90" in hawk
    names = [line.split()[0] for line in lines[1:]]
    assert names == sorted(names) and "passive" in names and "cautious" in names
    assert "hawk:easy" in done.stdout        # the difficulty levels are mentioned


# -- difficulty levels ----------------------------------------------------------------------
def test_difficulty_levels_change_what_a_policy_sees():
    import numpy as np

    from agents.policies import Policy
    from agents.policies.base import Traits
    from agents.policies.difficulty import with_difficulty

    class Echo(Policy):
        """Returns one order per unit of the first price it sees, so what it saw shows."""
        name = "echo"
        traits = Traits(roles=("great_power",))

        def decide(self, obs, rng):
            return list(range(int(round(float(obs["public"]["price"][0, 0])))))

    def obs(turn, price, controls=(), before=None):
        """An observation on `turn`; `before`: last turn's price, shown in the history."""
        past = () if before is None else ({"turn": turn - 1, "price": np.array([[float(before)]]), "controls": ()},)
        return {"public": {"turn": turn, "price": np.array([[float(price)]]), "controls": list(controls),
                           "floors": [], "coerced": [], "history": past},
                "private": {"country": "CN"}}

    easy, normal, hard = (with_difficulty(Echo, lv)() for lv in ("easy", "normal", "hard"))
    assert type(easy).name == "echo:easy" and type(easy).traits.stochastic and not type(hard).traits.stochastic
    assert type(easy).traits.roles == ("great_power",)
    rng = lambda: np.random.default_rng(3)                           # noqa: E731
    # the price rises from 10 to 20: normal sees 20, hard foresees 30, easy still sees about 10
    assert len(normal.decide(obs(2, 20, before=10), rng())) == 20
    assert len(hard.decide(obs(2, 20, before=10), rng())) == 30
    assert len(with_difficulty(Echo, "hard")().decide(obs(2, 20, before=10), rng())) == 30   # from the observation alone
    seen = easy.decide(obs(2, 20, before=10), rng())
    assert seen == easy.decide(obs(2, 20, before=10), rng())           # same turn, same rng: same orders
    assert len(seen) <= 13
    # easy does not see a control between two other seats
    class Counts(Echo):
        name = "counts"

        def decide(self, obs, rng):
            return list(range(len(obs["public"]["controls"])))
    ctl = [{"issuer": "US", "target": "JP", "good": "gallium"}, {"issuer": "US", "target": "CN", "good": "gallium"}]
    blind = with_difficulty(Counts, "easy")()
    assert max(len(blind.decide(obs(t, 1, ctl), np.random.default_rng(t))) for t in range(1, 6)) <= 1
    assert len(with_difficulty(Counts, "normal")().decide(obs(1, 1, ctl), rng())) == 2


def test_difficulty_variants_pass_the_policy_kit_and_play_in_tournaments():
    from agents.policies import REGISTRY
    from agents.policies import register_difficulties
    from game.testing import check_policy
    before = dict(REGISTRY)
    try:
        register_difficulties()
        for name in ("hawk:easy", "nationalist:normal", "default_firm:easy", "expander:hard", "builder:hard"):
            check_policy(name, SMALL)
        res = run_tournament(SMALL, ["hawk", "hawk:easy", "hawk:hard"], ["CN"], seeds=2, turns=2, workers=1)
        assert [r["policy"] for r in res.summary] == ["hawk", "hawk:easy", "hawk:hard"]
    finally:                                   # leave the registry as other tests expect it
        REGISTRY.clear()
        REGISTRY.update(before)
