"""The `chokepoint` command, run as a user runs it: in a subprocess, reading its exit code,
its output and the files it writes.

Errors in what the user gave (a bad orders file, an unknown scenario, seat or policy, a
broken data file) must end with a one-line message naming the file and line where there
is one, exit code 2 (1 for `validate`), and never a Python traceback.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SMALL = "tests/fixtures/small/small_scenario.yaml"
SMALL_SEATS = ["US", "CN", "JP", "DE", "ID", "AU", "CHALCO", "JPGA", "DEGA", "TSINGSHAN", "BHP", "VALE"]


def chokepoint(*args, cwd: Path = REPO, timeout: int = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "game.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def assert_clean_failure(done: subprocess.CompletedProcess, code: int, *needles: str) -> None:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    for needle in needles:
        assert needle in done.stderr, (needle, done.stderr)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    done = chokepoint("run", "--scenario", SMALL, "--seed", 1, "--turns", 3, "--out", out)
    assert done.returncode == 0, done.stderr
    return done, out


def test_run_prints_the_summary(small_run):
    done, out = small_run
    text = done.stdout
    for section in ("Prices at the end", "Who makes what", "Scores", "Final digest:"):
        assert section in text, section
    assert "seed 1, 3 turns" in text
    # the shares table names the makers of what the small world makes
    assert any(line.strip().startswith("gallium") and "CN" in line for line in text.splitlines())
    digest = text.split("Final digest:")[1].split()[0]
    assert len(digest) == 16 and int(digest, 16) >= 0
    assert str(out / "game.save") in text


def test_run_writes_the_metrics_as_parquet(small_run):
    _done, out = small_run
    table = pq.read_table(out / "turns.parquet")
    assert table.column_names == ["turn", "entity", "good", "metric", "value"]
    rows = table.to_pylist()
    metrics = {r["metric"] for r in rows}
    for name in ("price", "production", "exports", "imports", "capacity", "shortage", "stockpile",
                 "world_supply_share", "score", "treasury", "alignment"):
        assert name in metrics, name
    assert {r["turn"] for r in rows} == {1, 2, 3}
    countries = {r["entity"] for r in rows if r["metric"] == "treasury"}
    assert countries == {"US", "CN", "JP", "DE", "ID", "AU"}
    # the numbers make sense together: shares of world output add up to one per good made
    for turn in (1, 3):
        share: dict[str, float] = {}
        for r in rows:
            if r["turn"] == turn and r["metric"] == "world_supply_share":
                share[r["good"]] = share.get(r["good"], 0.0) + r["value"]
        assert share["gallium"] == pytest.approx(1.0) and share["nickel_refined"] == pytest.approx(1.0)
    prices = [r["value"] for r in rows if r["metric"] == "price"]
    assert all(p >= 0 for p in prices)


def test_run_writes_the_orders_log(small_run):
    _done, out = small_run
    with open(out / "orders.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows, "the AI seats gave no orders in three turns"
    assert set(rows[0]) == {"turn", "seat", "order", "result", "reason"}
    assert {r["result"] for r in rows} <= {"accepted", "rejected"}
    assert all(1 <= int(r["turn"]) <= 3 and r["seat"] in SMALL_SEATS for r in rows)


def test_replay_of_a_run_succeeds(small_run):
    run, out = small_run
    final = run.stdout.split("Final digest:")[1].split()[0]
    done = chokepoint("replay", out / "game.save")
    assert done.returncode == 0, done.stderr
    assert "3 turns replayed, every digest matches" in done.stdout and final in done.stdout


@pytest.fixture(scope="module")
def passive_run(tmp_path_factory):
    """A two-turn run with every seat passive: a save the people's orders alone explain."""
    out = tmp_path_factory.mktemp("passive")
    seats = [a for s in SMALL_SEATS for a in ("--seat", f"{s}=passive")]
    done = chokepoint("run", "--scenario", SMALL, "--seed", 3, "--turns", 2, *seats, "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[0], out / "game.save"


def test_replay_of_a_run_with_passive_seats_succeeds(passive_run):
    digest, save = passive_run
    done = chokepoint("replay", save)
    assert done.returncode == 0, done.stderr
    assert "2 turns replayed, every digest matches" in done.stdout and digest in done.stdout


def test_replay_works_from_another_directory(passive_run, tmp_path):
    _digest, save = passive_run
    done = chokepoint("replay", save, cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_replay_of_a_tampered_save_fails_cleanly_naming_the_line(passive_run, tmp_path):
    _digest, save = passive_run
    lines = save.read_text().splitlines()
    record = json.loads(lines[2])
    record["digest"] = "ffffffffffffffff"
    lines[2] = json.dumps(record)
    bad = tmp_path / "tampered.save"
    bad.write_text("\n".join(lines) + "\n")
    assert_clean_failure(chokepoint("replay", bad), 2, f"{bad}:3:", "turn 2", "check does not match")


# ---- scripted orders ---------------------------------------------------------------------

GOOD_SCRIPT = """\
# the README's example, on the small world
- turn: 2
  seat: CN
  orders: ["export_control good=gallium target=US mode=ban"]
- turn: 3
  seat: US
  orders: ["price_floor good=gallium price=1.2 volume=50 turns=10", "stockpile good=gallium amount=20"]
- turn: 3
  seat: US
  orders: "subsidy firm=NOBODY amount=5"
"""


def test_run_with_an_orders_script(tmp_path):
    script = tmp_path / "orders.yaml"
    script.write_text(GOOD_SCRIPT)
    out = tmp_path / "out"
    done = chokepoint("run", "--scenario", SMALL, "--seed", 1, "--turns", 3, "--orders", script, "--out", out)
    assert done.returncode == 0, done.stderr
    assert "vs base" in done.stdout                      # scores against the all-AI game
    assert "Measures in force: 1 export controls" in done.stdout
    # the order the rules turn away is reported, the others are carried out
    assert "turn 3: US: rejected 'subsidy firm=NOBODY amount=5'" in done.stderr
    with open(out / "orders.csv", newline="", encoding="utf-8") as fh:
        rows = {(r["turn"], r["seat"], r["order"]): r for r in csv.DictReader(fh)}
    assert rows[("2", "CN", "export_control good=gallium target=US mode=ban")]["result"] == "accepted"
    assert rows[("3", "US", "stockpile good=gallium amount=20")]["result"] == "accepted"
    assert rows[("3", "US", "subsidy firm=NOBODY amount=5")]["result"] == "rejected"


BAD_SCRIPTS = {
    # name: (file text, line the error must name, words it must contain)
    "unknown seat": ("- turn: 1\n  seat: US\n  orders: [\"pressure target=ID\"]\n"
                     "- turn: 2\n  seat: ATLANTIS\n  orders: [\"pressure target=ID\"]\n", 4, "ATLANTIS"),
    "bad order text": ("- turn: 1\n  seat: US\n  orders:\n    - \"pressure target=ID\"\n"
                       "    - \"stockpile good=gallium amount=lots\"\n", 5, "amount"),
    "unknown action": ("- turn: 1\n  seat: US\n  orders:\n    - \"launch_missiles target=CN\"\n", 4, "launch_missiles"),
    "a mapping, not a list": ("turn: 1\nseat: US\norders: [\"pressure target=ID\"]\n", 1, "list"),
    "wrong keys": ("- turn: 1\n  seat: US\n  orders: [\"pressure target=ID\"]\n"
                   "- turn: 2\n  seat: US\n  order: [\"pressure target=ID\"]\n", 4, "turn, seat and orders"),
    "turn zero": ("- turn: 0\n  seat: US\n  orders: [\"pressure target=ID\"]\n", 1, "turn"),
    "broken YAML": ("- turn: 1\n  seat: US\n  orders: [\"pressure target=ID\"\n", 4, "YAML"),
}


@pytest.mark.parametrize("name", sorted(BAD_SCRIPTS))
def test_a_bad_orders_script_fails_with_file_and_line(tmp_path, name):
    text, line, word = BAD_SCRIPTS[name]
    script = tmp_path / "orders.yaml"
    script.write_text(text)
    done = chokepoint("run", "--scenario", SMALL, "--turns", 2, "--orders", script, "--out", tmp_path / "out")
    assert_clean_failure(done, 2, f"{script}:{line}:", word)
    assert not (tmp_path / "out").exists()               # nothing was played or written


# ---- validate, scenarios, seats ----------------------------------------------------------

def test_validate_accepts_the_bundled_files():
    done = chokepoint("validate", "rulesets/baseline_2025.yaml", "maps/world_2025.yaml", SMALL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(": ok") == 3


def test_validate_rejects_broken_yaml_with_file_and_line(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\ngoods:\n  gallium: {price: 0.6\n  germanium: {price: 2.6}\n")
    assert_clean_failure(chokepoint("validate", broken), 1, f"{broken}:")
    line = chokepoint("validate", broken).stderr.split(f"{broken}:")[1].split(":")[0]
    assert line.isdigit() and 1 <= int(line) <= 5


def test_validate_rejects_a_wrong_value_with_file_and_line(tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(f"extends: {REPO / SMALL}\nname: wrong\ncalendar: {{turn_months: six}}\n")
    assert_clean_failure(chokepoint("validate", scenario), 1, f"{scenario}:3")


def test_an_unknown_scenario_is_named_with_the_ones_available():
    done = chokepoint("run", "--scenario", "atlantis_2030", "--turns", 1)
    assert_clean_failure(done, 2, "atlantis_2030", "baseline_2025")


def test_an_unknown_policy_is_named_with_the_ones_available():
    done = chokepoint("run", "--scenario", SMALL, "--seat", "CN=nonexistent", "--turns", 1)
    assert_clean_failure(done, 2, "nonexistent", "passive", "default_state")


def test_an_unknown_difficulty_level_is_named_with_the_levels():
    done = chokepoint("run", "--scenario", SMALL, "--seat", "CN=hawk:impossible", "--turns", 1)
    assert_clean_failure(done, 2, "impossible", "easy, normal, hard")


def test_an_unknown_seat_is_named():
    assert_clean_failure(chokepoint("run", "--scenario", SMALL, "--seat", "ZZ=passive", "--turns", 1), 2, "ZZ")


def test_an_unknown_seat_or_role_kind_is_named_with_the_kinds():
    done = chokepoint("run", "--scenario", SMALL, "--seat", "miners=passive", "--turns", 1)
    assert_clean_failure(done, 2, "miners", "great_power, middle, resource, firm")
    assert_clean_failure(chokepoint("run", "--scenario", SMALL, "--seat", "CN", "--turns", 1), 2, "SEAT=POLICY")


def test_a_role_kind_gives_every_seat_of_that_kind_a_policy():
    from game.cli import seat_policies
    from game.rules import load_scenario
    sc = load_scenario(SMALL)
    seats = seat_policies(sc, ["firm=expander", "great_power=hawk", f"{next(iter(sc.firms))}=cautious"])
    firms = list(sc.firms)
    assert {s: seats[s] for s in firms[1:]} == {s: "expander" for s in firms[1:]}
    assert seats[firms[0]] == "cautious"               # a later, narrower option wins
    powers = [c for c, country in sc.countries.items() if country.kind == "great_power"]
    assert powers and all(seats[c] == "hawk" for c in powers)
    assert set(seats) == set(firms) | set(powers)
    done = chokepoint("run", "--scenario", SMALL, "--seat", "firm=cautious:easy", "--seat", "middle=hedging",
                      "--turns", 1, "--quiet")
    assert done.returncode == 0, done.stderr


def test_scenarios_lists_the_bundled_ones():
    done = chokepoint("scenarios")
    assert done.returncode == 0 and "baseline_2025" in done.stdout


def test_the_summary_gives_unmet_need_in_the_last_turn_and_over_recent_turns():
    """One turn's shortage swings with plants' working stocks, so the summary also gives the
    share of need left unmet over the last four turns (all of them in a shorter game)."""
    import io

    from game import Game, load_scenario
    from game.summary import print_summary
    game = Game(load_scenario(str(SMALL)), seed=1, seats={"CN": "passive"})
    game.submit("CN", "export_control good=gallium target=ALL mode=ban")
    m = game.model
    g = m.goods["gallium"]
    unmet, need = [], []
    for _turn in range(5):
        game.step()
        unmet.append(m.shortage[:, g].sum())
        need.append(m.final_demand[:, g].sum())
    text = io.StringIO()
    print_summary(game, out=text)
    assert "in the last turn and over the last 4 turns" in text.getvalue()
    line = next(x for x in text.getvalue().splitlines() if x.strip().startswith("gallium "))
    last, recent = (float(v.strip(" %")) / 100 for v in line.split("unmet")[1].split(","))
    needed = sum(t.share for t in m.rules.market.demand_tranches if t.price_multiple >= 1.0)
    assert last == pytest.approx(unmet[-1] / (needed * need[-1]), abs=6e-4)
    assert recent == pytest.approx(sum(unmet[1:]) / (needed * sum(need[1:])), abs=6e-4)
    assert recent != pytest.approx(last, abs=6e-4)             # the ban's first turns weigh in
