"""The after-action report: what the UI and `chokepoint report` build on."""

from __future__ import annotations

import re
import threading

import pytest

from game.api import Game
from game.report import build_report

BAN = "export_control good=ndpr_oxide target=US mode=ban"


@pytest.fixture(scope="module")
def ban_game():
    game = Game("baseline_2025", seed=3, turns=4)
    game.step()
    game.submit("CN", [BAN])
    game.run()
    return game


@pytest.fixture(scope="module")
def report(ban_game):
    return build_report(ban_game)


def test_every_chart_is_a_png_with_a_title_and_caption(report):
    keys = [f.key for f in report.figures]
    assert keys == ["prices", "dependence", "flows", "facilities", "shortages", "scores"]
    for fig in report.figures:
        assert fig.png.startswith(b"\x89PNG\r\n\x1a\n") and len(fig.png) > 10_000
        assert fig.title and fig.caption


def test_the_ban_is_on_the_timeline_with_its_year(report):
    assert (2, 2025.5, "CN", BAN) in report.timeline
    turns = [row[0] for row in report.timeline]
    assert turns == sorted(turns)


def test_questions_carry_their_figures(report):
    assert report.questions
    for q in report.questions:
        assert q.text.endswith("?")
        assert q.evidence and all(re.search(r"\d", line) for line in q.evidence)
        assert q.figure in {f.key for f in report.figures}


def test_the_page_is_self_contained_with_the_pngs_beside_it(report, tmp_path):
    page = report.write(tmp_path / "rep")
    assert page == tmp_path / "rep" / "report.html"
    text = page.read_text(encoding="utf-8")
    sources = re.findall(r"src='([^']*)'", text)
    assert len(sources) == len(report.figures)
    assert all(src.startswith("data:image/png;base64,") for src in sources)
    assert "http" not in text                   # nothing to fetch: it opens offline
    for fig in report.figures:
        assert (tmp_path / "rep" / f"{fig.key}.png").read_bytes() == fig.png
    assert BAN in text


def test_a_report_builds_from_a_worker_thread(ban_game):
    out = {}
    worker = threading.Thread(target=lambda: out.setdefault("rep", build_report(ban_game)))
    worker.start()
    worker.join()
    assert [f.key for f in out["rep"].figures] == ["prices", "dependence", "flows", "facilities", "shortages", "scores"]


def test_a_game_that_has_not_played_is_refused():
    with pytest.raises(ValueError, match="has not played a turn"):
        build_report(Game("baseline_2025", seed=1, turns=2))


def test_the_report_benchmark_prints_its_figures():
    import os
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, str(root / "benchmarks" / "bench_report.py"), "--turns", "2",
                           "--repeats", "1"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr
    assert "report with the status-quo game played" in done.stdout and "report.html" in done.stdout


def test_the_readme_resume_and_report_commands_work_as_written(tmp_path):
    import os
    import shlex
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Resuming a game and the after-action report", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.S).group(1)
    example = re.search(r"```yaml\n(.*?)```", readme, flags=re.S).group(1)     # the orders file shown above
    (tmp_path / "my_orders.yaml").write_text(example, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(root)}
    for line in filter(None, (ln.split("#")[0].strip() for ln in block.splitlines())):
        args = shlex.split(line)
        assert args[0] == "chokepoint"
        done = subprocess.run([sys.executable, "-m", "game.cli", *args[1:]], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, (line, done.stderr)
    assert (tmp_path / "out" / "report.html").stat().st_size > 100_000
    replay = subprocess.run([sys.executable, "-m", "game.cli", "replay", "out/game.save"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    assert "10 turns replayed, every digest matches" in replay.stdout
    what_if = subprocess.run([sys.executable, "-m", "game.cli", "replay", "out2/game.save"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=600)
    assert "8 turns replayed, every digest matches" in what_if.stdout
