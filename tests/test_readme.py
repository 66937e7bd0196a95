"""The README's instructions work as written.

The first bash block holds exactly two commands: install and play a game in a window, and
install and run the tests; the second's test command must be the one CI runs (.ci/run, the
line after the comment "The README's test command"). The play command is run here on SDL's
dummy screen (with --demo 2, so it plays two turns by itself and writes its screenshots),
and so is the headless `chokepoint run` command given under the block (with --turns 2), as
are the Python API example and the orders-file example.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.S | re.M)


def commands(block: str) -> list[str]:
    return [line.strip() for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def steps(command: str) -> list[str]:
    return [part.strip() for part in command.split("&&")]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


@pytest.fixture(scope="module")
def first_block() -> list[str]:
    blocks = code_blocks("bash")
    assert blocks, "the README has no bash block"
    return commands(blocks[0])


def test_the_first_block_has_an_install_and_play_command_and_an_install_and_test_command(first_block):
    assert len(first_block) == 2, first_block
    play, test = first_block
    assert "pip install -e '.[ui]'" in steps(play)
    assert any(s.startswith("chokepoint play") for s in steps(play))
    assert any(s.startswith("pip install -e") and "[test]" in s for s in steps(test))


def test_the_readme_play_command_opens_the_window_and_plays(first_block, tmp_path):
    play = next(s for s in steps(first_block[0]) if s.startswith("chokepoint "))
    pytest.importorskip("pygame")
    args = shlex.split(play)[1:] + ["--demo", "2", "--screenshots", str(tmp_path)]
    environ = {**env(), "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    done = subprocess.run([sys.executable, "-m", "game.cli", *args], cwd=tmp_path, env=environ,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    shots = sorted(p.name for p in tmp_path.glob("*.png"))
    assert {"01_title.png", "03_main_orders.png", "04_resolving.png", "12_after_action.png"} <= set(shots), shots


def test_the_play_command_without_a_screen_says_to_run_headless(first_block):
    play = next(s for s in steps(first_block[0]) if s.startswith("chokepoint "))
    environ = {k: v for k, v in env().items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    done = subprocess.run([sys.executable, "-m", "game.cli", *shlex.split(play)[1:]], cwd=REPO, env=environ,
                          capture_output=True, text=True, timeout=60)
    if sys.platform.startswith("linux"):
        assert done.returncode == 2 and "chokepoint run" in done.stderr, done.stderr


def headless_command() -> str:
    """The `chokepoint run ...` the README gives, right under the first block, for no screen."""
    after = README.split("```", 2)[2]
    return re.search(r"`(chokepoint run [^`]+)`", after).group(1)


def test_the_readme_headless_command_plays_a_game_and_prints_its_summary():
    args = shlex.split(headless_command())[1:] + ["--turns", "2"]
    done = subprocess.run([sys.executable, "-m", "game.cli", *args], cwd=REPO, env=env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for section in ("Prices at the end", "Who makes what", "Scores", "Final digest:"):
        assert section in done.stdout, section
    assert "2 turns" in done.stdout


def test_the_readme_test_command_is_what_ci_runs(first_block):
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    marker = next(i for i, line in enumerate(ci) if "The README's test command" in line)
    ci_command = ci[marker + 1].strip()
    readme_steps = steps(first_block[1])
    start = next(i for i, s in enumerate(readme_steps) if s.startswith("pip install"))
    assert readme_steps[start:] == steps(ci_command), (first_block[1], ci_command)


def test_the_python_api_example_runs(tmp_path):
    blocks = code_blocks("python")
    assert blocks, "the README has no Python example"
    example = blocks[0]
    assert "load_scenario" in example and "game.step()" in example
    done = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, env=env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    printed = done.stdout.strip().splitlines()
    assert re.fullmatch(r"[0-9a-f]{16}", printed[-1]), printed       # print(game.digest())
    assert printed[0].startswith("["), printed                        # print(report.rejected)


def test_the_readme_orders_file_example_is_a_valid_orders_file(tmp_path):
    from game import load_scenario
    from game.scripts import load_orders_script
    blocks = code_blocks("yaml")
    assert blocks, "the README has no orders-file example"
    path = tmp_path / "my_orders.yaml"
    path.write_text(blocks[0], encoding="utf-8")
    script = load_orders_script(path, load_scenario("baseline_2025"))
    assert sorted(script) == [2, 3]
    assert script[2] == [("CN", ["export_control good=gallium target=US mode=ban"])]


def test_the_readme_command_line_examples_name_real_subcommands():
    from game.cli import build_parser
    blocks = code_blocks("bash")
    parser = build_parser()
    for line in commands(blocks[1]):
        args = shlex.split(line.split("#", 1)[0])
        assert args[0] == "chokepoint", line
        parsed = parser.parse_args(args[1:])            # argparse exits on an unknown option
        assert parsed.func is not None, line


def test_the_own_policy_example_plays_and_passes_the_conformance_kit(tmp_path):
    """The README's policy class, saved as a module, plays a seat by `module:Class` and
    passes game.testing.check_policy."""
    blocks = [b for b in code_blocks("python") if "class " in b and "decide" in b]
    assert blocks, "the README has no example policy"
    (tmp_path / "mypolicies.py").write_text(blocks[0], encoding="utf-8")
    cls = re.search(r"class (\w+)\(Policy\)", blocks[0]).group(1)
    script = (f"from game import Game\nfrom game.testing import check_policy\nimport mypolicies\n"
              f"check_policy(mypolicies.{cls})\n"
              f"g = Game('tests/fixtures/small/small_scenario.yaml', seed=1, seats={{'JP': 'mypolicies:{cls}'}}, turns=2)\n"
              f"g.run()\nprint('ok', g.turn)\n")
    environ = env()
    environ["PYTHONPATH"] = os.pathsep.join([str(tmp_path), environ.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=environ,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok 2"), done.stdout
