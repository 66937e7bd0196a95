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
