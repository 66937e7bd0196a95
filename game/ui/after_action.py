"""The after-action scene: scores against the status-quo game, then the report's charts,
debrief questions and timeline (game.report), with a button that writes the HTML report.

The report takes seconds to build (it plays the status-quo game and draws its charts), so
it is built on a worker thread while the scores are already on screen.
"""

from __future__ import annotations

import io
import threading

import pygame

from game.ui.scenes import Scene
from game.ui.widgets import MUTED, OKABE_ITO, TEXT, Button, draw_lines, wrap_pixels

VIEWS = ("charts", "questions", "timeline")


class ReportBuilder:
    """Builds the report of a finished game on a worker thread."""

    def __init__(self, game):
        self.report, self.error = None, None
        self.thread = threading.Thread(target=self._run, args=(game,), daemon=True)
        self.thread.start()

    def _run(self, game):
        try:
            from game.report import build_report
            self.report = build_report(game)
        except Exception as exc:  # shown on screen, never lost
            self.error = exc

    @property
    def done(self) -> bool:
        return not self.thread.is_alive()


class AfterActionScene(Scene):
    """Scores against the status-quo game (same seed, every seat on its default) and the report."""
    name = "after_action"

    def startup(self, **kwargs):
        game = self.control.game
        self.scores = game.scores(against_baseline=True)
        self.builder = ReportBuilder(game)
        self.report, self.images, self.view, self.figure = None, [], "charts", 0
        self.note = "Preparing the report: charts, debrief questions and timeline..."
        super().startup()

    def layout(self):
        w, h = self.control.size
        self.area = pygame.Rect(460, 110, w - 500, h - 230)
        self.buttons = [Button("Back to title  (Esc)", (80, h - 100, 300, 54), lambda: self.control.switch("title"))]
        x = self.area.x
        for view, key in zip(VIEWS, "CQT"):
            self.buttons.append(Button(f"{view.capitalize()} ({key})", (x, h - 100, 170, 54),
                                       lambda v=view: self.show(v), colour=(60, 70, 90)))
            x += 180
        self.buttons.append(Button("Write HTML report (W)", (x + 10, h - 100, min(300, w - x - 30), 54), self.write,
                                   colour=OKABE_ITO["green"]))
        self.images = []                    # rescaled for the new size on the next update

    def show(self, view: str) -> None:
        self.view = view

    def step_figure(self, by: int) -> None:
        if self.report and self.report.figures:
            self.figure = (self.figure + by) % len(self.report.figures)

    def write(self) -> None:
        if self.report is None:
            self.note = "The report is still being prepared; try again in a moment."
            return
        out = self.control.save_path.parent / "report"
        path = self.report.write(out)
        self.note = f"Report written: {path} (open it in a browser)"

    def handle_event(self, event):
        if event.type == pygame.KEYDOWN:
            keys = {pygame.K_c: "charts", pygame.K_q: "questions", pygame.K_t: "timeline"}
            if event.key in keys:
                self.show(keys[event.key])
            elif event.key == pygame.K_w:
                self.write()
            elif event.key in (pygame.K_LEFT, pygame.K_RIGHT):
                self.step_figure(-1 if event.key == pygame.K_LEFT else 1)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.area.collidepoint(event.pos):
            self.step_figure(1)                                # a click on the chart shows the next
        super().handle_event(event)

    def update(self, dt: float):
        if self.builder is not None and self.builder.done:
            builder, self.builder = self.builder, None
            if builder.error is not None:
                self.note = f"The report could not be built: {builder.error}"
            else:
                self.report = builder.report
                self.note = "Left/right or a click on the chart: next chart. W writes the HTML report."
        if self.report is not None and not self.images:
            self.images = [self.fit(pygame.image.load(io.BytesIO(fig.png))) for fig in self.report.figures]

    def fit(self, image):
        room = (self.area.w, self.area.h - 110)
        scale = min(room[0] / image.get_width(), room[1] / image.get_height())
        return pygame.transform.smoothscale(image, (int(image.get_width() * scale), int(image.get_height() * scale)))

    def draw(self, screen):
        super().draw(screen)
        f, game = self.control.fonts, self.control.game
        screen.blit(f.text(f"After action: {game.turn} turns played", "title"), (80, 30))
        draw_lines(screen, f, [self.note], 80, 80, self.control.size[0] - 160, "small", MUTED)
        self.draw_scores(screen, f, game)
        if self.report is not None:
            getattr(self, f"draw_{self.view}")(screen, f)
        for b in self.buttons:
            if b.label.split(" (")[0].lower() in VIEWS:
                b.colour = OKABE_ITO["sky"] if b.label.lower().startswith(self.view) else (60, 70, 90)
            b.draw(screen, f)

    def draw_scores(self, screen, f, game):
        draw_lines(screen, f, ["Score against the status-quo game", "(same seed, every seat on its AI;",
                               "above 0: better than carrying on)"], 80, 110, 360, "small", MUTED)
        powers = [c for c, v in game.scenario.countries.items() if v.kind == "great_power"]
        rows = sorted(self.scores.items(), key=lambda kv: (game.seats.get(kv[0]) != "human", kv[0] not in powers,
                                                           -kv[1]))
        y = 190
        for seat, value in rows[: max(4, (self.control.size[1] - 320) // 30)]:
            who = "person" if game.seats.get(seat) == "human" else "AI"
            colour = OKABE_ITO["green"] if value >= 0 else OKABE_ITO["vermillion"]
            screen.blit(f.text(f"{seat}  ({who})", "small"), (80, y))
            screen.blit(f.text(f"{value:+.3f}", "small", colour), (300, y))
            y += 30

    def draw_charts(self, screen, f):
        if not self.images:
            return
        fig, image = self.report.figures[self.figure], self.images[self.figure]
        screen.blit(f.text(f"{self.figure + 1}/{len(self.images)}  {fig.title}"), (self.area.x, self.area.y))
        screen.blit(image, (self.area.x, self.area.y + 36))
        caption = wrap_pixels(f, fig.caption, self.area.w)[:3]
        draw_lines(screen, f, caption, self.area.x, self.area.y + 44 + image.get_height(), self.area.w, "small", MUTED)

    def draw_questions(self, screen, f):
        y = self.area.y
        screen.blit(f.text("Debrief questions"), (self.area.x, y))
        y += 40
        for i, q in enumerate(self.report.questions, 1):
            lines = wrap_pixels(f, f"{i}. {q.text}", self.area.w)
            y = draw_lines(screen, f, lines, self.area.x, y, self.area.w, "small", TEXT) + 10
            if y > self.area.bottom - 40:
                break

    def draw_timeline(self, screen, f):
        screen.blit(f.text("Timeline"), (self.area.x, self.area.y))
        rows = [f"turn {t} ({year:.1f})  {seat}: {text}" for t, year, seat, text in self.report.timeline]
        room = (self.area.h - 50) // (f.sizes["small"] + 10)
        draw_lines(screen, f, rows[:room] or ["nothing happened"], self.area.x, self.area.y + 40, self.area.w,
                   "small", TEXT)
