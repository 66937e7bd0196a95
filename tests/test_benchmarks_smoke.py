"""Smoke tests of the benchmark tools: the scaled scenarios are sound and bench_game runs.

No timing is asserted here; the benchmarks print figures, and figures belong to a machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from game import Game, load_scenario

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import scaling  # noqa: E402  (benchmarks/scaling.py)


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline_2025")


@pytest.fixture(scope="module")
def doubled(baseline):
    return scaling.scale_firms(baseline, 2)


def _facility_ids(scenario) -> list[str]:
    return [fac.id for _firm, fac in scenario.facilities()]


def test_scaled_scenario_keeps_capacity_of_every_good(baseline, doubled):
    before = scaling.capacity_by_good(baseline)
    after = scaling.capacity_by_good(doubled)
    assert before.keys() == after.keys()
    for good, total in before.items():
        assert abs(after[good] - total) <= 1e-9, good


@pytest.mark.parametrize("k", [3, 4])
def test_other_factors_keep_capacity_too(baseline, k):
    before = scaling.capacity_by_good(baseline)
    after = scaling.capacity_by_good(scaling.scale_firms(baseline, k))
    for good, total in before.items():
        assert abs(after[good] - total) <= 1e-9 * max(1.0, total), good


def test_scaled_scenario_has_k_times_the_firms_and_unique_ids(baseline, doubled):
    assert len(doubled.firms) == 2 * len(baseline.firms)
    assert set(baseline.firms) <= set(doubled.firms)
    assert all(f"{fid}_2" in doubled.firms for fid in baseline.firms)
    ids = _facility_ids(doubled)
    assert len(ids) == 2 * len(_facility_ids(baseline))
    assert len(set(ids)) == len(ids)
    for fid, firm in baseline.firms.items():
        copy = doubled.firms[f"{fid}_2"]
        assert [f.id for f in copy.facilities] == [f"{f.id}_2" for f in firm.facilities]
        assert copy.home == firm.home and copy.state_owned == firm.state_owned


def test_scaled_scenario_splits_money_and_passes_the_loader_checks(baseline, doubled):
    for field in ("cash", "debt"):
        before = sum(getattr(f, field) for f in baseline.firms.values())
        after = sum(getattr(f, field) for f in doubled.firms.values())
        assert after == pytest.approx(before, rel=1e-12, abs=1e-9)
    assert scaling.problems(doubled) == []
    assert doubled.hashes["map"] != baseline.hashes["map"]
    assert doubled.hashes["ruleset"] == baseline.hashes["ruleset"]


def test_scaling_leaves_the_original_alone(baseline):
    ids, caps = _facility_ids(baseline), scaling.capacity_by_good(baseline)
    scaling.scale_firms(baseline, 2)
    assert _facility_ids(baseline) == ids and scaling.capacity_by_good(baseline) == caps


def test_bad_factors_are_refused(baseline):
    for k in (0, -1, 1.5):
        with pytest.raises(ValueError):
            scaling.scale_firms(baseline, k)


def test_a_game_runs_on_the_scaled_scenario(doubled):
    game = Game(doubled, seed=1)
    model = game.model
    assert len(model.firms) == len(doubled.firms)
    assert len(model.fac) == len(_facility_ids(doubled))
    report = game.step()
    assert report.turn == 1 and game.turn == 1
    assert report.digest


def test_bench_game_prints_its_tables():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run(
        [sys.executable, str(BENCH / "bench_game.py"), "--repeats", "1", "--turns", "2", "--no-scaling"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for needle in ("Games (wall time", "run median", "per turn", "target:", "Phases (one game",
                   "production", "outside phases", "Memory (1x", "tracemalloc peak", "max RSS",
                   "load average", "reference workload"):
        assert needle in text, f"{needle!r} missing from:\n{text}"
    assert "Scaling with the firm population" not in text
    assert "NOT REPRODUCIBLE" not in text


def test_seat_options_reach_the_copied_firms_of_a_scaled_game(baseline, doubled):
    """bench_game --seat firm=expander plays every firm of the 2x game as expander, the copies
    included, and keeps a named seat's choice."""
    import functools

    import bench_game
    from game.cli import seat_policies
    specs = ["firm=expander", "MP=cautious"]
    make = functools.partial(bench_game._with_seats, Game, specs, {id(baseline): seat_policies(baseline, specs)})
    seats = make(doubled, seed=1, turns=1).seats
    assert len(seats) == len(doubled.firms) == 2 * len(baseline.firms)
    assert seats.pop("MP") == "cautious"
    assert set(seats.values()) == {"expander"}


def test_country_scaling_keeps_world_capacity_and_demand(baseline):
    tripled = scaling.scale_countries(baseline, 3)
    assert len(tripled.countries) == 3 * len(baseline.countries)
    before, after = scaling.capacity_by_good(baseline), scaling.capacity_by_good(tripled)
    assert before.keys() == after.keys()
    assert all(abs(after[g] - before[g]) <= 1e-9 * max(before[g], 1.0) for g in before)
    for sector in ("ev", "defence"):
        world = sum(c.demand.get(sector, 0.0) for c in baseline.countries.values())
        assert sum(c.demand.get(sector, 0.0) for c in tripled.countries.values()) == pytest.approx(world)
    assert {fac.country for _f, fac in tripled.facilities()} >= {"US_2", "US_3", "CN_3"}
    game = Game(tripled, seed=1, turns=2)
    game.run()
    assert game.model.production.sum() > 0


def test_bench_game_compares_a_revision_with_the_working_tree():
    out = subprocess.run(
        [sys.executable, str(BENCH / "bench_game.py"), "--compare", "HEAD", "--seeds", "1",
         "--repeats", "2", "--turns", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert "speed-up (REV median / working-tree median):" in out.stdout
    assert "working tree" in out.stdout
