"""The after-action report: charts, debrief questions and a timeline of a game.

    from game.report import build_report
    rep = build_report(game)        # a game.api.Game that has played at least one turn
    rep.figures                     # ReportFigure: key, title, caption, png (bytes)
    rep.questions                   # Question: text, evidence (list of str), figure (a key)
    rep.timeline                    # (turn, year, seat, text)
    rep.write("out/")               # out/report.html (charts embedded) and a PNG per chart

The report compares the game with its status-quo game (`game.baseline()`), which it plays
if the game has not yet. Charts are drawn on matplotlib's Agg canvas without pyplot, so the
report can be built from a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from game.report.debrief import Question, questions, timeline
from game.report.series import Series, collect

__all__ = ["Report", "ReportFigure", "Question", "build_report"]


@dataclass
class ReportFigure:
    key: str
    title: str
    caption: str
    png: bytes


@dataclass
class Report:
    title: str
    subtitle: str
    figures: list[ReportFigure] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    timeline: list[tuple[int, float, str, str]] = field(default_factory=list)

    def figure(self, key: str) -> ReportFigure:
        for fig in self.figures:
            if fig.key == key:
                return fig
        raise KeyError(f"no figure {key!r}; the report has {', '.join(f.key for f in self.figures)}")

    def write(self, out_dir: str | Path) -> Path:
        """Write report.html (self-contained) and the charts as PNGs into `out_dir`."""
        from game.report.page import write_report
        return write_report(self, Path(out_dir))


def build_report(game) -> Report:
    """The report of a game that has played at least one turn."""
    from game.report.charts import CHARTS, png_bytes
    series: Series = collect(game)
    figures = []
    for key, title, draw, caption in CHARTS:
        figures.append(ReportFigure(key, title, caption, png_bytes(draw(series))))
    sc = game.scenario
    first, last = int(series.turns[0]), int(series.turns[-1])
    return Report(
        title=f"After-action report: {sc.title or sc.name}",
        subtitle=(f"scenario {sc.name}, seed {game.seed}, turns {first}-{last} of {game.turns} "
                  f"({series.year(first):.1f}-{series.year(last) + series.turn_frac:.1f}); final digest {game.digest()}"),
        figures=figures, questions=questions(game, series), timeline=timeline(game, series))
