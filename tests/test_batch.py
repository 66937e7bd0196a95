"""Batch experiments: experiment files, parallel = serial, resume after kill -9, errors kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from game.batch import (BatchError, ExperimentError, apply_params, load_experiment, run_batch,
                        run_game)
from game.batch.design import game_seed

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FIXTURES = HERE / "fixtures" / "batch"
TINY = FIXTURES / "tiny.yaml"
SMALL = HERE / "fixtures" / "small" / "small_scenario.yaml"
VARYING = ("wall_time", "code_version")       # the only columns allowed to differ between runs


def dataset(out: Path, name: str):
    table = ds.dataset(out / name, format="parquet").to_table()
    table = table.drop_columns([c for c in VARYING if c in table.column_names])
    keys = ["run_id"] if name == "runs" else table.column_names
    return table.sort_by([(k, "ascending") for k in keys])


def write(tmp_path: Path, text: str, name: str = "exp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text.replace("SMALL", str(SMALL)), encoding="utf-8")
    return path


# -- experiment files ---------------------------------------------------------------------------
def test_the_tiny_experiment_crosses_design_points_policy_sets_and_seeds():
    exp = load_experiment(TINY)
    runs = exp.runs()
    assert len(runs) == 2 * 2 * 2 * 2
    assert [r.run_id for r in runs] == list(range(16))
    assert runs[0].params == {"finance.interest_rate": 0.02, "countries.CN.stability": 0.5}
    assert runs[-1].params == {"finance.interest_rate": 0.06, "countries.CN.stability": 0.9}
    hawk = runs[2].seats
    assert hawk["CN"] == "hawk" and all(hawk[f] == "expander" for f in exp.scenario.firms)
    assert len({r.seed for r in runs}) == 16
    assert runs[5].seed == game_seed(11, 5)


def test_sampled_designs_stay_in_bounds_and_latin_hypercube_fills_every_stratum():
    exp = load_experiment(FIXTURES / "sampled.yaml")
    points = exp.points()
    assert len(points) == 8
    rates = sorted(p["finance.interest_rate"] for p in points)
    # one value in each eighth of [0.01, 0.09]
    assert [int((r - 0.01) / 0.01) for r in rates] == list(range(8))
    assert all(isinstance(p["countries.CN.permit_years"], int) and 1 <= p["countries.CN.permit_years"] <= 6
               for p in points)
    assert {p["politics.nationalism_price_weight"] for p in points} == {0.1, 0.3}
    assert points == load_experiment(FIXTURES / "sampled.yaml").points()      # seeded


def test_a_sobol_design_needs_a_power_of_two_and_then_samples_inside_the_interval(tmp_path):
    bad = write(tmp_path, "scenario: SMALL\ndesign: {kind: sobol, samples: 6}\n"
                "parameters:\n  finance.interest_rate: {low: 0.0, high: 0.1}\n")
    with pytest.raises(ExperimentError, match=r"exp.yaml:2: design.samples: .*power of\s+two.*try 8"):
        load_experiment(bad)
    good = write(tmp_path, "scenario: SMALL\ndesign: {kind: sobol, samples: 8}\n"
                 "parameters:\n  finance.interest_rate: {low: 0.0, high: 0.1}\n")
    values = [p["finance.interest_rate"] for p in load_experiment(good).points()]
    assert len(set(values)) == 8 and all(0.0 <= v < 0.1 for v in values)


@pytest.mark.parametrize("body, expected", [
    ("scenario: SMALL\nparameters:\n  finance.interest_rat: [0.1]\n",
     r"exp.yaml:3: parameters.finance.interest_rat: no such setting in the scenario: finance has no "
     r"'interest_rat'"),
    ("scenario: SMALL\nparameters:\n  finance.interest_rate: [0.1, true]\n",
     r"exp.yaml:3: parameters.finance.interest_rate: value True: finance.interest_rate"),
    ("scenario: SMALL\nparameters:\n  countries.CN.stability: [0.5, 1.5]\n",
     r"exp.yaml:3: parameters.countries.CN.stability: value 1.5: .*less than or equal to 1"),
    ("scenario: SMALL\nparameters:\n  countries.CN: [1]\n",
     r"exp.yaml:3: parameters.countries.CN: countries.CN holds a mapping"),
    ("scenario: SMALL\nparameters:\n  finance.interest_rate: {low: 0.01, high: 0.05}\n",
     r"exp.yaml:3: parameters.finance.interest_rate: a factorial design needs values"),
    ("scenario: SMALL\npolicies:\n  - {}\n  - {XX: hawk}\n",
     r"exp.yaml:4: policies.1.XX: 'XX' is neither a seat of the scenario nor a role kind"),
    ("scenario: SMALL\npolicies:\n  - {CN: hawkish}\n",
     r"exp.yaml:3: policies.0.CN: unknown policy 'hawkish'"),
    ("scenario: SMALL\nseeds: {count: 0}\n",
     r"exp.yaml:2: seeds.count: Input should be greater than or equal to 1"),
    ("scenario: SMALL\nturn: 4\n", r"exp.yaml:2: turn: Extra inputs are not permitted"),
    ("scenario: SMALL\noutputs:\n  turns: [score, prise]\n",
     r"exp.yaml:3: outputs.turns.1: 'prise' matches nothing"),
    ("scenario: no_such_scenario\n", r"exp.yaml:1: scenario: no scenario named 'no_such_scenario'"),
    ("scenario: SMALL\nparameters:\n  finance.interest_rate: [0.1\n",
     r"exp.yaml:4: YAML syntax error"),
])
def test_a_mistake_in_an_experiment_file_names_file_path_and_line(tmp_path, body, expected):
    with pytest.raises(ExperimentError, match=expected):
        load_experiment(write(tmp_path, body))


def test_every_mistake_is_reported_at_once(tmp_path):
    path = write(tmp_path, "scenario: SMALL\nparameters:\n  finance.nope: [1]\n  politics.nope: [2]\n")
    with pytest.raises(ExperimentError) as info:
        load_experiment(path)
    assert [e.line for e in info.value.errors] == [3, 4]


# -- the pure function and the Mesa model -------------------------------------------------------
def test_run_game_is_a_pure_function_of_scenario_seed_and_parameters():
    first = run_game(str(SMALL), 3, turns=2, finance__interest_rate=0.08)
    again = run_game(str(SMALL), 3, turns=2, finance__interest_rate=0.08)
    assert first == again
    assert first["digest"] != run_game(str(SMALL), 4, turns=2, finance__interest_rate=0.08)["digest"]
    assert set(first) >= {"score_US", "score_CHALCO", "price_gallium", "shortage_gallium", "digest"}
    sc = apply_params(load_experiment(TINY).scenario, {"countries.CN.stability": 0.2})
    assert sc.countries["CN"].stability == 0.2


def test_a_batch_game_is_the_game_the_api_plays_and_keeps_its_metrics_as_the_api_names_them():
    from game.api import Game
    from game.batch.outcomes import order_rows, scalar_outcomes, turn_rows
    from game.batch.runner import play
    seats = {"CN": "hawk", "BHP": "expander"}
    model = play(str(SMALL), 9, turns=3, seats=seats)
    game = Game(str(SMALL), seed=9, seats=seats, turns=3)
    game.run()
    assert scalar_outcomes(model)["digest"] == game.digest()
    wanted = ["price", "score", "firm_score", "sector_output", "objective_*"]
    ours = turn_rows(model, wanted, 4)
    assert set(ours["run_id"].to_pylist()) == {4}
    full = game.metrics().to_pylist()
    columns = ["turn", "entity", "good", "metric", "value"]
    theirs = [r for r in full if r["metric"] in wanted or r["metric"].startswith("objective_")]
    def rows(records):
        return sorted(tuple(str(r[c]) for c in columns) for r in records)
    assert rows(ours.to_pylist()) == rows(theirs)
    assert any(m.startswith("objective_") for m in ours["metric"].to_pylist())
    assert order_rows(model, 4).num_rows == len(model.accepted) + len(model.rejections) > 0


def test_mesa_batch_run_drives_the_model_to_the_same_scores_as_run_game():
    from mesa.batchrunner import batch_run

    from game.batch.model import BatchModel
    rows = batch_run(BatchModel, {"scenario": str(SMALL), "turns": 2, "finance.interest_rate": [0.02, 0.07]},
                     rng=[5], number_processes=1, max_steps=50, display_progress=False)
    assert len(rows) == 2
    for row in rows:
        want = run_game(str(SMALL), 5, turns=2, finance__interest_rate=row["finance.interest_rate"])
        assert row["Step"] == 2
        assert row["score_US"] == pytest.approx(want["score_US"], abs=0, rel=0)
        assert row["score_CHALCO"] == want["score_CHALCO"]


# -- the batch ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serial")
    summary = run_batch(TINY, out, workers=1)
    assert (summary.runs_played, summary.errors) == (16, 0)
    return out


def test_the_output_folder_holds_runs_turns_orders_and_meta(serial):
    runs = dataset(serial, "runs")
    assert runs["run_id"].to_pylist() == list(range(16))
    assert set(runs["status"].to_pylist()) == {"ok"}
    assert runs.schema.field("finance.interest_rate").type == "double"
    turns = dataset(serial, "turns")
    assert set(turns["metric"].to_pylist()) == {"score", "price"}
    assert set(turns["turn"].to_pylist()) == {1, 2}
    assert dataset(serial, "orders").num_rows > 0
    import json
    meta = json.loads((serial / "meta.json").read_text())
    assert meta["runs_total"] == 16 and meta["complete"] is True
    assert meta["name"] == "tiny" and meta["experiment"]["seeds"] == {"count": 2, "root": 11, "common": False}
    # one file per chunk of runs, never one per run, and the three folders match
    parts = sorted(p.name for p in (serial / "runs").glob("*.parquet"))
    assert parts == sorted(p.name for p in (serial / "turns").glob("*.parquet"))
    assert len(parts) < 16


def test_each_folder_reads_as_one_table_with_pandas(serial):
    import pandas as pd
    runs = pd.read_parquet(serial / "runs").sort_values("run_id")
    assert runs["run_id"].tolist() == list(range(16))
    assert runs.groupby("finance.interest_rate")["score_US"].count().to_dict() == {0.02: 8, 0.06: 8}
    turns = pd.read_parquet(serial / "turns")
    assert len(turns) == dataset(serial, "turns").num_rows


def test_two_workers_and_a_local_dask_cluster_write_what_one_process_writes(serial, tmp_path):
    pytest.importorskip("distributed")
    two = tmp_path / "two"
    run_batch(TINY, two, workers=2, chunk_seconds=0.01)
    cluster = tmp_path / "dask"
    run_batch(TINY, cluster, workers=2, local_cluster=True, chunk_seconds=0.01)
    for name in ("runs", "turns", "orders"):
        assert dataset(two, name).equals(dataset(serial, name)), name
        assert dataset(cluster, name).equals(dataset(serial, name)), name


def test_a_batch_runs_on_a_dask_cluster_named_by_its_scheduler_file(tmp_path):
    distributed = pytest.importorskip("distributed")
    exp = write(tmp_path, "scenario: SMALL\nturns: 2\nseeds: {count: 4}\n")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        client.write_scheduler_file(str(tmp_path / "scheduler.json"))
        summary = run_batch(exp, tmp_path / "out", scheduler_file=str(tmp_path / "scheduler.json"))
    assert (summary.runs_played, summary.errors, summary.workers) == (4, 0, 1)
    assert dataset(tmp_path / "out", "runs")["run_id"].to_pylist() == [0, 1, 2, 3]


def test_a_dask_worker_killed_mid_batch_loses_and_repeats_no_run(tmp_path):
    """SIGKILL one of two Dask worker processes while it plays a chunk: its chunk runs
    again elsewhere and the folder ends as a serial run writes it, every run once."""
    distributed = pytest.importorskip("distributed")
    import threading
    exp = write(tmp_path, "scenario: SMALL\nturns: 3\nseeds: {count: 40, root: 5}\n"
                "parameters:\n  finance.interest_rate: [0.02, 0.07]\n")
    out, killed = tmp_path / "dask", {}

    def kill_a_busy_worker(client, stop):
        while not stop.is_set():
            if len(list((out / "runs").glob("part-*.parquet"))) >= 2:
                busy = [w for w, keys in client.processing().items() if keys]
                if busy:
                    pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
                    killed["runs_done"] = dataset(out, "runs").num_rows
                    os.kill(pid, signal.SIGKILL)
                    killed["pid"] = pid
                    return
            time.sleep(0.002)

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        stop = threading.Event()
        killer = threading.Thread(target=kill_a_busy_worker, args=(client, stop), daemon=True)
        killer.start()
        summary = run_batch(exp, out, scheduler=cluster.scheduler_address, chunk_seconds=0.02)
        stop.set()
        killer.join()
        assert "pid" in killed, "no worker was killed"
        assert killed["pid"] not in client.run(os.getpid).values()
    assert 0 < killed["runs_done"] < 80                     # killed mid-batch
    assert (summary.runs_played, summary.errors) == (80, 0)
    assert sorted(dataset(out, "runs")["run_id"].to_pylist()) == list(range(80))
    reference = tmp_path / "serial"
    run_batch(exp, reference, workers=1)
    for name in ("runs", "turns", "orders"):
        assert dataset(out, name).equals(dataset(reference, name)), name


BREAKS = ("scenario: SMALL\nturns: 3\nseeds: {count: 2}\n"
          "policies:\n  - {}\n  - {JP: 'batch_policies:BreaksOnTurnTwo'}\n")


def test_a_run_that_raises_is_recorded_with_its_traceback_and_the_batch_goes_on(tmp_path):
    summary = run_batch(write(tmp_path, BREAKS), tmp_path / "out", workers=1)
    assert (summary.runs_played, summary.errors, summary.errors_total) == (4, 2, 2)
    runs = dataset(tmp_path / "out", "runs").to_pylist()
    assert [r["status"] for r in runs] == ["ok", "ok", "error", "error"]
    assert runs[2]["error"].startswith("RuntimeError: this policy breaks on turn two (at batch_policies.py:")
    assert runs[2]["score_US"] is None and runs[0]["score_US"] is not None
    assert [r["attempts"] for r in runs] == [1, 1, 1, 1]
    assert set(dataset(tmp_path / "out", "turns")["run_id"].to_pylist()) == {0, 1}
    errors = dataset(tmp_path / "out", "errors").to_pylist()
    assert [(e["run_id"], e["attempt"]) for e in errors] == [(2, 1), (3, 1)]
    assert errors[0]["error"] == runs[2]["error"]
    trace = errors[0]["traceback"]
    assert trace.startswith("Traceback (most recent call last):") and "in decide" in trace
    assert trace.rstrip().endswith("RuntimeError: this policy breaks on turn two")


def test_rerunning_retries_the_runs_that_raised_until_they_have_raised_max_attempts_times(tmp_path):
    exp, out = write(tmp_path, BREAKS), tmp_path / "out"
    run_batch(exp, out, workers=1)
    for attempt in (2, 3):                  # each rerun plays the two failing runs once more
        summary = run_batch(exp, out, workers=1)
        assert (summary.runs_played, summary.retried, summary.errors, summary.given_up) == (2, 2, 2, 0)
        runs = dataset(out, "runs")
        assert runs["run_id"].to_pylist() == [0, 1, 2, 3]            # still once each
        assert runs["attempts"].to_pylist() == [1, 1, attempt, attempt]
    summary = run_batch(exp, out, workers=1)                          # raised 3 times: given up
    assert (summary.runs_played, summary.retried, summary.errors_total, summary.given_up) == (0, 0, 2, 2)
    errors = dataset(out, "errors")
    assert sorted(zip(errors["run_id"].to_pylist(), errors["attempt"].to_pylist())) == \
        [(2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3)]
    summary = run_batch(exp, out, workers=1, max_attempts=4)         # asked for one more
    assert (summary.runs_played, summary.retried) == (2, 2)
    assert dataset(out, "runs")["attempts"].to_pylist() == [1, 1, 4, 4]
    with pytest.raises(BatchError, match="--max-attempts must be at least 1"):
        run_batch(exp, out, max_attempts=0)
    with pytest.raises(BatchError, match="--workers must be at least 1"):
        run_batch(exp, tmp_path / "never", workers=0)
    assert not (tmp_path / "never").exists()             # a refused command leaves no folder


def test_a_run_that_failed_once_succeeds_on_the_rerun_and_its_failure_stays_on_record(tmp_path, monkeypatch):
    monkeypatch.setenv("CHOKEPOINT_TEST_BREAK_MARKER", str(tmp_path / "broke"))
    exp = write(tmp_path, "scenario: SMALL\nturns: 2\nseeds: {count: 2}\n"
                "policies:\n  - {JP: 'batch_policies:BreaksOnceThenPlays'}\n")
    out = tmp_path / "out"
    assert run_batch(exp, out, workers=1).errors == 1
    assert dataset(out, "runs")["status"].to_pylist() == ["error", "ok"]
    summary = run_batch(exp, out, workers=1)
    assert (summary.runs_played, summary.errors, summary.errors_total) == (1, 0, 0)
    runs = dataset(out, "runs")
    assert runs["status"].to_pylist() == ["ok", "ok"] and runs["attempts"].to_pylist() == [2, 1]
    assert sorted(set(dataset(out, "turns")["run_id"].to_pylist())) == [0, 1]
    [failure] = dataset(out, "errors").to_pylist()
    assert (failure["run_id"], failure["attempt"]) == (0, 1) and "MemoryError" in failure["traceback"]


def test_a_retry_killed_before_it_played_keeps_the_count_of_attempts(tmp_path):
    from game.batch.driver import code_version
    from game.batch.sink import ParquetSink
    exp, out = write(tmp_path, BREAKS), tmp_path / "out"
    run_batch(exp, out, workers=1)
    sink = ParquetSink(out, load_experiment(exp), code_version())
    assert sink.drop_runs({2, 3}) == 2           # what a rerun does first; then it is killed
    sink.close()
    assert dataset(out, "runs")["run_id"].to_pylist() == [0, 1]
    summary = run_batch(exp, out, workers=1)
    assert (summary.runs_played, summary.retried) == (2, 0)      # missing now, so played anyway
    assert dataset(out, "runs")["attempts"].to_pylist() == [1, 1, 2, 2]


def test_csv_copies_hold_the_same_rows_and_columns_as_the_parquet_tables(serial, tmp_path):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    from game.batch.export import export_csv
    written = export_csv(serial, tmp_path / "csv")
    assert [p.name for p in written] == ["runs.csv", "turns.csv", "orders.csv", "errors.csv"]
    for name in ("runs", "turns", "orders"):
        parquet = ds.dataset(serial / name, format="parquet").to_table()
        csv = pcsv.read_csv(tmp_path / "csv" / f"{name}.csv",
                            convert_options=pcsv.ConvertOptions(column_types=parquet.schema))
        assert csv.column_names == parquet.column_names
        def normal(table):                     # CSV has one empty field for null and ""
            cols = {c: (table[c].fill_null("") if pa.types.is_string(table[c].type) else table[c])
                    for c in table.column_names}
            table = pa.table(cols)
            return table.sort_by([(c, "ascending") for c in table.column_names])
        assert normal(csv).equals(normal(parquet.cast(csv.schema))), name
    runs = pcsv.read_csv(tmp_path / "csv" / "runs.csv")
    assert runs["run_id"].to_pylist() == list(range(16))             # in run-id order


def test_the_command_writes_csv_copies_when_asked_even_of_a_finished_batch(serial, tmp_path, capsys):
    import shutil

    from game.cli import main
    folder = tmp_path / "copy"
    shutil.copytree(serial, folder)
    assert main(["batch", str(TINY), "--out", str(folder), "--format", "csv"]) == 0
    assert "all 16 runs were already done" in capsys.readouterr().out
    import pandas as pd
    runs = pd.read_csv(folder / "csv" / "runs.csv")
    assert runs["run_id"].tolist() == list(range(16))
    assert runs["score_US"].tolist() == pd.read_parquet(folder / "runs").sort_values("run_id")["score_US"].tolist()


def test_a_changed_experiment_is_refused_in_a_used_folder(serial, tmp_path):
    changed = write(tmp_path, TINY.read_text().replace("count: 2", "count: 3")
                    .replace("../small/small_scenario.yaml", str(SMALL)))
    with pytest.raises(BatchError, match=r"different experiment \(seeds changed.*new --out folder"):
        run_batch(changed, serial, workers=1)
    done = subprocess.run([sys.executable, "-m", "game.cli", "batch", str(changed), "--out", str(serial)],
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and "different experiment" in done.stderr
    assert dataset(serial, "runs").num_rows == 16           # nothing touched


def test_running_a_finished_batch_again_plays_nothing(serial):
    summary = run_batch(TINY, serial, workers=1)
    assert (summary.runs_before, summary.runs_played) == (16, 0)


def test_a_batch_killed_with_sigkill_resumes_with_every_run_exactly_once(tmp_path):
    exp = write(tmp_path, "scenario: SMALL\nturns: 3\nseeds: {count: 30, root: 3}\n"
                "parameters:\n  finance.interest_rate: [0.02, 0.05, 0.08]\n"
                "outputs: {turns: [score], orders: true}\n")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "game.cli", "batch", str(exp), "--out", str(out), "--workers", "2",
               "--chunk-seconds", "0.02", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(command, cwd=REPO, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not len(list((out / "runs").glob("part-*.parquet"))) >= 3:
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)           # the driver and its workers, mid-batch
    proc.wait()
    done_before = dataset(out, "runs").num_rows
    assert 0 < done_before < 90, done_before
    finished = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    ids = dataset(out, "runs")["run_id"].to_pylist()
    assert sorted(ids) == list(range(90))                  # none lost, none twice
    assert sorted(set(dataset(out, "turns")["run_id"].to_pylist())) == list(range(90))
    reference = tmp_path / "reference"
    run_batch(exp, reference, workers=1)
    for name in ("runs", "turns", "orders"):
        assert dataset(out, name).equals(dataset(reference, name)), name


def test_chunks_aim_at_the_target_time_and_shrink_near_the_end():
    from game.batch.driver import Chunker
    chunker = Chunker(target=1.0, workers=2)
    assert chunker.next_size(1000) == 1                   # nothing measured yet
    chunker.observe(10, 0.1)                               # 10 ms a run
    assert chunker.next_size(1000) == 100                  # about one second of work
    assert chunker.next_size(60) == 15                     # a quarter of what is left, so both workers keep busy
    assert chunker.next_size(1) == 1


def test_a_worker_process_that_dies_is_replaced_and_its_runs_played_again(tmp_path, monkeypatch):
    monkeypatch.setenv("CHOKEPOINT_TEST_KILL_MARKER", str(tmp_path / "killed"))
    exp = write(tmp_path, "scenario: SMALL\nturns: 2\nseeds: {count: 6}\n"
                "policies:\n  - {}\n  - {JP: 'batch_policies:KillsItsProcessOnce'}\n")
    # spawned workers see the environment of now (a forkserver keeps the one it started with)
    summary = run_batch(exp, tmp_path / "out", workers=2, chunk_seconds=0.01, start_method="spawn")
    assert (tmp_path / "killed").exists()                  # a worker did die
    assert (summary.runs_played, summary.errors) == (12, 0)
    runs = dataset(tmp_path / "out", "runs")
    assert runs["run_id"].to_pylist() == list(range(12))


def test_a_run_that_kills_its_worker_every_time_stops_the_batch_with_the_finished_runs_saved(tmp_path):
    exp = write(tmp_path, "scenario: SMALL\nturns: 2\nseeds: {count: 3}\n"
                "policies:\n  - {}\n  - {JP: 'batch_policies:KillsItsProcessAlways'}\n")
    out = tmp_path / "out"
    with pytest.raises(BatchError, match="worker processes keep dying.*run the same command again"):
        run_batch(exp, out, workers=2, chunk_seconds=0.01)
    saved = dataset(out, "runs")["run_id"].to_pylist()
    assert set(saved) <= {0, 1, 2}                        # only runs of the first policy set
    assert len(saved) == len(set(saved))
    for name in ("turns", "orders"):
        assert set(dataset(out, name)["run_id"].to_pylist()) <= set(saved)


def test_the_command_reports_runs_and_errors_and_exits_1_when_a_run_failed(tmp_path, capsys):
    from game.cli import main
    exp = write(tmp_path, "scenario: SMALL\nturns: 3\nseeds: {count: 1}\n"
                "policies:\n  - {}\n  - {JP: 'batch_policies:BreaksOnTurnTwo'}\n")
    command = ["batch", str(exp), "--out", str(tmp_path / "out"), "--workers", "1"]
    assert main(command) == 1
    printed = capsys.readouterr().out
    assert "2 runs played (1 with errors)" in printed and "tracebacks in" in printed
    assert main([*command, "--max-attempts", "2"]) == 1
    assert "1 runs played, 1 of them retried (1 with errors)" in capsys.readouterr().out
    assert main([*command, "--max-attempts", "2"]) == 1         # given up: nothing played
    printed = capsys.readouterr().out
    assert "all 2 runs were already done" in printed
    assert "1 raised 2 time(s) and were not retried (--max-attempts 3 tries them once more)" in printed
    bad = write(tmp_path, "scenario: SMALL\nseeds: {count: -1}\n", "bad.yaml")
    assert main(["batch", str(bad), "--out", str(tmp_path / "other")]) == 2
    assert "bad.yaml:2: seeds.count: Input should be greater than or equal to 1" in capsys.readouterr().err
    assert not (tmp_path / "other").exists()                # nothing written for a bad file


def test_the_batch_benchmark_runs_and_prints_its_figures():
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_batch.py"), "--runs", "16",
                           "--turns", "1", "--rss-runs", "8", "16", "--rss-turns", "1"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for figure in ("run_batch, 1 worker:", "run_batch, 2 workers:", "mesa.batch_run, 2 proc:",
                   "same games: yes", "largest / smallest:"):
        assert figure in done.stdout, (figure, done.stdout)
