"""docs/batch.md works as written: its experiment file, its error messages, its commands and
every Python example (the EMA Workbench and SALib ones included) on tiny experiments."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from game.batch import ExperimentError, load_experiment

REPO = Path(__file__).resolve().parents[1]
DOC = (REPO / "docs" / "batch.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC, flags=re.S | re.M)


def test_the_documented_experiment_is_the_shipped_one_and_gives_72_runs(tmp_path):
    [yaml_text] = blocks("yaml")
    shipped = REPO / "experiments" / "royalty_sweep.yaml"
    assert shipped.read_text(encoding="utf-8") == yaml_text
    runs = load_experiment(shipped).runs()
    assert len(runs) == 72
    assert "72 runs" in DOC


def test_the_documented_error_messages_are_the_ones_given(tmp_path):
    [yaml_text] = blocks("yaml")
    broken = tmp_path / "royalty_sweep.yaml"
    broken.write_text(yaml_text.replace("ID.royalty_rate", "ID.royalty_rat").replace("CN: hawk", "CN: hawkish"))
    with pytest.raises(ExperimentError) as info:
        load_experiment(broken)
    got = [f"royalty_sweep.yaml:{e.line}: {e.path}: {e.message}" for e in info.value.errors]
    documented = [line for line in re.findall(r"^royalty_sweep\.yaml:.*$", DOC, flags=re.M)]
    assert len(got) == len(documented) == 2
    for message, doc_line in zip(got, documented):
        head = doc_line.split("...")[0].rstrip(", ")
        assert message.startswith(head), (message, doc_line)


def test_the_documented_commands_parse():
    from game.cli import build_parser
    parser = build_parser()
    lines = [line for line in blocks("bash")[0].splitlines() if line.strip()]
    assert len(lines) == 5
    for line in lines:
        args = shlex.split(line.split("#", 1)[0])
        parsed = parser.parse_args(args[1:])
        assert parsed.func.__name__ == "cmd_batch"


def test_every_python_example_runs(tmp_path):
    """Run in a scratch folder that sees the repository's data folders, the
    example that writes out/tiny first (relative paths resolve as in the repository), since the reading example reads it."""
    for name in ("tests", "experiments", "rulesets", "maps"):
        (tmp_path / name).symlink_to(REPO / name)
    examples = sorted(blocks("python"), key=lambda b: "run_batch(" not in b)
    assert len(examples) == 5
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "ignore"}
    printed = []
    for code in examples:
        done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{code}\n{done.stderr}"
        printed.append(done.stdout)
    batch, reading = printed[0], next(p for p, c in zip(printed, examples) if "pl.read_parquet" in c)
    assert batch.startswith("16 runs played, 0 errors") and "72 runs in the sweep" in batch
    assert "rows of ['price', 'score']" in reading
    ema = next(p for p, c in zip(printed, examples) if "perform_experiments" in c)
    assert re.search(r"finance__interest_rate\s+S1\s+-?\d\.\d{3}\s+ST\s+-?\d\.\d{3}", ema), ema
    assert "countries__ID__royalty_rate" in ema
    salib = next(p for p, c in zip(printed, examples) if "ProblemSpec" in c)
    assert "ST" in salib and "countries__ID__royalty_rate" in salib, salib


def test_the_readme_batch_commands_parse_and_name_a_shipped_experiment():
    from game.cli import build_parser
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Batch experiments", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"^```bash\n(.*?)^```", section, flags=re.S | re.M)
    for line in filter(str.strip, block.splitlines()):
        args = shlex.split(line.split("#", 1)[0])
        parsed = build_parser().parse_args(args[1:])
        assert parsed.func.__name__ == "cmd_batch"
        assert (REPO / parsed.experiment).is_file()
